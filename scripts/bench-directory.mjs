// Directory at scale: generates a realistic file of people, imports it through the streaming import of the
// built service, then previews and freezes a scope matching about half of them. On PostgreSQL (+ Redis) and
// on the embedded database. Prints time, throughput and the service's resident memory.
// Usage: npm run bench:directory [-- --sizes 100000,1000000 --modes pg,embedded --keep]
import { execFileSync, spawn } from 'node:child_process';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
} from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Redis } from 'ioredis';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100000,1000000' },
    modes: { type: 'string', default: 'pg,embedded' },
    // Leaves the PostgreSQL database in place (its name is printed), for looking at plans afterwards.
    keep: { type: 'boolean', default: false },
  },
});
const sizes = values.sizes.split(',').map(Number);
const modes = values.modes.split(',');
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379/14';
const PORT = 39650;
const BASE = `http://127.0.0.1:${PORT}`;
const KEY = 'bench-admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';
const AUTH = { Authorization: `Bearer ${KEY}` };
const SECRETS = {
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  HASH_KEY: Buffer.alloc(32, 3).toString('base64'),
};

// ---- the file -------------------------------------------------------------------------------------
const COUNTRIES = [
  { j: 'US-CA', locale: 'en-US', tz: 'America/Los_Angeles', phone: () => `+1415${digits(7, 2)}`, w: 18 },
  { j: 'US-NY', locale: 'en-US', tz: 'America/New_York', phone: () => `+1212${digits(7, 2)}`, w: 8 },
  { j: 'BR', locale: 'pt-BR', tz: 'America/Sao_Paulo', phone: () => `+55119${digits(8)}`, w: 15 },
  { j: 'DE', locale: 'de-DE', tz: 'Europe/Berlin', phone: () => `+49151${digits(8)}`, w: 10 },
  { j: 'FR', locale: 'fr-FR', tz: 'Europe/Paris', phone: () => `+336${digits(8)}`, w: 8 },
  { j: 'GB', locale: 'en-GB', tz: 'Europe/London', phone: () => `+4474${digits(8)}`, w: 8 },
  { j: 'ES', locale: 'es-ES', tz: 'Europe/Madrid', phone: () => `+346${digits(8)}`, w: 6 },
  { j: 'JP', locale: 'ja-JP', tz: 'Asia/Tokyo', phone: () => `+8190${digits(8)}`, w: 10 },
  { j: 'CN', locale: 'zh-CN', tz: 'Asia/Shanghai', phone: () => `+86139${digits(8)}`, w: 7 },
  { j: 'IN', locale: 'en-IN', tz: 'Asia/Kolkata', phone: () => `+9198${digits(8)}`, w: 5 },
  { j: 'SG', locale: 'en-SG', tz: 'Asia/Singapore', phone: () => `+659${digits(7)}`, w: 5 },
];
const WEIGHTED = COUNTRIES.flatMap((c) => Array(c.w).fill(c));
const OTHER_CATEGORIES = ['personal_identifiers', 'device_identifiers', 'app_usage', 'device_info', 'logs'];
const SYSTEMS = ['auth-db', 'media-store', 'analytics', 'billing'];
let seed = 42;
/** mulberry32: a small seeded generator, so every run imports the same file. */
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
function digits(n, firstMin = 0) {
  let s = String(firstMin + Math.floor(random() * (10 - firstMin)));
  for (let i = 1; i < n; i += 1) s += Math.floor(random() * 10);
  return s;
}
const token = () =>
  Array.from({ length: 152 }, () =>
    pick('abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-:'),
  ).join('');
const day = (from, to) => new Date(from + random() * (to - from)).toISOString();
const Y2020 = Date.parse('2020-01-01');
const Y2025 = Date.parse('2025-06-01');
const NOW = Date.parse('2026-11-01');

