import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { AppConfig, type DatabaseConfig, type PostgresTimeouts } from '../config/config.js';
import { PROJECT_ROOT } from '../paths.js';
import * as schema from './schema.js';
import { MIGRATION_LOCK } from './locks.js';
import { rideOutDisconnects } from './connection-errors.js';
import { acquireDataDirLock } from './data-dir-lock.js';
import { openPglite } from './pglite.js';

export type Schema = typeof schema;
/** The same query builder over node-postgres and PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;

export const MIGRATIONS_FOLDER = resolve(PROJECT_ROOT, 'src/database/migrations');

interface Connection {
  db: Db;
  /** The one bytea value a one-row, one-column query returns, as bytes that never were a string. */
  readBytes(query: string, params: unknown[]): Promise<Buffer | undefined>;
  close(): Promise<void>;
}

/**
 * The one way to the database: PostgreSQL when DATABASE_URL is set, else embedded PGlite. Runs the
 * migrations at start. `transaction()` puts a transaction in async context, so every repository call
 * inside it (the change and its audit entry) commits or rolls back together without passing `tx` around.
 */
@Injectable()
export class DatabaseService implements OnApplicationShutdown {
  private readonly logger = new Logger(DatabaseService.name);
  private readonly context = new AsyncLocalStorage<Db>();
  private connection?: Connection;

  constructor(private readonly config: AppConfig) {}

  /** Opens the connection and migrates. Called once by the module's factory before anything else runs. */
  async open(): Promise<void> {
    const started = Date.now();
    this.connection =
      this.config.database.kind === 'postgres'
        ? await openPostgres(this.config.database)
        : await openEmbedded(this.config.database.dataDir);
    this.logger.log(`database ready (${this.config.database.kind}) in ${Date.now() - started} ms`);
  }

  /** Which engine: a few bulk paths pass bytes differently to PGlite, whose bytea conversion is slow. */
  get kind(): DatabaseConfig['kind'] {
    return this.config.database.kind;
  }

  /** The current transaction when inside {@link transaction}, else the database. */
  get db(): Db {
    const inTransaction = this.context.getStore();
    if (inTransaction) return inTransaction;
    if (!this.connection) throw new Error('database is not open');
    return this.connection.db;
  }

  /**
   * Runs `work` in one transaction; nested calls join the outer one.
   *
   * `asyncCommit` skips waiting for the WAL flush at commit (`synchronous_commit = off`): for steps of a
   * longer job whose end commits normally. A crash may lose the last such commits, never half of one, and
   * the final synchronous commit flushes the WAL of every earlier one. Imports use it per batch, so a
   * million rows cost two hundred WAL flushes less; a lost batch is redone from its checkpoint.
   *
   * `retries`: run again, after a short pause, when PostgreSQL ended it for a deadlock or a serialization
   * failure (it rolled back); `work` must be safe to run again. Not when nested.
   *
   * `bulk`: its statements may run for PG_BULK_STATEMENT_TIMEOUT_MS instead of the pool's
   * PG_STATEMENT_TIMEOUT_MS (`set local`, so the connection goes back to the pool with its own
   * limit). For the statements of jobs and background work over a whole affected set, campaign, table
   * or directory (DESIGN.md, "A statement has a time limit", lists them). Not when nested.
   */
  async transaction<T>(
    work: () => Promise<T>,
    options: { asyncCommit?: boolean; retries?: number; bulk?: boolean } = {},
  ): Promise<T> {
    if (this.context.getStore()) return work();
    const database = this.config.database;
    const bulkTimeout = options.bulk && database.kind === 'postgres' ? database.bulkStatementTimeoutMs : null;
    const once = () =>
      this.db.transaction(async (tx) => {
        if (options.asyncCommit) await tx.execute(sql`set local synchronous_commit = off`);
        if (bulkTimeout !== null) {
          await tx.execute(sql`select set_config('statement_timeout', ${String(bulkTimeout)}, true)`);
        }
        return this.context.run(tx, work);
      });
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await once();
      } catch (err) {
        if (attempt >= (options.retries ?? 0) || !retryable(err)) throw err;
        await new Promise((r) => setTimeout(r, 50 * 2 ** attempt * (1 + Math.random())));
      }
    }
  }

  /**
   * One bytea value, outside any transaction, as bytes. node-postgres turns every value into a string
   * first (bytea as hex, twice its size); megabyte strings go to V8's large-object space and stay until a
   * full GC, so a million-row import's heap would swing by hundreds of MB. On PostgreSQL this reads the
   * value with a binary COPY instead.
   */
  async readBytes(query: string, params: unknown[]): Promise<Buffer | undefined> {
    if (!this.connection) throw new Error('database is not open');
    return this.connection.readBytes(query, params);
  }

  async ping(): Promise<void> {
    await this.db.execute(sql`select 1`);
  }

  async onApplicationShutdown(): Promise<void> {
    const connection = this.connection;
    this.connection = undefined;
    await connection?.close();
  }
}

/** What opening PostgreSQL takes: its URL and the connections' limits. */
type PostgresConnection = { url: string } & PostgresTimeouts;

