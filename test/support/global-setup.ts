import pg from 'pg';
import { startRedis } from '../../scripts/lib/redis-server.mjs';

/**
 * One fresh PostgreSQL database per test run, so runs never see each other's rows. The server is the
 * one on this machine (see .ci/run); PG_ADMIN_URL points elsewhere.
 *
 * And a Redis server of the run's own, on a free port, stopped by the teardown: tests flush the Redis
 * databases they use, and a user's Redis (its database 0 above all) must never be one of them. Given
 * TEST_REDIS_URL instead, the tests use databases 1-15 of that server (never 0).
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.TEST_REDIS_URL) {
    const given = new URL(process.env.TEST_REDIS_URL);
    given.pathname = '';
    process.env.E2E_REDIS_URL = given.toString().replace(/\/$/, '');
  } else {
    const redis = await startRedis({ detached: true });
    process.env.E2E_REDIS_URL = redis.url;
    process.env.E2E_REDIS_PID = String(redis.pid);
  }

  const name = `breach_e2e_${Date.now()}_${process.pid}`;
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    // Old runs' databases are dropped here rather than in a teardown that a killed run would skip; only
    // those over two hours old, so a run in progress elsewhere on this server keeps its database.
    const old = await client.query<{ datname: string }>(
      "select datname from pg_database where datname like 'breach_e2e_%'",
    );
    const cutoff = Date.now() - 2 * 60 * 60 * 1000;
    for (const { datname } of old.rows) {
      const createdMs = Number(datname.split('_')[2]);
      if (!(createdMs < cutoff)) continue;
      await client.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
    }
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  process.env.E2E_DATABASE_URL = databaseUrl(name);
}

const ADMIN_URL = process.env.PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A database of its own, for a test that damages what it finds (the audit tampering test). */
export async function createScratchDatabase(label: string): Promise<string> {
  const name = `breach_e2e_${Date.now()}_${label}`;
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  return databaseUrl(name);
}

/** Drops a database {@link createScratchDatabase} made, once the test is done with it. */
export async function dropScratchDatabase(url: string | undefined): Promise<void> {
  const name = url ? decodeURIComponent(new URL(url).pathname.slice(1)) : '';
  if (!name.startsWith('breach_e2e_')) return;
  const client = new pg.Client({ connectionString: ADMIN_URL });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}