function person(i) {
  const c = pick(WEIGHTED);
  const minor = random() < 0.02;
  const p = {
    externalId: `u-${i}`,
    name: `Person ${i} Example`,
    ...(random() < 0.9 ? { email: `person.${i}@mail${i % 97}.example.com` } : {}),
    ...(random() < 0.6 ? { phone: c.phone() } : {}),
    ...(random() < 0.5 ? { pushTokens: [{ token: token(), platform: pick(['android', 'ios']) }] } : {}),
    locale: c.locale,
    timeZone: c.tz,
    jurisdiction: c.j,
    birthDate: minor
      ? `${2013 + Math.floor(random() * 4)}-0${1 + Math.floor(random() * 9)}-15`
      : `19${60 + Math.floor(random() * 40)}-05-01`,
    ...(minor && random() < 0.7
      ? { guardian: { name: `Guardian ${i}`, email: `guardian.${i}@example.org`, locale: c.locale } }
      : {}),
    channelPreferences: pick([
      ['email', 'push', 'sms'],
      ['sms', 'email'],
      ['push', 'email'],
    ]),
    dataCategories: [
      ...(random() < 0.5 ? ['camera_data'] : []),
      pick(OTHER_CATEGORIES),
      pick(OTHER_CATEGORIES),
    ].filter((v, k, all) => all.indexOf(v) === k),
    systems: [pick(SYSTEMS), pick(SYSTEMS)].filter((v, k, all) => all.indexOf(v) === k),
    createdAt: day(Y2020, Y2025),
    lastActiveAt: day(Y2025, NOW),
  };
  // About 0.5% bad rows, as real exports have: a broken address, a short number, a cut line.
  const fault = random();
  if (fault < 0.002) return JSON.stringify({ ...p, email: `person.${i}@` });
  if (fault < 0.004) return JSON.stringify({ ...p, phone: '+12345' });
  if (fault < 0.005) return JSON.stringify(p).slice(0, 60);
  return JSON.stringify(p);
}

async function generate(file, rows) {
  seed = 42;
  const out = createWriteStream(file);
  for (let i = 0; i < rows; i += 1) {
    if (!out.write(`${person(i)}\n`)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  // Written through to disk before measuring, so the kernel's write-back does not compete with the import.
  execFileSync('sync');
}

// ---- the service ----------------------------------------------------------------------------------
/** CPU seconds (user + system) used so far by the processes whose command name is `name`, or by `pid`. */
function cpuSeconds({ pid, name }) {
  const pids = pid
    ? [pid]
    : readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readSafe(`/proc/${p}/comm`).trim() === name);
  let ticks = 0;
  for (const p of pids) {
    const fields = readSafe(`/proc/${p}/stat`).split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11] ?? 0) + Number(fields[12] ?? 0);
  }
  return ticks / 100;
}

