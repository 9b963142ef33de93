import { sql, type SQL } from 'drizzle-orm';
import { lawfulMethodTable, type EsignConsent, type NoticeMethod } from './rules/notice-methods.js';

/**
 * `lawfulMethods` (rules/notice-methods.ts) over a text column, in SQL, from the same table: the channels
 * that count as the notice for a resident of the jurisdiction, as a text[]. The jurisdiction's own entry,
 * else its country's, else any effective means. The table has a handful of distinct answers, so the
 * expression is one `case` over a few arrays, whatever the number of codes.
 * test/medium/reach.spec.ts checks it agrees with the TypeScript for every code the service knows.
 */
export function lawfulMethodsSqlOf(jurisdiction: SQL, day: string, consent: EsignConsent): SQL {
  const { codes, fallback } = lawfulMethodTable(day, consent);
  const groups = new Map<string, { methods: NoticeMethod[]; codes: string[] }>();
  for (const entry of codes) {
    const key = entry.methods.join(',');
    const group = groups.get(key) ?? { methods: entry.methods, codes: [] };
    group.codes.push(entry.code);
    groups.set(key, group);
  }
  const array = (methods: readonly NoticeMethod[]) => sql`${sql.param([...methods])}::text[]`;
  const country = sql`split_part(${jurisdiction}, '-', 1)`;
  const whens = [...groups.values()].map(
    (g) => sql`when ${jurisdiction} = any(${sql.param(g.codes)}::text[]) then ${array(g.methods)}`,
  );
  const countries = [...groups.values()].map(
    (g) => sql`when ${country} = any(${sql.param(g.codes)}::text[]) then ${array(g.methods)}`,
  );
  return sql`(case ${sql.join([...whens, ...countries], sql` `)} else ${array(fallback)} end)`;
}
