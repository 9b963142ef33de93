import { Inject, Injectable, Logger } from '@nestjs/common';
import { SMS_PORT, type SmsPort } from '../../channels/channel.port.js';
import { NoticeRenderer } from '../../templates/notice.renderer.js';
import type { BatchRow } from '../messages.types.js';
import {
  RENDER_FAILED,
  rendered,
  settle,
  UNTRIED,
  unsent,
  type ChannelSender,
  type MayStart,
  type Prepared,
  type Sent,
} from './sending.js';

/** SMS calls in flight at once per job: a provider answers one message per request. */
const SMS_CONCURRENCY = 8;

/** SMS: one request per message, SMS_CONCURRENCY at a time, each rendered as it goes. */
@Injectable()
export class SmsSender implements ChannelSender {
  private readonly logger = new Logger(SmsSender.name);

  constructor(
    private readonly renderer: NoticeRenderer,
    @Inject(SMS_PORT) private readonly sms: SmsPort,
  ) {}

  async send(batch: BatchRow, prepared: Prepared[], mayStart: MayStart): Promise<Sent> {
    const outcomes = unsent(prepared);
    let next = 0;
    const worker = async () => {
      while (next < prepared.length) {
        const i = next++;
        const p = prepared[i];
        if (!p.address) continue;
        if (!mayStart()) {
          outcomes[i] = UNTRIED;
          continue;
        }
        const body = rendered(this.logger, () => this.renderer.renderShort(batch.template, p.facts).sms.body);
        if (body === undefined) {
          outcomes[i] = RENDER_FAILED;
          continue;
        }
        [outcomes[i]] = await settle(this.logger, 1, async () => [
          await this.sms.send({ messageId: p.message.id, to: p.address!, body }),
        ]);
      }
    };
    await Promise.all(Array.from({ length: SMS_CONCURRENCY }, worker));
    return { outcomes, unregistered: [] };
  }
}
