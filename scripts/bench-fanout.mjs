// Fan-out at scale: a directory of N people imported and scoped, then one campaign (email to everyone who
// has it, push alerts to everyone with a token, SMS where there is no email) through the built service's
// queues (Redis) and the real SDKs, against the wire-level fakes of test/fakes on 127.0.0.1. Then the same
// requests sent straight to the fakes, without queue or database: the floor; and once more with the least
// durable record (claim each request's message ids in PostgreSQL, send, write each one's status): the
// durable floor. Prints per channel throughput against both floors, approval-to-last-delivery time, each
// process's peak memory and Redis's.
// Usage: npm run bench:fanout [-- --recipients 1000000 --workers 2 --channels email,sms,push]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis } from './lib/redis-server.mjs';
import pg from 'pg';
import { Redis } from 'ioredis';
import { generate } from './lib/people.mjs';
import {
  api as call,
  BENCH_SECRETS,
  cpuSeconds,
  rssMb,
  scopedIncident,
  startService,
  until,
  upload,
} from './lib/service.mjs';

const { values } = parseArgs({
  options: {
    recipients: { type: 'string', default: '100000' },
    // Service processes: the first serves the API and works, the others only work.
    workers: { type: 'string', default: '2' },
    // One channel alone (say email) shows what it costs each process, without the others sharing the cores.
    channels: { type: 'string', default: 'email,sms,push' },
  },
});
const N = Number(values.recipients);
const PROCESSES = Number(values.workers);
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// A Redis server of the run's own (BENCH_REDIS_URL names another, whose database it flushes).
const ownRedis = process.env.BENCH_REDIS_URL ? undefined : await startRedis();
const REDIS_URL = process.env.BENCH_REDIS_URL ?? `${ownRedis.url}/1`;
// Below Linux's ephemeral ports (32768-60999): an outgoing connection of the run never holds it.
const PORT = 29660;
const BASE = `http://127.0.0.1:${PORT}`;
const KEY = 'bench-admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';
// Segments a second (Twilio's unit; an SMS is about ten): far above what the service sends, so that the
// limiter does not bind and the run measures the send path, as the floors do.
const SMS_PER_SECOND = 100_000;
const s = (ms) => (ms / 1000).toFixed(1);

execFileSync('npx', ['tsc', '-p', 'tsconfig.fakes.json'], { stdio: 'inherit' });
const { SendGridFake } = await import('../.bench/fakes/sendgrid.fake.js');
const { TwilioFake } = await import('../.bench/fakes/twilio.fake.js');
const { FcmFake } = await import('../.bench/fakes/fcm.fake.js');
const { SendGridAdapter } = await import('../dist/channels/sendgrid/sendgrid.adapter.js');
const { TwilioAdapter } = await import('../dist/channels/twilio/twilio.adapter.js');
const { FcmAdapter } = await import('../dist/channels/fcm/fcm.adapter.js');
const { NoticeRenderer } = await import('../dist/templates/notice.renderer.js');

const sendgrid = await new SendGridFake().start();
const twilio = await new TwilioFake().start();
const fcm = await new FcmFake().start();
for (const fake of [sendgrid, twilio, fcm]) fake.keep = false;
const providers = {
  SENDGRID_API_KEY: sendgrid.apiKey,
  SENDGRID_FROM: 'security@aiart.example',
  SENDGRID_BASE_URL: sendgrid.url,
  TWILIO_ACCOUNT_SID: twilio.accountSid,
  TWILIO_AUTH_TOKEN: twilio.authToken,
  TWILIO_FROM: '+14155550000',
  TWILIO_BASE_URL: twilio.url,
  TWILIO_MAX_PER_SECOND: String(SMS_PER_SECOND),
  FCM_PROJECT_ID: fcm.projectId,
  FCM_ACCESS_TOKEN: fcm.accessToken,
  FCM_BASE_URL: fcm.url,
};

