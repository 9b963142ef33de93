import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  type DynamicModule,
  Global,
  Inject,
  Injectable,
  type LoggerService,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  RequestMethod,
} from '@nestjs/common';
import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import type { AppConfig } from './config/config.js';
import { PROJECT_ROOT } from './paths.js';

/**
 * Paths pino blanks in every log line: credentials, and the fields where personal data lives in this
 * service's objects. Request bodies are never logged, and URLs are logged without their query string.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-twilio-signature"]',
  'req.headers["x-twilio-email-event-webhook-signature"]',
  'res.headers["set-cookie"]',
  '*.email',
  '*.phone',
  '*.name',
  '*.birthDate',
  '*.pushTokens',
  '*.guardian',
  '*.token',
  '*.key',
  '*.secret',
  '*.password',
];

/**
 * The request's path as logged: no query string, a person's external id replaced by its name, and the
 * token of a personal notice page too (it opens that person's notice: a key, not a path).
 */
export function loggedPath(url: string): string {
  // As a router might read it: ASCII escapes decoded (one by one, so that a malformed one elsewhere
  // does not keep the rest encoded), slashes collapsed, any case (a hostile-input review got the token of
  // `/N/<token>`, `//n/<token>` and `/%6e/<token>` into the log). Everything after /v1/subjects/ but its
  // own routes is the external id, which may hold a slash (`hr%2F12345`).
  return url
    .split('?')[0]
    .replace(/%([0-7][0-9A-Fa-f])/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\/{2,}/g, '/')
    .replace(/^(\/v1\/subjects\/)(?!(bulk|imports|lookup)(\/|$)).+$/i, '$1:externalId')
    .replace(/^\/n\/.+$/i, '/n/:token');
}

/** pino-http's options (pino's, with the request's id and what is logged of it), and where lines go. */
export function loggerOptions(config: AppConfig): { options: Options; stream: DestinationStream } {
  const options: Options = {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : randomUUID();
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        // Query strings can carry lookups by email or phone: keep the path only. A person's external id
        // is theirs to choose (some use an email address): its place in the path is logged, not it.
        path: loggedPath(req.url),
      }),
      // The status only: a response's headers can carry what the path must not (the Location of a notice
      // page's acknowledgement is its token; a hostile-input review found it in the log).
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    // Health probes and scrapes every few seconds would drown the log.
    autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? '') },
  };
  return { options, stream: prettyStream() ?? jsonLines() };
}

/**
 * JSON lines on stdout, each written with its own write(2) before the logging call returns. pino's
 * default destination is an asynchronous SonicBoom: a line waits in its buffer for a write on libuv's
 * thread pool, and one logged just before a SIGKILL (an OOM kill, a container stopped hard) was lost,
 * the error that said why among them. Written at once, a line is the kernel's once `logger.x()` returns:
 * a kill loses no line already logged (only a crash of the host can, as for any write).
 *
 * The cost is a write(2) per line on the event loop, 2-6 µs beside pino's ~10 µs of serialising (20k
 * lines to a pipe: 16-17 µs a line against 10-14 µs asynchronous, which coalesces bursts). The send path
 * logs nothing per message or batch that succeeds, only its failures (warnings), so its speed does not
 * change; a request logged by pino-http pays it once, beside milliseconds of handling. The notice pages
 * and the public pages, the busiest routes, are answered ahead of Express with no access line. A reader
 * that stops reading stdout now holds the process as it holds `console.log` (Node writes to pipes and
 * files synchronously), instead of the buffer growing without bound. No fsync: the kernel has the line.
 */
function jsonLines(): DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

/**
 * On a terminal, lines a person reads (pino-pretty, when installed: it is a development dependency).
 * Synchronous too, so the last lines before an exit or a kill are written.
 */
