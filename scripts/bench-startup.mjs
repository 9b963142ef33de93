// Start-up time (spawn to /health/ready answering 200) and memory (RSS when ready, and peak) of the
// built service in each mode. Usage: npm run bench:startup [-- --runs 3]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startRedis } from './lib/redis-server.mjs';
import { BENCH_SECRETS, shippedCommand } from './lib/service.mjs';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
const runs = Number(values.runs);
const pg = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
// A Redis server of the run's own unless BENCH_REDIS_URL names one.
const ownRedis = process.env.BENCH_REDIS_URL ? undefined : await startRedis();
const redis = process.env.BENCH_REDIS_URL ?? `${ownRedis.url}/1`;
// Below Linux's ephemeral ports (32768-60999): an outgoing connection of the run never holds it.
const port = 29600;

function memory(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0) / 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

async function startOnce(env) {
  const started = performance.now();
  const child = spawn(process.execPath, shippedCommand(), {
    env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
        if (res.ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 50));
      if (performance.now() - started > 120_000) throw new Error('not ready after 120 s');
    }
    return { ms: performance.now() - started, ...memory(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const modes = [
  { name: 'PostgreSQL + Redis', env: () => ({ DATABASE_URL: pg, REDIS_URL: redis, ...BENCH_SECRETS }) },
  { name: 'PostgreSQL, queues on PostgreSQL', env: () => ({ DATABASE_URL: pg, ...BENCH_SECRETS }) },
  { name: 'embedded, first start (initdb)', fresh: true, env: (dir) => ({ DATA_DIR: dir }) },
  { name: 'embedded, restart on existing data', env: (dir) => ({ DATA_DIR: dir }) },
];

const dataDir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
console.log(`node ${process.version}, ${runs} run(s) per mode; figures are medians\n`);
console.log(
  'mode'.padEnd(38) + 'start to ready'.padStart(16) + 'RSS ready'.padStart(12) + 'RSS peak'.padStart(12),
);
try {
  for (const mode of modes) {
    const results = [];
    for (let i = 0; i < runs; i += 1) {
      const dir = mode.fresh ? mkdtempSync(join(tmpdir(), 'bench-fresh-')) : dataDir;
      try {
        results.push(await startOnce(mode.env(dir)));
      } finally {
        if (mode.fresh) rmSync(dir, { recursive: true, force: true });
      }
    }
    const median = (key) => results.map((r) => r[key]).sort((a, b) => a - b)[Math.floor(results.length / 2)];
    console.log(
      mode.name.padEnd(38) +
        `${(median('ms') / 1000).toFixed(2)} s`.padStart(16) +
        `${median('rss').toFixed(0)} MB`.padStart(12) +
        `${median('peak').toFixed(0)} MB`.padStart(12),
    );
  }
} finally {
  await ownRedis?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}
