import type { JobsOptions } from 'bullmq';

// The one catalogue of queues and jobs: names, payload types and options live here and nowhere else.
// Payloads carry ids only: never personal data, secrets or message bodies (the worker reads the rows).

export enum QueueName {
  Maintenance = 'maintenance',
  /** Streamed directory imports: long, one at a time so they do not compete for the database. */
  Imports = 'imports',
  /** Freezing affected sets: short set-based statements. */
  Scoping = 'scoping',
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
}

export interface JobPayloads {
  [JobName.AuditVerify]: { requestedBy: string | null };
  [JobName.SubjectsAgeCheck]: { all: boolean };
  [JobName.SubjectsImport]: { importId: string };
  [JobName.ScopeFreeze]: { scopeRunId: string };
  [JobName.ImportsSweep]: Record<string, never>;
  [JobName.ScopeSweep]: Record<string, never>;
}

export type JobPayload<N extends JobName> = JobPayloads[N];

export const JOB_QUEUE: Record<JobName, QueueName> = {
  [JobName.AuditVerify]: QueueName.Maintenance,
  [JobName.SubjectsAgeCheck]: QueueName.Maintenance,
  [JobName.SubjectsImport]: QueueName.Imports,
  [JobName.ScopeFreeze]: QueueName.Scoping,
  [JobName.ImportsSweep]: QueueName.Maintenance,
  [JobName.ScopeSweep]: QueueName.Maintenance,
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
  [QueueName.Imports]: {
    concurrency: 1,
    defaults: {
      // A retried import resumes after its last committed line.
      attempts: 3,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { count: 100 },
      removeOnFail: { count: 500 },
    },
  },
  [QueueName.Scoping]: {
    concurrency: 2,
    defaults: {
      attempts: 3,
      backoff: { type: 'exponential', delay: 2_000 },
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
  {
    id: 'subjects-age-check-daily',
    job: JobName.SubjectsAgeCheck,
    everyMs: 24 * 60 * 60 * 1000,
    data: { all: false },
  },
  { id: 'imports-sweep', job: JobName.ImportsSweep, everyMs: 60_000, data: {} },
  { id: 'scope-sweep', job: JobName.ScopeSweep, everyMs: 60_000, data: {} },
];
