import type { INestApplicationContext } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { Redis } from 'ioredis';
import { Test } from '@nestjs/testing';
import { plainToInstance } from 'class-transformer';
import type { Job } from 'bullmq';
import pg from 'pg';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { AppModule } from '../../src/app.module.js';
import {
  EMAIL_PORT,
  PUSH_PORT,
  SMS_PORT,
  type EmailBatch,
  type EmailPort,
  type PushMessage,
  type PushOutcome,
  type PushPort,
  type SendOutcome,
  type SmsMessage,
  type SmsPort,
} from '../../src/channels/channel.port.js';
import { SYSTEM_ACTOR, type Actor } from '../../src/common/actor.js';
import { Clock } from '../../src/common/clock.js';
import { Role } from '../../src/common/permissions.js';
import { loadConfig } from '../../src/config/config.js';
import { DatabaseService } from '../../src/database/database.service.js';
import { CreateIncidentDto, UpdateIncidentDto } from '../../src/incidents/incidents.dto.js';
import { IncidentsService } from '../../src/incidents/incidents.service.js';
import { CampaignsService, type CreateCampaign } from '../../src/notifications/campaigns.service.js';
import { MetricsService } from '../../src/metrics/metrics.service.js';
import { JobRepository } from '../../src/queue/job.repository.js';
import { ON_JOB_KEY, OnJob } from '../../src/queue/on-job.decorator.js';
import { JOB_QUEUE, JobName, QUEUE_SETTINGS } from '../../src/queue/queue.catalogue.js';
import type { ReportRow } from '../../src/reports/reports.repository.js';
import { ReportsService, type GenerateReport } from '../../src/reports/reports.service.js';
import { ScopeCriteriaDto } from '../../src/scoping/scoping.dto.js';
import { ScopingService } from '../../src/scoping/scoping.service.js';
import { SubjectsService } from '../../src/subjects/subjects.service.js';
import { ENCRYPTION_ENV, REDIS_BASE, validIncident } from '../support/app.js';

// The medium tier (immich's newMediumService): the services with their real repositories on the test
// PostgreSQL, and scripted ports in place of what lies beyond them. The providers answer what a test
// scripts, as outcomes (their wire formats are the e2e suites' business); the queue is a list the test
// runs a job attempt at a time, so a scenario of retries, new jobs and pauses is exact and quick.

/** SendGrid's acceptance of one recipient of a batch. */
const emailSent = (r: EmailBatch['recipients'][number]): SendOutcome => ({
  kind: 'sent',
  providerRef: `email-${r.messageId}`,
});

const everyEmailSent = (batch: EmailBatch): SendOutcome[] => batch.recipients.map(emailSent);

/** A provider answering what the test scripts: by default it takes everything. */
class ScriptedEmail implements EmailPort {
  readonly name = 'scripted';
  readonly calls: EmailBatch[] = [];
  answer: (batch: EmailBatch) => SendOutcome[] | Promise<SendOutcome[]> = everyEmailSent;

  /** From now on, refuses for good the addresses `refused` picks (an invalid address) and sends the rest. */
  refuse(refused: (to: string) => boolean): void {
    this.answer = (batch) =>
      batch.recipients.map((r) =>
        refused(r.to) ? { kind: 'permanent', code: 'sendgrid_invalid' } : emailSent(r),
      );
  }

  /** Back to sending every recipient. */
  sendAll(): void {
    this.answer = everyEmailSent;
  }

  async send(batch: EmailBatch): Promise<SendOutcome[]> {
    this.calls.push(batch);
    return this.answer(batch);
  }
}

class ScriptedSms implements SmsPort {
  readonly name = 'scripted';
  readonly calls: SmsMessage[] = [];
  answer: (message: SmsMessage) => SendOutcome | Promise<SendOutcome> = (m) => ({
    kind: 'sent',
    providerRef: `SM${m.messageId}`,
  });
  async send(message: SmsMessage): Promise<SendOutcome> {
    this.calls.push(message);
    return this.answer(message);
  }
}

class ScriptedPush implements PushPort {
  readonly name = 'scripted';
  readonly calls: PushMessage[] = [];
  answer: (message: PushMessage) => PushOutcome = (m) => ({
    kind: 'sent',
    providerRef: `fcm-${m.messageId}`,
  });
  send(messages: PushMessage[]): Promise<PushOutcome[]> {
    this.calls.push(...messages);
    return Promise.resolve(messages.map((m) => this.answer(m)));
  }
}

export interface QueuedJob {
  name: JobName;
  id: string;
  data: unknown;
  /** Attempts already made, as BullMQ counts them. */
  attemptsMade: number;
}

