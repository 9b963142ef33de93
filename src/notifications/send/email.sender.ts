import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BATCH_REFUSED,
  EMAIL_PORT,
  type EmailPort,
  type EmailRecipient,
} from '../../channels/channel.port.js';
import { NoticeRenderer, noticeVariant } from '../../templates/notice.renderer.js';
import type { BatchRow } from '../messages.types.js';
import {
  RENDER_FAILED,
  rendered,
  settle,
  sliced,
  UNTRIED,
  unsent,
  type Attempt,
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
      const { subject, html, text } = shared;
      await this.request({ subject, html, text }, going, outcomes, mayStart);
    }
    return { outcomes, unregistered: [] };
  }

  /**
   * One request; when SendGrid refuses some of its addresses (and so takes none of it), the others go
   * again at once without them, while the refused fall back alone (issue 20: they waited for the job's
   * retry, seconds later). SendGrid names every address it refuses, so a second round is the last but
   * for safety; what is still refused-with-the-batch is left to the job's retry.
   */
  private async request(
    content: { subject: string; html: string; text: string },
    recipients: Array<{ i: number; recipient: EmailRecipient }>,
    outcomes: Attempt[],
    mayStart: MayStart,
  ): Promise<void> {
    let going = recipients;
    for (let round = 0; going.length > 0 && round < REFUSAL_ROUNDS; round += 1) {
      // Looked at right before each request, after the rendering of its thousand recipients: a cancel
      // meanwhile sends nothing (the first round's are left untried; a later round's keep their outcome).
      if (!mayStart()) {
        if (round === 0) going.forEach(({ i }) => (outcomes[i] = UNTRIED));
        return;
      }
      const results = await settle(this.logger, going.length, () =>
        this.email.send({ ...content, recipients: going.map((g) => g.recipient) }),
      );
      going.forEach(({ i }, k) => (outcomes[i] = results[k]!));
      const refused = results.some((r) => r.kind === 'permanent');
      going = refused ? going.filter((_, k) => isRefusedWithBatch(results[k])) : [];
    }
  }
}

/** Requests per batch when SendGrid refuses some of its addresses: the first, and the others again. */
const REFUSAL_ROUNDS = 3;

/** A recipient SendGrid did not take only because another address of the request was refused. */
const isRefusedWithBatch = (outcome: Attempt): boolean =>
  outcome.kind === 'transient' && outcome.code === BATCH_REFUSED;
