// The public Security Notice under a rush of readers: one published notice (three languages) served by
// the built service (one process, ROLE=all, PostgreSQL and Redis), autocannon from this process. Each
// target is a route of the public pages; the floors are a bare Node http server in a process of its own
// answering the English page's bytes as a constant buffer (what this machine gives one Node process
// before any of the service's work), a static file served by the service (the notice's stylesheet) and
// /health. Each line gives its req/s as a share of the bare floor's, and the load average is printed
// (a shared machine's req/s is what it left). Target (issue 16): the public page at least 5,000
// requests/s with p99 under 50 ms. Add a target to TARGETS to measure another page.
// Usage: npm run bench:notice [-- --seconds 10 --connections 50]
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { startBareServer } from './lib/bare-server.mjs';
import { startRedis } from './lib/redis-server.mjs';
import { api as call, BENCH_SECRETS, startService } from './lib/service.mjs';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
  },
});
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const ownRedis = process.env.BENCH_REDIS_URL ? undefined : await startRedis();
const REDIS_URL = process.env.BENCH_REDIS_URL ?? `${ownRedis.url}/1`;
const PORT = 29671;
const BARE_PORT = 29672;
const BASE = `http://127.0.0.1:${PORT}`;
const KEY = 'bench-admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';

/**
 * What is measured: a label, the request (path and headers) and whether it is the floor or a target with
 * its goal. `slug` is the published notice's.
 */
const TARGETS = (slug) => [
  { label: 'floor: bare Node http, same bytes', path: '/', bare: true, floor: true },
  { label: 'floor: static stylesheet', path: '/security-notices/notice.css', floor: true },
  { label: 'floor: GET /health', path: '/health', floor: true },
  {
    label: 'public page (Accept-Language: en)',
    path: `/security-notices/${slug}`,
    headers: { 'accept-language': 'en-US,en;q=0.9' },
    goal: { rps: 5000, p99: 50 },
  },
  {
    label: 'public page (?lang=ja)',
    path: `/security-notices/${slug}?lang=ja`,
    goal: { rps: 5000, p99: 50 },
  },
  { label: 'public JSON', path: `/security-notices/${slug}.json`, goal: { rps: 5000, p99: 50 } },
  { label: 'Atom feed', path: '/security-notices/feed.atom' },
  { label: 'index', path: '/security-notices' },
];

const database = `bench_notice_${Date.now()}`;
const admin = new pg.Client({ connectionString: PG_ADMIN });
await admin.connect();
await admin.query(`create database "${database}"`);
const url = new URL(PG_ADMIN);
url.pathname = `/${database}`;
let service;
let bare;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
try {
  service = await startService({ DATABASE_URL: url.toString(), REDIS_URL, ...BENCH_SECRETS }, PORT, KEY);
  const api = (method, path, body, key = KEY) => call(BASE, key, method, path, body);
  const incident = await api('POST', '/v1/incidents', {
    title: 'Bench: media store exposed',
    description: 'A storage bucket with generated images was readable from the internet.',
    discoveredAt: '2026-11-04T09:15:00Z',
    dataCategories: ['camera_data', 'personal_identifiers'],
    likelyConsequences: 'Phishing using the exposed addresses.',
    measuresTaken: 'The bucket was closed and its keys rotated.',
    adviceToIndividuals: 'Be wary of messages about this incident.',
    remedies: 'A support line.',
    translations: { ja: { description: '生成画像を保存したストレージが外部から読み取り可能でした。' } },
  });
  // Made before the draft: four eyes refuse a key its author made after drafting.
  const approver = await api('POST', '/v1/api-keys', { name: 'bench approver', role: 'approver' });
  const notice = await api('POST', `/v1/incidents/${incident.id}/public-notices`, {
    jurisdictions: ['US-CA', 'JP', 'BR'],
  });
  await api('POST', `/v1/public-notices/${notice.id}/approve`, undefined, approver.key);
  await api('POST', `/v1/public-notices/${notice.id}/publish`);

  const english = await fetch(`${BASE}/security-notices/${notice.slug}?lang=en`);
  bare = await startBareServer(BARE_PORT, Buffer.from(await english.arrayBuffer()));

  const bench = async (target, connections, duration) => {
    const server = target.bare ? bare : { url: BASE, cpu: service.cpu };
    const cpu0 = server.cpu();
    const result = await autocannon({
      url: `${server.url}${target.path}`,
      connections,
      duration,
      headers: target.headers ?? {},
    });
    const cpuMs = ((server.cpu() - cpu0) * 1000) / Math.max(1, result.requests.total);
    return { result, cpuMs };
  };
  console.log(
    `\nautocannon ${values.connections} connections, ${values.seconds} s each, against one service process ` +
      `(ROLE=all, PostgreSQL, Redis); notice ${notice.slug} in ${notice.languages.join(', ')}; ` +
      `load average ${load()}`,
  );
  const verdicts = [];
  let floorRps;
  for (const target of TARGETS(notice.slug)) {
    await bench(target, 10, 1); // warm: the page is rendered once and kept until the next publication
    const { result, cpuMs } = await bench(target, Number(values.connections), Number(values.seconds));
    const rps = Math.round(result.requests.average);
    const p99 = result.latency.p99;
    floorRps ??= rps;
    console.log(
      `${target.label.padEnd(36)} ${rps.toLocaleString('en-US').padStart(7)} req/s ` +
        `(${Math.round((100 * rps) / floorRps)
          .toString()
          .padStart(3)}% of bare)  ` +
        `p50 ${String(result.latency.p50).padStart(3)} ms  p99 ${String(p99).padStart(3)} ms  ` +
        `CPU ${cpuMs.toFixed(3)} ms/req  ${Math.round(result.throughput.total / Math.max(1, result.requests.total))} B/answer  errors ${result.errors + result.timeouts}  non-2xx ${result.non2xx}`,
    );
    if (target.goal)
      verdicts.push(
        `${target.label}: >= ${target.goal.rps.toLocaleString('en-US')} req/s with p99 < ${target.goal.p99} ms ` +
          `${rps >= target.goal.rps && p99 < target.goal.p99 ? 'met' : 'NOT met'}`,
      );
  }
  console.log(`\n${verdicts.join('\n')}\nload average at the end ${load()}`);
} finally {
  await bare?.stop();
  await service?.stop();
  await admin.query(`drop database if exists "${database}" with (force)`).catch(() => undefined);
  await admin.end();
  await ownRedis?.stop?.();
}
