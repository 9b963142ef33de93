// The built service as separate processes, for the benchmarks: start, wait until ready, sample memory and
// CPU, and call its API.
import { spawn } from 'node:child_process';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { request } from 'node:http';

/** The keys the service needs with DATABASE_URL (the embedded mode makes its own): fixed, for benchmarks only. */
export const BENCH_SECRETS = {
  ENCRYPTION_KEYS: `k1:${Buffer.alloc(32, 1).toString('base64')}`,
  HASH_KEY: Buffer.alloc(32, 3).toString('base64'),
};

/** CPU seconds (user + system) used so far by the processes whose command name is `name`, or by `pid`. */
export function cpuSeconds({ pid, name }) {
  const pids = pid
    ? [pid]
    : readdirSync('/proc').filter((p) => /^\d+$/.test(p) && readSafe(`/proc/${p}/comm`).trim() === name);
  let ticks = 0;
  for (const p of pids) {
    const fields = readSafe(`/proc/${p}/stat`).split(') ')[1]?.split(' ') ?? [];
    // utime + stime, and cutime + cstime: what exited children used once reaped. PostgreSQL's backends
    // come and go; the postmaster reaps them, so their CPU stays counted after they end.
    ticks += [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i] ?? 0), 0);
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

export function rssMb(pid) {
  const status = readSafe(`/proc/${pid}/status`);
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** The node flags and script of `npm run start:dist`, so the benchmarks run the service as it ships. */
export function shippedCommand() {
  const { scripts } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  const [node, ...args] = scripts['start:dist'].split(' ').filter(Boolean);
  if (node !== 'node') throw new Error(`start:dist does not start node: ${scripts['start:dist']}`);
  return args;
}

/** Starts the service (as `npm run start:dist`) with `env` on `port`; resolves once /health/ready answers. */
export async function startService(env, port, adminKey) {
  // BENCH_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' profiles the service processes.
  const args = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  // After the shipped flags, so that a flag given here (say --max-semi-space-size) overrides the shipped one.
  const shipped = shippedCommand();
  const child = spawn(process.execPath, [...shipped.slice(0, -1), ...args, ...shipped.slice(-1)], {
    env: { PATH: process.env.PATH, PORT: String(port), LOG_LEVEL: 'warn', ADMIN_API_KEY: adminKey, ...env },
    stdio: ['ignore', process.env.BENCH_SERVICE_LOG ? 'inherit' : 'ignore', 'inherit'],
  });
  let stopping = false;
  child.on('exit', (code, signal) => {
    if (!stopping) console.error(`service ${child.pid} exited: ${code ?? signal}`);
  });
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
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
    pid: child.pid,
    rss: () => rssMb(child.pid),
    cpu: () => cpuSeconds({ pid: child.pid }),
    resetPeak: () => (peak = rssMb(child.pid)),
    peak: () => peak,
    stop: async () => {
      stopping = true;
      clearInterval(sampler);
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** A JSON call to the service; GETs are retried (a poll may meet a reset connection). */
export async function api(base, key, method, path, body) {
  // The embedded database runs on the service's main thread: while it works, a kept-alive connection can
  // be reset under a poll. Reads are retried; nothing else is (a repeated POST would be a second request).
  let res;
  for (let attempt = 1; ; attempt += 1) {
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
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

/** Streams an NDJSON file to the streamed import. */
export function upload(base, key, file) {
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/v1/subjects/imports`,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${key}`,
          'Content-Type': 'application/x-ndjson',
          'Content-Length': statSync(file).size,
        },
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

export async function until(check, timeoutMs = 30 * 60_000) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - started > timeoutMs) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * The incident every benchmark and the fault harness notify about: a guardian's words included (a campaign
 * with guardians needs them). `title` names the run.
 */
export function benchIncident(title = 'Bench: media store exposed') {
  return {
    title,
    // Short words: each SMS carries the whole notice, and every one that fitted one SMS still does.
    description: 'A bucket of generated images was public.',
    // China's and Japan's notices must say the cause, Canada's and India's when it began, India's where,
    // Brazil's how the data were protected, and (discovered weeks ago, past Brazil's 3 business days) why
    // the notice is late: a campaign waits for each.
    cause: 'A storage bucket left public by a configuration change.',
    noticeDelayReasons: 'The analysis of what was exposed took weeks.',
    occurredFrom: '2026-11-01T08:00:00Z',
    location: 'Cloud storage.',
    securityMeasuresBefore: 'Staff keys only.',
    discoveredAt: '2026-11-04T09:15:00Z',
    dataCategories: ['camera_data', 'personal_identifiers'],
    likelyConsequences: 'Phishing using the exposed addresses.',
    measuresTaken: 'The bucket was closed and its keys rotated.',
    remedies: 'A support line.',
    guardianWords: {
      description: "A bucket of generated images, your child's among them, was public.",
      likelyConsequences: 'Phishing aimed at your child, using the exposed addresses.',
      measuresTaken: 'The bucket was closed and its keys rotated.',
      remedies: 'A support line.',
    },
  };
}

/**
 * An incident (`body`) whose affected set is everyone of the directory, frozen; resolves with the
 * incident once the freeze completed. `api(method, path, body)` is the caller's JSON call.
 */
export async function scopedIncident(api, body = benchIncident(), timeoutMs = 30 * 60_000) {
  const incident = await api('POST', '/v1/incidents', body);
  const run = await api('POST', `/v1/incidents/${incident.id}/scope`, { criteria: { everyone: true } });
  await until(async () => {
    const state = await api('GET', `/v1/incidents/${incident.id}/scope`);
    return state.id === run.id && state.status === 'completed' ? state : undefined;
  }, timeoutMs);
  return incident;
}
