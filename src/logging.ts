import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
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
  return url
    .split('?')[0]
    .replace(/^(\/v1\/subjects\/)(?!(bulk|imports|lookup)(\/|$))[^/]+\/?$/i, '$1:externalId')
    .replace(/^\/n\/.+$/, '/n/:token');
}

export function loggerOptions(config: AppConfig): Params {
  const options: NonNullable<Exclude<Params['pinoHttp'], DestinationStream | unknown[]>> = {
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
    },
    // Health probes and scrapes every few seconds would drown the log.
    autoLogging: { ignore: (req: IncomingMessage) => /^\/(health|metrics)/.test(req.url ?? '') },
  };
  const pretty = prettyStream();
  return { pinoHttp: pretty ? [options, pretty] : options };
}

/**
 * On a terminal, lines a person reads (pino-pretty, when installed: it is a development dependency);
 * elsewhere, JSON lines for the log collector. Synchronous, so the last lines before an exit are written.
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