const work = mkdtempSync(join(tmpdir(), 'bench-fanout-'));
const database = `bench_fanout_${Date.now()}`;
const admin = new pg.Client({ connectionString: PG_ADMIN });
await admin.connect();
await admin.query(`create database "${database}"`);
// BENCH_PG_SLOW_MS=20 logs the service's statements slower than that to PostgreSQL's log.
if (process.env.BENCH_PG_SLOW_MS) {
  await admin.query(
    `alter database "${database}" set log_min_duration_statement = ${Number(process.env.BENCH_PG_SLOW_MS)}`,
  );
}
const url = new URL(PG_ADMIN);
url.pathname = `/${database}`;
const db = new pg.Client({ connectionString: url.toString() });
const redis = new Redis(REDIS_URL);
await redis.flushdb();
const services = [];
let sampler;
try {
  const file = join(work, 'people.ndjson');
  await generate(file, N, { emailFirst: true });
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL,
    ...BENCH_SECRETS,
    ...providers,
  };
  services.push(await startService(env, PORT, KEY));
  for (let i = 1; i < PROCESSES; i += 1) {
    services.push(await startService({ ...env, ROLE: 'worker' }, PORT + i, KEY));
  }
  await db.connect();
  const api = (method, path, body, key = KEY) => call(BASE, key, method, path, body);

  // The directory and the affected set (not measured here: see bench:directory).
  const imported = await upload(BASE, KEY, file);
  await until(async () => {
    const state = await api('GET', `/v1/subjects/imports/${imported.id}`);
    if (state.status === 'failed') throw new Error(state.error);
    return state.status === 'completed' ? state : undefined;
  });
  const incident = await scopedIncident(api);
  const approver = await api('POST', '/v1/api-keys', { name: 'bench approver', role: 'approver' });
  const campaign = await api('POST', `/v1/incidents/${incident.id}/campaigns`, {
    template: 'breach-notice',
    channels: values.channels.split(','),
    mode: 'escalate',
  });

  // Memory: every service process, and Redis (used_memory), sampled through the campaign.
  const peaks = services.map(() => 0);
  let redisPeak = 0;
  const redisBefore = Number(/used_memory:(\d+)/.exec(await redis.info('memory'))[1]);
  sampler = setInterval(async () => {
    services.forEach((svc, i) => (peaks[i] = Math.max(peaks[i], rssMb(svc.pid) || 0)));
    const info = await redis.info('memory').catch(() => '');
    redisPeak = Math.max(redisPeak, Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0));
  }, 250);

  const cpu = () => ({
    service: services.reduce((sum, svc) => sum + svc.cpu(), 0),
    database: cpuSeconds({ name: 'postgres' }),
    redis: ownRedis ? cpuSeconds({ pid: ownRedis.pid }) : cpuSeconds({ name: 'redis-server' }),
    fakes: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
  });
  const cpu0 = cpu();
  await api('POST', `/v1/campaigns/${campaign.id}/approve`, undefined, approver.key);
  // Polled every 2 s, as a dashboard would (each poll counts the campaign's messages); the times come
  // from the campaign's own timestamps.
  let done;
  while (!done) {
    await new Promise((r) => setTimeout(r, 2_000));
    const state = await api('GET', `/v1/campaigns/${campaign.id}`);
    if (state.status === 'completed') done = state;
  }
  const total = Date.parse(done.finishedAt) - Date.parse(done.approvedAt);
  const planned = Date.parse(done.startedAt) - Date.parse(done.approvedAt);
  const cpu1 = cpu();
  clearInterval(sampler);

  const { rows } = await db.query(
    `select channel, count(*)::int as n,
            extract(epoch from max(sent_at) - min(sent_at)) * 1000 as span
       from messages where campaign_id = $1 and status in ('sent', 'delivered') group by 1 order by 1`,
    [campaign.id],
  );
  const sent = Object.fromEntries(rows.map((r) => [r.channel, { n: r.n, ms: Math.max(1, Number(r.span)) }]));

  // The floor: the same requests, straight from this process to the fakes through the same SDKs. Then
  // the durable floor: the same again, each request's messages claimed in PostgreSQL before it leaves
  // and each one's status written after (the least record a service that loses nothing keeps).
  for (const svc of services) await svc.stop();
  services.length = 0;
  const floor = await measureFloor(sent);
  const durable = await measureFloor(sent, await durableRecord(url.toString(), sent));

  console.log(
    `\n${N.toLocaleString('en-US')} people, ${done.recipients.toLocaleString('en-US')} recipients, ${PROCESSES} service processes on ${(
      await import('node:os')
    ).availableParallelism()} cores`,
  );
  console.log(`approval -> last delivery: ${s(total)} s (planning ${s(planned)} s)`);
  console.log(
    `CPU seconds meanwhile: ${Object.keys(cpu0)
      .map((k) => `${k} ${(cpu1[k] - cpu0[k]).toFixed(1)}`)
      .join(', ')} (of ${((total / 1000) * 2).toFixed(0)} on 2 cores)`,
  );
  console.log(
    '\n' +
      ['channel', 'messages', 'service /s', 'floor /s', 'ratio', 'durable /s', 'ratio']
        .map((h, i) => (i ? h.padStart(12) : h.padEnd(8)))
        .join(''),
  );
  const rate = (x) => (x ? x.n / (x.ms / 1000) : NaN);
  for (const channel of ['email', 'sms', 'push']) {
    const m = sent[channel];
    if (!m) continue;
    const service = rate(m);
    const [base, kept] = [rate(floor[channel]), rate(durable[channel])];
    console.log(
      [
        channel.padEnd(8),
        m.n.toLocaleString('en-US').padStart(12),
        Math.round(service).toLocaleString('en-US').padStart(12),
        Math.round(base).toLocaleString('en-US').padStart(12),
        (service / base).toFixed(2).padStart(12),
        Math.round(kept).toLocaleString('en-US').padStart(12),
        (service / kept).toFixed(2).padStart(12),
      ].join(''),
    );
  }
  console.log(
    "floor: the same requests straight to the fakes; durable: the same, each request claiming its messages in PostgreSQL and writing each one's status after",
  );
  console.log(
    `\npeak RSS: ${peaks.map((p, i) => `${i === 0 ? 'api+worker' : 'worker'} ${p.toFixed(0)} MB`).join(', ')}; total ${peaks
      .reduce((a, b) => a + b, 0)
      .toFixed(0)} MB`,
  );
  console.log(
    `Redis used_memory: ${(redisBefore / 1e6).toFixed(1)} MB before, peak ${(redisPeak / 1e6).toFixed(1)} MB during`,
  );
  console.log(
    'targets: 1,000,000 end to end < 5 min; each channel >= 0.5 of its durable floor (and the raw floor shown); processes < 1 GB in all; Redis flat',
  );
} finally {
  clearInterval(sampler);
  for (const svc of services) await svc.stop().catch(() => undefined);
  await db.end().catch(() => undefined);
  redis.disconnect();
  await ownRedis?.stop();
  // BENCH_KEEP_DB=1 keeps the run's database for inspection (its name is printed).
  if (process.env.BENCH_KEEP_DB) console.log(`database kept: ${database}`);
  else await admin.query(`drop database if exists "${database}" with (force)`);
  await admin.end();
  for (const fake of [sendgrid, twilio, fcm]) await fake.stop();
  rmSync(work, { recursive: true, force: true });
}

