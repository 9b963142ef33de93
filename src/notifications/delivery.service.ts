import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  EMAIL_PORT,
  NOTICE_CHANNELS,
  PUSH_PORT,
  SMS_PORT,
  type Channel,
  type EmailPort,
  type PushMessage,
  type PushPort,
  type SendOutcome,
  type SmsPort,
} from '../channels/channel.port.js';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { UnknownKeyError } from '../crypto/field-cipher.js';
import { DatabaseService } from '../database/database.service.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { JobRepository, RetryLater } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, JobPayload, QueueName, smsBatchSize } from '../queue/queue.catalogue.js';
import { subjectAad } from '../subjects/subject.batch.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import { NoticeRenderer, noticeVariant, type NoticeFacts } from '../templates/notice.renderer.js';
import { batchSizes, CampaignStatus } from './campaign.rules.js';
import type { BatchRow, CampaignRow } from './campaigns.repository.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { batchJobId, CampaignsService, sendJobOf } from './campaigns.service.js';
import { ClaimedMessage, DeliveriesRepository } from './deliveries.repository.js';
import { NoticeCopies } from './notice-copies.js';

/** A batch's lease as its job holds it: renewed while the job works. */
interface HeldLease {
  until: Date;
  /** A renewal found it no longer this job's: handed on by the reconciler, or the batch closed. */
  lost: boolean;
}

/** A claimed message with what it is sent with; `address` undefined when the person cannot be reached so. */
interface Prepared {
  message: ClaimedMessage;
  facts: NoticeFacts;
  address?: string;
  tokens: string[];
  /** Why it cannot be sent now (its contact data does not open): its outcome instead of a send. */
  problem?: SendOutcome;
}

/**
 * A notice that does not render (a defect of a template or a locale, logged): tried again like an
 * outage, so a defect pauses the campaign rather than failing everyone over; never holds up the batch.
 */
const RENDER_FAILED = { kind: 'transient', code: 'render_failed' } as const satisfies SendOutcome;

const SMS_CONCURRENCY = 8;
/**
 * How long a job may keep renewing its batch's lease: far past any provider's timeouts (200 SMS at eight
 * at a time, each up to 30 s, is 12.5 min), so that a job stuck on something that never returns lets
 * its lease lapse and the batch go on.
 */
const RENEWAL_LIMIT_MS = 20 * 60_000;
/** A message not sent because its job's lease was lost (or about to be): it stays queued, untried. */
const LEASE_LOST = { kind: 'transient', code: 'lease_lost', retryAfterMs: 0 } as const satisfies SendOutcome;
/**
 * Tries of one message through a provider's outage before its campaign pauses: four send jobs (eight
 * attempts each: at least two minutes of backoff per job, longer when the provider asks to wait).
 * Until then each job's last attempt hands the batch to a new job.
 */
const PAUSE_AFTER_ATTEMPTS = 32;
/** A share of a batch small enough that its failures are the recipients', not the provider's. */
const FEW_FAILING = 0.1;
/** Throttling is the provider's (or our rate's), never a recipient's. */
const THROTTLED = new Set(['http_429', 'twilio_20429', 'twilio_21611']);
/** Transient failures of ours (a key this worker lacks, a notice that does not render), never a recipient's. */
const OURS = new Set(['contact_key_unknown', 'render_failed']);
/** Tallies older than this are folded: the last minute's stay apart, they give the rate. */
const TALLY_FOLD_AFTER_MS = 90_000;
const PUSH_CALL = 500;
/**
 * Messages opened and rendered between two yields to the event loop. A thousand emails are tens of
 * milliseconds of CPU; in one piece, the answers to the process's other jobs (an SMS every few
 * milliseconds) would wait behind them, and SMS would go at the pace of email batches.
 */
const SLICE = 100;

/**
 * Orders the waits of a job's transient failures, the longest to retry after: a provider's wait, then
 * our backoff (no wait given), then at once (0: a refused batch's others, a lost lease). So a 5xx beside
 * a batch's refused address still backs off.
 */
const waitRank = (outcome: { retryAfterMs?: number }): number =>
  outcome.retryAfterMs === undefined ? 0.5 : outcome.retryAfterMs;

/** `each` over `items`, yielding to the event loop between slices. */
async function sliced<T, R>(items: readonly T[], each: (item: T) => R): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  for (let i = 0; i < items.length; i += 1) {
    if (i > 0 && i % SLICE === 0) await yieldToLoop();
    out[i] = each(items[i]);
  }
  return out;
}

