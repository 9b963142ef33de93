import { Controller, Get } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { Public } from '../common/authorize.decorator.js';

/** What `GET /` answers: where a newcomer who opened the address in a browser or with curl goes next. */
export const ROOT_POINTERS = {
  service: 'Breach notification service',
  docs: '/docs',
  openapi: '/docs-json',
  api: '/v1 (every route needs Authorization: Bearer <api key>)',
  health: '/health/ready',
  publicPages: {
    securityNotices: '/security-notices',
    feed: '/security-notices/feed.atom',
    personalNotice: "/n/{token} (each person's link from their notice)",
  },
} as const;

/** `GET /`: a pointer to the docs and the public pages, not a 404. Out of the API document (not the API). */
@ApiExcludeController()
@Controller()
export class RootController {
  @Public()
  @Get()
  root(): typeof ROOT_POINTERS {
    return ROOT_POINTERS;
  }
}
