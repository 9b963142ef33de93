import { Injectable } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { CryptoService } from '../../crypto/crypto.service.js';
import { substitute } from '../substitutions.js';
import type {
  EmailBatch,
  EmailPort,
  PushMessage,
  PushOutcome,
  PushPort,
  SendOutcome,
  SmsMessage,
  SmsPort,
} from '../channel.port.js';
import { OutboxRepository } from './outbox.repository.js';

export const outboxAad = (channel: string, messageId: number): string => `outbox:${channel}:${messageId}`;

/**
 * The transport when a channel has no provider account: each message, rendered exactly as it would be
 * sent (an email with its substitutions applied, as SendGrid would), is sealed and stored, and listed
 * at GET /v1/outbox. It always accepts.
 */
@Injectable()
export class OutboxAdapter implements EmailPort, SmsPort, PushPort {
  readonly name = 'outbox';

  constructor(
    private readonly repository: OutboxRepository,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
  ) {}

  async send(batch: EmailBatch): Promise<SendOutcome[]>;
  async send(message: SmsMessage): Promise<SendOutcome>;
  async send(messages: PushMessage[]): Promise<PushOutcome[]>;
  async send(
    input: EmailBatch | SmsMessage | PushMessage[],
  ): Promise<SendOutcome[] | SendOutcome | PushOutcome[]> {
    if (Array.isArray(input)) {
      return this.store(
        'push',
        input.map((m) => ({ messageId: m.messageId, content: m })),
      );
    }
    if ('recipients' in input) {
      return this.store(
        'email',
        input.recipients.map((r) => ({
          messageId: r.messageId,
          content: {
            to: r.to,
            subject: substitute(input.subject, r.substitutions),
            html: substitute(input.html, r.substitutions),
            text: substitute(input.text, r.substitutions),
          },
        })),
      );
    }
    const [outcome] = await this.store('sms', [{ messageId: input.messageId, content: input }]);
    return outcome;
  }

  private async store(
    channel: string,
    items: Array<{ messageId: number; content: unknown }>,
  ): Promise<SendOutcome[]> {
    const cipher = this.crypto.cipher;
    const ids = await this.repository.add(
      items.map((item) => ({
        channel,
        messageId: item.messageId,
        keyId: cipher.currentKeyId,
        sealed: cipher.sealJson(item.content, outboxAad(channel, item.messageId)),
      })),
      this.clock.now(),
    );
    return ids.map((id) => ({ kind: 'sent', providerRef: `outbox-${id}` }));
  }
}
