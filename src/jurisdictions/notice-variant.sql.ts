import { sql, type SQL } from 'drizzle-orm';
import { noticeVariantCodes } from './rules/notice-profiles.js';

const { subdivisions, countries } = noticeVariantCodes();

/**
 * `noticeVariant` (rules/notice-profiles.ts) over a text column, in SQL, from the same table of notice
 * profiles: a subdivision with a profile of its own is its own variant, else its country when the country
 * has one, else ''. The planner cuts batches by it; test/notice-variants.e2e-spec.ts checks that it agrees
 * with the TypeScript for every jurisdiction code the service knows.
 */
export function noticeVariantSqlOf(jurisdiction: SQL): SQL {
  const country = sql`split_part(${jurisdiction}, '-', 1)`;
  return sql`case when ${jurisdiction} = any(${sql.param(subdivisions)}::text[]) then ${jurisdiction}
    when ${country} = any(${sql.param(countries)}::text[]) then ${country}
    else '' end`;
}