/**
 * The least durable record a service can keep, for the durable floor: a table of the floor's message
 * ids per channel, queued (written before the clock starts); `around(channel, ids, send)` claims the
 * ids (one conditional UPDATE), sends, and writes each message's status and provider reference (one
 * row update per message, one statement per request), on a pool as large as the floor's concurrency.
 */
async function durableRecord(databaseUrl, sent) {
  const setup = new pg.Client({ connectionString: databaseUrl });
  await setup.connect();
  // Kept as the service keeps `messages` (fillfactor 45, migration 0010: a status update stays on its page,
  // no index entry), so the floor is the least such a record costs, not a table that splits its pages.
  await setup.query(`create unlogged table if not exists bench_floor_messages (
      channel text not null, id bigint not null, status text not null, provider_ref text,
      primary key (channel, id)) with (fillfactor = 45)`);
  await setup.query('truncate bench_floor_messages');
  for (const [channel, { n }] of Object.entries(sent)) {
    await setup.query(
      `insert into bench_floor_messages (channel, id, status)
       select $1, g, 'queued' from generate_series(0, $2::bigint - 1) g`,
      [channel, n],
    );
  }
  // Logged like the service's tables from here on: the claims and statuses are what must survive.
  await setup.query('alter table bench_floor_messages set logged');
  // The campaign's writes (over a million rows at 1M) are flushed and its tables vacuumed first: the
  // floor pays for its own record, not for the checkpoint and autovacuum the campaign left behind.
  await setup.query('vacuum analyze');
  await setup.query('checkpoint');
  await setup.end();
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 8 * PROCESSES });
  const around = async (channel, ids, send) => {
    const claimed = await pool.query(
      `update bench_floor_messages set status = 'claimed'
        where channel = $1 and id = any($2::bigint[]) and status = 'queued'`,
      [channel, ids],
    );
    if (claimed.rowCount !== ids.length) throw new Error(`durable floor: ${channel} claimed twice`);
    const outcomes = await send();
    await pool.query(
      `update bench_floor_messages m set status = x.status, provider_ref = x.ref
         from unnest($2::bigint[], $3::text[], $4::text[]) as x(id, status, ref)
        where m.channel = $1 and m.id = x.id`,
      [channel, ids, outcomes.map((o) => o.kind), outcomes.map((o) => o.providerRef ?? null)],
    );
  };
  around.close = () => pool.end();
  return around;
}

