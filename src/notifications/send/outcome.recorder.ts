import { Injectable, Logger } from '@nestjs/common';
import { NOTICE_CHANNELS, type Channel } from '../../channels/channel.port.js';
import { Clock } from '../../common/clock.js';
import { messageOf } from '../../common/errors.js';
import { DatabaseService } from '../../database/database.service.js';
import { SubjectsService } from '../../subjects/subjects.service.js';
import type { CampaignRow } from '../campaigns.repository.js';
import { CampaignsRepository } from '../campaigns.repository.js';
import { DeliveryFallback } from '../delivery.fallback.js';
import { MessagesRepository } from '../messages.repository.js';
import type { ClaimedMessage } from '../messages.types.js';
import { classify, needsBatchSends, type Classification, type Next } from './outcome.classifier.js';
import type { Sent } from './sending.js';

const DONE: Next = { kind: 'done' };

/**
 * Records a send job's outcomes in one transaction, as the classifier reads them: sent, failed (and the
 * next channel of the plan, or unreachable), left queued for the job's next attempt or a new job; then
 * counts possible duplicates and drops the push tokens found gone. Returns what the job does next.
 */
@Injectable()
export class OutcomeRecorder {
  private readonly logger = new Logger(OutcomeRecorder.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly messages: MessagesRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly fallback: DeliveryFallback,
    private readonly subjects: SubjectsService,
    private readonly clock: Clock,
  ) {}

  async record(
    channel: Channel,
    campaign: CampaignRow,
    batch: { id: number; lease: Date },
    claimed: ClaimedMessage[],
    { outcomes, unregistered, maybeSentAgain = 0 }: Sent,
    lastAttempt: boolean,
  ): Promise<Next> {
    const now = this.clock.now();
    const batchSends = needsBatchSends(channel, outcomes, lastAttempt)
      ? await this.messages.batchSends(batch.id)
      : undefined;
    const c = classify({ channel, claimed, outcomes, lastAttempt, batchSends });
    // Retried when PostgreSQL ends it (a deadlock with another batch's record, say): given up, what left
    // would be sent again once the lease ran out. Safe to run twice: every write is conditional.
    const kept = await this.database.transaction(() => this.write(channel, campaign, batch, c, now), {
      retries: 3,
    });
    // After the commit, each in a statement of its own: the count takes the campaign's row, which a
    // cancel takes before the batches (inside the record it could deadlock with one); dropping tokens
    // locks people's rows (an import may hold them), and what left must not wait for it or roll back
    // with it. Tokens left in are tried, and dropped, next time.
    // Calls made again within the job did go twice: counted whether or not the lease was still its own.
    const maybeSent = (kept ? c.maybeSent : 0) + maybeSentAgain;
    if (maybeSent > 0) {
      await this.campaigns
        .addPossibleDuplicates(campaign.id, maybeSent)
        .catch((err: unknown) =>
          this.logger.warn({ err: messageOf(err) }, 'possible duplicates not counted'),
        );
    }
    if (unregistered.length > 0) {
      await this.subjects
        .dropPushTokens(unregistered, now)
        .catch((err: unknown) =>
          this.logger.warn({ err: messageOf(err) }, 'unregistered push tokens not dropped'),
        );
    }
    if (!kept) {
      this.logger.warn(
        { batchId: batch.id },
        'lease lost before the outcome was recorded: only sends recorded',
      );
      return DONE;
    }
    return c.next;
  }

  /** The record's writes, in the caller's transaction; false when the lease is no longer the job's. */
  private async write(
    channel: Channel,
    campaign: CampaignRow,
    batch: { id: number; lease: Date },
    c: Classification,
    now: Date,
  ): Promise<boolean> {
    // Checked (and the batch row locked) first; what left is recorded whoever holds the batch now.
    const holding = await this.messages.holds(batch.id, batch.lease);
    await this.messages.markSent(c.sent, now);
    if (!holding) return false;
    await this.messages.markFailed(c.failed, now);
    await this.messages.release([...c.retry, ...c.returned], now);
    if (NOTICE_CHANNELS.includes(channel)) {
      await this.fallback.fallBack(campaign, [...new Set(c.failed.map((f) => f.deliveryId))], now);
    }
    if (c.returnBatch) await this.messages.returnBatch(batch.id, batch.lease);
    else await this.messages.releaseBatch(batch.id, batch.lease, now);
    return true;
  }
}