export interface JobRun {
  job: QueuedJob;
  result?: unknown;
  error?: Error;
}

/**
 * The queue as a list: `add` (one job per id while it waits or runs, as BullMQ), and runs of one attempt
 * at a time through the job's `@OnJob` handler. A failed attempt is retried (at once, not after a backoff)
 * until the job's attempts are spent, as the catalogue sets them.
 */
export class ScriptedQueue {
  readonly waiting: QueuedJob[] = [];
  /** Jobs whose every attempt failed. */
  readonly failed: JobRun[] = [];
  private handlers = new Map<JobName, (data: unknown, job: Job) => Promise<unknown>>();
  /** The ids of the jobs running now: BullMQ adds no job under one of them either. */
  private readonly running = new Set<string>();

  add(name: JobName, data: unknown, opts?: { jobId?: string }): Promise<void> {
    const id = opts?.jobId ?? `${name}-${Math.random()}`;
    if (!this.running.has(id) && !this.waiting.some((j) => j.name === name && j.id === id)) {
      this.waiting.push({ name, id, data, attemptsMade: 0 });
    }
    return Promise.resolve();
  }

  getJobState(name: JobName, id: string): Promise<string | undefined> {
    return Promise.resolve(this.waiting.some((j) => j.name === name && j.id === id) ? 'waiting' : undefined);
  }

  /** No Redis: the queue is a list (the send rate's slots are then PostgreSQL's). */
  redis(): undefined {
    return undefined;
  }

  /** The SMS limiter's hold: nothing waits in a scripted queue. */
  holdQueue(): Promise<void> {
    return Promise.resolve();
  }

  /** Jobs of `name` waiting (all when no name). */
  of(name?: JobName): QueuedJob[] {
    return this.waiting.filter((j) => !name || j.name === name);
  }

  /** Runs one attempt of the first waiting job (of `name`); undefined when none waits. */
  async runNext(name?: JobName): Promise<JobRun | undefined> {
    const job = this.waiting.find((j) => !name || j.name === name);
    if (!job) return undefined;
    this.waiting.splice(this.waiting.indexOf(job), 1);
    const attempts = QUEUE_SETTINGS[JOB_QUEUE[job.name]].defaults.attempts ?? 1;
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`no handler for ${job.name}`);
    this.running.add(job.id);
    try {
      const result = await handler(job.data, {
        id: job.id,
        attemptsMade: job.attemptsMade,
        opts: { attempts },
      } as Job);
      return { job, result };
    } catch (err) {
      const run = { job, error: err as Error };
      job.attemptsMade += 1;
      if (job.attemptsMade < attempts) this.waiting.unshift(job);
      else this.failed.push(run);
      return run;
    } finally {
      this.running.delete(job.id);
    }
  }

  /** Runs every waiting job (of `name`), attempt by attempt, until none is left; every run, in order. */
  async run(name?: JobName, limit = 1_000): Promise<JobRun[]> {
    const runs: JobRun[] = [];
    for (let run = await this.runNext(name); run; run = await this.runNext(name)) {
      runs.push(run);
      if (runs.length >= limit) throw new Error(`still running after ${limit} attempts`);
    }
    return runs;
  }

  /** Finds each `@OnJob` handler of the application, as the real queue does at start. */
  bind(app: INestApplicationContext): void {
    const scanner = app.get(MetadataScanner);
    const reflector = app.get(Reflector);
    for (const wrapper of app.get(DiscoveryService).getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object') continue;
      for (const method of scanner.getAllMethodNames(Object.getPrototypeOf(instance) as object)) {
        const fn = instance[method] as (...args: unknown[]) => Promise<unknown>;
        const name = reflector.get<JobName | undefined>(ON_JOB_KEY, fn);
        if (name) this.handlers.set(name, (data, job) => fn.call(instance, data, job));
      }
    }
  }
}

export interface Person {
  externalId: string;
  email?: string;
  phone?: string;
  pushTokens?: string[];
  /** The person's order of notice channels (email first when not given). */
  channelPreferences?: Array<'email' | 'sms'>;
  /** GB when not given: any effective means counts as the notice there; null: none (and no phone to infer it from). */
  jurisdiction?: string | null;
  /** en-US when not given; null: none in the directory. */
  locale?: string | null;
  /** 1990-06-01 when not given. */
  birthDate?: string;
  guardian?: { email?: string; phone?: string; locale?: string };
  /** ['camera_data'] when not given. */
  dataCategories?: string[];
}

