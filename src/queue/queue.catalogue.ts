import type { JobsOptions, RateLimiterOptions } from 'bullmq';
import type { AppConfig } from '../config/config.js';

// The one catalogue of queues and jobs: names, payload types and options live here and nowhere else.
// Payloads carry ids only: never personal data, secrets or message bodies (the worker reads the rows).

export enum QueueName {
  /** Whole-table work asked for by people or run hourly to daily: the audit chain, ages, the outbox. */
  Maintenance = 'maintenance',
  /**
   * The sweeps that recover and move work, every 15-60 s, but the reconciler (below). A queue of their
   * own: on the campaigns queue the reconciler's four jobs a minute pushed a campaign's own jobs out of
   * its kept history within the hour, and the dashboard showed little else.
   */
  Housekeeping = 'housekeeping',
  /**
   * The deliveries' reconciler alone: it hands a dead worker's batches on and re-queues lost jobs, so no
   * other job may hold it up. On the campaigns queue (housekeeping would share it the same way) its run
   * waited 61 s behind webhook drains, then each looping until no event was left, that held every slot
   * after a burst that followed a database cut; a killed worker's batches waited 85 s in all (issue 20,
   * the 100k fault run). BullMQ queues a schedule's next run only when the last one starts: none came
   * meanwhile. A drain now applies at most ten chunks of 500 claimed events and leaves the rest to a
   * follow-up job (webhook-events.service.ts), so it frees its housekeeping slot between them.
   */
  Reconciler = 'reconciler',
  /** Streamed directory imports: long, one at a time so they do not compete for the database. */
  Imports = 'imports',
  /**
   * Freezing affected sets, and generating regulators' reports from them: set-based statements over one
   * incident's set (a freeze under 15 s at a million, a report's reads about as long).
   */
  Scoping = 'scoping',
  /** Planning campaigns and the releases of residents held back, and notices asked for again. */
  Campaigns = 'campaigns',
  /** One queue per channel, so a slow provider never holds up another. Jobs carry a batch id. */
  Email = 'send-email',
  Sms = 'send-sms',
  Push = 'send-push',
}

export enum JobName {
  /** Recompute the audit chain and record the result. */
  AuditVerify = 'audit.verify',
  /** Clear the minor flag of people who came of age (daily), or recheck everyone (`all`). */
  SubjectsAgeCheck = 'subjects.age-check',
  /** Process an uploaded NDJSON or CSV file into the directory. */
  SubjectsImport = 'subjects.import',
  /** Freeze an incident's affected set from a scope run's criteria. */
  ScopeFreeze = 'scope.freeze',
  /** Re-queue imports whose job is gone (committed but not queued, or lost with Redis). */
  ImportsSweep = 'subjects.import.sweep',
  /** Re-queue scope runs whose job is gone. */
  ScopeSweep = 'scope.sweep',
  /** Fill a report asked for (`generating`) from the incident, its obligations and its affected set. */
  ReportGenerate = 'report.generate',
  /** Re-queue reports still generating whose job is gone. */
  ReportsSweep = 'report.sweep',
  /** Write a campaign's deliveries, messages and batches, then start sending. */
  CampaignPlan = 'campaign.plan',
  /**
   * Plan, into an incident's sending or completed campaign, the residents it held back until a report the
   * law wants first was submitted (Singapore's PDPC).
   */
  CampaignRelease = 'campaign.release',
  /** Send one batch of messages on a channel. */
  SendEmail = 'send.email',
  SendSms = 'send.sms',
  SendPush = 'send.push',
  /** Reclaim expired leases, re-queue batches whose job is gone, top up sending windows, finish campaigns. */
  DeliveriesReconcile = 'deliveries.reconcile',
  /** Apply stored provider delivery events. */
  WebhooksProcess = 'webhooks.process',
  /**
   * Recompute the obligations of incidents whose timeline moved (facts, scope, notices, reports), then
   * alert responders of obligations falling due soon, and of missed ones.
   */
  ObligationsWatch = 'obligations.watch',
  /** Delete outbox messages past OUTBOX_RETENTION_DAYS (they hold names and addresses). */
  OutboxPrune = 'outbox.prune',
  /** "Was I affected?": send a person found by their address their notice again (nothing for no one). */
  NoticeLookup = 'notice.lookup',
}

