// Resident memory of the embedded default at idle: the built service started as `npm run start:dist`
// with no configuration on a fresh DATA_DIR (the first start creates both embedded databases), stopped,
// then started again on the same folder. Each start: ready (/health/ready answers 200), then idle for
// --idle seconds, then VmRSS (and the peak, VmHWM) from /proc/<pid>/status, and the JavaScript heap and
// the memory outside it from /metrics. Usage: npm run bench:idle [-- --idle 30]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { shippedCommand } from './lib/service.mjs';

const { values } = parseArgs({ options: { idle: { type: 'string', default: '30' } } });
const idleMs = Number(values.idle) * 1000;
// Below Linux's ephemeral ports (32768-60999): an outgoing connection of the run never holds it.
const port = 29610;

function status(pid) {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const mb = (key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(text)?.[1] ?? 0) / 1024;
  return { rss: mb('VmRSS'), peak: mb('VmHWM') };
}

/** prom-client's Node.js figures: the V8 heap in use and the memory V8 knows of outside it. */
async function heapFigures() {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const mb = (name) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
  return { heap: mb('nodejs_heap_size_used_bytes'), external: mb('nodejs_external_memory_bytes') };
}

async function startIdle(dataDir) {
  const started = performance.now();
  const child = spawn(process.execPath, shippedCommand(), {
    env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'warn', DATA_DIR: dataDir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
        (res) => res.ok,
        () => false,
      );
      if (ready) break;
      if (performance.now() - started > 300_000) throw new Error('not ready after 300 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const readyS = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, idleMs));
    return { readyS, ...status(child.pid), ...(await heapFigures()) };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'bench-idle-'));
console.log(
  `node ${process.version}, ${process.execPath} ${shippedCommand().join(' ')}, DATA_DIR=${dataDir}, ` +
    `idle ${idleMs / 1000} s after ready; load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
);
console.log(
  'start'.padEnd(34) +
    'ready in'.padStart(10) +
    'RSS idle'.padStart(11) +
    'RSS peak'.padStart(11) +
    'JS heap'.padStart(10) +
    'external'.padStart(10),
);
try {
  for (const name of ['first (creates both databases)', 'second (on the same folder)']) {
    const r = await startIdle(dataDir);
    console.log(
      name.padEnd(34) +
        `${r.readyS.toFixed(1)} s`.padStart(10) +
        `${r.rss.toFixed(0)} MB`.padStart(11) +
        `${r.peak.toFixed(0)} MB`.padStart(11) +
        `${r.heap.toFixed(0)} MB`.padStart(10) +
        `${r.external.toFixed(0)} MB`.padStart(10),
    );
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
console.log(
  `\nload average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