/**
 * The pool's limits. A connection that cannot be opened fails its request or job after
 * PG_CONNECT_TIMEOUT_MS (node-postgres waits forever by default: a server that stopped answering
 * held every request until the client gave up). Every statement has PostgreSQL's `statement_timeout`,
 * sent at connection start so it holds for every statement of the connection (a wait for a lock counts):
 * 60 s by default, twenty times the longest statement of a request or send at a million people (a
 * scope's preview, whose target is 3 s; cancelling 1.4M messages took 2-3.5 s), so a statement that runs
 * away or waits behind a stuck lock frees its connection instead of holding one of ten for good. The
 * statements over every row of a directory or campaign take longer (a freeze under 15 s, a plan 31-35 s
 * in all at a million on two cores, twice that in the machine's slow spells): they run with
 * PG_BULK_STATEMENT_TIMEOUT_MS (30 min by default) through `transaction(..., { bulk: true })`, and
 * so do the migrations at start and the other jobs' reads over a whole affected set or table (the
 * obligations watch, the reconciler's sweeps, re-encryption). Imports are not among them: each batch of
 * 5,000 rows is its own short transaction.
 */
function poolOptions({ url, ...timeouts }: PostgresConnection): pg.PoolConfig {
  return {
    connectionString: url,
    max: 10,
    connectionTimeoutMillis: timeouts.connectTimeoutMs,
    // 0 sends nothing: the server's own setting applies.
    ...(timeouts.statementTimeoutMs > 0 ? { statement_timeout: timeouts.statementTimeoutMs } : {}),
  };
}

async function openPostgres(config: PostgresConnection): Promise<Connection> {
  const { drizzle } = await import('drizzle-orm/node-postgres');
  const { migrate } = await import('drizzle-orm/node-postgres/migrator');
  const pool = new pg.Pool(poolOptions(config));
  rideOutDisconnects(pool, new Logger(DatabaseService.name), 'database');
  // API and worker nodes may start together: one migrates while the others wait on the lock, then find
  // nothing left to do. A migration may rewrite a table of a million rows, and the others wait for it:
  // the bulk limit, for this connection's session until it goes back to the pool.
  const client = await pool.connect();
  try {
    await client.query(`select set_config('statement_timeout', $1, false)`, [
      String(config.bulkStatementTimeoutMs),
    ]);
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    // Back to the value the connection started with (the pool's limit); a connection that cannot be
    // reset is closed rather than pooled with the bulk limit.
    const notReset = await client.query('reset statement_timeout').then(
      () => undefined,
      (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
    );
    client.release(notReset);
  }
  return {
    db: drizzle(pool, { schema }) as unknown as Db,
    readBytes: (query, params) => copyOutBytes(pool, query, params),
    close: () => pool.end(),
  };
}

async function openEmbedded(dataDir: string): Promise<Connection> {
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  const inMemory = dataDir.startsWith('memory://');
  if (!inMemory) mkdirSync(dataDir, { recursive: true });
  const release = acquireDataDirLock(dataDir);
  let client: PGlite;
  try {
    // The directory's hot pages; the rest come from the files through the operating system's cache.
    client = await openPglite(inMemory ? dataDir : resolve(dataDir, 'pg'), '32MB');
    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });
  } catch (err) {
    release();
    throw err;
  }
  const db = drizzle(client, { schema }) as unknown as Db;
  return {
    db,
    // PGlite converts bytea slowly (about 90 ms per MB read, 200 ms per MB written); base64 text is ten
    // times faster.
    readBytes: async (query, params) => {
      const result = await client.query<unknown[]>(
        `select encode(q.v, 'base64') from (${query}) as q(v)`,
        params,
        {
          rowMode: 'array',
        },
      );
      const value = result.rows[0]?.[0];
      return typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
    },
    close: async () => {
      await client.close();
      release();
    },
  };
}

/** Binary COPY of a query's first column of its first row: header, then (int16 fields, int32 length, data). */
async function copyOutBytes(pool: pg.Pool, query: string, params: unknown[]): Promise<Buffer | undefined> {
  // COPY takes no parameters: they are inlined as quoted literals.
  const literal = (value: unknown) => `'${String(value).replace(/'/g, "''")}'`;
  const text = query.replace(/\$(\d+)/g, (_, n: string) => literal(params[Number(n) - 1]));
  const client = await pool.connect();
  try {
    const stream = client.query(copyTo(`copy (${text}) to stdout (format binary)`));
    const parts: Buffer[] = [];
    for await (const part of stream as AsyncIterable<Buffer>) parts.push(part);
    const data = Buffer.concat(parts);
    // 11-byte signature, int32 flags, int32 extension length (+ extension), then the first tuple.
    let offset = 11 + 4;
    offset += 4 + data.readInt32BE(offset);
    if (offset + 2 > data.length || data.readInt16BE(offset) === -1) return undefined;
    offset += 2;
    const length = data.readInt32BE(offset);
    return length < 0 ? undefined : data.subarray(offset + 4, offset + 4 + length);
  } finally {
    client.release();
  }
}

/**
 * SQLSTATEs after which a transaction can be run again: a deadlock, a serialization failure. (Not a lost
 * connection: its commit may have gone through, and a run after it would see its own work as another's.)
 */
const RETRYABLE = /^(40001|40P01)$/;

/** Whether `err` (or what it wraps: drizzle wraps the driver's error) is one a transaction may be retried after. */
export function retryable(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && RETRYABLE.test(code)) return true;
  }
  return false;
}
