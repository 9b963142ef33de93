import { BeforeApplicationShutdown, Injectable, Logger } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { Job, JobsOptions, MinimalJob, Queue, Worker } from 'bullmq';
import { withoutParams } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ON_JOB_KEY } from './on-job.decorator.js';
import type { Redis } from 'ioredis';
import { openQueueBackend, QueueBackend } from './queue-backend.js';
import { JOB_QUEUE, JobName, JobPayload, QUEUE_SETTINGS, QueueName, SCHEDULES } from './queue.catalogue.js';

type Handler = (data: unknown, job: Job) => Promise<unknown>;

/** A failure that says when to try again (a provider's Retry-After or rate-limit reset). */
export class RetryLater extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

const MAX_RETRY_DELAY_MS = 10 * 60_000;
/** A provider's own wait is honoured up to this (a rate limit that resets in more is asked again then). */
const MAX_PROVIDER_WAIT_MS = 60 * 60_000;
const SCHEDULE_REFRESH_MS = 10_000;

/**
 * The `retry-after` backoff, with jitter so that retries of many jobs do not arrive together: the
 * provider's delay when it gave one (Retry-After, X-RateLimit-Reset), never less, up to 25% more (and
 * at most an hour); else exponential from the job's base delay, ±25%, at most ten minutes.
 */
export function retryDelay(attemptsMade: number, _type?: string, err?: Error, job?: MinimalJob): number {
  if (err instanceof RetryLater && err.retryAfterMs !== undefined) {
    return Math.round(Math.min(MAX_PROVIDER_WAIT_MS, err.retryAfterMs) * (1 + Math.random() * 0.25));
  }
  const base =
    typeof job?.opts.backoff === 'object' ? (job.opts.backoff.delay ?? 1_000) : (job?.opts.backoff ?? 1_000);
  const wanted = base * 2 ** Math.max(0, attemptsMade - 1);
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, wanted) * (0.75 + Math.random() * 0.5));
}

/** The only door to the queues: add jobs, run the workers, and close both in order at shutdown. */
@Injectable()
export class JobRepository implements BeforeApplicationShutdown {
  private readonly logger = new Logger(JobRepository.name);
  private backend?: QueueBackend;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private scheduleTimer?: NodeJS.Timeout;

  constructor(
    private readonly config: AppConfig,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly metrics: MetricsService,
  ) {}

  /** Connects and opens the queues; called once by the module's factory, before the app is wired. */
  async open(): Promise<void> {
    this.backend = await openQueueBackend(this.config);
    for (const name of Object.values(QueueName)) {
      const queue = new this.backend.Queue(name, {
        connection: this.backend.connection as never,
        defaultJobOptions: QUEUE_SETTINGS[name].defaults,
      });
      queue.on('error', (err: Error) => this.logger.warn(`queue ${name}: ${err.message}`));
      this.queues.set(name, queue);
    }
    this.logger.log(`queues ready on ${this.backend.kind}`);
  }

  get backendKind(): QueueBackend['kind'] {
    return this.requireBackend().kind;
  }

  /** The queues' Redis connection, for other short-lived counters (rate limits); none without REDIS_URL. */
  redis(): Redis | undefined {
    const backend = this.requireBackend();
    return backend.kind === 'redis' ? (backend.connection as Redis) : undefined;
  }

  allQueues(): Queue[] {
    return [...this.queues.values()];
  }

  async add<N extends JobName>(
    name: N,
    data: JobPayload<N>,
    options: Pick<JobsOptions, 'jobId' | 'removeOnComplete' | 'removeOnFail'> = {},
  ): Promise<string> {
    const job = await this.queue(JOB_QUEUE[name]).add(name, data, options);
    return job.id!;
  }

  async getJobState(name: JobName, id: string): Promise<string | undefined> {
    const job = await this.queue(JOB_QUEUE[name]).getJob(id);
    return job ? await job.getState() : undefined;
  }

  /**
   * Starts no job of the queue's for `ms`, on every worker (its limiter's window, forced longer): a job
   * that turns out to carry more than its limiter's share holds the queue for what it carries. A longer
   * hold already set stays (two holders racing may still leave the shorter one: rare, and bounded).
   */
  async holdQueue(name: QueueName, ms: number): Promise<void> {
    const queue = this.queue(name);
    if ((await queue.getRateLimitTtl()) >= ms) return;
    await queue.rateLimit(ms);
  }

  async ping(): Promise<void> {
    await this.requireBackend().ping();
  }

