import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import pg from 'pg';
import request from 'supertest';
import {
  ADMIN_KEY,
  bearer,
  ENCRYPTION_ENV,
  eventually,
  freePort,
  REDIS_BASE,
  validIncident,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';
import { spawnTracked, stopChild } from './support/processes.js';
import { rideOutDisconnects } from '../src/database/connection-errors.js';

// A database blip (every connection of the service cut by pg_terminate_backend, as a failover or a
// restart of PostgreSQL does) used to make the API and every worker exit: the pg.Pool had no 'error'
// listener. Each process, as built, must ride it out: it keeps answering, and jobs still complete, on
// both queue backends that talk to PostgreSQL (Redis, and BullMQ's PostgreSQL backend on the same
// database, whose LISTEN client is cut too).

const ROOT = resolve(__dirname, '..');
const REDIS_DB = 14;
const PEOPLE = 40;

describe('a pool that rides out cut connections', () => {
  it('fails the statement in flight, survives a checked-out client cut between statements, and reconnects', async () => {
    const pool = new pg.Pool({ connectionString: process.env.E2E_DATABASE_URL, max: 3 });
    const warned: string[] = [];
    rideOutDisconnects(pool, { warn: (message: string) => warned.push(message) }, 'test pool');
    const killer = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
    await killer.connect();
    const kill = (pid: number) => killer.query('select pg_terminate_backend($1)', [pid]);
    try {
      // A statement in flight fails with the cut, as an error its caller handles.
      const held = await pool.connect();
      const pid = (await held.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      const sleeping = held.query('select pg_sleep(30)').then(
        () => undefined,
        (err: unknown) => err,
      );
      await new Promise((r) => setTimeout(r, 100));
      await kill(pid);
      expect(await sleeping).toMatchObject({ code: '57P01' });
      held.release();
      // (The server's error comes before the socket closes: a client released in between goes back to
      // the pool until the close arrives, then is dropped. Whoever took it meanwhile gets one failed
      // statement, as for any cut.)
      await new Promise((r) => setTimeout(r, 200));
      // A client checked out and idle (a transaction between two statements) is cut: no throw; its
      // next statement fails, and it is dropped when released.
      const between = await pool.connect();
      const pid2 = (await between.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      await kill(pid2);
      await new Promise((r) => setTimeout(r, 200));
      await expect(between.query('select 1')).rejects.toThrow();
      between.release();
      // An idle client in the pool is cut: dropped; the next query opens a fresh connection.
      const idle = (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      await kill(idle);
      await new Promise((r) => setTimeout(r, 200));
      const fresh = (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0].pid;
      expect([pid, pid2, idle]).not.toContain(fresh);
      expect(warned.length).toBeGreaterThanOrEqual(2);
      expect(warned.every((w) => w.startsWith('test pool: a connection was lost and is dropped'))).toBe(true);
    } finally {
      await killer.end();
      await pool.end();
    }
  });
});

interface Node {
  child: ChildProcess;
  port: number;
  log: () => string;
}

describe.each([
  ['Redis', `${REDIS_BASE}/${REDIS_DB}`],
  ["BullMQ's PostgreSQL backend", undefined],
])('a database blip with queues on %s: every process rides it out', (_backend, redisUrl) => {
  jest.setTimeout(180_000);
  const nodes: Node[] = [];
  let databaseUrl: string;
  let db: pg.Client;
  let api: Node;
  const http = () => request(`http://127.0.0.1:${api.port}`);
  const keys: Record<'responder' | 'approver', string> = { responder: '', approver: '' };

  const start = async (role: 'api' | 'worker'): Promise<Node> => {
    const port = await freePort();
    const child = spawnTracked(process.execPath, [join(ROOT, 'dist/main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        ROLE: role,
        PORT: String(port),
        LOG_LEVEL: 'warn',
        DATABASE_URL: databaseUrl,
        ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
        ADMIN_API_KEY: ADMIN_KEY,
        ...ENCRYPTION_ENV,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const node = { child, port, log: () => output };
    nodes.push(node);
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${role} exited at start:\n${output}`);
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
      return res?.ok ? true : undefined;
    }, 60_000);
    return node;
  };

  /** Cuts every connection to the run's database but this one; how many were cut. */
  const blip = async () =>
    (
      await db.query<{ n: number }>(
        `select count(pg_terminate_backend(pid))::int as n from pg_stat_activity
          where datname = current_database() and pid <> pg_backend_pid()`,
      )
    ).rows[0].n;

  /** Every process is still running: the failure message carries the log of one that exited. */
  const allAlive = () => {
    for (const node of nodes) {
      if (node.child.exitCode !== null || node.child.signalCode !== null) {
        throw new Error(
          `a service process exited (${node.child.exitCode ?? node.child.signalCode}) after the blip:\n${node.log()}`,
        );
      }
    }
  };

  beforeAll(async () => {
    if (redisUrl) {
      const { Redis } = await import('ioredis');
      const redis = new Redis(redisUrl);
      await redis.flushdb();
      redis.disconnect();
    }
    databaseUrl = await createScratchDatabase(redisUrl ? 'blip_redis' : 'blip_pg');
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();
    api = await start('api');
    await start('worker');
    for (const role of ['responder', 'approver'] as const) {
      const created = await http()
        .post('/v1/api-keys')
        .set(...bearer(ADMIN_KEY))
        .send({ name: `blip ${role}`, role, holder: `${role}@blip.test` })
        .expect(201);
      keys[role] = created.body.key as string;
    }
    await http()
      .post('/v1/subjects/bulk')
      .set(...bearer(keys.responder))
      .send({
        subjects: Array.from({ length: PEOPLE }, (_, i) => ({
          externalId: `blip-${i}`,
          email: `blip.${i}@example.com`,
          jurisdiction: 'DE',
          dataCategories: ['camera_data'],
        })),
      })
      .expect(200);
  });
  afterAll(async () => {
    await Promise.all(nodes.map((node) => stopChild(node.child, 'SIGKILL')));
    await db?.end();
  });

  it('keeps every process up, answers the next request, and completes a job queued after the cut', async () => {
    expect(await blip()).toBeGreaterThan(2);
    // The pool's error events arrive as the sockets close; a crash would follow them at once.
    await new Promise((r) => setTimeout(r, 1_000));
    allAlive();
    for (const node of nodes) {
      const ready = await fetch(`http://127.0.0.1:${node.port}/health/ready`);
      expect(ready.status).toBe(200);
    }
    // The first request after the cut gets a fresh connection (the dead ones were dropped, not reused).
    await http()
      .get('/v1/incidents')
      .set(...bearer(keys.responder))
      .expect(200);
    const queued = await http()
      .post('/v1/audit/verifications')
      .set(...bearer(ADMIN_KEY))
      .expect(202);
    await eventually(async () => {
      const res = await http()
        .get(`/v1/audit/verifications/jobs/${queued.body.jobId as string}`)
        .set(...bearer(ADMIN_KEY))
        .expect(200);
      return res.body.state === 'completed' ? true : undefined;
    }, 60_000);
    // Said in the log, without personal data: what was lost, not what it carried.
    expect(nodes.map((n) => n.log()).join('')).toMatch(/a connection was lost and is dropped \(57P01\)/);
  });

  it('completes a campaign whose connections are cut again and again while it is planned and sent', async () => {
    const incident = await http()
      .post('/v1/incidents')
      .set(...bearer(keys.responder))
      .send(validIncident())
      .expect(201);
    const id = incident.body.id as string;
    await http()
      .post(`/v1/incidents/${id}/scope`)
      .set(...bearer(keys.responder))
      .send({ criteria: { everyone: true } })
      .expect(202);
    await eventually(async () => {
      const run = await http()
        .get(`/v1/incidents/${id}/scope`)
        .set(...bearer(keys.responder));
      return run.status === 200 && run.body.status === 'completed' ? true : undefined;
    }, 60_000);
    const draft = await http()
      .post(`/v1/incidents/${id}/campaigns`)
      .set(...bearer(keys.responder))
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
      .expect(201);
    const campaign = draft.body.id as string;
    await http()
      .post(`/v1/campaigns/${campaign}/approve`)
      .set(...bearer(keys.approver))
      .expect(200);
    // Five cuts, 300 ms apart, from the approval on: planning and sending lose their connections mid-way.
    for (let i = 0; i < 5; i += 1) {
      await blip();
      await new Promise((r) => setTimeout(r, 300));
    }
    allAlive();
    // A poll may meet the cut itself (a 500 for that one request); the next one answers.
    const done = await eventually(async () => {
      const res = await http()
        .get(`/v1/campaigns/${campaign}`)
        .set(...bearer(keys.responder));
      return res.status === 200 && res.body.status === 'completed'
        ? (res.body as Record<string, any>)
        : undefined;
    }, 120_000).catch(async (err: Error) => {
      allAlive();
      const res = await http()
        .get(`/v1/campaigns/${campaign}`)
        .set(...bearer(keys.responder));
      throw new Error(`${err.message}: ${JSON.stringify(res.body)}`);
    });
    expect(done.progress.deliveries).toEqual({ notified: PEOPLE });
    allAlive();
  });
});
