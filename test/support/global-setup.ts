import pg from 'pg';

/**
 * One fresh PostgreSQL database per test run, so runs never see each other's rows. The server is the
 * one on this machine (see .ci/run); PG_ADMIN_URL points elsewhere.
 */
export default async function globalSetup(): Promise<void> {
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