  /**
   * Finds the @OnJob handlers, checks that every job has exactly one, starts one worker per queue that
   * dispatches on the job name, and upserts the recurring schedules.
   */
  async startWorkers(): Promise<void> {
    const handlers = this.discoverHandlers();
    const backend = this.requireBackend();
    for (const name of Object.values(QueueName)) {
      const worker = new backend.Worker(
        name,
        async (job: Job) => {
          const handler = handlers.get(job.name as JobName);
          if (!handler) throw new Error(`no handler for job ${job.name}`);
          // What BullMQ keeps of a failure (its reason and stack, in the queue) never holds a statement's
          // parameters.
          return handler(job.data, job).catch((err: unknown) => {
            throw withoutParams(err);
          });
        },
        {
          connection: backend.connection as never,
          concurrency: QUEUE_SETTINGS[name].concurrency,
          limiter: QUEUE_SETTINGS[name].limiter?.(this.config),
          settings: { backoffStrategy: retryDelay },
          ...backend.workerOptions,
        },
      );
      worker.on('completed', (job) => this.metrics.jobs.inc({ job: job.name, outcome: 'completed' }));
      worker.on('failed', (job, err) => {
        this.metrics.jobs.inc({ job: job?.name ?? 'unknown', outcome: 'failed' });
        this.logger.warn(
          { queue: name, job: job?.name, jobId: job?.id, attempt: job?.attemptsMade },
          err.message,
        );
      });
      worker.on('error', (err) => this.logger.warn(`worker ${name}: ${err.message}`));
      this.workers.push(worker);
    }
    await this.upsertSchedules();
    // A Redis that restarted empty or was flushed forgets the schedulers too, and with them the sweeps
    // and the reconciler that recover everything else: they are put back every few seconds.
    this.scheduleTimer = setInterval(() => {
      this.upsertSchedules().catch((err: Error) => this.logger.warn(`schedules: ${err.message}`));
    }, SCHEDULE_REFRESH_MS).unref();
    this.logger.log(`workers started for ${[...this.queues.keys()].join(', ')}`);
  }

  private async upsertSchedules(): Promise<void> {
    await this.removeStraySchedules();
    for (const schedule of SCHEDULES) {
      await this.queue(JOB_QUEUE[schedule.job]).upsertJobScheduler(
        schedule.id,
        { every: schedule.everyMs },
        { name: schedule.job, data: schedule.data },
      );
    }
  }

  /**
   * Schedulers on our queues that the catalogue does not put there: those of a version that ran a job on
   * another queue (the sweeps moved from the campaigns and maintenance queues to housekeeping), or
   * dropped one. Checked at every refresh, not only at start: during a rolling upgrade an older node puts
   * its schedulers back until it stops.
   */
  private async removeStraySchedules(): Promise<void> {
    for (const [name, queue] of this.queues) {
      const wanted = new Set(SCHEDULES.filter((s) => JOB_QUEUE[s.job] === name).map((s) => s.id));
      for (const scheduler of await queue.getJobSchedulers(0, -1)) {
        if (wanted.has(scheduler.key)) continue;
        await queue.removeJobScheduler(scheduler.key);
        this.logger.log(`schedule ${scheduler.key} removed from queue ${name}: not in the catalogue for it`);
      }
    }
  }

  /** Closing a worker waits for its active jobs; past the timeout we stop waiting and let leases expire. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.scheduleTimer);
    const closing = Promise.all(this.workers.map((w) => w.close()));
    const timeout = new Promise<'timeout'>((r) =>
      setTimeout(() => r('timeout'), this.config.shutdownTimeoutMs).unref(),
    );
    if ((await Promise.race([closing, timeout])) === 'timeout') {
      this.logger.warn('shutdown: in-flight jobs did not finish in time; they will be retried');
      await Promise.all(this.workers.map((w) => w.close(true)));
    }
    await Promise.all([...this.queues.values()].map((q) => q.close()));
    await this.backend?.close();
    this.backend = undefined;
  }

  private discoverHandlers(): Map<JobName, Handler> {
    const handlers = new Map<JobName, Handler>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance: unknown = wrapper.instance;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = (instance as Record<string, unknown>)[method];
        if (typeof fn !== 'function') continue;
        const name = this.reflector.get<JobName | undefined>(ON_JOB_KEY, fn as () => unknown);
        if (!name) continue;
        if (handlers.has(name)) throw new Error(`job ${name} has more than one handler`);
        handlers.set(name, (fn as Handler).bind(instance));
      }
    }
    const missing = Object.values(JobName).filter((name) => !handlers.has(name));
    if (missing.length > 0) throw new Error(`jobs without a handler: ${missing.join(', ')}`);
    return handlers;
  }

  private queue(name: QueueName): Queue {
    const queue = this.queues.get(name);
    if (!queue) throw new Error(`queue ${name} is not open`);
    return queue;
  }

  private requireBackend(): QueueBackend {
    if (!this.backend) throw new Error('queue backend is not open');
    return this.backend;
  }
}
