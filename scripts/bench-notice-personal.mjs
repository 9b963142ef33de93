// The personal notice page under a rush of readers: a campaign of N people sent to the local outbox
// through the built service (PostgreSQL, Redis), then autocannon opens their pages (/n/<token>, a random
// person's each request) from this process against the service, one Node process. Beside it: made-up
// tokens (the 404 page: the same lookup as an expired token) and, as the floors, a bare Node http server
// in a process of its own answering a page's bytes as a constant buffer, a static file and /health of the
// same process. Pages read again are kept a few seconds by the service (NOTICE_PAGE_KEEP_SECONDS): a
// second process on the same database keeping none shows what a first read costs. The load average is
// printed. Target (issue 16): >= 1,000 requests/s with p99 < 100 ms.
// Usage: npm run bench:notice-personal [-- --people 2000 --seconds 15 --connections 50]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startBareServer } from './lib/bare-server.mjs';
import { generate } from './lib/people.mjs';
import { startRedis } from './lib/redis-server.mjs';
import { api as call, BENCH_SECRETS, scopedIncident, startService, until, upload } from './lib/service.mjs';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '2000' },
    seconds: { type: 'string', default: '15' },
    connections: { type: 'string', default: '50' },
  },
});
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ownRedis = process.env.BENCH_REDIS_URL ? undefined : await startRedis();
const REDIS_URL = process.env.BENCH_REDIS_URL ?? `${ownRedis.url}/1`;
const PORT = 29670;
const COLD_PORT = 29673;
const BARE_PORT = 29674;
const BASE = `http://127.0.0.1:${PORT}`;
const KEY = 'bench-admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';
const { NoticeTokens } = await import('../dist/notifications/notice-token.js');

