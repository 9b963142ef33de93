import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from './config/config.js';

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
  return {
    pinoHttp: {
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
    },
  };
}