/** A person of the directory as a scenario needs one (the rest is filled in). */
const subjectOf = (system: string, p: Person) => ({
  externalId: p.externalId,
  name: `Person ${p.externalId}`,
  ...(p.locale === null ? {} : { locale: p.locale ?? 'en-US' }),
  timeZone: 'America/New_York',
  ...(p.jurisdiction === null ? {} : { jurisdiction: p.jurisdiction ?? 'GB' }),
  ...(p.guardian ? { guardian: p.guardian } : {}),
  ...(p.email ? { email: p.email } : {}),
  ...(p.phone ? { phone: p.phone } : {}),
  ...(p.pushTokens ? { pushTokens: p.pushTokens.map((token) => ({ token, platform: 'android' })) } : {}),
  ...(p.channelPreferences ? { channelPreferences: p.channelPreferences } : {}),
  birthDate: p.birthDate ?? '1990-06-01',
  systems: [system],
  dataCategories: p.dataCategories ?? ['camera_data'],
});

/**
 * The application with scripted ports and queue, and the factories of a scenario. Made by
 * `newMediumContext`.
 */
export class MediumContext {
  constructor(
    readonly app: INestApplicationContext,
    readonly queue: ScriptedQueue,
    readonly email: ScriptedEmail,
    readonly sms: ScriptedSms,
    readonly push: ScriptedPush,
    /** A responder and an approver (another holder): four eyes hold in the medium tier too. */
    readonly responder: Actor,
    readonly approver: Actor,
  ) {}

  get<T>(type: abstract new (...args: never[]) => T): T {
    return this.app.get(type);
  }

  async query<R = Record<string, any>>(text: string, params?: unknown[]): Promise<R[]> {
    const client = (this.app.get(DatabaseService).db as unknown as { $client: pg.Pool }).$client;
    return (await client.query(text, params)).rows as R[];
  }

  /**
   * The SQL texts of the statements `work` sends to PostgreSQL, each once, whichever connection carries it
   * (the pool's, a transaction's client), with what `work` returned; `queries`, the same with their
   * values. Recorded at node-postgres' client, so anything else the process sends meanwhile is in it too:
   * call it while nothing else runs.
   */
  async statements<T>(
    work: () => Promise<T>,
  ): Promise<{ result: T; statements: string[]; queries: Array<{ text: string; values: unknown[] }> }> {
    const statements: string[] = [];
    const queries: Array<{ text: string; values: unknown[] }> = [];
    const prototype = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = prototype.query;
    const spy = jest.spyOn(prototype, 'query').mockImplementation(function (
      this: unknown,
      ...args: unknown[]
    ) {
      const [query, params] = args;
      const text = typeof query === 'string' ? query : (query as { text?: unknown } | null)?.text;
      const values = (query as { values?: unknown } | null)?.values ?? params;
      statements.push(typeof text === 'string' ? text : '');
      queries.push({
        text: typeof text === 'string' ? text : '',
        values: Array.isArray(values) ? values : [],
      });
      return original.apply(this, args);
    });
    try {
      return { result: await work(), statements, queries };
    } finally {
      spy.mockRestore();
    }
  }

  /** People of the directory, each tagged with a system of this scenario's own (`newIncident` scopes it). */
  async newPeople(system: string, people: Person[]): Promise<void> {
    const rows = people.map((p) => subjectOf(system, p));
    const outcome = await this.get(SubjectsService).bulkUpsert(SYSTEM_ACTOR, rows);
    if (outcome.rejected > 0) throw new Error(`people refused: ${JSON.stringify(outcome.rejections)}`);
  }

  /** The incident's facts changed by the responder, as a PATCH with the version just read. */
  async updateIncident(incidentId: string, facts: Record<string, unknown>): Promise<void> {
    const incidents = this.get(IncidentsService);
    const { version } = await incidents.get(incidentId);
    await incidents.update(this.responder, incidentId, version, plainToInstance(UpdateIncidentDto, facts));
  }

  /** An incident whose affected set is frozen: the people of `system`. */
  async newIncident(system: string, overrides: Record<string, unknown> = {}): Promise<string> {
    const input = plainToInstance(CreateIncidentDto, validIncident({ systems: [system], ...overrides }));
    const incident = await this.get(IncidentsService).create(this.responder, input);
    const criteria = plainToInstance(ScopeCriteriaDto, { systems: [system] });
    await this.get(ScopingService).freeze(this.responder, incident.id, criteria);
    await this.queue.run(JobName.ScopeFreeze);
    return incident.id;
  }

