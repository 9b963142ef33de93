import { Inject, Injectable, Logger } from '@nestjs/common';
import { SMS_PORT, type SmsPort } from '../../channels/channel.port.js';
import { messageOf } from '../../common/errors.js';
import { SendRate } from '../../queue/send-rate.js';
import { NoticeRenderer } from '../../templates/notice.renderer.js';
import { SMS_MAX_CHARACTERS } from '../../templates/sms-segments.js';
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

/** No slot could be taken (the queues' store is away): nothing left; tried again, never unlimited. */
const SLOT_UNAVAILABLE = { kind: 'transient', code: 'send_rate_unavailable' } as const;

/** SMS calls in flight at once per job: a provider answers one message per request. */
const SMS_CONCURRENCY = 8;

/** SMS: one request per message, SMS_CONCURRENCY at a time, each rendered as it goes. */
@Injectable()
export class SmsSender implements ChannelSender {
  private readonly logger = new Logger(SmsSender.name);

  constructor(
    private readonly renderer: NoticeRenderer,
    @Inject(SMS_PORT) private readonly sms: SmsPort,
    private readonly rate: SendRate,
  ) {}

  /**
   * Each recipient's SMS as it will go (SMS_NOTICE): their notice where it fits one message; where it
   * does not, the lead alone for a reader whose SMS only informs (`smsLeadOnly`: the plan measured it so);
   * a reader whose SMS counts as their notice holds the batch back instead, with `tooLong` the longest such
   * SMS in characters (the incident's words lengthened since the plan measured them).
   */
  fit(batch: BatchRow, prepared: readonly Prepared[]): { prepared: Prepared[]; tooLong?: number } {
    let tooLong: number | undefined;
    const fitted = prepared.map((p) => {
      if (!p.address || p.problem) return p;
      const sms = this.render(batch, p);
      if (sms === undefined || sms.body.length <= SMS_MAX_CHARACTERS) return { ...p, sms };
      if (p.message.smsCounts) {
        tooLong = Math.max(tooLong ?? 0, sms.body.length);
        return p;
      }
      const lead = { ...p, facts: { ...p.facts, smsLeadOnly: true } };
      return { ...lead, sms: this.render(batch, lead) };
    });
    return { prepared: fitted, tooLong };
  }

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
        const sms = p.sms ?? this.render(batch, p);
        if (sms === undefined) {
          outcomes[i] = RENDER_FAILED;
          continue;
        }
        // The sender's rate, per segment (as Twilio counts it), across every process; the lease is
        // looked at again after the wait.
        const slot = await this.rate.takeSendSlot('sms', sms.segments).then(
          () => undefined,
          (err: unknown) => {
            this.logger.warn({ err: messageOf(err) }, 'no SMS send slot');
            return SLOT_UNAVAILABLE;
          },
        );
        if (slot || !mayStart()) {
          outcomes[i] = slot ?? UNTRIED;
          continue;
        }
        [outcomes[i]] = await settle(this.logger, 1, async () => [
          await this.sms.send({ messageId: p.message.id, to: p.address!, body: sms.body }),
        ]);
      }
    };
    await Promise.all(Array.from({ length: SMS_CONCURRENCY }, worker));
    return { outcomes, unregistered: [] };
  }

  /** The recipient's SMS and its segments; undefined when it does not render (logged). */
  private render(batch: BatchRow, p: Prepared): { body: string; segments: number } | undefined {
    return rendered(this.logger, () => this.renderer.renderSms(batch.template, p.facts).sms);
  }
}