/** The send jobs (one per channel) and the reconciler: claim, render, send, record, fall back. */
@Injectable()
export class DeliveryService {
  private readonly logger = new Logger(DeliveryService.name);
  private readonly incidentCache = new Map<string, { at: number; incident: IncidentRow }>();

  constructor(
    private readonly database: DatabaseService,
    private readonly deliveries: DeliveriesRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly campaignService: CampaignsService,
    private readonly incidents: IncidentsService,
    private readonly jobs: JobRepository,
    private readonly renderer: NoticeRenderer,
    private readonly copies: NoticeCopies,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @Inject(EMAIL_PORT) private readonly email: EmailPort,
    @Inject(SMS_PORT) private readonly sms: SmsPort,
    @Inject(PUSH_PORT) private readonly push: PushPort,
  ) {}

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
    const batch = await this.deliveries.batch(batchId);
    if (!batch || batch.status === 'done') return { skipped: batch ? 'done' : 'missing' };
    const campaign = await this.campaigns.find(batch.campaignId);
    const now = this.clock.now();
    if (campaign?.status !== CampaignStatus.Sending) {
      // Paused: back to pending, queued again on resume. Cancelled: the cancel closed the batches.
      if (campaign?.status === CampaignStatus.Paused) await this.deliveries.returnBatch(batchId, null);
      return { skipped: campaign?.status ?? 'missing' };
    }
    const lease: HeldLease = { until: new Date(now.getTime() + this.config.deliveryLeaseMs), lost: false };
    const claimed = await this.deliveries.claim(batchId, lease.until);
    // Another worker holds it (a job of a re-queued batch, or a stalled one run again): it is theirs.
    if (!claimed) return { skipped: 'claimed' };
    // Renewed while the job sends (a slow provider, a job of 200 SMS), so it never lapses under a live
    // worker; one that dies stops renewing, and the reconciler hands its batch on.
    const renewal = this.keepLease(batchId, lease);
    if (channel === 'sms') await this.holdSmsQueue(claimed.length);
    const lastAttempt = !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    let outcomes: SendOutcome[] = [];
    let unregistered: Array<{ subjectId: number; token: string }> = [];
    try {
      if (claimed.length > 0) {
        const incident = await this.incident(campaign.incidentId);
        const prepared = await sliced(claimed, (m) => this.prepare(m, batch, incident, now));
        // What the batch sends, kept sealed before anything leaves (issue 18: what was sent is kept).
        const going = prepared.filter((p) => !p.problem && (p.address || p.tokens.length > 0));
        await this.copies.keep(
          campaign,
          batch,
          going.map((p) => p.facts),
        );
        // Nothing starts once the lease is lost, or has run down to its last third (renewals stalled):
        // the batch may be another worker's by the time the call leaves.
        const mayStart = () =>
          !lease.lost && this.clock.now().getTime() < lease.until.getTime() - this.config.deliveryLeaseMs / 3;
        ({ outcomes, unregistered } = await this.deliver(channel, batch, prepared, mayStart));
      }
    } catch (err) {
      // Nothing left (a provider's failure is an outcome, not an exception): the lease goes back at
      // once, so the job's next attempt claims the batch instead of waiting for the lease to lapse.
      await renewal.stop();
      await this.deliveries.releaseBatch(batchId, lease.until, this.clock.now());
      throw err;
    }
    await renewal.stop();
    const { transient, refused, unavailable } = await this.record(
      channel,
      campaign,
      { id: batchId, lease: lease.until },
      claimed,
      outcomes,
      unregistered,
      lastAttempt,
    );
    if (refused || unavailable) {
      const [reason, code] = refused
        ? (['provider_refused_account', refused] as const)
        : (['provider_unavailable', unavailable!] as const);
      await this.campaignService.pauseForProvider(campaign.id, channel, code, reason);
      return { claimed: claimed.length, paused: code };
    }
    await this.campaignService.topUp(campaign.id);
    await this.campaignService.finishIfIdle(campaign.id);
    if (transient) throw new RetryLater(`${channel}: ${transient.code}`, transient.retryAfterMs);
    return {
      claimed: claimed.length,
      sent: outcomes.filter((o) => o.kind === 'sent').length,
      failed: outcomes.filter((o) => o.kind === 'permanent').length,
    };
  }

  /**
   * Reclaims messages whose lease ran out, re-queues batches whose job is gone (Redis restarted or was
   * flushed), plans approved campaigns whose plan job is gone, tops up windows, finishes campaigns and
   * folds their older tallies.
   */
  @OnJob(JobName.DeliveriesReconcile)
  async reconcile(): Promise<Record<string, unknown>> {
    // Past the rate's minute, tallies are folded and progress stays a sum of a few rows per campaign.
    // Housekeeping: a fold that fails is logged and left for the next run, never in the way of recovery.
    const folded = await this.deliveries.foldTallies(TALLY_FOLD_AFTER_MS).catch((err: unknown) => {
      this.logger.warn({ err: messageOf(err) }, 'tally fold failed');
      return 0;
    });
    const now = this.clock.now();
    const reclaimed = await this.deliveries.reclaimExpired(now);
    for (const r of reclaimed) {
      this.logger.warn({ campaignId: r.campaignId, messages: r.count }, 'leases expired: messages re-queued');
    }
    for (const campaign of await this.campaigns.withStatus([CampaignStatus.Approved])) {
      await this.campaignService.enqueuePlan(campaign.id);
    }
    let requeued = 0;
    for (const campaign of await this.campaigns.withStatus([CampaignStatus.Sending])) {
      const lost: number[] = [];
      for (const batch of await this.deliveries.queuedBatches(campaign.id)) {
        const state = await this.jobs.getJobState(sendJobOf(batch.channel), batchJobId(batch));
        if (state === undefined || state === 'unknown') lost.push(batch.id);
      }
      await this.deliveries.requeueBatches(lost, now);
      requeued += lost.length;
      await this.campaignService.topUp(campaign.id);
      await this.campaignService.finishIfIdle(campaign.id);
    }
    return { reclaimed: reclaimed.reduce((n, r) => n + r.count, 0), requeuedBatches: requeued, folded };
  }

  /**
   * Moves the batch's lease on every third of its length while the job works (for at most
   * RENEWAL_LIMIT_MS), from where it stands then; `lease.until` follows, and the job records under the
   * last one. A renewal that finds the lease no longer its own (handed on, or the batch closed by a
   * cancel) marks it lost and stops: the job starts nothing more, and records only what left. One
   * renewal at a time; `stop` waits for the one in flight.
   */
  private keepLease(batchId: number, lease: HeldLease): { stop(): Promise<void> } {
    const started = Date.now();
    let inFlight: Promise<void> | undefined;
    const timer = setInterval(
      () => {
        if (inFlight) return;
        if (lease.lost || Date.now() - started > RENEWAL_LIMIT_MS) {
          clearInterval(timer);
          return;
        }
        const next = new Date(this.clock.now().getTime() + this.config.deliveryLeaseMs);
        inFlight = this.deliveries
          .renewLease(batchId, lease.until, next)
          .then((renewed) => {
            if (renewed) lease.until = next;
            else lease.lost = true;
          })
          .catch((err: unknown) => {
            this.logger.warn({ batchId, err: messageOf(err) }, 'lease renewal failed');
          })
          .finally(() => (inFlight = undefined));
      },
      Math.max(250, Math.floor(this.config.deliveryLeaseMs / 3)),
    );
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await inFlight;
      },
    };
  }

  /**
   * The SMS limiter spaces jobs for batches of today's size. A batch planned larger (before the rate was
   * lowered) holds the queue, on every worker, for as long as its messages take at today's rate; never
   * shortening a longer hold. Best effort: the send goes on if the queue cannot be reached for it.
   */
  private async holdSmsQueue(messages: number): Promise<void> {
    if (messages <= smsBatchSize(this.config)) return;
    const ms = Math.ceil((1000 * messages) / this.config.smsMaxPerSecond);
    await this.jobs.holdQueue(QueueName.Sms, ms).catch((err: unknown) => {
      this.logger.warn({ err: messageOf(err) }, 'SMS queue hold failed');
    });
  }

  private async incident(id: string): Promise<IncidentRow> {
    const cached = this.incidentCache.get(id);
    if (cached && Date.now() - cached.at < 30_000) return cached.incident;
    const incident = await this.incidents.get(id);
    this.incidentCache.set(id, { at: Date.now(), incident });
    if (this.incidentCache.size > 100) this.incidentCache.delete(this.incidentCache.keys().next().value!);
    return incident;
  }

  /**
   * Opens the person's sealed contact data, only here, only for the channel at hand. One that does not
   * open is that recipient's outcome, logged (below); thrown, it held up the whole batch for good.
   */
  private prepare(message: ClaimedMessage, batch: BatchRow, incident: IncidentRow, sentAt: Date): Prepared {
    let contact: SealedContact | undefined;
    let problem: SendOutcome | undefined;
    try {
      contact =
        message.sealed && message.externalId
          ? this.crypto.cipher.openJson<SealedContact>(message.sealed, subjectAad(message.externalId))
          : undefined;
    } catch (err) {
      // A key this worker is not given (ENCRYPTION_KEYS out of step across nodes) is configuration: tried
      // again, and past an outage's tries the campaign pauses. A row that does not open with its key is
      // that person's: they fail on this channel.
      problem =
        err instanceof UnknownKeyError
          ? { kind: 'transient', code: 'contact_key_unknown' }
          : { kind: 'permanent', code: 'contact_unreadable' };
      this.logger.error(
        { deliveryId: message.deliveryId, err: messageOf(err) },
        'contact data does not open',
      );
    }
    const guardian = message.recipient === 'guardian';
    const who = guardian ? contact?.guardian : contact;
    const address = batch.channel === 'email' ? who?.email : batch.channel === 'sms' ? who?.phone : undefined;
    const tokens =
      batch.channel === 'push' && !guardian ? (contact?.pushTokens ?? []).map((t) => t.token) : [];
    return {
      message,
      address,
      tokens,
      problem,
      facts: {
        organization: this.config.organizationName,
        contactEmail: this.config.privacyContactEmail,
        url: `${this.config.publicBaseUrl}/n/${this.campaignService.tokens.token(message.deliveryId)}`,
        name: who?.name ?? null,
        child: guardian ? (contact?.name ?? null) : null,
        locale: batch.locale,
        timeZone: message.timeZone,
        jurisdiction: message.jurisdiction,
        exposed: message.exposed.length > 0 ? message.exposed : incident.dataCategories,
        incident,
        sentAt,
      },
    };
  }

  /** Sends what was prepared; a call that `mayStart` forbids does not leave (its messages: LEASE_LOST). */
  private async deliver(
    channel: Channel,
    batch: BatchRow,
    prepared: Prepared[],
    mayStart: () => boolean,
  ): Promise<{ outcomes: SendOutcome[]; unregistered: Array<{ subjectId: number; token: string }> }> {
    const outcomes: SendOutcome[] = prepared.map(
      (p) => p.problem ?? { kind: 'permanent', code: 'no_address' },
    );
    const unregistered: Array<{ subjectId: number; token: string }> = [];
    if (channel === 'email') {
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
          reachable.forEach(({ i }) => (outcomes[i] = LEASE_LOST));
          continue;
        }
        const shared = this.rendered(() => this.renderer.renderShared(batch.template, reachable[0].p.facts));
        if (!shared) {
          reachable.forEach(({ i }) => (outcomes[i] = RENDER_FAILED));
          continue;
        }
        const rendered = await sliced(reachable, ({ p, i }) => {
          const substitutions = this.rendered(() => this.renderer.substitutions(batch.template, p.facts));
          if (!substitutions) outcomes[i] = RENDER_FAILED;
          return (
            substitutions && { i, recipient: { messageId: p.message.id, to: p.address!, substitutions } }
          );
        });
        const going = rendered.filter((r) => r !== undefined);
        if (going.length === 0) continue;
        const results = await this.settle(going.length, () =>
          this.email.send({
            subject: shared.subject,
            html: shared.html,
            text: shared.text,
            recipients: going.map((g) => g.recipient),
          }),
        );
        going.forEach(({ i }, k) => (outcomes[i] = results[k]!));
      }
    } else if (channel === 'sms') {
      let next = 0;
      const worker = async () => {
        while (next < prepared.length) {
          const i = next++;
          const p = prepared[i];
          if (!p.address) continue;
          if (!mayStart()) {
            outcomes[i] = LEASE_LOST;
            continue;
          }
          const body = this.rendered(() => this.renderer.renderShort(batch.template, p.facts).sms.body);
          if (body === undefined) {
            outcomes[i] = RENDER_FAILED;
            continue;
          }
          [outcomes[i]] = await this.settle(1, async () => [
            await this.sms.send({ messageId: p.message.id, to: p.address!, body }),
          ]);
        }
      };
      await Promise.all(Array.from({ length: SMS_CONCURRENCY }, worker));
    } else {
      const calls: Array<{ index: number; message: PushMessage }> = [];
      prepared.forEach((p, index) => {
        if (p.tokens.length === 0) return;
        const rendered = this.rendered(() => this.renderer.renderShort(batch.template, p.facts).push);
        if (!rendered) {
          outcomes[index] = RENDER_FAILED;
          return;
        }
        for (const token of p.tokens) {
          calls.push({
            index,
            message: {
              messageId: p.message.id,
              token,
              title: rendered.title,
              body: rendered.body,
              data: { url: p.facts.url },
            },
          });
        }
      });
      const perMessage = new Map<number, SendOutcome[]>();
      const untried = new Set<number>();
      for (let from = 0; from < calls.length; from += PUSH_CALL) {
        const slice = calls.slice(from, from + PUSH_CALL);
        if (!mayStart()) {
          slice.forEach((call) => untried.add(call.index));
          continue;
        }
        const results = await this.settle(slice.length, () => this.push.send(slice.map((c) => c.message)));
        slice.forEach((call, k) => {
          const result = results[k];
          if ('unregistered' in result && result.unregistered && prepared[call.index].message.subjectId) {
            unregistered.push({
              subjectId: prepared[call.index].message.subjectId!,
              token: call.message.token,
            });
          }
          perMessage.set(call.index, [...(perMessage.get(call.index) ?? []), result]);
        });
      }
      for (const index of untried) if (!perMessage.has(index)) outcomes[index] = LEASE_LOST;
      // Sent when any of the person's devices took it; transient when none did but one may yet.
      for (const [index, results] of perMessage) {
        outcomes[index] =
          results.find((r) => r.kind === 'sent') ?? results.find((r) => r.kind === 'transient') ?? results[0];
      }
    }
    return { outcomes, unregistered };
  }

  /** What `render` returns, or undefined (logged) when it throws: a defect, never a batch held up by it. */
  private rendered<T>(render: () => T): T | undefined {
    try {
      return render();
    } catch (err) {
      this.logger.error({ err: messageOf(err) }, 'a notice did not render');
      return undefined;
    }
  }

  /** An adapter that throws (a bug, a dropped connection it did not classify) fails the call transiently. */
  private async settle(count: number, call: () => Promise<SendOutcome[]>): Promise<SendOutcome[]> {
    try {
      return await call();
    } catch (err) {
      this.logger.warn({ err: messageOf(err) }, 'provider call failed');
      return Array.from({ length: count }, () => ({ kind: 'transient', code: 'call_failed' }));
    }
  }

  /**
   * Records the outcomes in one transaction: sent, failed (and the next channel of the plan, or
   * unreachable), or released for the job's next attempt (failed too on the last one). Returns the
   * transient failure to retry after, if any.
   */
  private async record(
    channel: Channel,
    campaign: CampaignRow,
    batch: { id: number; lease: Date },
    claimed: ClaimedMessage[],
    outcomes: SendOutcome[],
    unregistered: Array<{ subjectId: number; token: string }>,
    lastAttempt: boolean,
  ): Promise<{
    transient?: { code: string; retryAfterMs?: number };
    refused?: string;
    unavailable?: string;
  }> {
    const now = this.clock.now();
    const sent: Array<{ id: number; providerRef: string }> = [];
    const failed: Array<{ id: number; code: string; deliveryId: number }> = [];
    const retry: number[] = [];
    // Never handed to the provider (the lease was lost or running out): no attempt counted, never failed.
    let untried = 0;
    let transient: { code: string; retryAfterMs?: number } | undefined;
    let refused: string | undefined;
    // A transient failure on the job's last attempt is an outage (not the recipient's doing: they stay
    // queued, never failed over), unless it is a few SMS of a batch Twilio otherwise took: then it is
    // those numbers' trouble, and they fail like a permanent failure. Alerts are never held for long:
    // push alerts still failing after PAUSE_AFTER_ATTEMPTS tries fail, and the notices go on.
    const recipientsTrouble =
      lastAttempt && channel === 'sms' ? await this.fewFailing(batch.id, outcomes) : false;
    let outlasted: { code: string; attempts: number } | undefined;
    // Calls that got no answer may have been taken: whatever comes of them now, they may arrive twice.
    const maybeSent = outcomes.filter((o) => o.kind === 'transient' && o.maybeSent).length;
    claimed.forEach((message, i) => {
      const outcome = outcomes[i];
      if (outcome === LEASE_LOST) untried += 1;
      else if (outcome.kind === 'refused') {
        // Not the recipient's doing: back in the queue whatever the attempt, for after the resume.
        retry.push(message.id);
        refused = outcome.code;
      } else if (outcome.kind === 'sent') sent.push({ id: message.id, providerRef: outcome.providerRef });
      else if (outcome.kind === 'permanent')
        failed.push({ id: message.id, code: outcome.code, deliveryId: message.deliveryId });
      else if (
        lastAttempt &&
        ((recipientsTrouble && !THROTTLED.has(outcome.code) && !OURS.has(outcome.code)) ||
          (channel === 'push' && message.attempts + 1 >= PAUSE_AFTER_ATTEMPTS))
      ) {
        failed.push({
          id: message.id,
          code: `retries_exhausted:${outcome.code}`,
          deliveryId: message.deliveryId,
        });
      } else if (lastAttempt) {
        retry.push(message.id);
        if (!outlasted || message.attempts + 1 > outlasted.attempts) {
          outlasted = { code: outcome.code, attempts: message.attempts + 1 };
        }
      } else {
        retry.push(message.id);
        if (!transient || waitRank(outcome) > waitRank(transient)) transient = outcome;
      }
    });
    // Retried when PostgreSQL ends it (a deadlock with another batch's record, say): given up, what left
    // would be sent again once the lease ran out. Safe to run twice: every write is conditional.
    const kept = await this.database.transaction(
      async () => {
        // Checked (and the batch row locked) first; what left is recorded whoever holds the batch now.
        const holding = await this.deliveries.holds(batch.id, batch.lease);
        await this.deliveries.markSent(sent, now);
        if (!holding) return false;
        await this.deliveries.markFailed(failed, now);
        await this.deliveries.release(retry, now);
        if (NOTICE_CHANNELS.includes(channel)) {
          await this.fallBack(campaign, [...new Set(failed.map((f) => f.deliveryId))], now);
        }
        // Untried messages on the job's last attempt, or an outage that outlasted it: back to pending, for
        // a new job with attempts of its own.
        if (refused || outlasted || (untried > 0 && lastAttempt)) {
          await this.deliveries.returnBatch(batch.id, batch.lease);
        } else await this.deliveries.releaseBatch(batch.id, batch.lease, now);
        return true;
      },
      { retries: 3 },
    );
    // After the commit, each in a statement of its own: the count takes the campaign's row, which a
    // cancel takes before the batches (inside the record it could deadlock with one); dropping tokens
    // locks people's rows (an import may hold them), and what left must not wait for it or roll back
    // with it. Tokens left in are tried, and dropped, next time.
    if (kept && maybeSent > 0) {
      await this.campaigns
        .addPossibleDuplicates(campaign.id, maybeSent)
        .catch((err: unknown) =>
          this.logger.warn({ err: messageOf(err) }, 'possible duplicates not counted'),
        );
    }
    if (unregistered.length > 0) {
      await this.database
        .transaction(() => this.dropTokens(unregistered, now), { retries: 3 })
        .catch((err: unknown) =>
          this.logger.warn({ err: messageOf(err) }, 'unregistered push tokens not dropped'),
        );
    }
    if (!kept) {
      this.logger.warn(
        { batchId: batch.id },
        'lease lost before the outcome was recorded: only sends recorded',
      );
      return {};
    }
    if (untried > 0 && !lastAttempt) transient ??= LEASE_LOST;
    // New jobs keep trying through an outage; one that has outlasted PAUSE_AFTER_ATTEMPTS tries pauses
    // the campaign for a person to look (resume once the provider is back).
    const unavailable = outlasted && outlasted.attempts >= PAUSE_AFTER_ATTEMPTS ? outlasted.code : undefined;
    return { transient, refused, unavailable };
  }

  /**
   * Whether the transient failures among `outcomes` are a few of a batch the provider otherwise took (in
   * this attempt or an earlier one): at most FEW_FAILING of it, at least one sent.
   */
  private async fewFailing(batchId: number, outcomes: SendOutcome[]): Promise<boolean> {
    const failing = outcomes.filter((o) => o !== LEASE_LOST && o.kind === 'transient').length;
    if (failing === 0) return false;
    const { sent, total } = await this.deliveries.batchSends(batchId);
    const sentNow = outcomes.filter((o) => o.kind === 'sent').length;
    return sent + sentNow > 0 && failing <= Math.max(1, Math.floor(total * FEW_FAILING));
  }

  /**
   * Recipients whose notice failed for good: the next notice channel of their plan (escalate), or
   * unreachable when none is left (or in mode all, when every one failed). Inside the caller's
   * transaction; returns whether new messages wait to be sent.
   */
  private async fallBack(campaign: CampaignRow, deliveryIds: number[], now: Date): Promise<boolean> {
    if (deliveryIds.length === 0) return false;
    // Two failures of one delivery recorded at once (mode all: its email and its SMS, in two batches; or
    // a bounce beside a send's failure) each saw the other's message still queued, and neither closed
    // it: it stayed pending for good. Locked first, the second waits, and its next statement sees the
    // first's commit.
    await this.deliveries.lock(deliveryIds);
    if (campaign.mode !== 'escalate') {
      await this.deliveries.markUnreachable(deliveryIds, now);
      return false;
    }
    const { escalated, exhausted } = await this.campaigns.escalate(deliveryIds, now);
    await this.deliveries.markUnreachable(exhausted, now);
    if (escalated.length === 0) return false;
    await this.campaigns.assignBatches(campaign.id, batchSizes(this.config), now);
    return true;
  }

  /**
   * Delivery events from the providers' webhooks: delivered, or failed after it had left (a bounce, an
   * undelivered SMS), which falls back like a failure at send time. A completed campaign that gets new
   * messages this way is sending again until they are sent.
   */
  async applyEvents(
    events: Array<{ messageId: number; campaignId: string; kind: 'delivered' | 'failed'; code: string }>,
  ): Promise<void> {
    const now = this.clock.now();
    await this.deliveries.markDelivered(
      events.filter((e) => e.kind === 'delivered').map((e) => e.messageId),
      now,
    );
    const failures = events.filter((e) => e.kind === 'failed');
    for (const campaignId of new Set(failures.map((f) => f.campaignId))) {
      const mine = failures.filter((f) => f.campaignId === campaignId);
      const more = await this.database.transaction(async () => {
        // Its status as of now, held until this commits: a cancel comes before (nothing falls back) or
        // after (and cancels what this queues).
        const campaign = await this.campaigns.findForUpdate(campaignId);
        if (!campaign) return false;
        const reopened = await this.deliveries.failAfterSend(
          mine.map((f) => ({ id: f.messageId, code: f.code })),
          now,
        );
        // A cancelled campaign sends nothing more: no longer notified, and no next channel.
        if (campaign.status === CampaignStatus.Cancelled) {
          await this.deliveries.markCancelled(reopened, now);
          return false;
        }
        const added = await this.fallBack(campaign, reopened, now);
        if (added) await this.campaignService.reopen(campaignId, reopened.length, now);
        return added;
      });
      if (more) await this.campaignService.topUp(campaignId);
      await this.campaignService.finishIfIdle(campaignId);
    }
  }

  /** Tokens FCM says are no longer registered leave the directory, re-sealed without them. */
  private async dropTokens(
    unregistered: Array<{ subjectId: number; token: string }>,
    now: Date,
  ): Promise<void> {
    if (unregistered.length === 0) return;
    const gone = new Map<number, Set<string>>();
    for (const u of unregistered) gone.set(u.subjectId, (gone.get(u.subjectId) ?? new Set()).add(u.token));
    const cipher = this.crypto.cipher;
    const rows = await this.deliveries.subjectsSealed([...gone.keys()]);
    await this.deliveries.replaceTokens(
      rows.map((row) => {
        const aad = subjectAad(row.externalId);
        const contact = cipher.openJson<SealedContact>(row.sealed, aad);
        const pushTokens = contact.pushTokens.filter((t) => !gone.get(row.id)!.has(t.token));
        return {
          id: row.id,
          keyId: cipher.currentKeyId,
          sealed: cipher.sealJson({ ...contact, pushTokens }, aad),
          tokenCount: pushTokens.length,
        };
      }),
      now,
    );
  }
}
