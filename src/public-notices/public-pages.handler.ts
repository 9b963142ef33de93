import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { SECURITY_HEADERS } from '../common/http-hardening.js';
import { PublicNoticeRenderer } from '../templates/public-notice.renderer.js';
import { PublishedNotices, type CachedPage } from './published-notices.js';
import {
  contentOf,
  feed,
  indexPage,
  negotiate,
  noticeJson,
  noticePage,
  PAGES_PATH,
  STYLESHEET,
} from './public-pages.render.js';

// The public pages, answered by a plain Node request listener ahead of Express and Nest (bootstrap's
// `serveAhead`): a rush of readers meets a finished answer (bytes, ETag, every header) kept per request
// key, not a middleware chain, a guard, a pipe and an interceptor. When this process's copy of the
// published notices is fresh (asked at most once a second), a request is answered synchronously.
// No key: these are the routes ROLE=public exposes (PUBLIC_PATHS).

/** Paths that ROLE=public serves (beside /health): these pages, and what other public modules add. */
export const PUBLIC_PATHS: RegExp[] = [/^\/security-notices(\/|$)/, /^\/n(\/|$)/, /^\/health(\/|$)/];

/** No script, nothing from elsewhere: our stylesheet, our links, forms posting to us. */
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SLUG = /^\/security-notices\/([a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?)(\.json)?$/;

/** A request's answer is remembered only for headers of a sensible length (a flood of long ones is not kept). */
const KEYED_MAX = 256;

export interface PagesOptions {
  baseUrl: string;
  organization: string;
}

/** Called once per answer with the route pattern (never the path) and the status, for the metrics. */
export type Observe = (method: string, route: string, status: number, startedAt: number) => void;

const page = (body: string, type: string): CachedPage => {
  const bytes = Buffer.from(body, 'utf8');
  return { body: bytes, type, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"` };
};

const STYLE = page(STYLESHEET, 'text/css; charset=utf-8');

const NOT_FOUND = Buffer.from(
  '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><main><h1>Not found</h1><p>No security notice is published here.</p></main></body></html>\n',
);
const NOT_FOUND_HEAD = {
  ...SECURITY_HEADERS,
  'Content-Security-Policy': CSP,
  'Cache-Control': 'public, max-age=10',
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Length': NOT_FOUND.length,
};

/** What a path under /security-notices is: its route pattern (for the metrics) and max-age. */
type Route = { kind: 'css' | 'feed' | 'index' } | { kind: 'notice'; slug: string; json: boolean };

const ROUTES = {
  css: { pattern: `${PAGES_PATH}/notice.css`, maxAge: 86_400 },
  feed: { pattern: `${PAGES_PATH}/feed.atom`, maxAge: 60 },
  index: { pattern: PAGES_PATH, maxAge: 60 },
  notice: { pattern: `${PAGES_PATH}/:slug`, maxAge: 60 },
} as const;

function routeOf(path: string): Route | undefined {
  if (path === `${PAGES_PATH}/notice.css`) return { kind: 'css' };
  if (path === `${PAGES_PATH}/feed.atom`) return { kind: 'feed' };
  if (path === PAGES_PATH || path === `${PAGES_PATH}/`) return { kind: 'index' };
  const match = SLUG.exec(path);
  if (match) return { kind: 'notice', slug: match[1], json: match[2] !== undefined };
  // A POST's route (the lookup form) and anything else: Nest's, which answers a GET there with its 404.
  return undefined;
}

/** `?lang=` of a query string, as Express's parser read it (the first one; an array is no language). */
function langOf(query: string): string | undefined {
  if (!query.includes('lang=')) return undefined;
  const all = new URLSearchParams(query).getAll('lang');
  return all.length === 1 && all[0] ? all[0] : undefined;
}

/** The headers of a page's answer (200 or 304), before Content-Type and Content-Length. */
function headersOf(found: CachedPage, maxAge: number, vary: boolean): OutgoingHttpHeaders {
  const head: OutgoingHttpHeaders = {
    ...SECURITY_HEADERS,
    'Content-Security-Policy': CSP,
    'Referrer-Policy': 'strict-origin-when-cross-origin',
    'Cache-Control': `public, max-age=${maxAge}`,
    ETag: found.etag,
  };
  if (vary) head.Vary = 'Accept-Language';
  return head;
}

/**
 * Sends a kept answer: 304 when the reader holds it, else the bytes (none for HEAD). The 200's headers
 * are made once per page (with and without Vary: a page's max-age is its route's) and reused.
 */
function send(req: IncomingMessage, res: ServerResponse, found: CachedPage, maxAge: number, vary: boolean) {
  if (req.headers['if-none-match'] === found.etag) {
    res.writeHead(304, headersOf(found, maxAge, vary)).end();
    return 304;
  }
  const heads = (found.heads ??= {});
  const which = vary ? 'vary' : 'plain';
  const head = (heads[which] ??= {
    ...headersOf(found, maxAge, vary),
    'Content-Type': found.type,
    'Content-Length': found.body.length,
  });
  res.writeHead(200, head);
  res.end(req.method === 'HEAD' ? undefined : found.body);
  return 200;
}

function notFound(res: ServerResponse): number {
  res.writeHead(404, NOT_FOUND_HEAD).end(NOT_FOUND);
  return 404;
}

/** What decides a request's answer, or nothing when it is not a GET or HEAD of these pages. */
interface Asked {
  route: Route;
  lang: string | undefined;
  accept: string | undefined;
}

function asked(req: IncomingMessage): Asked | undefined {
  if (req.method !== 'GET' && req.method !== 'HEAD') return undefined;
  const url = req.url ?? '';
  if (!url.startsWith(PAGES_PATH)) return undefined;
  const mark = url.indexOf('?');
  const route = routeOf(mark < 0 ? url : url.slice(0, mark));
  if (!route) return undefined;
  const lang = mark < 0 ? undefined : langOf(url.slice(mark + 1));
  return { route, lang, accept: req.headers['accept-language'] };
}

/**
 * The listener for GET/HEAD of the public pages: true when it answers (now, or once the notices are read),
 * false for anything else, which goes on to Express and Nest. An error is logged by `failed`, which
 * answers 500.
 */
export function publicPages(
  notices: PublishedNotices,
  renderer: PublicNoticeRenderer,
  options: PagesOptions,
  hooks: { observe: Observe; failed: (res: ServerResponse, err: unknown) => void },
) {
  const render = new PageMaker(notices, renderer, options);
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    const request = asked(req);
    if (!request) return false;
    const startedAt = performance.now();
    const route = ROUTES[request.route.kind];
    const vary = request.lang === undefined && request.route.kind !== 'css' && request.route.kind !== 'feed';
    const done = (found: CachedPage | null) => {
      const noticeJson = request.route.kind === 'notice' && request.route.json;
      const status = found ? send(req, res, found, route.maxAge, vary && !noticeJson) : notFound(res);
      hooks.observe(req.method!, route.pattern, status, startedAt);
    };
    const now = render.now(request);
    if (now !== undefined) {
      done(now);
      return true;
    }
    render.later(request).then(done, (err: unknown) => hooks.failed(res, err));
    return true;
  };
}

/** The answer to a request: at once from what is kept, or after reading and rendering. */
class PageMaker {
  constructor(
    private readonly notices: PublishedNotices,
    private readonly renderer: PublicNoticeRenderer,
    private readonly options: PagesOptions,
  ) {}

  /** The answer without waiting (null: 404), or undefined when it must be read or rendered first. */
  now(request: Asked): CachedPage | null | undefined {
    const route = request.route;
    if (route.kind === 'css') return STYLE;
    // A slug nothing is published at: the 404 at once (its answer is never kept: made-up slugs are many).
    if (route.kind === 'notice' && this.notices.peekRow(route.slug) === null) return null;
    const key = keyOf(request);
    return key === undefined ? undefined : this.notices.peekAnswer(key);
  }

  async later(request: Asked): Promise<CachedPage | null> {
    const found = await this.make(request);
    const key = keyOf(request);
    if (found && key !== undefined) this.notices.remember(key, found);
    return found;
  }

  private async make({ route, lang, accept }: Asked): Promise<CachedPage | null> {
    const { notices, renderer, options } = this;
    switch (route.kind) {
      case 'css':
        return STYLE;
      case 'feed':
        return notices.page('feed', async () =>
          page(
            feed(await notices.all(), options.baseUrl, renderer, options.organization),
            'application/atom+xml; charset=utf-8',
          ),
        );
      case 'index': {
        const chosen = negotiate(renderer.locales(), lang, accept);
        return notices.page(`index|${chosen}`, async () =>
          page(
            indexPage(await notices.all(), chosen, renderer, options.organization),
            'text/html; charset=utf-8',
          ),
        );
      }
      case 'notice':
        return this.notice(route.slug, route.json, lang, accept);
    }
  }

  private async notice(slug: string, json: boolean, lang: string | undefined, accept: string | undefined) {
    const { notices, renderer, options } = this;
    const row = await notices.find(slug);
    if (!row) return null;
    if (json) {
      return notices.page(`json|${row.slug}`, () =>
        Promise.resolve(
          page(JSON.stringify(noticeJson(row, options.baseUrl)), 'application/json; charset=utf-8'),
        ),
      );
    }
    const chosen = negotiate(contentOf(row).languages, lang, accept);
    return notices.page(`html|${row.slug}|${chosen}`, () =>
      Promise.resolve(page(noticePage(row, chosen, renderer), 'text/html; charset=utf-8')),
    );
  }
}

/**
 * The key of a request's kept answer: what decides it (Accept-Language too when `?lang=` is given, since
 * a language the notice lacks falls back to it); none for headers too long to keep.
 */
function keyOf({ route, lang, accept }: Asked): string | undefined {
  if ((lang?.length ?? 0) + (accept?.length ?? 0) > KEYED_MAX) return undefined;
  const asked = `${lang ?? ''}\u0000${accept ?? ''}`;
  switch (route.kind) {
    case 'css':
      return undefined;
    case 'feed':
      return 'feed';
    case 'index':
      return `index\u0000${asked}`;
    case 'notice':
      return route.json ? `json\u0000${route.slug}` : `html\u0000${route.slug}\u0000${asked}`;
  }
}
