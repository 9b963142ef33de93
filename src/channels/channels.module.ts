import { Global, Module } from '@nestjs/common';
import { EMAIL_PORT, PUSH_PORT, SMS_PORT } from './channel.port.js';
import { OutboxAdapter } from './outbox/outbox.adapter.js';
import { OutboxController } from './outbox/outbox.controller.js';
import { OutboxRepository } from './outbox/outbox.repository.js';
import { OutboxService } from './outbox/outbox.service.js';

/**
 * The channel ports and their adapters. Every channel uses the local outbox until its provider adapter
 * is configured.
 */
@Global()
@Module({
  controllers: [OutboxController],
  providers: [
    OutboxRepository,
    OutboxAdapter,
    OutboxService,
    { provide: EMAIL_PORT, useExisting: OutboxAdapter },
    { provide: SMS_PORT, useExisting: OutboxAdapter },
    { provide: PUSH_PORT, useExisting: OutboxAdapter },
  ],
  exports: [EMAIL_PORT, SMS_PORT, PUSH_PORT],
})
export class ChannelsModule {}
