import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { DatabaseService } from '../database/database.service.js';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName } from '../queue/queue.catalogue.js';
import { batchJobId, CampaignLifecycle, sendJobOf } from './campaign.lifecycle.js';
import { CampaignStatus } from './campaign.rules.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { MessagesRepository } from './messages.repository.js';
import { TalliesRepository } from './tallies.repository.js';

/** Tallies older than this are folded: the last minute's stay apart, they give the rate. */
const TALLY_FOLD_AFTER_MS = 90_000;

/**
 * Every 15 s, what the rows say against what the queues hold: PostgreSQL is the truth, Redis only work
 * in flight, so nothing a dead worker or a lost queue dropped stays dropped.
 */
@Injectable()
export class Reconciler {
  private readonly logger = new Logger(Reconciler.name);

  constructor(
    private readonly messages: MessagesRepository,
    private readonly tallies: TalliesRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly lifecycle: CampaignLifecycle,
    private readonly jobs: JobRepository,
    private readonly clock: Clock,
    private readonly database: DatabaseService,
  ) {}

  /**
   * Reclaims messages whose lease ran out, re-queues batches whose job is gone (Redis restarted or was
   * flushed), plans approved campaigns whose plan job is gone, releases residents held back for a report
   * now submitted whose release job is gone, tops up windows, finishes campaigns and folds their older
   * tallies.
   */
  @OnJob(JobName.DeliveriesReconcile)
  async reconcile(): Promise<Record<string, unknown>> {
    // Past the rate's minute, tallies are folded and progress stays a sum of a few rows per campaign.
    // Housekeeping: a fold that fails is logged and left for the next run, never in the way of recovery.
    const folded = await this.tallies.foldTallies(TALLY_FOLD_AFTER_MS).catch((err: unknown) => {
      this.logger.warn({ err: messageOf(err) }, 'tally fold failed');
      return 0;
    });
    const now = this.clock.now();
    const reclaimed = await this.messages.reclaimExpired(now);
    for (const r of reclaimed) {
      this.logger.warn({ campaignId: r.campaignId, messages: r.count }, 'leases expired: messages re-queued');
    }
    for (const campaign of await this.campaigns.withStatus([CampaignStatus.Approved])) {
      await this.lifecycle.enqueuePlan(campaign.id);
    }
    // Whether anyone held back has no delivery yet: over an incident's whole affected set when no one is
    // left (a million rows), every run: the bulk statement limit, or it would fail every run for good.
    const released = await this.database.transaction(() => this.campaigns.awaitingRelease(), { bulk: true });
    for (const incidentId of released) {
      // One job a minute at most per incident: the release plans only who has no delivery yet.
      const minute = Math.floor(now.getTime() / 60_000);
      await this.jobs.add(
        JobName.CampaignRelease,
        { incidentId },
        { jobId: `release-${incidentId}-${minute}` },
      );
    }
    let requeued = 0;
    for (const campaign of await this.campaigns.withStatus([CampaignStatus.Sending])) {
      const lost: number[] = [];
      for (const batch of await this.messages.queuedBatches(campaign.id)) {
        const state = await this.jobs.getJobState(sendJobOf(batch.channel), batchJobId(batch));
        if (state === undefined || state === 'unknown') lost.push(batch.id);
      }
      await this.messages.requeueBatches(lost, now);
      requeued += lost.length;
      await this.lifecycle.topUp(campaign.id);
      await this.lifecycle.finishIfIdle(campaign.id);
    }
    return {
      reclaimed: reclaimed.reduce((n, r) => n + r.count, 0),
      requeuedBatches: requeued,
      releasesRequeued: released.length,
      folded,
    };
  }
}
