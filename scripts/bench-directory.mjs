// Directory at scale: generates a realistic file of people, imports it through the streaming import of the
// built service, then previews and freezes a scope matching about half of them. On PostgreSQL (+ Redis) and
// on the embedded database. Prints time, throughput and the service's resident memory.
// Usage: npm run bench:directory [-- --sizes 100000,1000000 --modes pg,embedded --keep]
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis } from './lib/redis-server.mjs';
import { generate } from './lib/people.mjs';
import {
  api as call,
  BENCH_SECRETS,
  cpuSeconds,
  startService as start,
  until,
  upload as send,
} from './lib/service.mjs';
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
// A Redis server of the run's own (BENCH_REDIS_URL names another, whose database it flushes).
const ownRedis = process.env.BENCH_REDIS_URL ? undefined : await startRedis();
const REDIS = process.env.BENCH_REDIS_URL ?? `${ownRedis.url}/1`;
// Below Linux's ephemeral ports (32768-60999): an outgoing connection of the run never holds it.
const PORT = 29650;
const BASE = `http://127.0.0.1:${PORT}`;
const api = (method, path, body) => call(BASE, KEY, method, path, body);
const upload = (file) => send(BASE, KEY, file);
const startService = (env) => start(env, PORT, KEY);
const KEY = 'bench-admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';

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
    env = { DATABASE_URL: url.toString(), REDIS_URL: REDIS, ...BENCH_SECRETS };
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
  await ownRedis?.stop();
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