export interface JobPayloads {
  [JobName.AuditVerify]: { requestedBy: string | null };
  [JobName.SubjectsAgeCheck]: { all: boolean };
  [JobName.SubjectsImport]: { importId: string };
  [JobName.ScopeFreeze]: { scopeRunId: string };
  [JobName.ImportsSweep]: Record<string, never>;
  [JobName.ScopeSweep]: Record<string, never>;
  [JobName.ReportGenerate]: { reportId: string };
  [JobName.ReportsSweep]: Record<string, never>;
  [JobName.CampaignPlan]: { campaignId: string };
  [JobName.CampaignRelease]: { incidentId: string };
  [JobName.SendEmail]: { batchId: number };
  [JobName.SendSms]: { batchId: number };
  [JobName.SendPush]: { batchId: number };
  [JobName.DeliveriesReconcile]: Record<string, never>;
  [JobName.WebhooksProcess]: Record<string, never>;
  [JobName.ObligationsWatch]: Record<string, never>;
  [JobName.OutboxPrune]: Record<string, never>;
  /** The person the address belongs to (null: no one, so nothing is sent), and the channel it is. */
  /**
   * "Was I affected?": the person the address is theirs (`subjectId`), the minors whose guardian gave it
   * (`guardianOf`, absent in jobs queued before guardians were looked up), the published notice's `slug`.
   */
  [JobName.NoticeLookup]: {
    incidentId: string;
    subjectId: number | null;
    guardianOf?: number[];
    slug?: string;
    channel: 'email' | 'sms';
  };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.AuditVerify]: QueueName.Maintenance,
  [JobName.SubjectsAgeCheck]: QueueName.Maintenance,
  [JobName.SubjectsImport]: QueueName.Imports,
  [JobName.ScopeFreeze]: QueueName.Scoping,
  [JobName.ImportsSweep]: QueueName.Housekeeping,
  [JobName.ScopeSweep]: QueueName.Housekeeping,
  [JobName.ReportGenerate]: QueueName.Scoping,
  [JobName.ReportsSweep]: QueueName.Housekeeping,
  [JobName.CampaignPlan]: QueueName.Campaigns,
  [JobName.CampaignRelease]: QueueName.Campaigns,
  [JobName.SendEmail]: QueueName.Email,
  [JobName.SendSms]: QueueName.Sms,
  [JobName.SendPush]: QueueName.Push,
  [JobName.DeliveriesReconcile]: QueueName.Reconciler,
  [JobName.WebhooksProcess]: QueueName.Housekeeping,
  [JobName.ObligationsWatch]: QueueName.Housekeeping,
  [JobName.OutboxPrune]: QueueName.Maintenance,
  [JobName.NoticeLookup]: QueueName.Campaigns,
};

export interface QueueSettings {
  concurrency: number;
  defaults: JobsOptions;
  /** A limit on jobs started per interval, shared by every worker process (kept in the queue backend). */
  limiter?: (config: AppConfig) => RateLimiterOptions | undefined;
}

/**
 * The segments an SMS is taken to have where a job is sized before its SMS are rendered: the notice's
 * whole text is about ten (`npm run bench:sms`: 9-11 GSM-7, 11-23 UCS-2; its lead alone 2-5). Only the
 * jobs' size and spacing use it; each SMS takes the send slots of its own segments (SendRate).
 */
export const SMS_SEGMENTS_PLANNED = 10;

/**
 * Messages per SMS job: a second's worth at the sender's rate (TWILIO_MAX_PER_SECOND counts segments, as
 * Twilio does), at least 1, at most 200. A job's own work (claim, record, queue, top-up: about 8 ms of
 * CPU) is spread over its messages; at 50 it was a quarter of what an SMS cost. A worker that dies
 * mid-job may send up to that many twice (counted).
 */
export const smsBatchSize = (config: AppConfig): number =>
  Math.max(1, Math.min(200, Math.floor(config.smsMaxPerSecond / SMS_SEGMENTS_PLANNED)));

/** How long `messages` SMS take at the sender's rate, as planned (SMS_SEGMENTS_PLANNED each). */
export const smsJobMs = (config: AppConfig, messages: number): number =>
  Math.ceil((1000 * messages * SMS_SEGMENTS_PLANNED) / config.smsMaxPerSecond);

/**
 * Send jobs: a transient provider failure is thrown, and retried with exponential backoff and jitter, or
 * after the provider's Retry-After (see `retryDelay` in the channels). State lives in PostgreSQL, so
 * finished jobs are not kept.
 */
