import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AuditRepository } from '../src/audit/audit.repository.js';
import { ADMIN_KEY, bearer, eventually, REDIS_BASE, startApp, TestApp } from './support/app.js';

async function jobCompleted(t: TestApp, jobId: string): Promise<void> {
  await eventually(async () => {
    const res = await t.http
      .get(`/v1/audit/verifications/jobs/${jobId}`)
      .set(...bearer(ADMIN_KEY))
      .expect(200);
    return res.body.state === 'completed' ? true : undefined;
  });
}

/** Queues a verification through the API and waits for the worker to record its result. */
async function runVerificationJob(t: TestApp): Promise<{ backend: string }> {
  const admin = bearer(ADMIN_KEY);
  const queued = await t.http
    .post('/v1/audit/verifications')
    .set(...admin)
    .expect(202);
  await jobCompleted(t, queued.body.jobId);
  const results = await t.http
    .get('/v1/audit/verifications')
    .set(...admin)
    .expect(200);
  expect(results.body[0]).toMatchObject({ valid: true, firstBrokenId: null });
  expect(results.body[0].entries).toBeGreaterThan(0);
  return queued.body;
}

/**
 * What the dashboard says runs each queue (its own API, as its page reads it): every queue has a worker,
 * and the send-email queue lists at least one.
 */
async function dashboardWorkers(t: TestApp): Promise<{ queuesWithout: string[]; sendEmail: number }> {
  const queues = await t.http
    .get('/queues/api/queues')
    .set(...bearer(ADMIN_KEY))
    .expect(200);
  const workers = await t.http
    .get('/queues/api/queues/send-email/workers')
    .set(...bearer(ADMIN_KEY))
    .expect(200);
  return {
    queuesWithout: (queues.body.queues as Array<{ name: string; hasWorkers: boolean | null }>)
      .filter((q) => q.hasWorkers !== true)
      .map((q) => q.name),
    sendEmail: (workers.body.workers as unknown[] | null)?.length ?? 0,
  };
}

describe('a job enqueued and processed on every queue backend', () => {
  it('on Redis', async () => {
    const t = await startApp({}, 5);
    try {
      expect(await runVerificationJob(t)).toMatchObject({ backend: 'redis' });
      expect(await dashboardWorkers(t)).toEqual({ queuesWithout: [], sendEmail: 1 });
      const metrics = await t.http.get('/metrics').expect(200);
      expect(metrics.text).toMatch(/^audit_chain_valid 1$/m);
      expect(metrics.text).toMatch(/^jobs_processed_total\{job="audit\.verify",outcome="completed"\} [1-9]/m);
    } finally {
      await t.close();
    }
  });

  it('on PostgreSQL, with no Redis', async () => {
    const t = await startApp();
    try {
      expect(await runVerificationJob(t)).toMatchObject({ backend: 'postgres' });
      // The dashboard counted only workers with an address, which BullMQ's PostgreSQL list had not.
      expect(await dashboardWorkers(t)).toEqual({ queuesWithout: [], sendEmail: 1 });
      const ready = await t.http.get('/health/ready').expect(200);
      expect(ready.body.checks.queue).toEqual({ status: 'up' });
    } finally {
      await t.close();
    }
  });

  it('embedded: PGlite for the data and for the queues, no server at all', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'breach-embedded-'));
    const t = await startApp({ DATABASE_URL: undefined, DATA_DIR: dataDir });
    try {
      expect(await runVerificationJob(t)).toMatchObject({ backend: 'embedded' });
      // A second job while the hourly schedule's delayed job is pending: workers must still poll.
      await runVerificationJob(t);
      // PGlite is one session (one application_name for every worker): the workers are this process's.
      expect(await dashboardWorkers(t)).toEqual({ queuesWithout: [], sendEmail: 1 });
    } finally {
      await t.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 90_000);
});

describe('roles: api and worker nodes on shared PostgreSQL and Redis', () => {
  it('an api node only enqueues; a worker node processes and serves only its probes', async () => {
    const api = await startApp({ ROLE: 'api' }, 6);
    let worker: TestApp | undefined;
    try {
      const admin = bearer(ADMIN_KEY);
      const queued = await api.http
        .post('/v1/audit/verifications')
        .set(...admin)
        .expect(202);
      await new Promise((r) => setTimeout(r, 500));
      const waiting = await api.http
        .get(`/v1/audit/verifications/jobs/${queued.body.jobId}`)
        .set(...admin)
        .expect(200);
      expect(waiting.body.state).toBe('waiting');
      // No worker anywhere yet, and the api node's dashboard says so.
      expect((await dashboardWorkers(api)).sendEmail).toBe(0);

      // Same Redis db as the api node, not flushed.
      worker = await startApp({ ROLE: 'worker', REDIS_URL: `${REDIS_BASE}/6` });
      await jobCompleted(api, queued.body.jobId);
      // The worker node's workers, seen from the api node's dashboard.
      expect(await dashboardWorkers(api)).toEqual({ queuesWithout: [], sendEmail: 1 });
      await worker.http.get('/health').expect(200);
      await worker.http.get('/metrics').expect(200);
      const refused = await worker.http
        .get('/v1/incidents')
        .set(...admin)
        .expect(404);
      expect(refused.body.message).toContain('ROLE=worker');
      await worker.http.get('/docs-json').expect(404);
    } finally {
      await worker?.close();
      await api.close();
    }
  });
});

describe('graceful shutdown', () => {
  it('lets a job that is running finish before the connections close', async () => {
    const t = await startApp({}, 7);
    const repository = t.app.get(AuditRepository);
    const original = repository.saveVerification.bind(repository);
    // A slow verification: still running when shutdown starts.
    jest.spyOn(repository, 'saveVerification').mockImplementation(async (row) => {
      await new Promise((r) => setTimeout(r, 1_500));
      return original(row);
    });
    const before = await t.query<{ n: number }>('select count(*)::int as n from audit_verifications');
    const queued = await t.http
      .post('/v1/audit/verifications')
      .set(...bearer(ADMIN_KEY))
      .expect(202);
    await eventually(async () => {
      const res = await t.http
        .get(`/v1/audit/verifications/jobs/${queued.body.jobId}`)
        .set(...bearer(ADMIN_KEY));
      return res.body.state === 'active' ? true : undefined;
    });
    await t.close();

    const client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
    await client.connect();
    try {
      const after = await client.query<{ n: number }>('select count(*)::int as n from audit_verifications');
      expect(after.rows[0].n).toBe(before[0].n + 1);
    } finally {
      await client.end();
    }
  });
});
