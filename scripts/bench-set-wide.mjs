// The set-wide statements of jobs and requests at scale, timed through the built repositories on a
// database that `bench:warnings --keep --no-cold` left (1M affected people of one incident): which need
// PG_BULK_STATEMENT_TIMEOUT_MS (jobs) and which a request makes under PG_STATEMENT_TIMEOUT_MS.
// First it gives every affected person one delivery and one email in the bench's campaign, if none yet:
// 80% notified (delivered), 10% unreachable (bounced), 10% pending (queued), as a campaign leaves them.
// No limit applies here (PG_STATEMENT_TIMEOUT_MS=0): the figures are what a limit would have to allow.
// Usage: node scripts/bench-set-wide.mjs --database bench_warnings_<n> [--runs 3]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { Clock } from '../dist/common/clock.js';
import { loadConfig } from '../dist/config/config.js';
import { DatabaseService } from '../dist/database/database.service.js';
import { ObligationsRepository } from '../dist/jurisdictions/obligations.repository.js';
import { ReachRepository } from '../dist/jurisdictions/reach.repository.js';
import { CampaignsRepository } from '../dist/notifications/campaigns.repository.js';
import { TalliesRepository } from '../dist/notifications/tallies.repository.js';
import { ReportsRepository } from '../dist/reports/reports.repository.js';
import { frozenSource } from '../dist/scoping/scope.sql.js';
import { ScopingRepository } from '../dist/scoping/scoping.repository.js';
import { BENCH_SECRETS } from './lib/service.mjs';

const { values } = parseArgs({
  options: { database: { type: 'string' }, runs: { type: 'string', default: '3' } },
});
if (!values.database) throw new Error('--database: the name bench:warnings --keep printed');
const RUNS = Number(values.runs);
const ADMIN = process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const url = new URL(ADMIN);
url.pathname = `/${values.database}`;
const INCIDENT = '00000000-0000-4000-8000-000000000001';

const FILL = `
alter table deliveries disable trigger user;
alter table messages disable trigger user;
insert into deliveries (campaign_id, affected_id, subject_id, recipient, template, locale, jurisdiction,
  plan, alert, status, notified_at, updated_at)
select c.id, a.id, a.subject_id, 'person', 'breach-notice', 'en', a.jurisdiction, '{email}', false,
  case when a.id % 10 < 8 then 'notified' when a.id % 10 = 8 then 'unreachable' else 'pending' end,
  case when a.id % 10 < 8 then now() end, now()
from affected_subjects a, (select id from campaigns limit 1) c;
insert into messages (campaign_id, delivery_id, channel, status, attempts, sent_at, error, updated_at)
select d.campaign_id, d.id, 'email',
  case d.status when 'notified' then 'delivered' when 'unreachable' then 'failed' else 'queued' end,
  1, case when d.status = 'notified' then now() end, case when d.status = 'unreachable' then 'bounced' end,
  now()
from deliveries d;
alter table deliveries enable trigger user;
alter table messages enable trigger user;
update affected_subjects set notified_at = now() where id % 10 < 8;
vacuum analyze deliveries;
vacuum analyze messages;
vacuum analyze affected_subjects;`;

const raw = new pg.Client({ connectionString: url.href });
await raw.connect();
const [{ n }] = (await raw.query('select count(*)::int as n from deliveries')).rows;
if (n === 0) {
  const started = performance.now();
  for (const statement of FILL.split(';').filter((s) => s.trim())) await raw.query(statement);
  console.log(`deliveries and messages filled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
const load = async () => (await import('node:os')).loadavg()[0].toFixed(2);

const config = loadConfig({
  DATABASE_URL: url.href,
  PG_STATEMENT_TIMEOUT_MS: '0',
  PG_BULK_STATEMENT_TIMEOUT_MS: '0',
  LOG_LEVEL: 'silent',
  ...BENCH_SECRETS,
});
const database = new DatabaseService(config);
await database.open();
const reach = new ReachRepository(database, config, new Clock());
const obligations = new ObligationsRepository(database);
const campaigns = new CampaignsRepository(database);
const scoping = new ScopingRepository(database);
const reports = new ReportsRepository(database);
const tallies = new TalliesRepository(database);
const jurisdictions = (await reach.unnotified(INCIDENT)).keys();
const some = [...jurisdictions].slice(0, 5);

/** [name, who runs it, work]: a job (bulk limit) or a request (ordinary limit). */
const CASES = [
  [
    'ReachRepository.counts (states of every person)',
    'watch job / GET obligations, report',
    () => reach.counts(INCIDENT),
  ],
  ['ReachRepository.unnotified', 'watch job / GET obligations', () => reach.unnotified(INCIDENT)],
  [
    'ObligationsRepository.jurisdictionFacts',
    'watch job / GET obligations',
    () => obligations.jurisdictionFacts(INCIDENT),
  ],
  [
    'ObligationsRepository.clocks',
    'watch job / GET obligations',
    () => obligations.clocks(INCIDENT, new Date()),
  ],
  [
    "ObligationsRepository.frozenResidents (the freeze's counts)",
    'watch job / GET obligations before a campaign completed',
    () => obligations.frozenResidents(INCIDENT),
  ],
  [
    'CampaignsRepository.readers',
    "plan and release jobs (and a draft's warnings)",
    () => campaigns.readers(INCIDENT),
  ],
  [
    'ScopingRepository.counts(frozen)',
    'report generation (request)',
    () => scoping.counts(frozenSource(INCIDENT)),
  ],
  [
    'ScopingRepository.counts(frozen, 5 jurisdictions)',
    'report generation (request)',
    () => scoping.counts(frozenSource(INCIDENT, some)),
  ],
  [
    "ScopingRepository.frozenTotal (the freeze's total)",
    'report generation (request)',
    () => scoping.frozenTotal(INCIDENT),
  ],
  [
    'ReportsRepository.handling (5 jurisdictions)',
    'report generation (request)',
    () => reports.handling(INCIDENT, some),
  ],
  [
    'ReachRepository.list unreached, 100',
    'GET affected?outcome= (request)',
    () => reach.list(INCIDENT, { outcome: 'unreached', after: 0, limit: 100 }),
  ],
  [
    'ReachRepository.list pending, 100',
    'GET affected?outcome= (request)',
    () => reach.list(INCIDENT, { outcome: 'pending', after: 0, limit: 100 }),
  ],
];
console.log(
  `${values.database}: ${(await raw.query('select count(*)::int as n from affected_subjects')).rows[0].n} affected, ${RUNS} runs each, warm`,
);
for (const [name, who, work] of CASES) {
  const times = [];
  for (let run = 0; run < RUNS; run += 1) {
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${name} [${who}]: median ${(times[Math.floor(RUNS / 2)] / 1000).toFixed(3)} s (${times.map((t) => (t / 1000).toFixed(3)).join(', ')}) | load ${await load()}`,
  );
}
// Destructive: once, last (the bench's 20,000 tallies, 90 s old and more).
{
  const started = performance.now();
  const folded = await tallies.foldTallies(0);
  console.log(
    `TalliesRepository.foldTallies [reconciler job]: ${((performance.now() - started) / 1000).toFixed(2)} s, ${folded} rows folded`,
  );
}
await database.onApplicationShutdown();
await raw.end();