const SEND: JobsOptions = {
  attempts: 8,
  backoff: { type: 'retry-after', delay: 1_000 },
  removeOnComplete: true,
  removeOnFail: true,
};

/**
 * Jobs that do work once, retried with exponential backoff. Finished ones are history, not state (the
 * results live in PostgreSQL): the last hundred done and five hundred failed are kept to look at.
 */
const once = (attempts: number, delay: number): JobsOptions => ({
  attempts,
  backoff: { type: 'exponential', delay },
  removeOnComplete: { count: 100 },
  removeOnFail: { count: 500 },
});

export const QUEUE_SETTINGS: Record<QueueName, QueueSettings> = {
  [QueueName.Maintenance]: { concurrency: 1, defaults: once(3, 5_000) },
  // Two at a time, as on the campaigns queue they came from: a slow obligations recount does not hold up
  // the webhook events and the sweeps.
  [QueueName.Housekeeping]: { concurrency: 2, defaults: once(3, 2_000) },
  // A pass that fails (the database cut) is tried again every 2 s for 10 s: with tries 2 and 4 s apart,
  // two cuts of 3 s, 6 s apart (as in the fault run), can fail all three and leave the dead worker's
  // batches to the next pass, 15 s on. Two at a time, so that a pass stuck on a dead connection does not
  // stop this process's next one.
  [QueueName.Reconciler]: {
    concurrency: 2,
    defaults: { ...once(6, 2_000), backoff: { type: 'fixed', delay: 2_000 } },
  },
  // A retried import resumes after its last committed line.
  [QueueName.Imports]: { concurrency: 1, defaults: once(3, 5_000) },
  [QueueName.Scoping]: { concurrency: 2, defaults: once(3, 2_000) },
  [QueueName.Campaigns]: { concurrency: 2, defaults: once(5, 2_000) },
  // A send job waits on the provider part of its time: several per process. Email jobs hold a thousand
  // recipients each (about 1 MB of request): four at a time keep two cores busy without doubling memory.
  [QueueName.Email]: { concurrency: 4, defaults: SEND },
  [QueueName.Sms]: {
    concurrency: 4,
    defaults: SEND,
    // One SMS batch per interval such that the sender's segments per second hold across all workers (the
    // send slots hold it per message; this keeps jobs from piling up waiting for them).
    limiter: (config) => ({
      max: 1,
      duration: smsJobMs(config, smsBatchSize(config)),
    }),
  },
  [QueueName.Push]: { concurrency: 4, defaults: SEND },
};

/**
 * Recurring jobs, upserted at worker start and every few seconds after (job.repository.ts); a scheduler
 * found on one of our queues that is not listed here for that queue (one moved to another queue, or
 * dropped) is removed, with its next job.
 */
export const SCHEDULES: ReadonlyArray<{
  id: string;
  job: JobName;
  everyMs: number;
  data: JobPayloads[JobName];
}> = [
  {
    id: 'audit-verify-hourly',
    job: JobName.AuditVerify,
    everyMs: 60 * 60 * 1000,
    data: { requestedBy: null },
  },
  {
    id: 'subjects-age-check-daily',
    job: JobName.SubjectsAgeCheck,
    everyMs: 24 * 60 * 60 * 1000,
    data: { all: false },
  },
  { id: 'imports-sweep', job: JobName.ImportsSweep, everyMs: 60_000, data: {} },
  { id: 'scope-sweep', job: JobName.ScopeSweep, everyMs: 60_000, data: {} },
  { id: 'reports-sweep', job: JobName.ReportsSweep, everyMs: 60_000, data: {} },
  { id: 'deliveries-reconcile', job: JobName.DeliveriesReconcile, everyMs: 15_000, data: {} },
  // Events whose processing job was not queued (or was busy when they arrived), or whose drain's
  // follow-up was not.
  { id: 'webhooks-process', job: JobName.WebhooksProcess, everyMs: 15_000, data: {} },
  // Deadlines are hours to days: a minute late is early enough to act on an alert.
  { id: 'obligations-watch', job: JobName.ObligationsWatch, everyMs: 60_000, data: {} },
  // The outbox's retention is in days: an hour late deletes nothing that matters.
  { id: 'outbox-prune', job: JobName.OutboxPrune, everyMs: 60 * 60 * 1000, data: {} },
];
