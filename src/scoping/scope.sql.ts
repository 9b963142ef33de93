import { sql, SQL } from 'drizzle-orm';
import { covers, exposurePlan, mayHold } from '../common/data-categories.js';
import type { ScopeCriteriaDto } from './scoping.dto.js';

export type Criteria = ScopeCriteriaDto;

const param = (values: readonly string[]) => sql`${sql.param(values)}::text[]`;

/** Matches a jurisdiction column against codes, a country matching its subdivisions. */
function jurisdictionIn(column: SQL, codes: readonly string[]): SQL {
  const upper = codes.map((c) => c.toUpperCase());
  return sql`(${column} = any(${param(upper)}) or split_part(${column}, '-', 1) = any(${param(upper)}))`;
}

/** The criteria as one SQL condition over `subjects s`. Every part is a bound parameter. */
export function criteriaWhere(criteria: Criteria): SQL {
  const parts: SQL[] = [sql`true`];
  // A category takes in people recorded with what may hold it: its finer members, and its group (one
  // recorded only with `personal_identifiers` may have the email address a scope asks for).
  if (criteria.dataCategories?.length) {
    if (criteria.dataCategoriesMatch === 'all') {
      for (const category of criteria.dataCategories) {
        parts.push(sql`s.data_categories && ${param(mayHold(category))}`);
      }
    } else {
      parts.push(sql`s.data_categories && ${param(criteria.dataCategories.flatMap(mayHold))}`);
    }
  }
  if (criteria.systems?.length) parts.push(sql`s.systems && ${param(criteria.systems)}`);
  if (criteria.jurisdictions?.length) parts.push(jurisdictionIn(sql`s.jurisdiction`, criteria.jurisdictions));
  if (criteria.activeFrom) parts.push(sql`s.last_active_at >= ${criteria.activeFrom}::timestamptz`);
  if (criteria.activeTo) parts.push(sql`s.last_active_at <= ${criteria.activeTo}::timestamptz`);
  if (criteria.signedUpAfter) parts.push(sql`s.signed_up_at >= ${criteria.signedUpAfter}::timestamptz`);
  if (criteria.signedUpBefore) parts.push(sql`s.signed_up_at < ${criteria.signedUpBefore}::timestamptz`);
  if (criteria.externalIds) parts.push(sql`s.external_id = any(${param(criteria.externalIds)})`);
  if (criteria.idListId) parts.push(inList(criteria.idListId));
  const exclude = criteria.exclude;
  if (exclude?.externalIds?.length) parts.push(sql`not (s.external_id = any(${param(exclude.externalIds)}))`);
  if (exclude?.idListId) parts.push(sql`not ${inList(exclude.idListId)}`);
  if (exclude?.jurisdictions?.length) {
    parts.push(
      sql`(s.jurisdiction is null or not ${jurisdictionIn(sql`s.jurisdiction`, exclude.jurisdictions)})`,
    );
  }
  if (exclude?.systems?.length) parts.push(sql`not (s.systems && ${param(exclude.systems)})`);
  // Leaves out only those surely holding it (the category or its members), never everyone in its group.
  if (exclude?.dataCategories?.length)
    parts.push(sql`not (s.data_categories && ${param(exclude.dataCategories.flatMap(covers))})`);
  return sql.join(parts, sql` and `);
}

function inList(listId: string): SQL {
  return sql`exists (select 1 from scope_id_list_items i where i.list_id = ${listId}::uuid and i.external_id = s.external_id)`;
}

/**
 * What of a person was exposed: their categories met with the incident's, each as finely as either side
 * knows it (all of theirs if it names none). `exposure` in common/data-categories.ts, in SQL: the
 * person's own categories that one of the incident's covers, then the members the incident names of a
 * group the person is recorded with.
 */
export function exposedCategories(categories: readonly string[]): SQL {
  if (categories.length === 0) return sql`s.data_categories`;
  const { kept, members } = exposurePlan(categories);
  const own = sql`array(select c from unnest(s.data_categories) with ordinality as o(c, n)
    where c = any(${param(kept)}) order by n)`;
  if (members.length === 0) return own;
  return sql`(${own} || array(select m from unnest(${param(members.map((p) => p.member))},
      ${param(members.map((p) => p.group))}) with ordinality as g(m, grp, n)
    where g.grp = any(s.data_categories) and not (g.m = any(s.data_categories)) order by n))`;
}

/**
 * The channels a notice can reach a person by: the guardian's (email, sms) for a minor with guardian
 * contact, else their own. Mirrors `reachableChannels` in subject.validation.ts.
 */
export const REACHABLE_CHANNELS = sql`case
  when s.minor and (s.guardian_has_email or s.guardian_has_phone) then array_remove(array[
    case when s.guardian_has_email then 'email' end,
    case when s.guardian_has_phone then 'sms' end]::text[], null)
  else array_remove(array[
    case when s.has_email then 'email' end,
    case when s.has_phone then 'sms' end,
    case when s.push_token_count > 0 then 'push' end]::text[], null)
  end`;

/**
 * The preview's and the frozen set's counts, from one row source with columns jurisdiction, exposed,
 * channels, minor, guardian_contact: the same SQL for both, so they agree.
 */
export function countsQuery(source: SQL): SQL {
  return sql`
    with m as materialized (${source})
    select
      (select count(*)::int from m) as total,
      (select coalesce(json_object_agg(j, n), '{}'::json)
         from (select coalesce(jurisdiction, 'unknown') as j, count(*)::int as n from m group by 1) a)
        as by_jurisdiction,
      (select coalesce(json_object_agg(c, n), '{}'::json)
         from (select c, count(*)::int as n from m, unnest(m.exposed) as c group by 1) b) as by_category,
      (select json_build_object(
          'email', count(*) filter (where 'email' = any(channels)),
          'sms', count(*) filter (where 'sms' = any(channels)),
          'push', count(*) filter (where 'push' = any(channels)),
          'none', count(*) filter (where cardinality(channels) = 0)) from m) as by_channel,
      (select json_build_object(
          'total', count(*) filter (where minor),
          'withGuardianContact', count(*) filter (where minor and guardian_contact),
          'withoutGuardianContact', count(*) filter (where minor and not guardian_contact)) from m) as minors`;
}

export function previewSource(criteria: Criteria, categories: readonly string[]): SQL {
  return sql`select s.jurisdiction, ${exposedCategories(categories)} as exposed, ${REACHABLE_CHANNELS} as channels,
      s.minor, (s.guardian_has_email or s.guardian_has_phone) as guardian_contact
    from subjects s where ${criteriaWhere(criteria)}`;
}

/** The frozen set of an incident, or the part of it living in some jurisdictions (a regulator's share). */
export function frozenSource(incidentId: string, jurisdictions?: readonly string[]): SQL {
  const only = jurisdictions ? sql` and a.jurisdiction = any(${param(jurisdictions)})` : sql``;
  return sql`select a.jurisdiction, a.exposed_categories as exposed, a.channels, a.minor, a.guardian_contact
    from affected_subjects a where a.incident_id = ${incidentId}::uuid${only}`;
}
