// The campaign warnings' query at scale (CampaignsRepository.readers: the languages and jurisdictions of an
// incident's people not notified yet, and their guardians'), timed with EXPLAIN (ANALYZE, BUFFERS) warm and
// cold, in a scratch database of its own: migrated, filled by SQL (no service runs), dropped at the end.
// Cold runs need root on the database's machine: they evict the two tables and their indexes from
// shared_buffers (a ballast table read into them) and their files from the kernel's page cache.
// Then CampaignWarnings.of itself (the built one, with its repository on the same database): a draft's
// first call, which reads the readers, and its views after, which reuse them.
// Usage: npm run bench:warnings [-- --people 1000000 --runs 5 --no-cold --keep]
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { Clock } from '../dist/common/clock.js';
import { CampaignWarnings } from '../dist/notifications/campaign.warnings.js';
import { CampaignsRepository } from '../dist/notifications/campaigns.repository.js';
import { readersSql, readersVersionSql } from '../dist/notifications/readers.sql.js';
import { NoticeRenderer } from '../dist/templates/notice.renderer.js';

const { values } = parseArgs({
  options: {
    people: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '5' },
    'no-cold': { type: 'boolean', default: false },
    // Leaves the database in place (its name is printed), for looking at plans afterwards.
    keep: { type: 'boolean', default: false },
  },
});
const PEOPLE = Number(values.people);
const RUNS = Number(values.runs);
const PG_ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const INCIDENT = '00000000-0000-4000-8000-000000000001';
const RUN = '00000000-0000-4000-8000-0000000000a1';

// The incident, its completed scope run, and a campaign of it with 20,000 delivery and message tallies:
// about what a million-person campaign writes before the reconciler folds them (90 s), all of it at
// 10,000 sends a second.
const INCIDENT_ROWS = `
insert into incidents (id, reference, title, discovered_at, state)
values ('${INCIDENT}', 'BENCH-1', 'Warnings bench', now(), 'notifying');
insert into scope_runs (id, incident_id, kind, status, criteria, total, added, finished_at)
values ('${RUN}', '${INCIDENT}', 'initial', 'completed', '{}', ${PEOPLE}, ${PEOPLE}, now());
with c as (
  insert into campaigns (incident_id, template, channels, mode, include_guardians, status)
  values ('${INCIDENT}', 'breach-notice', '{email}', 'escalate', false, 'cancelled') returning id)
insert into campaign_tallies (campaign_id, kind, channel, status, n, at)
select c.id, case when g % 2 = 0 then 'delivery' else 'message' end, case when g % 2 = 0 then '' else 'email' end,
  (array['notified', 'sent', 'pending', 'queued'])[1 + g % 4], case when g % 4 < 2 then 1000 else -1000 end,
  now() - interval '1 minute' + g * interval '3 ms'
from c, generate_series(1, 20000) g;`;

// People: ten locales, 60 jurisdictions; four in five speak their jurisdiction's language, the others any
// of the ten (600 pairs in all). 5% minors with a guardian's email, four in five of the guardians with a
// language of their own. The sealed contacts are dummy bytes of a realistic size: the query reads none.
const FILL = `
insert into subjects (external_id, locale, time_zone, jurisdiction, channel_preferences, data_categories,
  systems, signed_up_at, last_active_at, has_email, has_phone, push_token_count, minor,
  guardian_has_email, guardian_has_phone, guardian_locale, key_id, sealed, email_hash, phone_hash,
  guardian_email_hash)
select 'u-' || g,
  (array['en-US','en-GB','pt-BR','de-DE','fr-FR','es-ES','ja-JP','zh-CN','it-IT','nl-NL'])
    [1 + case when abs(hashint8(g)) % 5 = 0 then abs(hashint8(-g)) % 10 else (g % 60) % 10 end],
  'Europe/Berlin', 'J' || lpad((g % 60)::text, 2, '0'),
  '{email,sms}', '{email_address,name}', '{auth-db}', now() - interval '3 years', now() - interval '3 days',
  true, g % 3 = 0, (g % 4 = 0)::int, g % 20 = 0, g % 20 = 0, false,
  case when g % 20 = 0 and g % 100 <> 0 then (array['en-US','de-DE','fr-FR','ja-JP','es-ES'])[1 + (g / 20) % 5] end,
  'k1', decode(repeat(lpad(to_hex(g % 256), 2, '0'), 320), 'hex'),
  sha256(('e' || g)::bytea), case when g % 3 = 0 then sha256(('p' || g)::bytea) end,
  case when g % 20 = 0 then sha256(('ge' || g)::bytea) end
from generate_series(1::bigint, ${PEOPLE}) g;
-- The whole directory affected, as a freeze writes it (in subject order), nobody notified yet.
insert into affected_subjects (incident_id, subject_id, scope_run_id, jurisdiction, minor, guardian_contact,
  exposed_categories, channels, added_at)
select '${INCIDENT}'::uuid, s.id, '${RUN}'::uuid, s.jurisdiction, s.minor,
  s.guardian_has_email or s.guardian_has_phone, '{email_address,name}', '{email,sms,push}', now()
from subjects s order by s.id;`;

