import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { EMAIL_PORT, PUSH_PORT, SMS_PORT, type PushPort, type SmsPort } from './channel.port.js';
import { DELIVERY_EVENT_SOURCES, type DeliveryEventSources } from './delivery-events.port.js';
import { OutboxAdapter } from './outbox/outbox.adapter.js';
import { OutboxController } from './outbox/outbox.controller.js';
import { OutboxRepository } from './outbox/outbox.repository.js';
import { OutboxService } from './outbox/outbox.service.js';
import { SendGridEvents } from './sendgrid/sendgrid.events.js';
import { TwilioEvents } from './twilio/twilio.events.js';

const logger = new Logger('Channels');

/**
 * A channel with a provider account uses it; one without uses the local outbox. A provider's adapter (and
 * its SDK: Twilio's alone is ~25 MB) is loaded only when it is configured.
 */
@Global()
@Module({
  controllers: [OutboxController],
  providers: [
    OutboxRepository,
    OutboxAdapter,
    OutboxService,
    {
      provide: EMAIL_PORT,
      inject: [AppConfig, OutboxAdapter],
      useFactory: async (config: AppConfig, outbox: OutboxAdapter) =>
        chosen(
          'email',
          config.sendgrid
            ? new (await import('./sendgrid/sendgrid.adapter.js')).SendGridAdapter(config.sendgrid)
            : outbox,
        ),
    },
    {
      provide: SMS_PORT,
      inject: [AppConfig, OutboxAdapter],
      useFactory: async (config: AppConfig, outbox: OutboxAdapter) =>
        chosen(
          'sms',
          config.twilio
            ? new (await import('./twilio/twilio.adapter.js')).TwilioAdapter(
                config.twilio,
                `${config.publicBaseUrl}/v1/webhooks/twilio`,
              )
            : outbox,
        ),
    },
    {
      provide: PUSH_PORT,
      inject: [AppConfig, OutboxAdapter],
      useFactory: async (config: AppConfig, outbox: OutboxAdapter) =>
        chosen(
          'push',
          config.fcm ? new (await import('./fcm/fcm.adapter.js')).FcmAdapter(config.fcm) : outbox,
        ),
    },
    {
      // Whether or not the provider sends: a post to its webhook is refused (403) when it is not set up.
      provide: DELIVERY_EVENT_SOURCES,
      inject: [AppConfig],
      useFactory: (config: AppConfig): DeliveryEventSources => ({
        sendgrid: new SendGridEvents(config.sendgridWebhookPublicKey),
        twilio: new TwilioEvents(config.twilio, config.publicBaseUrl),
      }),
    },
  ],
  exports: [EMAIL_PORT, SMS_PORT, PUSH_PORT, DELIVERY_EVENT_SOURCES],
})
export class ChannelsModule implements OnApplicationShutdown {
  constructor(
    @Inject(SMS_PORT) private readonly sms: SmsPort,
    @Inject(PUSH_PORT) private readonly push: PushPort,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.sms.close?.();
    await this.push.close?.();
  }
}

function chosen<T extends { name: string }>(channel: string, adapter: T): T {
  logger.log(`${channel}: ${adapter.name}`);
  return adapter;
}
