import { Inject, Injectable, Logger } from '@nestjs/common';
import { EMAIL_PORT, type EmailPort } from '../../channels/channel.port.js';
import { NoticeRenderer, noticeVariant } from '../../templates/notice.renderer.js';
import type { BatchRow } from '../messages.types.js';
import {
  RENDER_FAILED,
  rendered,
  settle,
  sliced,
  UNTRIED,
  unsent,
  type ChannelSender,
  type MayStart,
  type Prepared,
  type Sent,
} from './sending.js';

/**
 * Email: one request per notice variant, the body rendered once and shared, what differs per person
 * in substitutions (up to 1000 recipients, SendGrid's personalizations).
 */
@Injectable()
export class EmailSender implements ChannelSender {
  private readonly logger = new Logger(EmailSender.name);

  constructor(
    private readonly renderer: NoticeRenderer,
    @Inject(EMAIL_PORT) private readonly email: EmailPort,
  ) {}

  async send(batch: BatchRow, prepared: Prepared[], mayStart: MayStart): Promise<Sent> {
    const outcomes = unsent(prepared);
    // One request per notice variant (what the jurisdiction changes in the email, rendered once per
    // request): the planner cuts batches by it, so that is one request, but a batch planned before
    // 0014 (only California apart) may mix them.
    const groups = new Map<string, Array<{ p: Prepared; i: number }>>();
    prepared.forEach((p, i) => {
      if (!p.address) return;
      const variant = noticeVariant(p.facts.jurisdiction);
      const group = groups.get(variant);
      if (group) group.push({ p, i });
      else groups.set(variant, [{ p, i }]);
    });
    for (const reachable of groups.values()) {
      if (!mayStart()) {
        reachable.forEach(({ i }) => (outcomes[i] = UNTRIED));
        continue;
      }
      const shared = rendered(this.logger, () =>
        this.renderer.renderShared(batch.template, reachable[0].p.facts),
      );
      if (!shared) {
        reachable.forEach(({ i }) => (outcomes[i] = RENDER_FAILED));
        continue;
      }
      const going = (
        await sliced(reachable, ({ p, i }) => {
          const substitutions = rendered(this.logger, () =>
            this.renderer.substitutions(batch.template, p.facts),
          );
          if (!substitutions) outcomes[i] = RENDER_FAILED;
          return (
            substitutions && { i, recipient: { messageId: p.message.id, to: p.address!, substitutions } }
          );
        })
      ).filter((r) => r !== undefined);
      if (going.length === 0) continue;
      const results = await settle(this.logger, going.length, () =>
        this.email.send({
          subject: shared.subject,
          html: shared.html,
          text: shared.text,
          recipients: going.map((g) => g.recipient),
        }),
      );
      going.forEach(({ i }, k) => (outcomes[i] = results[k]!));
    }
    return { outcomes, unregistered: [] };
  }
}
