import { randomUUID } from 'node:crypto';
import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import type { Response } from 'express';
import { AppError, ErrorCode, withoutParams } from './errors.js';
import { NOT_UTF8, SECURITY_HEADERS } from './http-hardening.js';

/** The one JSON shape of every error answer. */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: Record<string, unknown>;
  errorId?: string;
}

/** Errors body-parser raises before Nest sees the request, by its `type`. */
const PARSER_ERRORS: Record<string, ErrorCode> = {
  'entity.parse.failed': ErrorCode.InvalidJson,
  'entity.too.large': ErrorCode.PayloadTooLarge,
  'encoding.unsupported': ErrorCode.UnsupportedMediaType,
  'charset.unsupported': ErrorCode.UnsupportedMediaType,
  [NOT_UTF8]: ErrorCode.ValidationFailed,
};

const HTTP_CODES: Record<number, ErrorCode> = {
  400: ErrorCode.ValidationFailed,
  401: ErrorCode.Unauthenticated,
  403: ErrorCode.Forbidden,
  404: ErrorCode.NotFound,
  409: ErrorCode.Conflict,
  412: ErrorCode.PreconditionFailed,
  413: ErrorCode.PayloadTooLarge,
  415: ErrorCode.UnsupportedMediaType,
  428: ErrorCode.PreconditionRequired,
};

/** body-parser's error, whether raw or wrapped by Nest's express adapter (as `cause`): its code, its limit. */
function parserError(error: unknown): { code: ErrorCode; limit?: number } | undefined {
  for (const candidate of [error, error instanceof Error ? error.cause : undefined]) {
    if (typeof candidate === 'object' && candidate !== null && 'type' in candidate) {
      const code = PARSER_ERRORS[String(candidate.type)];
      const limit = 'limit' in candidate && typeof candidate.limit === 'number' ? candidate.limit : undefined;
      if (code) return { code, limit };
    }
  }
  return undefined;
}

const PARSER_MESSAGES: Partial<Record<ErrorCode, string>> = {
  // Fixed text: the parser's own message quotes the body, which may hold personal data.
  [ErrorCode.InvalidJson]:
    'the request body is not valid JSON (an object, or an array where a route takes one)',
  [ErrorCode.PayloadTooLarge]: 'the request body is larger than the server accepts',
  [ErrorCode.UnsupportedMediaType]: 'the request body encoding is not supported',
};

export function toErrorBody(error: unknown): { body: ErrorBody; unexpected: boolean } {
  if (error instanceof AppError) {
    return {
      body: { statusCode: error.status, error: error.code, message: error.message, details: error.details },
      unexpected: false,
    };
  }
  const parsed = parserError(error);
  if (parsed) {
    const status = new AppError(parsed.code, '').status;
    const limit =
      parsed.limit !== undefined ? ` (at most ${parsed.limit.toLocaleString('en-US')} bytes)` : '';
    if (parsed.code === ErrorCode.ValidationFailed) {
      const problem = { field: 'body', rule: 'isUtf8', message: 'the request body must be valid UTF-8' };
      return {
        body: {
          statusCode: 400,
          error: parsed.code,
          message: problem.message,
          details: { problems: [problem] },
        },
        unexpected: false,
      };
    }
    const message = `${PARSER_MESSAGES[parsed.code] ?? ''}${parsed.code === ErrorCode.PayloadTooLarge ? limit : ''}`;
    return { body: { statusCode: status, error: parsed.code, message }, unexpected: false };
  }
  if (error instanceof HttpException && error.cause instanceof URIError) {
    // Express could not decode a path parameter; its message quotes the path, which may hold an address.
    return {
      body: {
        statusCode: 400,
        error: ErrorCode.ValidationFailed,
        message: 'path: a path parameter is not valid percent-encoded UTF-8',
        details: {
          problems: [
            {
              field: 'path',
              rule: 'isPercentEncoded',
              message: 'a path parameter is not valid percent-encoded UTF-8',
            },
          ],
        },
      },
      unexpected: false,
    };
  }
  const noRoute = error instanceof NotFoundException ? /^Cannot ([A-Z]+) /.exec(error.message) : null;
  if (noRoute) {
    // Nest's own text quotes the URL, query string included (where a lookup by email may be tried).
    return {
      body: {
        statusCode: 404,
        error: ErrorCode.NotFound,
        message: `no route answers ${noRoute[1]} at this path (the API is described at /docs)`,
      },
      unexpected: false,
    };
  }
  if (error instanceof HttpException && error.getStatus() < 500) {
    const status = error.getStatus();
    const response = error.getResponse();
    const message =
      typeof response === 'object' &&
      response !== null &&
      'message' in response &&
      typeof response.message === 'string'
        ? response.message
        : error.message;
    return {
      body: { statusCode: status, error: HTTP_CODES[status] ?? 'http_error', message },
      unexpected: false,
    };
  }
  return unexpectedBody(error);
}