/**
 * The same number of messages per channel, all channels at once, in the same request shapes (SendGrid: 1000 recipients with
 * substitutions per request; Twilio: one per request; FCM: calls of 500), with the service's
 * concurrency per process times its processes. With `record` (see durableRecord), each request's
 * messages are claimed before it and their statuses written after it.
 */
async function measureFloor(sent, record = (_channel, _ids, send) => send()) {
  const renderer = new NoticeRenderer();
  const facts = {
    organization: 'Example',
    contactEmail: 'privacy@example.com',
    url: 'https://notices.example.org/n/AAAAAAAAAAAAAAAAAAAAAA',
    name: 'Alex',
    child: null,
    locale: 'en',
    timeZone: 'Europe/Berlin',
    jurisdiction: 'DE',
    exposed: ['camera_data'],
    incident: {
      description: 'A bucket was exposed.',
      occurredFrom: null,
      occurredTo: null,
      discoveredAt: new Date('2026-11-04T09:15:00Z'),
      containedAt: null,
      likelyConsequences: 'Phishing.',
      measuresTaken: 'Closed.',
      measuresPlanned: null,
      adviceToIndividuals: null,
      remedies: 'Support line.',
    },
  };
  const result = {};
  const tasks = [];
  const parallel = async (count, concurrency, task) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) await task(next++);
      }),
    );
  };
  if (sent.email)
    tasks.push(async () => {
      const adapter = new SendGridAdapter({
        apiKey: sendgrid.apiKey,
        from: 'security@aiart.example',
        baseUrl: sendgrid.url,
      });
      const shared = renderer.renderShared('breach-notice', facts);
      const substitutions = renderer.substitutions('breach-notice', facts);
      const requests = Math.ceil(sent.email.n / 1000);
      const t = performance.now();
      await parallel(requests, 4 * PROCESSES, async (r) => {
        const size = Math.min(1000, sent.email.n - r * 1000);
        const ids = Array.from({ length: size }, (_, i) => r * 1000 + i);
        await record('email', ids, () =>
          adapter.send({
            ...shared,
            recipients: ids.map((id, i) => ({ messageId: id, to: `p${r}.${i}@example.com`, substitutions })),
          }),
        );
      });
      result.email = { n: sent.email.n, ms: performance.now() - t };
    });
  if (sent.sms)
    tasks.push(async () => {
      const adapter = new TwilioAdapter(
        {
          accountSid: twilio.accountSid,
          authToken: twilio.authToken,
          from: '+14155550000',
          baseUrl: twilio.url,
        },
        'https://notices.example.org/v1/webhooks/twilio',
      );
      const body = renderer.renderSms('breach-notice', facts).sms.body;
      const t = performance.now();
      await parallel(sent.sms.n, 4 * 8 * PROCESSES, (i) =>
        record('sms', [i], async () => [
          await adapter.send({ messageId: i, to: `+1415555${String(i % 10000).padStart(4, '0')}`, body }),
        ]),
      );
      result.sms = { n: sent.sms.n, ms: performance.now() - t };
    });
  if (sent.push)
    tasks.push(async () => {
      const adapter = new FcmAdapter({
        projectId: fcm.projectId,
        accessToken: fcm.accessToken,
        baseUrl: fcm.url,
      });
      const push = renderer.renderShort('breach-notice', facts).push;
      const calls = Math.ceil(sent.push.n / 500);
      const t = performance.now();
      await parallel(calls, 4 * PROCESSES, async (c) => {
        const size = Math.min(500, sent.push.n - c * 500);
        const ids = Array.from({ length: size }, (_, i) => c * 500 + i);
        await record('push', ids, () =>
          adapter.send(
            ids.map((id, i) => ({
              messageId: id,
              token: `token-${c}-${i}`,
              ...push,
              data: { url: facts.url },
            })),
          ),
        );
      });
      result.push = { n: sent.push.n, ms: performance.now() - t };
      await adapter.close();
    });
  // All channels at once, as in the campaign: they share the machine the same way.
  await Promise.all(tasks.map((task) => task()));
  await record.close?.();
  return result;
}
