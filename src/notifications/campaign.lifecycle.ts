import { Injectable, Logger } from '@nestjs/common';
import { AuditService } from '../audit/audit.service.js';
import type { Channel } from '../channels/channel.port.js';
import { SYSTEM_ACTOR, type Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { DatabaseService } from '../database/database.service.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import { JobRepository } from '../queue/job.repository.js';
import { JobName } from '../queue/queue.catalogue.js';
import { CampaignStatus, WINDOW } from './campaign.rules.js';
import { CampaignRow, CampaignsRepository } from './campaigns.repository.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { MessagesRepository } from './messages.repository.js';
import { TalliesRepository } from './tallies.repository.js';

const SEND_JOB: Record<Channel, JobName.SendEmail | JobName.SendSms | JobName.SendPush> = {
  email: JobName.SendEmail,
  sms: JobName.SendSms,
  push: JobName.SendPush,
};
export const batchJobId = (batch: { id: number; queuings: number }): string =>
  `batch-${batch.id}-${batch.queuings}`;
export const sendJobOf = (channel: Channel) => SEND_JOB[channel];

/** Pauses for what the incident said, which an approval of what it now says lifts. */
const LIFTED_BY_APPROVAL = new Set(['incident_changed', 'incident_missing_facts', 'sms_too_long']);

/**
 * What sending needs of a campaign, one door for every side: the API (approve, resume), the planner, the
 * send jobs, the reconciler and delivery events. It queues the plan and the next batches, and moves a
 * campaign as sending makes it move (completed, paused for its provider, reopened by a late failure),
 * on the timeline and in the audit log. It calls nothing above it.
 */
@Injectable()
export class CampaignLifecycle {
  private readonly logger = new Logger(CampaignLifecycle.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly campaigns: CampaignsRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly messages: MessagesRepository,
    private readonly tallies: TalliesRepository,
    private readonly timeline: IncidentsRepository,
    private readonly jobs: JobRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async enqueuePlan(campaignId: string): Promise<void> {
    await this.jobs.add(
      JobName.CampaignPlan,
      { campaignId },
      { jobId: `plan-${campaignId}`, removeOnComplete: true, removeOnFail: true },
    );
  }

  /** Queues the next batches of a sending campaign, up to the window per channel. */
  async topUp(campaignId: string): Promise<number> {
    const taken = await this.messages.takePending(campaignId, WINDOW, this.clock.now());
    // Queued after the commit; a batch whose job never arrives is found by the reconciler.
    for (const batch of taken) {
      await this.jobs.add(SEND_JOB[batch.channel], { batchId: batch.id }, { jobId: batchJobId(batch) });
    }
    return taken.length;
  }

  /**
   * A sending campaign with nothing left to send is completed. Idle is asked again under the campaign's
   * row lock: a webhook's fallback (`applyEvents`) holds that lock while it adds messages, so they are
   * either committed and seen here, or added after the completion and reopen it; asked only before, a
   * fallback committed in between was stranded in a completed campaign. A delivery still pending then has
   * nothing left that could settle it (a defect, logged): it is settled from its messages, a statement
   * over the campaign's deliveries, so the bulk statement limit (only jobs finish campaigns: sends and
   * the reconciler); nothing else here is long, and the check before it keeps it off every batch's end.
   */
  async finishIfIdle(campaignId: string): Promise<boolean> {
    if (!(await this.messages.idle(campaignId))) return false;
    const now = this.clock.now();
    return this.database.transaction(
      async () => {
        const campaign = await this.campaigns.findForUpdate(campaignId);
        if (campaign?.status !== CampaignStatus.Sending) return false;
        if (!(await this.messages.idle(campaignId))) return false;
        const done = await this.campaigns.move(campaignId, [CampaignStatus.Sending], {
          status: CampaignStatus.Completed,
          finishedAt: now,
          updatedAt: now,
        });
        if (!done) return false;
        let progress = await this.tallies.progress(campaignId);
        if (progress.deliveries.pending) {
          const settled = await this.deliveries.settleStranded(campaignId, now);
          this.logger.error({ campaignId, ...settled }, 'campaign idle with deliveries pending: settled');
          progress = await this.tallies.progress(campaignId);
        }
        await this.record(SYSTEM_ACTOR, done, 'campaign.completed', now, { deliveries: progress.deliveries });
        return true;
      },
      { bulk: true },
    );
  }

  /**
   * A provider refused our account (credentials, suspension), or has been unavailable through many tries:
   * sending more would only fail, and failing everyone over to another channel would be wrong. The
   * campaign pauses, on the timeline with the reason; it resumes by hand once the account is fixed or the
   * provider is back.
   */
  async pauseForProvider(
    id: string,
    channel: string,
    code: string,
    reason: 'provider_refused_account' | 'provider_unavailable',
  ): Promise<void> {
    await this.pause(id, { reason, channel, code }, 'campaign paused for its provider');
  }

  /**
   * The incident no longer gives a fact its notices must say (a cause cleared after the approval, which
   * China's notices require): nothing more goes out without it. The campaign pauses, on the timeline with
   * the facts; it resumes by hand once the incident gives them again.
   */
  async pauseForIncident(id: string, missing: readonly string[]): Promise<void> {
    await this.pause(
      id,
      { reason: 'incident_missing_facts', missing: [...missing] },
      'campaign paused: the incident lacks what its notices must say',
    );
  }

  /**
   * The batch's SMS would be longer than one SMS carries (the incident's words lengthened since the
   * approval checked them): nothing more goes out in that locale. The campaign pauses, on the timeline
   * with the locale and the length; it resumes by hand once the words are shortened.
   */
  async pauseForSmsLength(id: string, locale: string, characters: number): Promise<void> {
    await this.pause(
      id,
      { reason: 'sms_too_long', locale, characters },
      'campaign paused: its SMS would be longer than one SMS carries',
    );
  }

  /**
   * The incident no longer says what the campaign's notices said when approved (its words, dates or
   * categories edited since): nothing more goes out that its approver did not see. The campaign pauses,
   * on the timeline; an approver approves it again as it now reads ({@link reapprove}).
   */
  async pauseForIncidentChange(id: string, approvedWords: string | null): Promise<void> {
    // Not if it was approved again since the batch read it (a slow batch would undo the new approval).
    await this.pause(
      id,
      { reason: 'incident_changed' },
      "campaign paused: the incident's words changed since the approval",
      approvedWords,
    );
  }

  /**
   * A paused campaign approved again as its notices now read (`words`, the approval's record), in the
   * caller's transaction: sending again (or planned, if it was not yet) when it was last paused for what
   * the incident said (changed words, a fact missing, an SMS too long: the send checks each again);
   * still paused when it was last paused by hand or for its provider, which an approval does not lift.
   * On the timeline and in the audit log.
   */
  async reapprove(actor: Actor, campaign: CampaignRow, words: string, now: Date): Promise<CampaignRow> {
    const reason = await this.campaigns.lastPauseReason(campaign.id);
    const resumes = reason !== null && LIFTED_BY_APPROVAL.has(reason);
    const to = !resumes
      ? CampaignStatus.Paused
      : campaign.recipients === null
        ? CampaignStatus.Approved
        : CampaignStatus.Sending;
    const row = await this.campaigns.move(campaign.id, [CampaignStatus.Paused], {
      status: to,
      approvedBy: actor.keyId,
      approvedAt: now,
      approvedWords: words,
      updatedAt: now,
    });
    if (!row) {
      throw new AppError(
        ErrorCode.Conflict,
        `the campaign is no longer paused: it cannot be approved again`,
        {
          status: (await this.campaigns.find(campaign.id))?.status ?? 'missing',
        },
      );
    }
    await this.record(actor, row, 'campaign.reapproved', now, { resumed: resumes });
    return row;
  }

  /** What a re-approval starts, after its commit: the plan, or the next batches; nothing while paused. */
  async afterReapproval(campaign: CampaignRow): Promise<void> {
    if (campaign.status === CampaignStatus.Approved) await this.enqueuePlan(campaign.id);
    else if (campaign.status === CampaignStatus.Sending) await this.topUp(campaign.id);
  }

  /** A sending campaign paused by the system, logged and on its timeline with why (codes, never data). */
  private async pause(
    id: string,
    why: Record<string, unknown>,
    message: string,
    approvedWords?: string | null,
  ): Promise<void> {
    const now = this.clock.now();
    await this.database.transaction(async () => {
      const paused = await this.campaigns.move(
        id,
        [CampaignStatus.Sending],
        { status: CampaignStatus.Paused, updatedAt: now },
        approvedWords,
      );
      if (!paused) return;
      this.logger.error({ campaignId: id, ...why }, message);
      await this.record(SYSTEM_ACTOR, paused, 'campaign.paused', now, why);
    });
  }

  /**
   * A completed campaign with new messages to send (notices that failed after they had left, falling
   * back to the next channel) is sending again, on the timeline. In the caller's transaction.
   */
  async reopen(id: string, deliveries: number, now: Date): Promise<void> {
    const reopened = await this.campaigns.move(id, [CampaignStatus.Completed], {
      status: CampaignStatus.Sending,
      finishedAt: null,
      updatedAt: now,
    });
    if (reopened) {
      await this.record(SYSTEM_ACTOR, reopened, 'campaign.reopened', now, {
        reason: 'failed_after_send',
        deliveries,
      });
    }
  }

  /** A campaign's step on its incident's timeline and in the audit log, in the caller's transaction. */
  async record(
    actor: Actor,
    campaign: CampaignRow,
    kind: string,
    at: Date,
    details: Record<string, unknown>,
  ): Promise<void> {
    await this.timeline.addEvent({
      incidentId: campaign.incidentId,
      at,
      kind,
      actorKeyId: actor.keyId,
      details: { campaignId: campaign.id, ...details },
    });
    await this.audit.record(actor, {
      action: kind,
      targetType: 'campaign',
      targetId: campaign.id,
      summary: { incidentId: campaign.incidentId, ...details },
    });
  }
}
