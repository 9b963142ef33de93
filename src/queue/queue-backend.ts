import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  Queue,
  Worker,
  createPostgresBackend,
  runMigrations,
  withBackend,
  type PostgresConnectionOptions,
  type PostgresQueueBackend,
} from 'bullmq';
import type { PGlite } from '@electric-sql/pglite';
import { Redis } from 'ioredis';
import pg from 'pg';
import type { AppConfig, PostgresTimeouts } from '../config/config.js';
import { listenOnEveryClient, rideOutDisconnects } from '../database/connection-errors.js';
import { acquireDataDirLock } from '../database/data-dir-lock.js';
import { openPglite } from '../database/pglite.js';
import { withAddressedClients, withInProcessClients } from './worker-list.js';

/** The BullMQ classes bound to one backend, and how to check and close it. */
export interface QueueBackend {
  kind: 'redis' | 'postgres' | 'embedded';
  Queue: typeof Queue;
  Worker: typeof Worker;
  connection: unknown;
  /** Extra worker options the backend needs. */
  workerOptions: { drainDelay?: number };
  ping(): Promise<void>;
  close(): Promise<void>;
}

const logger = new Logger('QueueBackend');

/**
 * Redis when REDIS_URL is set; otherwise BullMQ's PostgreSQL backend over DATABASE_URL; otherwise (embedded
 * mode) the same backend over a second, queue-only PGlite instance served on 127.0.0.1 by pglite-socket.
 */
export async function openQueueBackend(config: AppConfig): Promise<QueueBackend> {
  if (config.redisUrl) return openRedis(config.redisUrl);
  if (config.database.kind === 'postgres') return openPostgres(config.database);
  return openEmbedded(config.database.dataDir);
}

function openRedis(url: string): QueueBackend {
  // BullMQ needs maxRetriesPerRequest null: its blocking commands must wait out a reconnect, not fail.
  const connection = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  connection.on('error', (err: Error) => logger.warn(`redis: ${err.message}`));
  return {
    kind: 'redis',
    Queue,
    Worker,
    connection,
    workerOptions: {},
    ping: async () => {
      await connection.ping();
    },
    close: async () => {
      await connection.quit().catch(() => connection.disconnect());
    },
  };
}

async function openPostgres(database: { url: string } & PostgresTimeouts): Promise<QueueBackend> {
  // BullMQ's own clients (its LISTEN client among them) must not end the process on a cut connection.
  listenOnEveryClient(pg, logger, 'queue');
  await migrateQueueTables({
    ...queueConnection(database),
    // Another node may be migrating (the advisory lock): waited for like the app's migrations.
    ...statementLimit(database.bulkStatementTimeoutMs),
  });
  return postgresBackend(
    'postgres',
    withBackend(withAddressedClients(retryingReadiness(createPostgresBackend))),
    { ...queueConnection(database), max: 4, ...statementLimit(database.statementTimeoutMs) },
    {},
    () => Promise.resolve(),
  );
}

/**
 * The queue connections' limits, the app pool's (`PG_CONNECT_TIMEOUT_MS`, `PG_STATEMENT_TIMEOUT_MS`), for
 * BullMQ's pool, its LISTEN client (built from the same options) and the health probe: without them a
 * server that accepts and never answers held an enqueueing request, a worker's fetch and /health for
 * good. The ordinary statement limit cuts no legitimate queue statement. Each is one job's step (add,
 * claim, finish, a lock's renewal), a page (the dashboard's lists, obliteration by a thousand), or one
 * statement over a state of one queue (the dashboard's clean and empty), on tables that our removal
 * options keep to hundreds of rows; the advisory and row locks they take last their own transaction, so
 * waiting for one lasts at most another such statement; and a worker's blocking wait for jobs is no
 * statement: a LISTEN, then a wait in Node for a NOTIFY or a timer. The migrations at start wait for
 * another node's with the bulk limit, as the app's do.
 */
function queueConnection(database: { url: string } & PostgresTimeouts): pg.PoolConfig {
  return { connectionString: database.url, connectionTimeoutMillis: database.connectTimeoutMs };
}

/** PostgreSQL's statement_timeout, sent at connection start; 0 sends nothing (the server's applies). */
function statementLimit(ms: number): Pick<pg.PoolConfig, 'statement_timeout'> {
  return ms > 0 ? { statement_timeout: ms } : {};
}

/**
 * BullMQ's PostgreSQL backend keeps the promise of its first readiness, and its connection's (which every
 * statement awaits), even when it failed: a worker or queue whose first connection could not be had (the
 * server restarting, or slower to answer than PG_CONNECT_TIMEOUT_MS) failed every later statement at
 * once, for good, and a worker's fetch loop, failing without a pause, took a core and starved the
 * process's timers. A failed readiness is forgotten, so the next statement tries again.
 */
function retryingReadiness(factory: typeof createPostgresBackend): typeof createPostgresBackend {
  return (name, opts, factoryOpts) => {
    const backend = factory(name, opts, factoryOpts);
    forgetFailedReadiness(backend.connection);
    forgetFailedReadiness(backend);
    return backend;
  };
}