function prettyStream(): DestinationStream | undefined {
  if (!process.stdout.isTTY) return undefined;
  try {
    const require = createRequire(join(PROJECT_ROOT, 'package.json'));
    const pretty = require('pino-pretty') as (options: object) => DestinationStream;
    return pretty({
      colorize: true,
      sync: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,context',
      messageFormat: '[{context}] {msg}',
    });
  } catch {
    return undefined;
  }
}

/** Nest's start-up chatter: a line per module initialised and per route mapped, which buries what matters. */
const CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/** The application's logger without Nest's start-up chatter (its errors and warnings still pass). */
export function withoutStartupChatter(logger: LoggerService): LoggerService {
  const quiet = (params: unknown[]) => {
    const context = params.at(-1);
    return typeof context === 'string' && CHATTER.has(context);
  };
  return {
    log: (message: unknown, ...params: unknown[]) => {
      if (!quiet(params)) logger.log(message, ...params);
    },
    error: (message: unknown, ...params: unknown[]) => {
      logger.error(message, ...params);
    },
    warn: (message: unknown, ...params: unknown[]) => {
      logger.warn(message, ...params);
    },
    debug: (message: unknown, ...params: unknown[]) => {
      logger.debug?.(message, ...params);
    },
    verbose: (message: unknown, ...params: unknown[]) => {
      logger.verbose?.(message, ...params);
    },
    fatal: (message: unknown, ...params: unknown[]) => {
      logger.fatal?.(message, ...params);
    },
  };
}

/** The request being handled's logger (pino-http's `req.log`: a child carrying the request), if any. */
const requestLog = new AsyncLocalStorage<Pino>();

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's logger interface over pino: `log(message, context)` as Nest calls it, or `log({ fields },
 * message, context)` for structured fields; the context (the last argument) goes in `context`. Inside a
 * request, lines carry the request (its id, method and path). What nestjs-pino did, in a page of ours:
 * its releases for Nest 12 ask for Node 22 (issue 19: no engine warnings on Node 20).
 */
@Injectable()
export class Logger implements LoggerService {
  constructor(private readonly root: Pino) {}

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const logger = requestLog.getStore() ?? this.root;
    const fields: Record<string, unknown> = {};
    // Nest passes the context last.
    if (params.length > 0) fields.context = params.at(-1);
    const rest = params.slice(0, -1);
    if (message instanceof Error) {
      logger[level]({ ...fields, err: message }, ...(rest as []));
    } else if (typeof message === 'object' && message !== null) {
      logger[level]({ ...fields, ...message }, ...(rest as []));
    } else if (level === 'error' && rest.length === 1 && isStack(rest[0])) {
      // Nest's exception handlers call error(message, stack, context).
      const err = new Error(String(message));
      err.stack = rest[0];
      logger.error({ ...fields, err });
    } else {
      logger[level](fields, String(message), ...(rest as []));
    }
  }
}

function isStack(value: unknown): value is string {
  return typeof value === 'string' && /\n\s*at /.test(value);
}

/**
 * Every request is logged once answered (pino-http: its id, method, path, status and time), and the lines
 * written while it is handled carry it. The root logger is the app's: `app.get(Logger)`.
 */
const HTTP_LOGGER = Symbol('pino-http');

@Global()
@Module({})
export class LoggingModule implements NestModule {
  constructor(@Inject(HTTP_LOGGER) private readonly http: HttpLogger) {}

  static forRoot({ options, stream }: ReturnType<typeof loggerOptions>): DynamicModule {
    const http = pinoHttp(options, stream);
    return {
      module: LoggingModule,
      providers: [
        { provide: HTTP_LOGGER, useValue: http },
        { provide: Logger, useValue: new Logger(http.logger) },
      ],
      exports: [Logger],
    };
  }

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply((req: IncomingMessage, res: ServerResponse, next: () => void) => {
        this.http(req, res);
        requestLog.run(req.log, next);
      })
      .forRoutes({ path: '{/*splat}', method: RequestMethod.ALL });
  }
}
