import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import {
  bearer,
  campaignCompleted,
  ENCRYPTION_ENV,
  eventually,
  freePort,
  REDIS_BASE,
  scopedIncident,
  startApp,
  TestApp,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';
import { spawnTracked, stopChild } from './support/processes.js';
import { queuePeak } from './fakes/fake-server.js';
import { SendGridFake } from './fakes/sendgrid.fake.js';
import { TwilioFake } from './fakes/twilio.fake.js';
import { Reconciler } from '../src/notifications/reconciler.service.js';
import { smsSize } from '../src/templates/sms-segments.js';

// Nothing is lost: a worker process killed (SIGKILL) with a batch in flight, and Redis flushed in the
// middle of a campaign; both campaigns still complete with every person notified. And nothing goes
// twice when a live worker's batch takes longer than its lease.

const ROOT = resolve(__dirname, '..');
const REDIS_DB = 9;
const PEOPLE = 60;

describe('campaigns survive a killed worker and a flushed Redis', () => {
  jest.setTimeout(180_000);
  let t: TestApp;
  let responder: [string, string];
  let approver: [string, string];
  let databaseUrl: string;
  const twilio = new TwilioFake();
  const sendgrid = new SendGridFake();
  const workers: ChildProcess[] = [];
  /** Extra settings of the workers started from here on (SendGrid, for the email test). */
  let workerEnv: Record<string, string> = {};
  const phone = (i: number) => `+1415555${String(3000 + i)}`;

  const startWorker = async () => {
    const child = spawnTracked(process.execPath, [join(ROOT, 'dist/main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        ROLE: 'worker',
        PORT: String(await freePort()),
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
        REDIS_URL: `${REDIS_BASE}/${REDIS_DB}`,
        ...ENCRYPTION_ENV,
        ...providerEnv(),
        ...workerEnv,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    workers.push(child);
    return child;
  };
  const providerEnv = () => ({
    PUBLIC_BASE_URL: 'https://notices.example.org',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_FROM: '+14155550000',
    TWILIO_BASE_URL: twilio.url,
    TWILIO_MAX_PER_SECOND: '100', // segments: about ten SMS a second
    // Short, so that the test sees a dead worker's claims expire.
    DELIVERY_LEASE_MS: '2000',
  });

  /** A fresh incident over `criteria` (everyone), and an approved campaign on it (SMS). */
  const startCampaign = async (criteria: object = { everyone: true }, channels = ['sms']) => {
    const id = await scopedIncident(t, t.keys.responder, criteria, {}, 60_000);
    const draft = await t.http
      .post(`/v1/incidents/${id}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels, mode: 'escalate' })
      .expect(201);
    await t.http
      .post(`/v1/campaigns/${draft.body.id}/approve`)
      .set(...approver)
      .expect(200);
    return draft.body.id as string;
  };
  const completed = (id: string) => campaignCompleted(t, t.keys.responder, id, 120_000);
  const importPeople = (subjects: object[]) =>
    t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects })
      .expect(200);
  /** The campaign's messages a worker holds: queued in a batch under a lease (on the wire, or about to be). */
  const heldMessages = async (id: string) =>
    (
      await t.query<{ n: number }>(
        `select count(*)::int as n from messages m join message_batches b on b.id = m.batch_id
          where m.campaign_id = $1 and m.status = 'queued' and b.lease_until is not null`,
        [id],
      )
    )[0].n;
  /** How many messages each recipient got. */
  const perRecipient = (sent: Array<{ to: string }>) => {
    const counts = new Map<string, number>();
    for (const m of sent) counts.set(m.to, (counts.get(m.to) ?? 0) + 1);
    return counts;
  };
  const perNumber = (since: number) => perRecipient(twilio.sent.slice(since));

  beforeAll(async () => {
    await Promise.all([twilio.start(), sendgrid.start()]);
    // Slow answers: a batch of ten takes seconds, so a kill finds one in flight.
    twilio.faults.latencyMs = 1_200;
    databaseUrl = await createScratchDatabase('resilience');
    t = await startApp({ ROLE: 'api', DATABASE_URL: databaseUrl, ...providerEnv() }, REDIS_DB);
    responder = bearer(t.keys.responder);
    approver = bearer(t.keys.approver);
    await importPeople(
      Array.from({ length: PEOPLE }, (_, i) => ({
        externalId: `r-${i}`,
        phone: phone(i),
        // The UK takes any effective means as the notice: an SMS notifies (New York's law does not take one).
        jurisdiction: 'GB',
        dataCategories: ['camera_data'],
      })),
    );
    await startWorker();
  });
  afterAll(async () => {
    // Each step whatever the one before did: an app that fails to close must not leave the fakes up.
    await Promise.all(workers.map((w) => stopChild(w, 'SIGKILL')));
    await t?.close().catch((err: unknown) => console.error('resilience: the app did not close', err));
    await Promise.all([twilio.stop(), sendgrid.stop()]);
  });

  it('completes after the worker is killed mid-batch: claims expire and go to the next worker', async () => {
    const since = twilio.sent.length;
    const id = await startCampaign();
    await eventually(() => Promise.resolve(twilio.sent.length - since >= 15 ? true : undefined), 60_000);
    // Killed while it holds claimed messages whose requests are on the wire.
    const inFlight = await eventually(async () => {
      const n = await heldMessages(id);
      return n > 0 ? n : undefined;
    });
    workers[0].kill('SIGKILL');
    await startWorker();
    const done = await completed(id);
    expect(done.progress.deliveries).toEqual({ notified: PEOPLE });
    const counts = perNumber(since);
    expect(counts.size).toBe(PEOPLE);
    // Duplicates only for what was in flight at the kill, and all of them counted.
    const twice = [...counts.values()].filter((n) => n > 1).length;
    expect(twice).toBeLessThanOrEqual(done.possibleDuplicates);
    expect(done.possibleDuplicates).toBeGreaterThan(0);
    expect(done.possibleDuplicates).toBeLessThanOrEqual(inFlight);
  });

  it('completes after Redis is flushed mid-campaign: lost jobs are re-queued from the rows', async () => {
    // Two worker processes from here on: the SMS rate must hold across both.
    await startWorker();
    const since = twilio.sent.length;
    const sinceRequest = twilio.requests.length;
    const id = await startCampaign();
    await eventually(() => Promise.resolve(twilio.sent.length - since >= 15 ? true : undefined), 60_000);
    const redis = new Redis(`${REDIS_BASE}/${REDIS_DB}`);
    // Flushed and counted in one transaction: the two workers send on meanwhile and write their send
    // slots at once (a count after the flush, a round trip later, saw one of them on a busy machine).
    const [, size] = (await redis.multi().flushdb().dbsize().exec())!;
    expect(size).toEqual([null, 0]);
    redis.disconnect();
    const done = await completed(id);
    expect(done.progress.deliveries).toEqual({ notified: PEOPLE });
    const counts = perNumber(since);
    expect(counts.size).toBe(PEOPLE);
    expect([...counts.values()].filter((n) => n > 1).length).toBeLessThanOrEqual(done.possibleDuplicates);

    // TWILIO_MAX_PER_SECOND=100 segments for the sender, whatever the number of workers and across the
    // flush: Twilio's queue for it, sending on at 100 segments a second, never held more than a second's
    // worth beyond the longest SMS (which arrives whole). Counted per message, it held several seconds.
    const sent = twilio.requests.slice(sinceRequest).map((r) => ({
      at: r.at,
      units: smsSize(new URLSearchParams(r.body).get('Body') ?? '').segments,
    }));
    const most = queuePeak(sent, 100);
    const longest = Math.max(...sent.map((m) => m.units));
    expect(longest).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(100 + longest);
  });

  it('completes an email campaign after the worker is killed with a claim of 1,000 on the wire', async () => {
    // 1,200 people by email only: a batch of 1,000 and one of 200, each request three seconds long.
    const EMAILS = 1_200;
    const email = (i: number) => `e${i}@example.com`;
    const subjects = Array.from({ length: EMAILS }, (_, i) => ({
      externalId: `e-${i}`,
      email: email(i),
      jurisdiction: 'DE',
      dataCategories: ['camera_data'],
    }));
    await importPeople(subjects);
    sendgrid.faults.latencyMs = 3_000;
    // Workers that send email through SendGrid.
    for (const w of workers) w.kill('SIGKILL');
    workerEnv = {
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_FROM: 'security@aiart.example',
      SENDGRID_BASE_URL: sendgrid.url,
    };
    await startWorker();
    const id = await startCampaign({ externalIds: subjects.map((p) => p.externalId) }, ['email']);
    // Killed while its first request (a claim of 1,000) waits for SendGrid's answer.
    await eventually(() => Promise.resolve(sendgrid.requests.length > 0 ? true : undefined), 60_000);
    const held = await heldMessages(id);
    workers.at(-1)!.kill('SIGKILL');
    await startWorker();
    const done = await completed(id);
    expect(done.progress.deliveries).toEqual({ notified: EMAILS });
    // Every address got it; what went twice was in flight at the kill, and counted.
    const counts = perRecipient(sendgrid.sent);
    expect(counts.size).toBe(EMAILS);
    const twice = [...counts.values()].filter((n) => n > 1).length;
    expect(twice).toBeLessThanOrEqual(done.possibleDuplicates);
    expect(done.possibleDuplicates).toBeGreaterThan(0);
    expect(done.possibleDuplicates).toBeLessThanOrEqual(held);
    // SendGrid's limit held: no request carried more than 1,000 recipients.
    const sizes = sendgrid.requests.map(
      (r) => (JSON.parse(r.body) as { personalizations: unknown[] }).personalizations.length,
    );
    expect(Math.max(...sizes)).toBe(1_000);
  });

  it('keeps the lease of a batch slower than it: nobody else takes it and nothing goes twice', async () => {
    // Ten SMS a batch, eight at a time, 1.2 s each: 2.4 s a batch against a 2 s lease. A reconciler
    // looking every 200 ms would hand any lapsed batch on and count its queued messages as duplicates.
    const since = twilio.sent.length;
    const id = await startCampaign();
    const reconciler = t.app.get(Reconciler);
    let watching = true;
    const watch = (async () => {
      while (watching) {
        await reconciler.reconcile();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    let done: Record<string, any>;
    try {
      done = await completed(id);
    } finally {
      watching = false;
      await watch;
    }
    expect(done.possibleDuplicates).toBe(0);
    const counts = perNumber(since);
    expect(counts.size).toBe(PEOPLE);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
  });
});