// CampaignsRepository.readers and readersVersion: the very statements, from the build (readers.sql.ts).
const QUERIES = { readers: readersSql(INCIDENT), readersVersion: readersVersionSql(INCIDENT) };

// The tables the two queries read: a cold run reads them all from disk.
const TABLES = ['subjects', 'affected_subjects', 'scope_runs', 'campaigns', 'campaign_tallies'];

const name = `bench_warnings_${Date.now()}`;
const admin = new pg.Client({ connectionString: PG_ADMIN });
await admin.connect();
await admin.query(`create database "${name}"`);
const url = new URL(PG_ADMIN);
url.pathname = `/${name}`;
const db = new pg.Client({ connectionString: url.toString() });
try {
  await db.connect();
  const explain = drizzle(db);
  await migrate(explain, {
    migrationsFolder: new URL('../src/database/migrations', import.meta.url).pathname,
  });
  await db.query(INCIDENT_ROWS);
  let t0 = performance.now();
  await db.query(FILL);
  // As autovacuum leaves them after a freeze (VACUUM cannot share a statement with the fill).
  await db.query('vacuum analyze subjects');
  await db.query('vacuum analyze affected_subjects');
  await db.query('vacuum analyze campaign_tallies');
  console.log(
    `${PEOPLE} people and their affected rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
  const sizes = await db.query(`select relname, pg_size_pretty(pg_total_relation_size(oid)) as total,
      pg_size_pretty(pg_relation_size(oid)) as heap
    from pg_class where relname in ('subjects', 'affected_subjects') order by 1`);
  for (const r of sizes.rows) console.log(`  ${r.relname}: ${r.heap} heap, ${r.total} with indexes`);
  const settings =
    await db.query(`select string_agg(name || '=' || current_setting(name), ' ' order by name) as s
    from pg_settings where name in ('shared_buffers', 'work_mem', 'jit', 'max_parallel_workers_per_gather')`);
  console.log(
    `  server ${(await db.query('show server_version')).rows[0].server_version}: ${settings.rows[0].s}`,
  );
  const cold = !values['no-cold'] && canEvict();
  if (!cold) console.log('  cold runs skipped (--no-cold, or not root on the database machine)');
  for (const [label, query] of Object.entries(QUERIES)) {
    for (const mode of cold ? ['cold', 'warm'] : ['warm']) {
      // The first warm run only warms.
      for (let i = mode === 'warm' ? 0 : 1; i <= RUNS; i += 1) {
        const left = mode === 'cold' ? await evict() : undefined;
        t0 = performance.now();
        const plan = (await explain.execute(sql`explain (analyze, buffers) ${query}`)).rows.map(
          (r) => r['QUERY PLAN'],
        );
        const wall = performance.now() - t0;
        if (i === 0) continue;
        const buffers = plan.find((l) => l.trim().startsWith('Buffers:'))?.trim() ?? '';
        const exec = plan.find((l) => l.startsWith('Execution Time:')) ?? '';
        const load = execFileSync('cat', ['/proc/loadavg']).toString().split(' ')[0];
        const kept = left === undefined ? '' : `, ${left} pages left in shared_buffers`;
        console.log(
          `${label} ${mode} ${i}: ${exec} (round trip ${wall.toFixed(0)} ms${kept}) | ${buffers} | load ${load}`,
        );
        if (i === RUNS && mode === 'warm') console.log(plan.map((l) => `    ${l}`).join('\n'));
      }
    }
  }
  await measureWarnings();
} finally {
  await db.end().catch(() => undefined);
  if (values.keep) console.log(`kept database ${name}`);
  else await admin.query(`drop database if exists "${name}" with (force)`);
  await admin.end();
}

function canEvict() {
  return process.getuid?.() === 0 && ['127.0.0.1', 'localhost'].includes(url.hostname);
}

/**
 * Our tables and indexes out of shared_buffers (a ballast read into them) and out of the page cache.
 * Returns how many of their pages are left in shared_buffers.
 */
async function evict() {
  await db.query(`create table if not exists ballast as
    select g, repeat('x', 200) as pad from generate_series(1, 700000) g`);
  await db.query('create extension if not exists pg_prewarm');
  await db.query('create extension if not exists pg_buffercache');
  // Dirty pages stay in the page cache: written out first.
  await db.query('checkpoint');
  // Six times shared_buffers' size: a page read often has a usage count of 5, one less each sweep.
  const passes = Math.ceil((6 * 128) / 180);
  for (let i = 0; i < passes; i += 1) await db.query(`select pg_prewarm('ballast', 'buffer')`);
  const dir = (await db.query('show data_directory')).rows[0].data_directory;
  const files = await db.query(
    `select pg_relation_filepath(c.oid) as f from pg_class c
    where c.oid = any($1::regclass[])
       or c.oid in (select indexrelid from pg_index where indrelid = any($1::regclass[]))
       or c.oid in (select reltoastrelid from pg_class where oid = any($1::regclass[]))`,
    [TABLES],
  );
  for (const { f } of files.rows) {
    for (let seg = 0; ; seg += 1) {
      const path = `${dir}/${f}${seg === 0 ? '' : `.${seg}`}`;
      if (!existsSync(path)) break;
      execFileSync('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none']);
    }
  }
  const left = await db.query(
    `select count(*)::int as n from pg_buffercache b join pg_class c on b.relfilenode = pg_relation_filenode(c.oid)
      where b.reldatabase = (select oid from pg_database where datname = current_database())
        and (c.oid = any($1::regclass[]) or c.oid in (select indexrelid from pg_index where indrelid = any($1::regclass[])))`,
    [TABLES],
  );
  return left.rows[0].n;
}

/** CampaignWarnings.of on this database: `fresh` calls (a draft, an approval), then calls that reuse. */
async function measureWarnings() {
  const pool = new pg.Pool({ connectionString: url.toString(), max: 2 });
  try {
    const warnings = new CampaignWarnings(
      new CampaignsRepository({ db: drizzle(pool) }),
      new NoticeRenderer(),
      new Clock(),
    );
    // The responders' words in English only: every other language's notice warns.
    const incident = {
      id: INCIDENT,
      language: 'en',
      translations: {},
      guardianWords: {},
      massachusettsWords: {},
      description: 'A misconfigured bucket exposed images and e-mail addresses.',
      cause: 'Misconfiguration',
      likelyConsequences: 'Phishing using the exposed e-mail addresses.',
      measuresTaken: 'Bucket made private; access keys rotated.',
      measuresPlanned: 'Configuration scanning on every deploy.',
      adviceToIndividuals: 'Be wary of e-mails asking for your password.',
      remedies: 'A support line and a year of identity monitoring.',
    };
    const campaign = { template: 'breach-notice', includeGuardians: true };
    const time = async (options) => {
      const t0 = performance.now();
      const found = await warnings.of(campaign, incident, options);
      return { ms: performance.now() - t0, locales: found.flatMap((w) => w.locales) };
    };
    const fresh = [];
    for (let i = 0; i < 3; i += 1) fresh.push(await time({ fresh: true }));
    console.log(
      `of(fresh) ${fresh.map((r) => r.ms.toFixed(0)).join(', ')} ms: ${fresh[0].locales.join(' ')}`,
    );
    const kept = [];
    for (let i = 0; i < 20; i += 1) kept.push((await time({})).ms);
    kept.sort((a, b) => a - b);
    console.log(
      `of(), readers kept, 20 calls: median ${kept[10].toFixed(1)} ms (${kept[0].toFixed(1)}-${kept[19].toFixed(1)})`,
    );
  } finally {
    await pool.end();
  }
}
