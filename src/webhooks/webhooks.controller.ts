import { Body, Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request } from 'express';
import { Public } from '../common/authorize.decorator.js';
import { WebhooksService } from './webhooks.service.js';

/**
 * Delivery events from the providers. Public routes: each post is verified by the provider's signature
 * instead of an API key; forged, unsigned or stale posts get a 403 and change nothing.
 */
@ApiExcludeController()
@Controller('v1/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post('sendgrid')
  @HttpCode(200)
  @Public()
  async sendgrid(
    @Req() req: Request & { rawBody?: Buffer },
    @Headers('x-twilio-email-event-webhook-signature') signature?: string,
    @Headers('x-twilio-email-event-webhook-timestamp') timestamp?: string,
  ): Promise<{ stored: number }> {
    const post = { path: req.originalUrl, rawBody: req.rawBody, signature, timestamp };
    return { stored: await this.webhooks.receive('sendgrid', post) };
  }

  @Post('twilio')
  @HttpCode(200)
  @Public()
  async twilio(
    @Req() req: Request,
    @Body() body: Record<string, string>,
    @Headers('x-twilio-signature') signature?: string,
  ): Promise<{ stored: number }> {
    return {
      stored: await this.webhooks.receive('twilio', { path: req.originalUrl, form: body ?? {}, signature }),
    };
  }
}
