import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { TALLY_FOLD_LOCK } from '../src/database/locks.js';
import { ObligationsService } from '../src/jurisdictions/obligations.service.js';
import { Reconciler } from '../src/notifications/reconciler.service.js';
import { TalliesRepository } from '../src/notifications/tallies.repository.js';
import { GuardianHashes } from '../src/subjects/guardian-hashes.js';
import { SubjectsService } from '../src/subjects/subjects.service.js';
import { createScratchDatabase } from './support/global-setup.js';
import { bearer, eventually, startApp, TestApp, validIncident } from './support/app.js';

// The set-wide work of jobs runs with PG_BULK_STATEMENT_TIMEOUT_MS, not the pool's
// PG_STATEMENT_TIMEOUT_MS (DESIGN.md, "A statement has a time limit"). A statement's wait for a lock
// counts against its limit, so the proof needs no slow query: another session holds the lock the job's
// transaction takes first, until the job has waited twice the ordinary limit, then lets it go. Under
// the ordinary limit the job's statement is cancelled (57014) before that; under the bulk one it goes on.

const ORDINARY_MS = 1_000;

describe('set-wide jobs under the bulk statement limit', () => {
  let t: TestApp;
  let url: string;
  let holder: pg.Client;

  beforeAll(async () => {
    url = await createScratchDatabase('bulk_limits');
    // The api role: no scheduled job races the ones this file runs by hand.
    t = await startApp({
      DATABASE_URL: url,
      ROLE: 'api',
      PG_STATEMENT_TIMEOUT_MS: String(ORDINARY_MS),
      PG_BULK_STATEMENT_TIMEOUT_MS: '120000',
    });
    holder = new pg.Client({ connectionString: url });
    await holder.connect();
  });

  afterAll(async () => {
    await holder?.end();
    await t?.close();
  });

  /**
   * Runs `job` while `holder` holds the advisory lock `key` (see {@link whileWaiting}).
   */
  async function behindLock<T>(key: string, job: () => Promise<T>): Promise<T> {
    await holder.query(`select pg_advisory_lock(${key})`);
    return whileWaiting('advisory', job, async () => {
      await holder.query(`select pg_advisory_unlock(${key})`);
    });
  }

  /**
   * Runs `job`, and once a statement has waited for a lock of this kind `holder` holds for twice the
   * ordinary limit (or the job ended first, having failed), `release`s it; resolves as the job does.
   * (The clock's time, not now(): `holder` may be inside a transaction, whose now() stands still.)
   */
  async function whileWaiting<T>(
    kind: 'advisory' | 'relation',
    job: () => Promise<T>,
    release: () => Promise<void>,
  ): Promise<T> {
    let settled = false;
    const running = job().finally(() => {
      settled = true;
    });
    try {
      await eventually(async () => {
        if (settled) return true;
        // A transaction reads the activity once and keeps it: a fresh read each time.
        await holder.query('select pg_stat_clear_snapshot()');
        const { rows } = await holder.query(
          `select 1 from pg_stat_activity
           where datname = current_database() and pid <> pg_backend_pid()
             and wait_event_type = 'Lock' and wait_event = $2 and pg_backend_pid() = any(pg_blocking_pids(pid))
             and clock_timestamp() - query_start > make_interval(secs => $1)`,
          [(2 * ORDINARY_MS) / 1000, kind],
        );
        return rows.length > 0 ? true : undefined;
      });
    } finally {
      await release();
    }
    return running;
  }

  it('cancels an ordinary statement over the ordinary limit (57014)', async () => {
    const err = await t.database.db.execute(sql`select pg_sleep(${(3 * ORDINARY_MS) / 1000})`).then(
      () => undefined,
      (e: unknown) => e as Error & { cause?: { code?: string } },
    );
    expect(err?.cause ?? err).toMatchObject({ code: '57014' });
  });

  it("recomputes an incident's obligations in the watch past the ordinary limit", async () => {
    const created = await t.http
      .post('/v1/incidents')
      .set(...bearer(t.keys.responder))
      .send(validIncident())
      .expect(201);
    const incidentId = created.body.id as string;
    const obligations = t.app.get(ObligationsService);
    // The recomputation's transaction takes this lock before its statements over the affected set.
    const lock = `hashtext('obligations:${incidentId}')`;
    const result = await behindLock(lock, () => obligations.watch());
    expect(result.recomputed).toBeGreaterThanOrEqual(1);
    const checked = await t.query('select 1 from obligation_checks where incident_id = $1', [incidentId]);
    expect(checked).toHaveLength(1);
  });

  it("folds the campaigns' tallies for the reconciler past the ordinary limit", async () => {
    const campaignId = randomUUID();
    // Three rows of one status, older than the fold's 90 s: folded into one.
    await t.query(
      `insert into campaign_tallies (campaign_id, kind, channel, status, n, at)
       select $1, 'message', 'email', 'sent', 10, now() - interval '10 minutes' from generate_series(1, 3)`,
      [campaignId],
    );
    // The reconciler's fold (its 90 s), the one of its steps over a whole table.
    const folded = await behindLock(String(TALLY_FOLD_LOCK), () =>
      t.app.get(TalliesRepository).foldTallies(90_000),
    );
    expect(folded).toBe(2);
    expect(await t.query('select n from campaign_tallies where campaign_id = $1', [campaignId])).toEqual([
      { n: 30 },
    ]);
  });

  it('looks for residents to release in the reconciler past the ordinary limit', async () => {
    // The sweep reads every incident's timeline for residents held back: made to wait on the table.
    await holder.query('begin');
    await holder.query('lock table incident_events in access exclusive mode');
    const result = await whileWaiting(
      'relation',
      () => t.app.get(Reconciler).reconcile(),
      async () => {
        await holder.query('rollback');
      },
    );
    expect(result).toMatchObject({ releasesRequeued: 0 });
  });

  it.each([
    [
      "fills guardians' contact hashes (at start)",
      (app: TestApp['app']) => app.get(GuardianHashes).backfill(),
    ],
    [
      're-encrypts the directory (subjects:reencrypt)',
      (app: TestApp['app']) => app.get(SubjectsService).reencrypt(() => undefined),
    ],
  ])('%s past the ordinary limit: it reads the whole directory', async (_what, work) => {
    await holder.query('begin');
    await holder.query('lock table subjects in access exclusive mode');
    const done = await whileWaiting(
      'relation',
      () => work(t.app),
      async () => {
        await holder.query('rollback');
      },
    );
    expect(done).toBe(0);
  });
});