  /** A campaign drafted by the responder, approved by the approver and planned: its id. */
  async newCampaign(incidentId: string, draft: Partial<CreateCampaign>): Promise<string> {
    const campaigns = this.get(CampaignsService);
    const campaign = await campaigns.create(this.responder, incidentId, {
      template: 'breach-notice',
      channels: ['email'],
      mode: 'escalate',
      includeGuardians: false,
      ...draft,
    });
    await campaigns.approve(this.approver, campaign.id);
    await this.queue.run(JobName.CampaignPlan);
    return campaign.id;
  }

  /** A report asked for by the responder and generated by its job: the row as the job left it. */
  async newReport(incidentId: string, input: GenerateReport): Promise<ReportRow> {
    const reports = this.get(ReportsService);
    const asked = await reports.generate(this.responder, incidentId, input);
    await this.queue.run(JobName.ReportGenerate);
    return reports.get(asked.id);
  }

  /** Runs every job, and the jobs they queue, until the queue is empty (twenty rounds at most). */
  async drain(): Promise<void> {
    for (let i = 0; i < 20 && this.queue.of().length > 0; i++) await this.queue.run();
  }

  close(): Promise<void> {
    return this.app.close();
  }
}

/**
 * The application on the test PostgreSQL (see the e2e global setup) with scripted ports and queue, and
 * `clock` in place of the system's when given; `providers` in place of the application's (a renderer
 * over templates of the test's own, say).
 */
export async function newMediumContext(
  env: Record<string, string> = {},
  clock?: Clock,
  providers: ReadonlyArray<{ provide: abstract new (...args: never[]) => unknown; useValue: unknown }> = [],
): Promise<MediumContext> {
  const config = loadConfig({
    DATABASE_URL: process.env.E2E_DATABASE_URL,
    LOG_LEVEL: 'silent',
    ...ENCRYPTION_ENV,
    ...env,
  });
  const queue = new ScriptedQueue();
  const email = new ScriptedEmail();
  const sms = new ScriptedSms();
  const push = new ScriptedPush();
  let builder = Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(JobRepository)
    .useValue(queue)
    .overrideProvider(EMAIL_PORT)
    .useValue(email)
    .overrideProvider(SMS_PORT)
    .useValue(sms)
    .overrideProvider(PUSH_PORT)
    .useValue(push);
  for (const p of providers) builder = builder.overrideProvider(p.provide).useValue(p.useValue);
  const module = await (clock ? builder.overrideProvider(Clock).useValue(clock) : builder).compile();
  // Silent, as the e2e suites run the service (LOG_LEVEL silent): a scenario's pauses are not news.
  module.useLogger(false);
  const app = await module.init();
  queue.bind(app);
  const keys = app.get(ApiKeysService);
  const actor = async (role: Role): Promise<Actor> => {
    const holder = `${role}-${Date.now()}-${Math.random()}@medium.test`;
    const { key } = await keys.create(SYSTEM_ACTOR, { name: `medium ${role}`, role, holder });
    return { keyId: key.id, role, ip: null };
  };
  const people = [await actor(Role.Responder), await actor(Role.Approver)] as const;
  return new MediumContext(app, queue, email, sms, push, ...people);
}

/**
 * The real queues, where a scenario is about what BullMQ does with the catalogue (which queue a job is
 * on, how many of a queue's jobs run at once): one worker process's JobRepository on the test Redis
 * (logical database `redisDb`, emptied first), every job handed to `handle` in place of its service.
 * Jobs added before `startWorkers` are taken in the order added; `beforeApplicationShutdown` closes it.
 */
export async function newRealQueues(
  redisDb: number,
  handle: (name: JobName, data: unknown) => Promise<unknown>,
): Promise<JobRepository> {
  const url = `${REDIS_BASE}/${redisDb}`;
  const redis = new Redis(url);
  await redis.flushdb();
  redis.disconnect();
  class Handlers {}
  for (const name of Object.values(JobName)) {
    const descriptor = { value: (data: unknown) => handle(name, data), configurable: true };
    OnJob(name)(Handlers.prototype, name, descriptor);
    Object.defineProperty(Handlers.prototype, name, descriptor);
  }
  const discovery = { getProviders: () => [{ instance: new Handlers() }] } as unknown as DiscoveryService;
  const config = loadConfig({
    DATABASE_URL: process.env.E2E_DATABASE_URL,
    REDIS_URL: url,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...ENCRYPTION_ENV,
  });
  const jobs = new JobRepository(
    config,
    discovery,
    new MetadataScanner(),
    new Reflector(),
    new MetricsService(),
  );
  await jobs.open();
  return jobs;
}