function readSafe(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function rssMb(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function startService(env) {
  const child = spawn(process.execPath, ['dist/main.js'], {
    env: { PATH: process.env.PATH, PORT: String(PORT), LOG_LEVEL: 'warn', ADMIN_API_KEY: KEY, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const ok = await fetch(`${BASE}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() - started > 180_000) throw new Error('service not ready after 180 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(child.pid))), 100);
  return {
    rss: () => rssMb(child.pid),
    cpu: () => cpuSeconds({ pid: child.pid }),
    resetPeak: () => (peak = rssMb(child.pid)),
    peak: () => peak,
    stop: async () => {
      clearInterval(sampler);
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

async function api(method, path, body) {
  // The embedded database runs on the service's main thread: while it works, a kept-alive connection can
  // be reset under a poll. Reads are retried; nothing else is (a repeated POST would be a second request).
  let res;
  for (let attempt = 1; ; attempt += 1) {
    try {
      res = await fetch(`${BASE}${path}`, {
        method,
        headers: { ...AUTH, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      break;
    } catch (err) {
      if (method !== 'GET' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const json = await res.json();
  if (res.status >= 400) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

function upload(file) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${BASE}/v1/subjects/imports`,
      {
        method: 'POST',
        headers: { ...AUTH, 'Content-Type': 'application/x-ndjson', 'Content-Length': statSync(file).size },
      },
      (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => (res.statusCode === 202 ? resolve(JSON.parse(body)) : reject(new Error(body))));
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
}

async function until(check, timeoutMs = 30 * 60_000) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function measure(mode, rows, file) {
  let cleanup = async () => undefined;
  let env;
  if (mode === 'pg') {
    const name = `bench_directory_${Date.now()}`;
    const admin = new pg.Client({ connectionString: PG_ADMIN });
    await admin.connect();
    await admin.query(`create database "${name}"`);
    await admin.end();
    const url = new URL(PG_ADMIN);
    url.pathname = `/${name}`;
    const redis = new Redis(REDIS);
    await redis.flushdb();
    redis.disconnect();
    env = { DATABASE_URL: url.toString(), REDIS_URL: REDIS, ...SECRETS };
    cleanup = async () => {
      if (values.keep) return console.log(`  kept database ${name}`);
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`drop database if exists "${name}" with (force)`);
      await c.end();
    };
  } else {
    const dir = mkdtempSync(join(tmpdir(), 'bench-directory-'));
    env = { DATA_DIR: dir };
    cleanup = async () => rmSync(dir, { recursive: true, force: true });
  }
  const service = await startService(env);
  try {
    const idle = service.rss();
    service.resetPeak();
    const cpu0 = { service: service.cpu(), database: cpuSeconds({ name: 'postgres' }) };
    const t0 = performance.now();
    const started = await upload(file);
    const uploaded = performance.now() - t0;
    const done = await until(async () => {
      const state = await api('GET', `/v1/subjects/imports/${started.id}`);
      return ['completed', 'failed'].includes(state.status) ? state : undefined;
    });
    const imported = performance.now() - t0;
    if (done.status !== 'completed') throw new Error(`import failed: ${done.error}`);
    const importPeak = service.peak();
    // Where the import's time went, on a machine whose cores it is meant to fill.
    const importCpu = {
      service: service.cpu() - cpu0.service,
      database: cpuSeconds({ name: 'postgres' }) - cpu0.database,
    };

    const incident = await api('POST', '/v1/incidents', {
      title: 'Bench: media store exposed',
      discoveredAt: '2026-11-04T09:15:00Z',
      dataCategories: ['camera_data', 'personal_identifiers'],
    });
    const criteria = { dataCategories: ['camera_data'] };
    const previews = [];
    let preview;
    for (let i = 0; i < 3; i += 1) {
      const p0 = performance.now();
      preview = await api('POST', `/v1/incidents/${incident.id}/scope/preview`, { criteria });
      previews.push(performance.now() - p0);
    }
    const f0 = performance.now();
    const run = await api('POST', `/v1/incidents/${incident.id}/scope`, { criteria });
    const frozen = await until(async () => {
      const state = await api('GET', `/v1/incidents/${incident.id}/scope`);
      return state.id === run.id && ['completed', 'failed'].includes(state.status) ? state : undefined;
    });
    const freezeMs = performance.now() - f0;
    if (frozen.status !== 'completed') throw new Error(`freeze failed: ${frozen.error}`);
    if (frozen.total !== preview.total) throw new Error(`frozen ${frozen.total} != preview ${preview.total}`);
    return {
      mode,
      rows,
      created: done.created,
      rejected: done.rejected,
      uploadS: uploaded / 1000,
      importS: imported / 1000,
      idle,
      importPeak,
      importCpu,
      previewS: previews.sort((a, b) => a - b)[1] / 1000,
      freezeS: freezeMs / 1000,
      matched: frozen.total,
      peak: service.peak(),
    };
  } finally {
    await service.stop();
    await cleanup();
  }
}

const work = mkdtempSync(join(tmpdir(), 'bench-directory-file-'));
const results = [];
try {
  for (const rows of sizes) {
    const file = join(work, `people-${rows}.ndjson`);
    const g0 = performance.now();
    await generate(file, rows);
    console.log(
      `generated ${rows.toLocaleString('en-US')} people (${(statSync(file).size / 1e6).toFixed(0)} MB) in ${((performance.now() - g0) / 1000).toFixed(1)} s`,
    );
    for (const mode of modes) {
      const r = await measure(mode, rows, file);
      results.push(r);
      console.log(
        `  ${mode.padEnd(9)} import ${r.importS.toFixed(1)} s (upload ${r.uploadS.toFixed(1)} s, ${Math.round(r.rows / r.importS).toLocaleString('en-US')} rows/s, ${r.created.toLocaleString('en-US')} stored, ${r.rejected} rejected), CPU s service ${r.importCpu.service.toFixed(1)} + database ${r.importCpu.database.toFixed(1)}, RSS ${r.idle.toFixed(0)} -> peak ${r.importPeak.toFixed(0)} MB; preview ${r.previewS.toFixed(2)} s; freeze ${r.freezeS.toFixed(2)} s (${r.matched.toLocaleString('en-US')} people)`,
      );
    }
    rmSync(file, { force: true });
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

console.log(
  '\n' +
    ['mode', 'rows', 'import s', 'rows/s', 'RSS peak MB', 'preview s', 'freeze s', 'matched']
      .map((h, i) => (i === 0 ? h.padEnd(10) : h.padStart(12)))
      .join(''),
);
for (const r of results) {
  console.log(
    [
      r.mode.padEnd(10),
      r.rows.toLocaleString('en-US').padStart(12),
      r.importS.toFixed(1).padStart(12),
      Math.round(r.rows / r.importS)
        .toLocaleString('en-US')
        .padStart(12),
      r.importPeak.toFixed(0).padStart(12),
      r.previewS.toFixed(2).padStart(12),
      r.freezeS.toFixed(2).padStart(12),
      r.matched.toLocaleString('en-US').padStart(12),
    ].join(''),
  );
}
console.log(
  '\ntargets on PostgreSQL at 1,000,000: import < 60 s with RSS < 300 MB; preview < 3 s; freeze < 15 s',
);
