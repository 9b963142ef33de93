import type { Job, Queue, Worker } from 'bullmq';
import { startRedis } from '../scripts/lib/redis-server.mjs';
import { loadConfig } from '../src/config/config.js';
import { JobRepository } from '../src/queue/job.repository.js';
import { openQueueBackend, type QueueBackend } from '../src/queue/queue-backend.js';
import { JobName, QueueName } from '../src/queue/queue.catalogue.js';
import {
  DRAIN_CHUNK,
  DRAIN_CHUNKS_PER_JOB,
  DRAIN_JOB_IDS,
  type DrainResult,
  WebhookEventsService,
} from '../src/webhooks/webhook-events.service.js';
import { WebhooksRepository } from '../src/webhooks/webhooks.repository.js';
import { ENCRYPTION_ENV, eventually, startApp, type TestApp } from './support/app.js';
import { createScratchDatabase, dropScratchDatabase } from './support/global-setup.js';

// A webhook drain that spends its chunks queues one follow-up under the other of two fixed job ids
// (DRAIN_JOB_IDS), trusting the queue to add nothing under the id of a job that waits or runs. The medium
// tier checks the drain on a scripted queue; this checks the promise itself on both real backends (a
// Redis server of this file's own, and BullMQ's PostgreSQL backend on a database of its own), then runs a
// burst of events past one job's budget to the end through the follow-ups.

type Backend = 'redis' | 'postgres';

interface Setup {
  env: Record<string, string>;
  close(): Promise<void>;
}

/** The environment of a service on `backend`: a database of its own, and for Redis a server of its own. */
async function setUp(backend: Backend, label: string): Promise<Setup> {
  const url = await createScratchDatabase(`${label}_${backend}`);
  if (backend === 'postgres') {
    return { env: { DATABASE_URL: url }, close: () => dropScratchDatabase(url) };
  }
  const redis = await startRedis();
  return {
    env: { DATABASE_URL: url, REDIS_URL: `${redis.url}/1` },
    close: async () => {
      await redis.stop();
      await dropScratchDatabase(url);
    },
  };
}

const configOf = (env: Record<string, string>) =>
  loadConfig({ ...ENCRYPTION_ENV, LOG_LEVEL: 'silent', SHUTDOWN_TIMEOUT_MS: '5000', ...env });