/**
 * What is not the caller's to fix: a 503 when the database did not answer in time or ended the request's
 * transaction for a concurrent one, else a 500.
 */
function unexpectedBody(error: unknown): { body: ErrorBody; unexpected: boolean } {
  const errorId = randomUUID();
  if (databaseConflict(error)) {
    // A deadlock or a serialization failure: the other transaction went through, and the same request
    // sent again will too. Writers take rows in one order (subjects in external id order) so it should
    // not happen; if it does, it is still no defect of the request.
    return {
      body: {
        statusCode: 503,
        error: ErrorCode.Unavailable,
        message: `the request ran into a concurrent one and was not applied; try again shortly (errorId ${errorId})`,
        errorId,
      },
      unexpected: true,
    };
  }
  if (databaseBusy(error)) {
    // Not the request's fault and not a defect: PostgreSQL cancelled a statement over
    // PG_STATEMENT_TIMEOUT_MS (a lock held elsewhere counts), or the pool had no connection within
    // PG_CONNECT_TIMEOUT_MS. Said as such, with a time to come back; logged with its errorId.
    return {
      body: {
        statusCode: 503,
        error: ErrorCode.Unavailable,
        message: `the database did not answer in time; try again shortly (errorId ${errorId})`,
        errorId,
      },
      unexpected: true,
    };
  }
  return {
    body: {
      statusCode: 500,
      error: ErrorCode.Internal,
      message: `An unexpected error occurred (errorId ${errorId})`,
      errorId,
    },
    unexpected: true,
  };
}

/**
 * SQLSTATEs of a database that did not answer in time: a statement cancelled (57014, its timeout), a lock
 * not had within lock_timeout (55P03), no connection slot left (53300).
 */
const BUSY_STATES = new Set(['57014', '55P03', '53300']);
/** What node-postgres says when no connection could be had within its connection timeout. */
const CONNECT_TIMEOUT =
  /timeout exceeded when trying to connect|connection terminated due to connection timeout/i;

/** Whether `error` (or what it wraps: drizzle's error, QueryFailed) is the database not answering in time. */
export function databaseBusy(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === 'string' && BUSY_STATES.has(code)) return true;
    if (typeof message === 'string' && CONNECT_TIMEOUT.test(message)) return true;
    current = cause;
  }
  return false;
}

/** SQLSTATEs of a transaction PostgreSQL ended for a concurrent one: a deadlock, a serialization failure. */
const CONFLICT_STATES = new Set(['40P01', '40001']);

/** Whether `error` (or what it wraps) is a deadlock or a serialization failure. */
export function databaseConflict(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth += 1) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && CONFLICT_STATES.has(code)) return true;
    current = cause;
  }
  return false;
}

/** How long a client is asked to wait before trying again after a 503. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Turns every error into {@link ErrorBody}. Anything unexpected becomes a 500 with an `errorId` that is
 * also logged with the stack; internals (driver messages, stacks) never reach the client.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const { body, unexpected } = toErrorBody(error);
    if (unexpected) {
      this.logger.error({ errorId: body.errorId, err: withoutParams(error) }, 'unexpected error');
    }
    const response = host.switchToHttp().getResponse<Response>();
    if (response.headersSent) return;
    if (body.statusCode === 503) response.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    response.status(body.statusCode).json(body);
  }
}

const aheadLogger = new Logger('Errors');

/**
 * The filter's answer for requests answered ahead of Nest (bootstrap's serveAhead): the same body, and
 * anything unexpected logged with its errorId.
 */
export function answerError(res: ServerResponse, error: unknown): void {
  const { body, unexpected } = toErrorBody(error);
  if (unexpected) aheadLogger.error({ errorId: body.errorId, err: withoutParams(error) }, 'unexpected error');
  if (res.headersSent) return;
  const bytes = Buffer.from(JSON.stringify(body));
  res
    .writeHead(body.statusCode, {
      ...SECURITY_HEADERS,
      ...(body.statusCode === 503 ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {}),
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': bytes.length,
    })
    .end(bytes);
}