function forgetFailedReadiness(target: { waitUntilReady(): Promise<void> }): void {
  // `readyPromise` is the memo both classes keep (private in their typings).
  const memo = target as unknown as { readyPromise?: Promise<void> };
  const ready = target.waitUntilReady.bind(target);
  target.waitUntilReady = () => {
    const attempt = ready();
    // Set before waitUntilReady's first await, so it is this call's (or the one it joined).
    const memoized = memo.readyPromise;
    attempt.catch(() => {
      if (memo.readyPromise === memoized) memo.readyPromise = undefined;
    });
    return attempt;
  };
}

/** BullMQ's tables (schema `bullmq`), created or brought up to date over a connection of their own. */
async function migrateQueueTables(connection: pg.ClientConfig): Promise<void> {
  const client = new pg.Client(connection);
  await client.connect();
  try {
    // Idempotent and guarded by an advisory lock, so API and worker nodes may race here safely.
    await runMigrations(client);
  } finally {
    await client.end();
  }
}

function postgresBackend(
  kind: 'postgres' | 'embedded',
  bound: ReturnType<typeof withBackend<PostgresQueueBackend, PostgresConnectionOptions>>,
  connection: pg.PoolConfig,
  workerOptions: QueueBackend['workerOptions'],
  closeServer: () => Promise<void>,
): QueueBackend {
  const probe = new pg.Pool({ ...connection, max: 1 });
  // BullMQ's own pool and LISTEN client listen for errors themselves; the health probe's must too.
  rideOutDisconnects(probe, logger, 'queue health probe');
  return {
    kind,
    Queue: bound.Queue as unknown as typeof Queue,
    Worker: bound.Worker as unknown as typeof Worker,
    connection,
    workerOptions,
    ping: async () => {
      await probe.query('select 1');
    },
    close: async () => {
      await probe.end();
      await closeServer();
    },
  };
}

/**
 * The embedded queue database. Safe only with three workarounds, each found by a probe (see DESIGN.md,
 * "Queues without Redis"): pglite-socket interleaves the wire messages of concurrent connections, so a
 * large parameterised query from one connection could be bound to another's statement; it ignores the
 * startup search_path; and NOTIFY reaches only the sender, so idle workers poll (drainDelay).
 */
async function openEmbedded(dataDir: string): Promise<QueueBackend> {
  const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
  const inMemory = dataDir.startsWith('memory://');
  const path = inMemory ? 'memory://' : resolve(dataDir, 'queue');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  // The same lock as the database's: whichever opens first takes it for the process.
  const release = acquireDataDirLock(dataDir);
  // A few tables of jobs in flight: small buffers hold them.
  const db = await openPglite(path, '16MB');
  await db.exec('SET search_path TO bullmq, public');
  const server = new PGLiteSocketServer({
    db: atomicExtendedProtocol(db),
    host: '127.0.0.1',
    port: 0,
    maxConnections: 200,
  });
  await server.start();
  const url = `postgresql://postgres@${server.getServerConn()}/postgres`;
  // No limits: PGlite in this process answers, or the process is gone with it.
  await migrateQueueTables({ connectionString: url });
  return postgresBackend(
    'embedded',
    withBackend(withInProcessClients(retryingReadiness(pollingBackend))),
    { connectionString: url, max: 1 },
    { drainDelay: EMBEDDED_POLL_SECONDS },
    async () => {
      await server.stop();
      await db.close();
      release();
    },
  );
}

/** How long an idle embedded worker waits before it looks for jobs again, in seconds. */
const EMBEDDED_POLL_SECONDS = 1;

/**
 * A worker with a delayed job pending blocks until that job is due, trusting NOTIFY to wake it for new
 * jobs (up to an hour). NOTIFY never arrives through pglite-socket, so cap the wait at the poll interval.
 */
const pollingBackend: typeof createPostgresBackend = (name, opts, factoryOpts) => {
  const backend = createPostgresBackend(name, opts, factoryOpts);
  Object.defineProperty(backend, 'maximumBlockTimeout', { get: () => EMBEDDED_POLL_SECONDS });
  return backend;
};

/** Frontend message types that open an extended-protocol exchange, which lasts until Sync ('S'). */
const EXTENDED = new Set([0x50, 0x42, 0x44, 0x45, 0x43, 0x48]); // P B D E C H
const SYNC = 0x53;

/**
 * pglite-socket serialises connections only while PGlite reports an open transaction. Reporting the span
 * from a connection's first Parse to its Sync as "in a transaction" too keeps each exchange whole, so no
 * other connection's messages land in the middle of it.
 */
function atomicExtendedProtocol(db: PGlite): PGlite {
  let exchangeOpen = false;
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction') return () => exchangeOpen || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return (message: Uint8Array, options: unknown) => {
          const type = message[0];
          if (type === SYNC) exchangeOpen = false;
          else if (type !== undefined && EXTENDED.has(type)) exchangeOpen = true;
          return (target.execProtocolRawStream as (m: Uint8Array, o: unknown) => unknown)(message, options);
        };
      }
      if (property === 'exec') {
        // pglite-socket rolls back with exec() when a socket drops mid-exchange: the exchange is over.
        return async (...args: Parameters<PGlite['exec']>) => {
          exchangeOpen = false;
          return target.exec(...args);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
