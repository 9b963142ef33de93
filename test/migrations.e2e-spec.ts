import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { MIGRATIONS_FOLDER } from '../src/database/database.service.js';
import { talliesDiffer } from './support/app.js';
import { createScratchDatabase, dropScratchDatabase } from './support/global-setup.js';

// An upgrade, not a fresh install: a database at the release before the tallies, with campaigns in it,
// migrated to now. The tallies must start equal to the rows, and the triggers must keep them so.

const TALLY_TRIGGERS = '0012_campaign_tally_triggers';

/** The migrations folder as it was before `tag`: the same files, the journal cut before it. */
function migrationsBefore(tag: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'migrations-'));
  cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalPath = join(folder, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: Array<{ tag: string }> };
  const at = journal.entries.findIndex((e) => e.tag === tag);
  expect(at).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(journalPath, JSON.stringify(journal));
  return folder;
}

describe('migrations on a database with campaigns in it', () => {
  let client: pg.Client;
  let before: string;
  jest.setTimeout(60_000);

  beforeAll(async () => {
    client = new pg.Client({ connectionString: await createScratchDatabase('migrations') });
    await client.connect();
    before = migrationsBefore(TALLY_TRIGGERS);
  });

  afterAll(async () => {
    await client.end();
    rmSync(before, { recursive: true, force: true });
  });

  it('counts the campaigns sent before the tallies existed, and keeps counting after', async () => {
    await migrate(drizzle(client), { migrationsFolder: before });
    // Two campaigns mid-way: deliveries and messages in several states (the tables hold no foreign keys).
    const campaigns = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    await client.query(
      `insert into deliveries (campaign_id, affected_id, recipient, template, locale, plan, alert, status, updated_at)
       select c::uuid, g, 'person', 'breach-notice', 'en', array['email', 'sms'], g % 2 = 0,
              (array['pending', 'notified', 'unreachable'])[1 + g % 3], now()
       from unnest($1::text[]) c, generate_series(1, 30) g`,
      [campaigns],
    );
    await client.query(
      `insert into messages (campaign_id, delivery_id, channel, status, updated_at)
       select d.campaign_id, d.id, ch,
              case when d.status = 'notified' and ch = 'email' then 'sent'
                   when d.status = 'unreachable' then 'failed' else 'queued' end, now()
       from deliveries d cross join unnest(case when d.alert then array['email', 'push'] else array['email'] end) ch`,
    );

    await migrate(drizzle(client), { migrationsFolder: MIGRATIONS_FOLDER });

    // Every campaign in the database: the test's own client, not an app.
    const differ = () =>
      talliesDiffer({ query: (text, params) => client.query(text, params).then((r) => r.rows) }, null);
    expect(await differ()).toEqual([]);
    const { rows: counted } = await client.query('select count(*)::int as n from campaign_tallies');
    expect(counted[0].n).toBeGreaterThan(6);
    // Dated before the rate's minute: the sends before the upgrade are not the last minute's.
    const { rows: recent } = await client.query(
      "select count(*)::int as n from campaign_tallies where at > now() - interval '1 minute'",
    );
    expect(recent[0].n).toBe(0);

    // From now on the triggers count: a send, a bounce, a cancel.
    await client.query(
      "update messages set status = 'sent' where id in (select id from messages where status = 'queued' limit 7)",
    );
    await client.query(
      "update deliveries set status = 'notified' where id in (select id from deliveries where status = 'pending' limit 5)",
    );
    await client.query("update messages set status = 'failed' where status = 'sent' and channel = 'email'");
    await client.query(
      "update messages set status = 'cancelled' where campaign_id = $1 and status = 'queued'",
      [campaigns[0]],
    );
    expect(await differ()).toEqual([]);
  });

  it('gives the deliveries planned before 0031 their person’s exposed categories, which claims read from them', async () => {
    const database = await createScratchDatabase('migrations-exposed');
    const upgraded = new pg.Client({ connectionString: database });
    await upgraded.connect();
    const older = migrationsBefore('0031_deliveries_carry_exposed');
    try {
      await migrate(drizzle(upgraded), { migrationsFolder: older });
      const {
        rows: [affected],
      } = await upgraded.query(
        `insert into affected_subjects (incident_id, scope_run_id, minor, guardian_contact, exposed_categories,
           channels, added_at)
         values (gen_random_uuid(), gen_random_uuid(), false, false, array['photos', 'email_address'],
           array['email'], now())
         returning id`,
      );
      await upgraded.query(
        `insert into deliveries (campaign_id, affected_id, recipient, template, locale, plan, alert, status, updated_at)
         values (gen_random_uuid(), $1, 'person', 'breach-notice', 'en', array['email'], false, 'pending', now())`,
        [affected.id],
      );
      await migrate(drizzle(upgraded), { migrationsFolder: MIGRATIONS_FOLDER });
      const { rows } = await upgraded.query('select exposed from deliveries');
      expect(rows).toEqual([{ exposed: ['photos', 'email_address'] }]);
    } finally {
      await upgraded.end();
      await dropScratchDatabase(database);
      rmSync(older, { recursive: true, force: true });
    }
  });

  it('a rolling upgrade past 0031: what an older node planned meanwhile gets its categories, and later reads them', async () => {
    const database = await createScratchDatabase('migrations-older-node');
    const upgraded = new pg.Client({ connectionString: database });
    await upgraded.connect();
    const before = migrationsBefore('0032_deliveries_exposed_null_from_older_nodes');
    // An older node's insert: it does not know the column.
    const plannedByOlderNode = (affectedId: string) =>
      upgraded.query(
        `insert into deliveries (campaign_id, affected_id, recipient, template, locale, plan, alert, status, updated_at)
         values (gen_random_uuid(), $1, 'person', 'breach-notice', 'en', array['email'], false, 'pending', now())
         returning id`,
        [affectedId],
      );
    try {
      await migrate(drizzle(upgraded), { migrationsFolder: before });
      const { rows: affected } = await upgraded.query(
        `insert into affected_subjects (incident_id, scope_run_id, minor, guardian_contact, exposed_categories,
           channels, added_at)
         values (gen_random_uuid(), gen_random_uuid(), false, false, array['photos'], array['email'], now()),
                (gen_random_uuid(), gen_random_uuid(), false, false, array[]::text[], array['email'], now())
         returning id`,
      );
      // Between 0031 and 0032: the column's default, '{}', which says "the incident's categories".
      await plannedByOlderNode(affected[0].id);
      await plannedByOlderNode(affected[1].id);
      await migrate(drizzle(upgraded), { migrationsFolder: MIGRATIONS_FOLDER });
      const { rows } = await upgraded.query('select exposed from deliveries order by id');
      expect(rows).toEqual([{ exposed: ['photos'] }, { exposed: [] }]);
      // After it: no default, so the claim tells an older node's delivery apart and reads the affected set.
      const {
        rows: [later],
      } = await plannedByOlderNode(affected[0].id);
      const { rows: stored } = await upgraded.query('select exposed from deliveries where id = $1', [
        later.id,
      ]);
      expect(stored).toEqual([{ exposed: null }]);
    } finally {
      await upgraded.end();
      await dropScratchDatabase(database);
      rmSync(before, { recursive: true, force: true });
    }
  });
});
