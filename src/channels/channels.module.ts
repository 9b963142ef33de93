import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { EMAIL_PORT, PUSH_PORT, SMS_PORT, type PushPort } from './channel.port.js';
import { FcmAdapter } from './fcm/fcm.adapter.js';
import { OutboxAdapter } from './outbox/outbox.adapter.js';
import { OutboxController } from './outbox/outbox.controller.js';
import { OutboxRepository } from './outbox/outbox.repository.js';
import { OutboxService } from './outbox/outbox.service.js';
import { SendGridAdapter } from './sendgrid/sendgrid.adapter.js';
import { TwilioAdapter } from './twilio/twilio.adapter.js';

const logger = new Logger('Channels');

/** A channel with a provider account uses it; one without uses the local outbox. */
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
      useFactory: (config: AppConfig, outbox: OutboxAdapter) =>
        chosen('email', config.sendgrid ? new SendGridAdapter(config.sendgrid) : outbox),
    },
    {
      provide: SMS_PORT,
      inject: [AppConfig, OutboxAdapter],
      useFactory: (config: AppConfig, outbox: OutboxAdapter) =>
        chosen(
          'sms',
          config.twilio
            ? new TwilioAdapter(config.twilio, `${config.publicBaseUrl}/v1/webhooks/twilio`)
            : outbox,
        ),
    },
    {
      provide: PUSH_PORT,
      inject: [AppConfig, OutboxAdapter],
      useFactory: (config: AppConfig, outbox: OutboxAdapter) =>
        chosen('push', config.fcm ? new FcmAdapter(config.fcm) : outbox),
    },
  ],
  exports: [EMAIL_PORT, SMS_PORT, PUSH_PORT],
})
export class ChannelsModule implements OnApplicationShutdown {
  constructor(@Inject(PUSH_PORT) private readonly push: PushPort) {}

  async onApplicationShutdown(): Promise<void> {
    // The FCM adapter holds a Firebase app (and its keep-alive agent).
    if (this.push instanceof FcmAdapter) await this.push.close();
  }
}

function chosen<T extends { name: string }>(channel: string, adapter: T): T {
  logger.log(`${channel}: ${adapter.name}`);
  return adapter;
}
