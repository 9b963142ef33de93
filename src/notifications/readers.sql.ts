import { sql, type SQL } from 'drizzle-orm';

// Who reads a campaign's notices, and in which language, in SQL over `affected_subjects a join subjects s`:
// the planner's deliveries, the languages it resolves beforehand and the campaign warnings' readers all
// say it with these, so they cannot drift apart (a guardian with no language of their own was once read
// in the jurisdiction's language by the warnings while the planner wrote the child's). The benchmark
// (scripts/bench-warnings.mjs) times these very statements.

/** A minor whom a campaign with guardians reaches through their guardian: one with a guardian's email or phone. */
export const THROUGH_GUARDIAN = sql`(a.minor and (s.guardian_has_email or s.guardian_has_phone))`;

/** The language a notice is read in: a person's own; a guardian's own, else the child's. */
export const readerLocale = (guardian: SQL): SQL =>
  sql`case when ${guardian} then coalesce(s.guardian_locale, s.locale) else s.locale end`;

/**
 * The incident's readers: each distinct language and jurisdiction of the people not notified yet, and of
 * the guardians a campaign with guardians would reach (`guardian`), with whether the person is reached
 * through their guardian when the campaign has guardians (`throughGuardian`: then they read no notice of
 * their own). No person in it. A join of the whole affected set: 1.3-2.8 s at a million people
 * (docs/benchmarks.md).
 */
export const readersSql = (incidentId: string): SQL => sql`
  select distinct l.locale, a.jurisdiction, l.guardian, r.through as "throughGuardian"
  from affected_subjects a join subjects s on s.id = a.subject_id
  cross join lateral (select ${THROUGH_GUARDIAN} as through) r
  cross join lateral (values (${readerLocale(sql`false`)}, false), (${readerLocale(sql`true`)}, true))
    as l(locale, guardian)
  where a.incident_id = ${incidentId}::uuid and a.notified_at is null and (not l.guardian or r.through)`;

/**
 * Changes whenever the incident's people not notified yet may have changed, read from a few rows: its
 * latest scope run (a freeze adds or replaces people in the same transaction that completes the run)
 * and its campaigns' delivery tallies (a notice that leaves, or bounces after it left, moves someone out
 * of the set or back into it in a statement that changes a delivery's status, and so adds a tally row).
 * Count and highest id both: a fold removes rows, and a row written by a transaction that began
 * earlier may become visible with a lower id than one already seen. Erasures only remove readers and
 * are not in it; nor are directory edits (people's languages, a guardian's contact given or removed).
 */
export const readersVersionSql = (incidentId: string): SQL => sql`
  select concat_ws(':',
    (select r.id::text || r.status from scope_runs r where r.incident_id = ${incidentId}::uuid
      order by r.created_at desc, r.id desc limit 1),
    t.n, t.last, t.notified) as version
  from (select count(*) as n, max(t.id) as last,
               sum(t.n) filter (where t.status = 'notified') as notified
        from campaign_tallies t
        where t.campaign_id in (select c.id from campaigns c where c.incident_id = ${incidentId}::uuid)
          and t.kind = 'delivery') t`;
