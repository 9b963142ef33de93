import { createServer, type Server, type Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { ENCRYPTION_ENV } from './support/app.js';
import { loadConfig } from '../src/config/config.js';
import { DatabaseService } from '../src/database/database.service.js';
import { rowsOf } from '../src/database/rows.js';

// The pool's limits (DESIGN.md, "A statement has a time limit"): a statement over
// PG_STATEMENT_TIMEOUT_MS is cancelled by PostgreSQL and fails, the set-based work runs with
// PG_BULK_STATEMENT_TIMEOUT_MS, and a server that never answers fails the connection after
// PG_CONNECT_TIMEOUT_MS instead of holding it for good.

const open = async (env: Record<string, string>) => {
  const database = new DatabaseService(
    loadConfig({
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      LOG_LEVEL: 'silent',
      ...ENCRYPTION_ENV,
      ...env,
    }),
  );
  await database.open();
  return database;
};

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err as Error & { cause?: Error & { code?: string } },
  );

describe('PostgreSQL timeouts', () => {
  let database: DatabaseService;

  beforeAll(async () => {
    // A tiny limit for ordinary statements, a minute for the bulk ones.
    database = await open({
      PG_STATEMENT_TIMEOUT_MS: '200',
      PG_BULK_STATEMENT_TIMEOUT_MS: '60000',
    });
  });

  afterAll(async () => {
    await database?.onApplicationShutdown();
  });

  const limit = async () =>
    rowsOf<{ statement_timeout: string }>(await database.db.execute(sql`show statement_timeout`))[0]
      ?.statement_timeout;

  it('cancels a statement over the limit with the timeout, rather than waiting for it', async () => {
    const err = await failure(database.db.execute(sql`select pg_sleep(5)`));
    // drizzle wraps the driver's error; PostgreSQL's is its cause: 57014, query_canceled.
    const cause = err?.cause ?? err;
    expect(cause).toMatchObject({ code: '57014' });
    expect(cause?.message).toContain('statement timeout');
    // The connection is fine afterwards, with its limit.
    expect(await limit()).toBe('200ms');
  });

  it('gives a bulk transaction the bulk limit, and the connection its own back after it', async () => {
    const inside = await database.transaction(
      async () => {
        await database.db.execute(sql`select pg_sleep(0.5)`);
        return limit();
      },
      { bulk: true },
    );
    expect(inside).toBe('1min');
    expect(await limit()).toBe('200ms');
    // An ordinary transaction keeps the pool's limit.
    const err = await failure(database.transaction(() => database.db.execute(sql`select pg_sleep(5)`)));
    expect(err?.cause ?? err).toMatchObject({ code: '57014' });
  });

  it('puts the connection that migrated back with the pool limit, not the bulk one', async () => {
    // The pool's only idle connection after open() is the one that ran the migrations.
    const pool = (database.db as unknown as { $client: pg.Pool }).$client;
    expect(pool.totalCount).toBe(1);
    const client = await pool.connect();
    try {
      expect((await client.query<{ statement_timeout: string }>('show statement_timeout')).rows[0]).toEqual({
        statement_timeout: '200ms',
      });
    } finally {
      client.release();
    }
  });
});

describe('PostgreSQL connect timeout', () => {
  let server: Server;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    // Accepts the connection and never answers: a server that hangs, or a full listen queue.
    server = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  });

  it('fails opening a connection after PG_CONNECT_TIMEOUT_MS instead of waiting for good', async () => {
    const { port } = server.address() as { port: number };
    const database = new DatabaseService(
      loadConfig({
        DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/none`,
        PG_CONNECT_TIMEOUT_MS: '300',
        ...ENCRYPTION_ENV,
      }),
    );
    const err = await failure(database.open());
    expect(err?.message).toMatch(/timeout/i);
    expect(sockets.length).toBeGreaterThan(0);
  });
});