const work = mkdtempSync(join(tmpdir(), 'bench-notice-personal-'));
const database = `bench_notice_personal_${Date.now()}`;
const admin = new pg.Client({ connectionString: PG_ADMIN });
await admin.connect();
await admin.query(`create database "${database}"`);
const url = new URL(PG_ADMIN);
url.pathname = `/${database}`;
let service;
let cold;
let bare;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
try {
  const file = join(work, 'people.ndjson');
  await generate(file, Number(values.people), { emailFirst: true });
  service = await startService(
    // Every request of the run comes from 127.0.0.1: the per-address limit is lifted for it (the count
    // in Redis still runs, one EVAL per request, as in production).
    { DATABASE_URL: url.toString(), REDIS_URL, ...BENCH_SECRETS, NOTICE_PAGE_RATE_LIMIT: '1000000' },
    PORT,
    KEY,
  );
  const api = (method, path, body, key = KEY) => call(BASE, key, method, path, body);
  const imported = await upload(BASE, KEY, file);
  await until(async () => {
    const state = await api('GET', `/v1/subjects/imports/${imported.id}`);
    return state.status === 'completed' ? state : undefined;
  });
  const incident = await scopedIncident(api);
  const approver = await api('POST', '/v1/api-keys', { name: 'bench approver', role: 'approver' });
  const campaign = await api('POST', `/v1/incidents/${incident.id}/campaigns`, {
    template: 'breach-notice',
    channels: ['email', 'sms'],
    mode: 'escalate',
    includeGuardians: true,
  });
  await api('POST', `/v1/campaigns/${campaign.id}/approve`, undefined, approver.key);
  await until(async () => {
    const state = await api('GET', `/v1/campaigns/${campaign.id}`);
    return state.status === 'completed' ? state : undefined;
  });
  const db = new pg.Client({ connectionString: url.toString() });
  await db.connect();
  const { rows } = await db.query(
    "select id from deliveries where campaign_id = $1 and status = 'notified'",
    [campaign.id],
  );
  await db.end();
  const tokens = new NoticeTokens(Buffer.from(BENCH_SECRETS.HASH_KEY, 'base64'));
  const paths = rows.map((r) => `/n/${tokens.token(Number(r.id))}`);
  const wrong = paths.map((p) => `${p.slice(0, -4)}QQQQ`);

  // Every request of the run comes from 127.0.0.1: the per-address limit is lifted for it (as above).
  const coldEnv = {
    DATABASE_URL: url.toString(),
    REDIS_URL,
    ...BENCH_SECRETS,
    NOTICE_PAGE_RATE_LIMIT: '1000000',
  };
  cold = await startService({ ...coldEnv, NOTICE_PAGE_KEEP_SECONDS: '0' }, COLD_PORT, KEY);
  const sample = await fetch(`${BASE}${paths[0]}`);
  bare = await startBareServer(BARE_PORT, Buffer.from(await sample.arrayBuffer()));

  const bench = async (label, pick, expected, server = { url: BASE, cpu: service.cpu }) => {
    const cpu0 = server.cpu();
    const result = await autocannon({
      url: server.url,
      connections: Number(values.connections),
      duration: Number(values.seconds),
      requests: [{ setupRequest: (req) => ({ ...req, path: pick() }) }],
    });
    // The service's own CPU per answer: what the machine's other load does not change much (a shared
    // machine's req/s and latency are what is left to the service, not what it can do).
    const cpuMs = ((server.cpu() - cpu0) * 1000) / Math.max(1, result.requests.total);
    const bad = result.non2xx - (expected === 404 ? result.requests.total : 0);
    console.log(
      `${label.padEnd(34)} ${Math.round(result.requests.average).toLocaleString('en-US').padStart(7)} req/s  ` +
        `p50 ${String(result.latency.p50).padStart(3)} ms  p99 ${String(result.latency.p99).padStart(3)} ms  ` +
        `service CPU ${cpuMs.toFixed(2)} ms/req (${Math.round(1000 / cpuMs).toLocaleString('en-US')}/s per core)  ` +
        `errors ${result.errors + result.timeouts}${expected === 404 ? '' : `  non-2xx ${Math.max(0, bad)}`}`,
    );
    return result;
  };
  const any = (list) => () => list[Math.floor(Math.random() * list.length)];
  console.log(
    `\n${paths.length.toLocaleString('en-US')} notified recipients; autocannon ${values.connections} connections, ` +
      `${values.seconds} s each, against one service process (ROLE=all, PostgreSQL, Redis); ` +
      `load average ${load()}`,
  );
  // A first pass warms the caches the page keeps (the incident, formatters) as real readers would.
  await autocannon({
    url: BASE,
    connections: 10,
    duration: 2,
    requests: [{ setupRequest: (r) => ({ ...r, path: any(paths)() }) }],
  });
  // The floor: a static file of the same process (the public pages' stylesheet, a buffer sent by a plain
  // handler ahead of Nest), and /health (Nest's whole pipeline, the cheapest route through it).
  await bench('floor: bare Node http, a page', () => '/', 200, bare);
  await bench('floor: static file (notice.css)', () => '/security-notices/notice.css', 200);
  await bench('floor: GET /health (Nest)', () => '/health', 200);
  const page = await bench('personal page: GET /n/<token>', any(paths), 200);
  await bench('made-up token: GET /n/<wrong> (404)', any(wrong), 404);
  const first = await bench('first reads: nothing kept (KEEP=0)', any(paths), 200, {
    url: `http://127.0.0.1:${COLD_PORT}`,
    cpu: cold.cpu,
  });
  const rps = page.requests.average;
  const p99 = page.latency.p99;
  console.log(
    `target >= 1,000 req/s with p99 < 100 ms: ${rps >= 1000 && p99 < 100 ? 'met' : 'NOT met'} (${Math.round(rps)} req/s, p99 ${p99} ms)` +
      `\nfirst reads (NOTICE_PAGE_KEEP_SECONDS=0): ${first.requests.average >= 1000 && first.latency.p99 < 100 ? 'met' : 'NOT met'} ` +
      `(${Math.round(first.requests.average)} req/s, p99 ${first.latency.p99} ms)\nload average at the end ${load()}`,
  );
} finally {
  await bare?.stop();
  await cold?.stop();
  await service?.stop();
  await admin.query(`drop database if exists "${database}" with (force)`).catch(() => undefined);
  await admin.end();
  await ownRedis?.stop?.();
  rmSync(work, { recursive: true, force: true });
}
