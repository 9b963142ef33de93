import { isUtf8 } from 'node:buffer';
import type { NextFunction, Request, Response } from 'express';
import { AppError } from './errors.js';
import { inputProblem, textProblem } from './text.js';

/**
 * Bodies whose text the check below leaves alone (their depth is still bounded): the bulk upsert refuses
 * such a person alone, row by row (the others are stored), and the providers' webhooks carry their own
 * text (a bounce reason), never stored.
 */
const UNCHECKED_TEXT = /^\/v1\/(subjects\/bulk|webhooks\/)/i;

/**
 * What every route gets before it runs, whatever it reads: a parsed body nested deeper than
 * MAX_JSON_DEPTH is refused before validation walks it recursively (a stack overflow, a 500, with or
 * without a key); and text PostgreSQL cannot keep as given (a NUL, which failed the statement with a 500;
 * a lone surrogate, stored as U+FFFD) is refused in the body, the query string and the headers, naming
 * the field or parameter. Path parameters get the same rule in the validation pipe, which knows their
 * names. Runs after the body parsers and before the routes, so it also covers what a route reads from
 * the request itself (an id list's `?name=`) and the queue dashboard.
 */
export function refuseUnstorableInput(req: Request, _res: Response, next: NextFunction): void {
  const problem =
    inputProblem(req.body, { root: 'body', text: !UNCHECKED_TEXT.test(req.path) }) ??
    inputProblem(req.query, { root: 'query', text: true }) ??
    headerProblem(req);
  next(problem ? AppError.invalid([problem]) : undefined);
}

/**
 * Node's parser already refuses a NUL in a header (a 400 before any route), and header values are
 * Latin-1, which holds no surrogate: this holds for another server in front (HTTP/2) all the same.
 */
function headerProblem(req: Request): ReturnType<typeof textProblem> {
  for (const [name, value] of Object.entries(req.headers)) {
    for (const one of Array.isArray(value) ? value : [value ?? '']) {
      const problem = textProblem(one, name);
      if (problem) return problem;
    }
  }
  return undefined;
}

/** Answers that may hold personal data: the API (a person, a lookup, the outbox, the affected set) and the dashboard. */
const NO_STORE = /^\/(v1|queues)(\/|$)/;

/**
 * The two of them every answer carries, whoever writes it: this middleware, and the answers written
 * ahead of Express (public pages, personal pages, their errors), which never pass through it.
 */
export const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff', 'X-Frame-Options': 'DENY' } as const;

/**
 * Headers every answer carries, set before anything else runs so that errors, the docs, the dashboard
 * and report HTML get them too: no content sniffing (a JSON error quoting a field is never run as
 * HTML), no framing by another site (clickjacking of /docs, /queues and report HTML), and no caching of
 * the API's answers, which hold personal data, by browsers or proxies.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
  res.setHeader('Content-Security-Policy', "frame-ancestors 'none'");
  if (NO_STORE.test(req.path)) res.setHeader('Cache-Control', 'no-store');
  next();
}

/** A request target's `scheme://authority` (userinfo and port included), up to its path or query. */
const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * A request target in origin-form (`/n/<token>?x`). HTTP/1.1 allows the absolute-form too (`GET
 * http://host/n/<token> HTTP/1.1`, RFC 9112 §3.2.2: what a client talking to a proxy sends, and what a
 * server must accept), and Node passes it on as `req.url`: the listeners answering ahead of Express,
 * which match the path as a string, let such a request fall through to Nest's JSON 404, and the access
 * log's path rules (a notice's token, a person's id) matched nothing and logged it whole. Only the path
 * and query count: the host is this service, whatever the line names. Anything else (`*` of `OPTIONS *`)
 * is left as it is.
 */
export function originForm(url: string): string {
  if (url.startsWith('/')) return url;
  const prefix = ABSOLUTE_FORM.exec(url);
  if (!prefix) return url;
  const rest = url.slice(prefix[0].length);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * body-parser's `verify`: a body that is not UTF-8 is refused (400, `body`/`isUtf8`) before it is decoded.
 * The parser would decode it anyway, each bad byte a U+FFFD: "Jos\xe9" stored, and printed in a notice,
 * as "Jos\ufffd" (a hostile-input review's Latin-1 body, answered 200).
 */
export function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer, encoding?: string): void {
  // A body declared in another charset body-parser takes (UTF-16) is decoded as declared.
  if (encoding && !/^utf-?8$/i.test(encoding)) return;
  if (!isUtf8(body))
    throw Object.assign(new Error('the request body is not valid UTF-8'), { type: NOT_UTF8 });
}

/** The error type `refuseInvalidUtf8` gives body-parser's error (the filter answers it). */
export const NOT_UTF8 = 'entity.not.utf8';
