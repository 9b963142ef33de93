import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { Browser } from 'playwright-core';
import { ADMIN_KEY, bearer, REDIS_BASE, startApp, TestApp } from './support/app.js';
import { launchBrowser, listenLocally, screenshotPath } from './support/browser.js';
import { createScratchDatabase } from './support/global-setup.js';

const REDIS_URL = `${REDIS_BASE}/12`;

interface BoardQueue {
  name: string;
  counts: Record<string, number>;
  jobSchedulerCount: number;
  hasWorkers: boolean | null;
}

/** What the dashboard lists (its own API, as its page reads it). */
async function board(t: TestApp): Promise<Map<string, BoardQueue>> {
  const res = await t.http
    .get('/queues/api/queues')
    .set(...bearer(ADMIN_KEY))
    .expect(200);
  return new Map((res.body.queues as BoardQueue[]).map((q) => [q.name, q]));
}

/**
 * The schedulers versions that ran the sweeps on the campaigns and maintenance queues, and the reconciler
 * on housekeeping, left behind.
 */
async function leaveOldSchedulers(): Promise<void> {
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  await connection.flushdb();
  const later = Date.now() + 60 * 60_000;
  const old: Array<[string, string, string]> = [
    ['campaigns', 'deliveries-reconcile', 'deliveries.reconcile'],
    ['housekeeping', 'deliveries-reconcile', 'deliveries.reconcile'],
    ['campaigns', 'webhooks-process', 'webhooks.process'],
    ['maintenance', 'imports-sweep', 'subjects.import.sweep'],
  ];
  for (const [queueName, id, job] of old) {
    const queue = new Queue(queueName, { connection });
    // Its next job waiting, delayed, as a running version leaves it.
    await queue.upsertJobScheduler(id, { every: 15_000, startDate: later }, { name: job, data: {} });
    expect((await queue.getJobCounts('delayed')).delayed).toBeGreaterThan(0);
    await queue.close();
  }
  connection.disconnect();
}

describe('the queue dashboard (/queues)', () => {
  let t: TestApp;

  beforeAll(async () => {
    await leaveOldSchedulers();
    // A database of its own: on the shared one, a campaign another file left sending or held back is
    // the reconciler's to re-queue, and its job lands on the campaigns queue this test counts.
    t = await startApp({ REDIS_URL, DATABASE_URL: await createScratchDatabase('dashboard') });
  });
  afterAll(() => t?.close());

  it("keeps the sweeps on a queue of their own: the campaigns' and the send queues hold none of their jobs", async () => {
    const queues = await board(t);
    const jobs = (name: string) => Object.values(queues.get(name)!.counts).reduce((a, b) => a + b, 0);
    for (const name of ['campaigns', 'send-email', 'send-sms', 'send-push']) {
      expect({ name, schedulers: queues.get(name)!.jobSchedulerCount, jobs: jobs(name) }).toEqual({
        name,
        schedulers: 0,
        jobs: 0,
      });
    }
    // The sweeps and the webhook events' processing; the reconciler alone on its queue (nothing may hold
    // it up); the old schedulers are gone.
    expect(queues.get('housekeeping')!.jobSchedulerCount).toBe(5);
    expect(queues.get('reconciler')!.jobSchedulerCount).toBe(1);
    const listed = await t.http
      .get('/queues/api/job-schedulers')
      .set(...bearer(ADMIN_KEY))
      .expect(200);
    const where = (listed.body.schedulers as Array<{ queueName: string; id: string }>)
      .map((s) => `${s.queueName}:${s.id}`)
      .sort();
    expect(where).toEqual([
      'housekeeping:imports-sweep',
      'housekeeping:obligations-watch',
      'housekeeping:reports-sweep',
      'housekeeping:scope-sweep',
      'housekeeping:webhooks-process',
      'maintenance:audit-verify-hourly',
      'maintenance:outbox-prune',
      'maintenance:subjects-age-check-daily',
      'reconciler:deliveries-reconcile',
    ]);
  });

  it('shows the workers that run each queue', async () => {
    for (const queue of (await board(t)).values())
      expect([queue.name, queue.hasWorkers]).toEqual([queue.name, true]);
    const res = await t.http
      .get('/queues/api/queues/send-email/workers')
      .set(...bearer(ADMIN_KEY))
      .expect(200);
    expect(res.body.workers.length).toBeGreaterThan(0);
  });

  describe('in headless Chromium', () => {
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      base = await listenLocally(t.app.getHttpServer());
      browser = await launchBrowser();
    });
    afterAll(() => browser?.close());

    it('loads the page and its queues asking nothing of any other host (no web fonts), under its CSP', async () => {
      const context = await browser.newContext({
        httpCredentials: { username: 'admin', password: ADMIN_KEY },
      });
      const requested: string[] = [];
      const errors: string[] = [];
      // Everything is recorded; what would leave the machine is not let through (the network is closed).
      await context.route('**/*', (route) =>
        new URL(route.request().url()).hostname === '127.0.0.1' ? route.continue() : route.abort(),
      );
      const page = await context.newPage();
      page.on('request', (request) => requested.push(request.url()));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      const answer = await page.goto(`${base}/queues`);
      expect(answer!.status()).toBe(200);
      expect(answer!.headers()['x-powered-by']).toBeUndefined();
      await page.getByText('send-email').first().waitFor();
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: screenshotPath('queue-dashboard'), fullPage: true });
      const elsewhere = requested.filter((url) => new URL(url).hostname !== '127.0.0.1');
      expect(elsewhere).toEqual([]);
      expect(requested.length).toBeGreaterThan(3);
      expect(errors).toEqual([]);
      await context.close();
    });
  });
});