/** A promise and the function that settles it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return { opened, open };
}

describe.each<Backend>(['redis', 'postgres'])('a job id that waits or runs, on %s', (kind) => {
  let setup: Setup | undefined;
  let backend: QueueBackend | undefined;
  let queue: Queue | undefined;
  let worker: Worker | undefined;
  let release: (() => void) | undefined;

  beforeAll(async () => {
    setup = await setUp(kind, 'dup_ids');
    backend = await openQueueBackend(configOf(setup.env));
    expect(backend.kind).toBe(kind);
    queue = new backend.Queue('dup-ids', { connection: backend.connection as never });
  });

  afterAll(async () => {
    release?.();
    await worker?.close().catch(() => undefined);
    await queue?.close().catch(() => undefined);
    await backend?.close().catch(() => undefined);
    await setup?.close();
  });

  const jobs = async () =>
    (await queue!.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).length;
  const once = { jobId: 'drain', removeOnComplete: true, removeOnFail: true };

  it('adds nothing under the id of a waiting job, nor of a running one; adds it again once it is gone', async () => {
    await queue!.add('drain', { n: 1 }, once);
    const again = await queue!.add('drain', { n: 2 }, once);
    expect(again.id).toBe('drain');
    expect(await queue!.getJobCounts('waiting', 'active')).toEqual({ waiting: 1, active: 0 });
    expect((await queue!.getJob('drain'))?.data).toEqual({ n: 1 });

    // A worker holds it: running, its id is still taken.
    const ran: unknown[] = [];
    const held = gate();
    const started = gate();
    release = held.open;
    worker = new backend!.Worker(
      'dup-ids',
      async (job: Job) => {
        ran.push(job.data);
        started.open();
        await held.opened;
      },
      { connection: backend!.connection as never, ...backend!.workerOptions },
    );
    await started.opened;
    await queue!.add('drain', { n: 3 }, once);
    expect(await queue!.getJobCounts('waiting', 'active')).toEqual({ waiting: 0, active: 1 });
    expect(await jobs()).toBe(1);

    held.open();
    await eventually(async () => ((await jobs()) === 0 ? true : undefined));
    expect(ran).toEqual([{ n: 1 }]);

    // Gone (removed on completion): the id is free, and the next add runs.
    await queue!.add('drain', { n: 4 }, once);
    await eventually(() => Promise.resolve(ran.length === 2 ? true : undefined));
    expect(ran).toEqual([{ n: 1 }, { n: 4 }]);
  });
});

describe.each<Backend>(['redis', 'postgres'])(
  'a burst of webhook events drained to the end, on %s',
  (kind) => {
    let setup: Setup | undefined;
    let t: TestApp | undefined;
    let backend: QueueBackend | undefined;
    let worker: Worker | undefined;

    beforeAll(async () => {
      setup = await setUp(kind, 'drain');
      // An API node: it queues drains but runs no worker and no schedule (the 15 s drain would mix in).
      t = await startApp({ ...setup.env, ROLE: 'api' });
      expect(t.app.get(JobRepository).backendKind).toBe(kind);
    });

    afterAll(async () => {
      await worker?.close().catch(() => undefined);
      await backend?.close().catch(() => undefined);
      await t?.close().catch(() => undefined);
      await setup?.close();
    });

    it('applies one budget a job, each follow-up queued under the other id, until none is left', async () => {
      const budget = DRAIN_CHUNKS_PER_JOB * DRAIN_CHUNK;
      const total = 2 * budget + 250;
      const stamp = `${process.pid}-${Date.now()}`;
      const receivedAt = new Date();
      // Naming no message: each is applied as an unknown message's event, which is all a drain needs here.
      await t!.app.get(WebhooksRepository).store(
        Array.from({ length: total }, (_, i) => ({
          provider: 'sendgrid',
          eventKey: `burst-${stamp}-${i}`,
          event: 'delivered',
          messageId: null,
          providerRef: null,
          receivedAt,
        })),
      );

      // The housekeeping queue's worker, as a worker node runs it (two at a time), recording each drain.
      const runs: Array<{ id: string | undefined } & DrainResult> = [];
      const drains = t!.app.get(WebhookEventsService);
      backend = await openQueueBackend(configOf(setup!.env));
      worker = new backend.Worker(
        QueueName.Housekeeping,
        async (job: Job) => {
          if (job.name !== (JobName.WebhooksProcess as string)) return undefined;
          const result = await drains.process(job.data, job);
          runs.push({ id: job.id, ...result });
          return result;
        },
        { connection: backend.connection as never, concurrency: 2, ...backend.workerOptions },
      );

      // As an arriving event queues it.
      await t!.app
        .get(JobRepository)
        .add(
          JobName.WebhooksProcess,
          {},
          { jobId: DRAIN_JOB_IDS[0], removeOnComplete: true, removeOnFail: true },
        );

      const unapplied = async () =>
        (
          await t!.query<{ n: number }>(
            'select count(*)::int as n from webhook_events where event_key like $1 and processed_at is null',
            [`burst-${stamp}-%`],
          )
        )[0].n;
      const housekeeping = t!.app
        .get(JobRepository)
        .allQueues()
        .find((q) => q.name === (QueueName.Housekeeping as string))!;
      const queued = async () => {
        const counts = await housekeeping.getJobCounts('waiting', 'active', 'delayed');
        return counts.waiting + counts.active + counts.delayed;
      };
      // Done: every event applied, and no drain waiting or running (a run is recorded before its job ends).
      await eventually(
        async () => ((await unapplied()) === 0 && (await queued()) === 0 ? true : undefined),
        60_000,
      );
      expect(runs).toEqual([
        { id: DRAIN_JOB_IDS[0], applied: budget, waiting: 0, followUp: true },
        { id: DRAIN_JOB_IDS[1], applied: budget, waiting: 0, followUp: true },
        { id: DRAIN_JOB_IDS[0], applied: 250, waiting: 0, followUp: false },
      ]);
    }, 120_000);
  },
);
