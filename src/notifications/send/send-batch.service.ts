import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Channel } from '../../channels/channel.port.js';
import { Clock } from '../../common/clock.js';
import { messageOf } from '../../common/errors.js';
import { AppConfig } from '../../config/config.js';
import type { IncidentRow } from '../../incidents/incidents.repository.js';
import { IncidentsService } from '../../incidents/incidents.service.js';
import { noticeShape, type NoticeShape } from '../../jurisdictions/rules/notice-profiles.js';
import { JobRepository, RetryLater } from '../../queue/job.repository.js';
import { OnJob } from '../../queue/on-job.decorator.js';
import { JobName, JobPayload, QueueName, smsBatchSize, smsJobMs } from '../../queue/queue.catalogue.js';
import { wordsChanged } from '../approved-words.js';
import { CampaignLifecycle } from '../campaign.lifecycle.js';
import { CampaignStatus } from '../campaign.rules.js';
import { missingFacts, noticeLate } from '../campaign.warnings.js';
import { ObligationsService } from '../../jurisdictions/obligations.service.js';
import { CampaignsRepository } from '../campaigns.repository.js';
import { MessagesRepository } from '../messages.repository.js';
import { NoticeCopies } from '../notice-copies.js';
import type { CampaignRow } from '../campaigns.repository.js';
import type { BatchRow, ClaimedMessage } from '../messages.types.js';
import { BatchLeases, type HeldLease } from './batch-lease.js';
import { EmailSender } from './email.sender.js';
import { OutcomeRecorder } from './outcome.recorder.js';
import { PushSender } from './push.sender.js';
import { RecipientPreparer } from './recipient.preparer.js';
import { sliced, type ChannelSender, type Sent } from './sending.js';
import { SmsSender } from './sms.sender.js';

/** What came of preparing a batch: sent (with the outcomes), or held back for the campaign to pause. */
type Done =
  | { kind: 'sent'; sent: Sent }
  | { kind: 'missing'; missing: string[] }
  | { kind: 'changed' }
  | { kind: 'tooLong'; characters: number };

/**
 * Why a batch's notice may not go with the incident as it is: a fact its profile requires is gone (with
 * those it requires of a `late` notice: Brazil's reasons for the delay once the individuals' due date has
 * passed), or it would say other words than the campaign's approval saw.
 */
function stopFor(
  campaign: CampaignRow,
  incident: IncidentRow,
  shape: NoticeShape,
  late: boolean,
): Extract<Done, { kind: 'missing' | 'changed' }> | undefined {
  const missing = missingFacts(incident, shape, late);
  if (missing.length > 0) return { kind: 'missing', missing };
  return wordsChanged(campaign.approvedWords, incident) ? { kind: 'changed' } : undefined;
}

/**
 * The send jobs, one per channel, each a walk down its steps: claim the batch under a lease, prepare
 * the recipients, send through the channel's sender, record what came of it, then what the campaign
 * needs (the next batches, completion, or a pause) through CampaignLifecycle.
 */
@Injectable()
export class SendBatchService {
  private readonly logger = new Logger(SendBatchService.name);
  private readonly senders: Record<Channel, ChannelSender>;

  constructor(
    private readonly messages: MessagesRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly leases: BatchLeases,
    private readonly preparer: RecipientPreparer,
    private readonly recorder: OutcomeRecorder,
    private readonly copies: NoticeCopies,
    private readonly lifecycle: CampaignLifecycle,
    private readonly incidents: IncidentsService,
    private readonly jobs: JobRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly obligations: ObligationsService,
    email: EmailSender,
    private readonly sms: SmsSender,
    push: PushSender,
  ) {
    this.senders = { email, sms, push };
  }

  @OnJob(JobName.SendEmail)
  sendEmail(payload: JobPayload<JobName.SendEmail>, job?: Job): Promise<Record<string, unknown>> {
    return this.sendBatch('email', payload.batchId, job);
  }

  @OnJob(JobName.SendSms)
  sendSms(payload: JobPayload<JobName.SendSms>, job?: Job): Promise<Record<string, unknown>> {
    return this.sendBatch('sms', payload.batchId, job);
  }

  @OnJob(JobName.SendPush)
  sendPush(payload: JobPayload<JobName.SendPush>, job?: Job): Promise<Record<string, unknown>> {
    return this.sendBatch('push', payload.batchId, job);
  }

