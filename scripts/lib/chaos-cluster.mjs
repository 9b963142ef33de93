// The fault harness's service: one ROLE=api and several ROLE=worker processes of the built service
// (started as `npm run start:dist` starts it, see service.mjs), each writing its log to a file of its
// own; a database of the run's own that can be cut; every process and the database cleaned up on exit.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from './redis-server.mjs';
import { shippedCommand } from './service.mjs';

/** One service process: its role, port, log file, and whether it was meant to stop. */
export class ServiceNode {
  constructor(role, index, port, child, logFile) {
    this.role = role;
    this.name = `${role}-${index}`;
    this.port = port;
    this.child = child;
    this.logFile = logFile;
    this.startedAt = Date.now();
    /** Set before the harness kills or stops it: an exit is then expected. */
    this.ending = false;
    /** Set once /health/ready answered: an exit before is a failed start, after it a crash. */
    this.ready = false;
    this.exit = once(child, 'exit').then(([code, signal]) => ({ code, signal, at: Date.now() }));
  }

  get pid() {
    return this.child.pid;
  }

  get alive() {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get url() {
    return `http://127.0.0.1:${this.port}`;
  }

  async kill(signal = 'SIGKILL') {
    this.ending = true;
    if (this.alive) this.child.kill(signal);
    return this.exit;
  }
}

export class Cluster {
  /** `env`: the service's settings; `logDir`: where each process's log goes. */
  constructor(env, logDir) {
    this.env = env;
    this.logDir = logDir;
    /** Every process started, dead or alive, in order. */
    this.nodes = [];
    this.counters = { api: 0, worker: 0 };
  }

  get api() {
    return this.nodes.filter((n) => n.role === 'api' && n.alive).at(-1);
  }

  get workers() {
    return this.nodes.filter((n) => n.role === 'worker' && n.alive);
  }

  /** Processes that exited, once running, without the harness asking: a defect (a database blip once did this). */
  get unexpectedExits() {
    return this.nodes.filter((n) => n.ready && !n.alive && !n.ending);
  }

  /** Starts that failed (the process exited before it was ready: say, the database was cut). */
  get failedStarts() {
    return this.nodes.filter((n) => !n.ready && !n.alive);
  }

  /**
   * Starts a process of `role` as an orchestrator would: a start that fails (the database or Redis
   * away at that moment) is tried again, every second, for up to `ms`.
   */
  async startRetrying(role, port, ms = 120_000) {
    const deadline = Date.now() + ms;
    for (;;) {
      try {
        return await this.start(role, port);
      } catch (err) {
        if (Date.now() > deadline || this.closed) throw err;
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /** Starts a process of `role` and resolves once /health/ready answers (or rejects if it exits). */
  async start(role, port) {
    if (this.closed) throw new Error('the cluster is stopping');
    const index = (this.counters[role] += 1);
    const chosen = port ?? (await freePort());
    const logFile = join(this.logDir, `${role}-${index}.log`);
    const log = createWriteStream(logFile, { flags: 'a' });
    const child = spawn(process.execPath, shippedCommand(), {
      env: { PATH: process.env.PATH, ...this.env, ROLE: role, PORT: String(chosen) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.once('exit', () => setTimeout(() => log.end(), 100));
    const node = new ServiceNode(role, index, chosen, child, logFile);
    this.nodes.push(node);
    const deadline = Date.now() + 120_000;
    for (;;) {
      if (!node.alive) throw new Error(`${node.name} exited while starting (log: ${logFile})`);
      const ok = await fetch(`${node.url}/health/ready`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) {
        node.ready = true;
        return node;
      }
      if (Date.now() > deadline) {
        node.ending = true;
        child.kill('SIGKILL');
        throw new Error(`${node.name} not ready after 120 s (log: ${logFile})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Every process still running, stopped (SIGTERM, then SIGKILL after 10 s); `close` starts no more. */
  async stopAll({ close = false } = {}) {
    if (close) this.closed = true;
    await Promise.all(
      this.nodes
        .filter((n) => n.alive)
        .map(async (n) => {
          n.ending = true;
          n.child.kill('SIGTERM');
          const timer = setTimeout(() => n.alive && n.child.kill('SIGKILL'), 10_000);
          await n.exit;
          clearTimeout(timer);
        }),
    );
  }

  /** Synchronous last resort (process 'exit'): kill whatever still runs. */
  killAllNow() {
    for (const n of this.nodes) {
      if (!n.alive) continue;
      n.ending = true;
      try {
        n.child.kill('SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

/** A database of the run's own on the PostgreSQL server `adminUrl` names: created, cut, dumped, dropped. */
export class RunDatabase {
  constructor(adminUrl, name) {
    this.adminUrl = adminUrl;
    this.name = name;
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    this.url = url.toString();
  }

  async create() {
    await this.admin(`create database "${this.name}"`);
  }

  async drop() {
    await this.admin(`alter database "${this.name}" allow_connections true`).catch(() => undefined);
    await this.admin(`drop database if exists "${this.name}" with (force)`);
  }

  async admin(statement, params) {
    const client = new pg.Client({ connectionString: this.adminUrl });
    client.on('error', () => undefined);
    await client.connect();
    try {
      return (await client.query(statement, params)).rows;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  /**
   * A query on the run's database, on a connection of its own: the harness's reads must ride out the
   * cuts it makes (a failed read is tried again, up to `tries`).
   */
  async query(statement, params, tries = 30) {
    for (let attempt = 1; ; attempt += 1) {
      const client = new pg.Client({ connectionString: this.url });
      client.on('error', () => undefined);
      try {
        await client.connect();
        return (await client.query(statement, params)).rows;
      } catch (err) {
        if (attempt >= tries) throw err;
        await new Promise((r) => setTimeout(r, 500));
      } finally {
        await client.end().catch(() => undefined);
      }
    }
  }

  /**
   * Cuts every connection to the run's database for `ms`: new connections are refused
   * (allow_connections false) and every backend is terminated, again every 200 ms, until it ends.
   * Returns how many backends were terminated.
   */
  async cut(ms) {
    const client = new pg.Client({ connectionString: this.adminUrl });
    client.on('error', () => undefined);
    await client.connect();
    let terminated = 0;
    try {
      await client.query(`alter database "${this.name}" allow_connections false`);
      const until = Date.now() + ms;
      while (Date.now() < until) {
        const { rows } = await client.query(
          `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
            where datname = $1 and pid <> pg_backend_pid()`,
          [this.name],
        );
        terminated += rows[0].n;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await client.query(`alter database "${this.name}" allow_connections true`).catch(() => undefined);
      await client.end().catch(() => undefined);
    }
    return terminated;
  }

  /** `pg_dump` of the run's database as plain text, streamed to `onChunk`. */
  async dump(onChunk) {
    const url = new URL(this.url);
    const child = spawn(
      'pg_dump',
      [
        '--no-owner',
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        decodeURIComponent(url.username || 'postgres'),
        this.name,
      ],
      {
        env: { PATH: process.env.PATH, PGPASSWORD: decodeURIComponent(url.password ?? '') },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    let bytes = 0;
    for await (const chunk of child.stdout) {
      bytes += chunk.length;
      onChunk(chunk);
    }
    const [code] = await once(child, 'exit');
    if (code !== 0) throw new Error(`pg_dump exited with ${code}: ${stderr.trim()}`);
    return bytes;
  }
}
