import type { JobsOptions } from 'bullmq';

// The one catalogue of queues and jobs: names, payload types and options live here and nowhere else.
// Payloads carry ids only: never personal data, secrets or message bodies (the worker reads the rows).

export enum QueueName {
  Maintenance = 'maintenance',
}

export enum JobName {
  /** Recompute the audit chain and record the result. */
  AuditVerify = 'audit.verify',
}

export interface JobPayloads {
  [JobName.AuditVerify]: { requestedBy: string | null };
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.AuditVerify]: QueueName.Maintenance,
};

export interface QueueSettings {
  concurrency: number;
  defaults: JobsOptions;
}

export const QUEUE_SETTINGS: Record<QueueName, QueueSettings> = {
  [QueueName.Maintenance]: {
    concurrency: 1,
    defaults: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      // Finished maintenance jobs are history, not state: the results live in PostgreSQL.
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 500 },
    },
  },
};

/** Recurring jobs, upserted at worker start. */
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
];
