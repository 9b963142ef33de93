import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { knownJurisdictions } from '../src/jurisdictions/codes.js';
import { noticeVariantSqlOf } from '../src/jurisdictions/notice-variant.sql.js';
import { noticeVariant } from '../src/jurisdictions/rules/notice-profiles.js';

// The planner cuts batches by the notice variant it computes in SQL, and the send job renders each batch's
// email by the variant computed in TypeScript: both come from the notice profiles, and must agree on every
// jurisdiction code the service accepts (and on what it does not), on a real PostgreSQL.

describe('notice variants in SQL and in TypeScript', () => {
  let client: pg.Client;

  beforeAll(async () => {
    client = new pg.Client({ connectionString: process.env.E2E_DATABASE_URL });
    await client.connect();
  });

  afterAll(() => client.end());

  it('agree for every jurisdiction code the service knows, and for codes it does not', async () => {
    const known = knownJurisdictions();
    // Every country and every subdivision the codes list (ICU names about 250 countries).
    expect(known.length).toBeGreaterThan(300);
    expect(known).toEqual(expect.arrayContaining(['US-CA', 'US-MA', 'US-NY', 'US-TX', 'CA-QC', 'KR', 'DE']));
    const odd = ['', 'US', 'USA', 'us-ca', 'US-', '-CA', 'US-CA-X', 'CA-QC ', 'XX', 'KR-11'];
    const jurisdictions: Array<string | null> = [...known, ...odd, null];
    const { rows } = await drizzle(client).execute<{ j: string | null; v: string }>(sql`
      select j, ${noticeVariantSqlOf(sql`j`)} as v
      from unnest(${sql.param(jurisdictions)}::text[]) with ordinality as x(j, i) order by i`);
    expect(rows.map((r) => [r.j, r.v])).toEqual(jurisdictions.map((j) => [j, noticeVariant(j)]));
    // Not all the same: the profiles' variants are there.
    expect(new Set(rows.map((r) => r.v))).toEqual(
      new Set([
        '',
        'US',
        'US-CA',
        'US-MA',
        'US-NY',
        'US-WA',
        'CA',
        'CA-QC',
        'KR',
        'BR',
        'SG',
        'JP',
        'CN',
        'IN',
      ]),
    );
  });
});