  async sendBatch(channel: Channel, batchId: number, job?: Job): Promise<Record<string, unknown>> {
    const batch = await this.messages.batch(batchId);
    if (!batch || batch.status === 'done') return { skipped: batch ? 'done' : 'missing' };
    const campaign = await this.campaigns.find(batch.campaignId);
    const now = this.clock.now();
    if (campaign?.status !== CampaignStatus.Sending) {
      // Paused: back to pending, queued again on resume. Cancelled: the cancel closed the batches.
      if (campaign?.status === CampaignStatus.Paused) await this.messages.returnBatch(batchId, null);
      return { skipped: campaign?.status ?? 'missing' };
    }
    const held = await this.leases.claim(batchId, now);
    // Another worker holds it (a job of a re-queued batch, or a stalled one run again): it is theirs.
    if (!held) return { skipped: 'claimed' };
    const { claimed, lease } = held;
    if (channel === 'sms') await this.holdSmsQueue(claimed.length);
    const lastAttempt = !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let done: Done;
    try {
      done = await this.prepareAndSend(channel, campaign, batch, claimed, lease, now);
    } catch (err) {
      // Nothing left (a provider's failure is an outcome, not an exception): the lease goes back at
      // once, so the job's next attempt claims the batch instead of waiting for the lease to lapse.
      await lease.stop();
      await this.messages.releaseBatch(batchId, lease.until, this.clock.now());
      throw err;
    }
    await lease.stop();
    if (done.kind !== 'sent') {
      // Back to pending, queued again on resume, as a paused campaign's batches are.
      await this.messages.returnBatch(batchId, lease.until);
      if (done.kind === 'missing') {
        await this.lifecycle.pauseForIncident(campaign.id, done.missing);
        return { claimed: claimed.length, paused: 'incident_missing_facts' };
      }
      if (done.kind === 'changed') {
        await this.lifecycle.pauseForIncidentChange(campaign.id, campaign.approvedWords);
        return { claimed: claimed.length, paused: 'incident_changed' };
      }
      await this.lifecycle.pauseForSmsLength(campaign.id, batch.locale, done.characters);
      return { claimed: claimed.length, paused: 'sms_too_long' };
    }
    const { sent } = done;
    const batchLease = { id: batchId, lease: lease.until };
    const next = await this.recorder.record(channel, campaign, batchLease, claimed, sent, lastAttempt);
    if (next.kind === 'pause') {
      await this.lifecycle.pauseForProvider(campaign.id, channel, next.code, next.reason);
      return { claimed: claimed.length, paused: next.code };
    }
    await this.lifecycle.topUp(campaign.id);
    await this.lifecycle.finishIfIdle(campaign.id);
    if (next.kind === 'retry') throw new RetryLater(`${channel}: ${next.code}`, next.retryAfterMs);
    return {
      claimed: claimed.length,
      sent: sent.outcomes.filter((o) => o.kind === 'sent').length,
      failed: sent.outcomes.filter((o) => o.kind === 'permanent').length,
    };
  }

  /**
   * Prepares the claimed recipients and sends to them, unless what the batch's notice must say is not
   * there: a fact the incident no longer gives (a cause cleared since the approval, for Chinese
   * residents), words other than the approval saw (the incident edited since), or an SMS longer than one
   * carries. Then nothing leaves, and the caller pauses the campaign. The incident is kept up to 30 s: it
   * is read afresh before any of them is decided (a kept incident older than the approval is read again).
   */
  private async prepareAndSend(
    channel: Channel,
    campaign: CampaignRow,
    batch: BatchRow,
    claimed: ClaimedMessage[],
    lease: HeldLease,
    now: Date,
  ): Promise<Done> {
    if (claimed.length === 0) return { kind: 'sent', sent: { outcomes: [], unregistered: [] } };
    const shape = noticeShape(batch.variant || null, now);
    const prepare = (incident: IncidentRow) =>
      sliced(claimed, (m) => this.preparer.prepare(m, batch, incident, now));
    let incident = await this.incidents.recent(campaign.incidentId);
    // Only where a profile asks more of a late notice (Brazil's batches): the obligations as last computed.
    const late =
      shape.requiredWhenLate.length > 0 &&
      noticeLate(
        await this.obligations.stored(campaign.incidentId),
        batch.variant,
        now,
        incident.discoveredAt,
      );
    if (stopFor(campaign, incident, shape, late)) {
      incident = await this.incidents.get(campaign.incidentId);
      const stop = stopFor(campaign, incident, shape, late);
      if (stop) return stop;
    }
    let prepared = await prepare(incident);
    if (channel === 'sms') {
      let fitted = this.sms.fit(batch, prepared);
      if (fitted.tooLong !== undefined) {
        // Read afresh, and checked again as a whole: the words may have been shortened, or a fact cleared.
        incident = await this.incidents.get(campaign.incidentId);
        const stop = stopFor(campaign, incident, shape, late);
        if (stop) return stop;
        fitted = this.sms.fit(batch, await prepare(incident));
        if (fitted.tooLong !== undefined) return { kind: 'tooLong', characters: fitted.tooLong };
      }
      prepared = fitted.prepared;
    }
    // What the batch sends, kept sealed before anything leaves (issue 18: what was sent is kept).
    const going = prepared.filter((p) => !p.problem && (p.address || p.tokens.length > 0));
    await this.copies.keep(
      campaign,
      batch,
      going.map((p) => p.facts),
    );
    return { kind: 'sent', sent: await this.senders[channel].send(batch, prepared, lease.mayStart) };
  }

  /**
   * The SMS limiter spaces jobs for batches of today's size. A batch planned larger (before the rate was
   * lowered) holds the queue, on every worker, for as long as its messages take at today's rate; never
   * shortening a longer hold. Best effort: the send goes on if the queue cannot be reached for it.
   */
  private async holdSmsQueue(messages: number): Promise<void> {
    if (messages <= smsBatchSize(this.config)) return;
    const ms = smsJobMs(this.config, messages);
    await this.jobs.holdQueue(QueueName.Sms, ms).catch((err: unknown) => {
      this.logger.warn({ err: messageOf(err) }, 'SMS queue hold failed');
    });
  }
}
