import { Controller, Get, Headers, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/authorize.decorator.js';
import { NoticePagesService, type PageAnswer } from './notice-pages.service.js';

/** Each person's notice page: HTML for people, outside the API (and its OpenAPI document). */
@ApiExcludeController()
@Public()
@Controller('n')
export class NoticePagesController {
  constructor(private readonly pages: NoticePagesService) {}

  @Get(':token')
  async show(
    @Param('token') token: string,
    @Headers('accept-language') language: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    send(res, await this.pages.show(token, clientOf(req), language), this.pages.contentSecurityPolicy);
  }

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
 * token is the page's key), never indexed, and a CSP that runs no script.
 */
export function send(res: Response, answer: PageAnswer, csp: string): void {
  res.status(answer.status);
  res.setHeader('Cache-Control', 'private, no-store');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Robots-Tag', 'noindex');
  res.setHeader('Content-Security-Policy', csp);
  if (answer.retryAfter !== undefined) res.setHeader('Retry-After', String(answer.retryAfter));
  if (answer.html === '') {
    res.end();
    return;
  }
  // Not res.send: no ETag for a page no one may keep (it hashed every page for nothing).
  const body = Buffer.from(answer.html, 'utf8');
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Content-Length', body.length);
  res.end(body);
}
