import { createHash } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
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

// The public pages, served by a plain Express handler ahead of Nest's router: a rush of readers after a
// breach meets a cached buffer, an ETag and a Cache-Control, not a guard, a pipe and an interceptor.
// No key: these are the routes ROLE=public exposes (PUBLIC_PATHS).

/** Paths that ROLE=public serves (beside /health): these pages, and what other public modules add. */
export const PUBLIC_PATHS: RegExp[] = [/^\/security-notices(\/|$)/, /^\/n(\/|$)/, /^\/health(\/|$)/];

/** No script, nothing from elsewhere: our stylesheet, our links, forms posting to us. */
const CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const SLUG = /^\/security-notices\/([a-z0-9](?:[a-z0-9-]{0,118}[a-z0-9])?)(\.json)?$/;

export interface PagesOptions {
  baseUrl: string;
  organization: string;
}

const page = (body: string, type: string): CachedPage => {
  const bytes = Buffer.from(body, 'utf8');
  return { body: bytes, type, etag: `"${createHash('sha1').update(bytes).digest('base64url')}"` };
};

const STYLE = page(STYLESHEET, 'text/css; charset=utf-8');

function send(req: Request, res: Response, found: CachedPage, maxAge: number, vary?: string): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('Referrer-Policy', 'strict-origin-when-cross-origin');
  res.setHeader('Cache-Control', `public, max-age=${maxAge}`);
  res.setHeader('ETag', found.etag);
  if (vary) res.setHeader('Vary', vary);
  if (req.headers['if-none-match'] === found.etag) {
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', found.type);
  res.setHeader('Content-Length', found.body.length);
  res.status(200).end(req.method === 'HEAD' ? undefined : found.body);
}

function notFound(res: Response): void {
  res.setHeader('Content-Security-Policy', CSP);
  res.setHeader('Cache-Control', 'public, max-age=10');
  res
    .status(404)
    .type('text/html; charset=utf-8')
    .end(
      '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head><body><main><h1>Not found</h1><p>No security notice is published here.</p></main></body></html>\n',
    );
}

/** The handler for GET/HEAD under /security-notices; anything else goes on to Nest. */
export function publicPages(
  notices: PublishedNotices,
  renderer: PublicNoticeRenderer,
  options: PagesOptions,
) {
  const serve = async (req: Request, res: Response): Promise<boolean> => {
    const path = req.path;
    if (path === `${PAGES_PATH}/notice.css`) return (send(req, res, STYLE, 86_400), true);
    if (path === `${PAGES_PATH}/feed.atom`) {
      const found = await notices.page('feed', async () =>
        page(
          feed(await notices.all(), options.baseUrl, renderer, options.organization),
          'application/atom+xml; charset=utf-8',
        ),
      );
      return (send(req, res, found!, 60), true);
    }
    const query = typeof req.query.lang === 'string' ? req.query.lang : undefined;
    const accept = req.headers['accept-language'];
    const vary = query ? undefined : 'Accept-Language';
    if (path === PAGES_PATH || path === `${PAGES_PATH}/`) {
      const lang = negotiate(renderer.locales(), query, accept);
      const found = await notices.page(`index|${lang}`, async () =>
        page(
          indexPage(await notices.all(), lang, renderer, options.organization),
          'text/html; charset=utf-8',
        ),
      );
      return (send(req, res, found!, 60, vary), true);
    }
    const match = SLUG.exec(path);
    if (!match) return false;
    const row = await notices.find(match[1]);
    if (!row) return (notFound(res), true);
    if (match[2]) {
      const found = await notices.page(`json|${row.slug}`, () =>
        Promise.resolve(
          page(JSON.stringify(noticeJson(row, options.baseUrl)), 'application/json; charset=utf-8'),
        ),
      );
      return (send(req, res, found!, 60), true);
    }
    const lang = negotiate(contentOf(row).languages, query, accept);
    const found = await notices.page(`html|${row.slug}|${lang}`, () =>
      Promise.resolve(page(noticePage(row, lang, renderer), 'text/html; charset=utf-8')),
    );
    return (send(req, res, found!, 60, vary), true);
  };
  return (req: Request, res: Response, next: NextFunction): void => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.path.startsWith(PAGES_PATH)) return next();
    serve(req, res).then(
      (served) => {
        if (!served) next();
      },
      (error: unknown) => next(error),
    );
  };
}
