import { Controller, Headers, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../common/authorize.decorator.js';
import { LookupService } from './lookup.service.js';
import { clientOf, send } from './notice-pages.controller.js';
import { NoticePagesService } from './notice-pages.service.js';

/** "Was I affected?", the form on a published Security Notice (urlencoded, no script). */
@ApiExcludeController()
@Public()
@Controller('security-notices')
export class LookupController {
  constructor(
    private readonly lookup: LookupService,
    private readonly pages: NoticePagesService,
  ) {}

  @Post(':slug/lookup')
  async ask(
    @Param('slug') slug: string,
    @Headers('accept-language') language: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const answer = await this.lookup.ask(slug, req.body, clientOf(req), language);
    send(res, answer, this.pages.contentSecurityPolicy);
  }
}
