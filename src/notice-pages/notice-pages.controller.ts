import { Controller, Headers, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { Public } from '../common/authorize.decorator.js';
import { SECURITY_HEADERS } from '../common/http-hardening.js';
import { NoticePagesService, type PageAnswer } from './notice-pages.service.js';

/**
 * Each person's notice page: HTML for people, outside the API (and its OpenAPI document). GET and HEAD
 * are answered ahead of Express (noticePagesAhead, below); the acknowledgement is a route.
 */
@ApiExcludeController()
@Public()
@Controller('n')
export class NoticePagesController {
  constructor(private readonly pages: NoticePagesService) {}

  /** "I have read this" (a form post, no script): then back to the page, which says so. */
  @Post(':token')
  async acknowledge(
    @Param('token') token: string,
    @Headers('accept-language') language: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const answer = await this.pages.acknowledge(token, clientOf(req), language);
    if (answer.status === 303) res.setHeader('Location', `/n/${token}`);
    send(res, answer, this.pages.contentSecurityPolicy);
  }
}

export const clientOf = (req: Request): string => req.ip ?? req.socket.remoteAddress ?? 'unknown';

/**
 * Headers of every answer under /n/: never kept by a shared cache, never sent on as a referrer (the
 * token is the page's key), never indexed, and a CSP that runs no script. Written at once with the
 * status (no ETag: no one may keep the page), for the answers given ahead of Express too, which also get
 * the app-wide headers here.
 */
export function send(res: ServerResponse, answer: PageAnswer, csp: string): void {
  const head: OutgoingHttpHeaders = {
    ...SECURITY_HEADERS,
    'Cache-Control': 'private, no-store',
    'Referrer-Policy': 'no-referrer',
    'X-Robots-Tag': 'noindex',
    'Content-Security-Policy': csp,
  };
  if (answer.retryAfter !== undefined) head['Retry-After'] = String(answer.retryAfter);
  if (answer.html === '') {
    res.writeHead(answer.status, head).end();
    return;
  }
  const body = typeof answer.html === 'string' ? Buffer.from(answer.html, 'utf8') : answer.html;
  head['Content-Type'] = 'text/html; charset=utf-8';
  head['Content-Length'] = body.length;
  res.writeHead(answer.status, head).end(body);
}

/** A token's path under /n/ (anything else there opens nothing, and is answered as a wrong token is). */
const TOKEN_PATH = /^\/n\/([A-Za-z0-9_-]{1,64})$/;

/**
 * GET and HEAD under /n/, answered ahead of Express and Nest (bootstrap's serveAhead): a rush of readers,
 * or a flood of made-up tokens, costs the page's own work and no middleware, router, guard or access-log
 * line (the token never reaches a log). POST (the acknowledgement) goes on to the controller.
 */
export function noticePagesAhead(
  pages: NoticePagesService,
  hooks: {
    observe: (method: string, route: string, status: number, startedAt: number) => void;
    failed: (res: ServerResponse, err: unknown) => void;
  },
) {
  return (req: IncomingMessage, res: ServerResponse): boolean => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const url = req.url ?? '';
    if (url !== '/n' && !url.startsWith('/n/') && !url.startsWith('/n?')) return false;
    const startedAt = performance.now();
    const mark = url.indexOf('?');
    const token = TOKEN_PATH.exec(mark < 0 ? url : url.slice(0, mark))?.[1];
    const language = req.headers['accept-language'];
    const done = (answer: PageAnswer) => {
      send(res, answer, pages.contentSecurityPolicy);
      hooks.observe(req.method!, '/n/:token', answer.status, startedAt);
    };
    if (token === undefined) {
      done(pages.gone(language));
      return true;
    }
    const answer = pages.show(token, req.socket.remoteAddress ?? 'unknown', language);
    if (answer instanceof Promise) answer.then(done, (err: unknown) => hooks.failed(res, err));
    else done(answer);
    return true;
  };
}
