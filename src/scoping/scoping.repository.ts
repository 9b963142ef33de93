import { Injectable } from '@nestjs/common';
import { desc, eq, inArray, sql, SQL } from 'drizzle-orm';
import { storable } from '../common/text.js';
import { DatabaseService } from '../database/database.service.js';
import { scopeIdLists, scopeRuns } from '../database/schema.js';
import { AFFECTED_SETS_LOCK } from '../database/locks.js';
import type { ReachOutcome } from '../jurisdictions/reach.repository.js';
import { rowsOf } from '../database/rows.js';
import { mayHold } from '../common/data-categories.js';
import { countsQuery, Criteria, criteriaWhere, exposedCategories, REACHABLE_CHANNELS } from './scope.sql.js';

export type ScopeRunRow = typeof scopeRuns.$inferSelect;
export type IdListRow = typeof scopeIdLists.$inferSelect;

export interface ScopeCounts {
  total: number;
  byJurisdiction: Record<string, number>;
  byDataCategory: Record<string, number>;
  byChannel: { email: number; sms: number; push: number; none: number };
  minors: { total: number; withGuardianContact: number; withoutGuardianContact: number };
}

export interface AffectedFilter {
  jurisdiction?: string;
  minor?: boolean;
  channel?: string;
  category?: string;
  scopeRunId?: string;
  /** Who was told lawfully, who is still to be, who cannot be (jurisdictions/reach.repository.ts). */
  outcome?: ReachOutcome;
}

export interface AffectedRow {
  id: number;
  externalId: string | null;
  jurisdiction: string | null;
  minor: boolean;
  guardianContact: boolean;
  exposedCategories: string[];
  channels: string[];
  scopeRunId: string;
  addedAt: Date;
  notifiedAt: Date | null;
}

const UNMATCHED_SAMPLE = 100;

/** Keys sorted, so equal counts compare and print the same whichever order PostgreSQL aggregated. */
const sorted = (record: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

const json = <T>(value: unknown): T => (typeof value === 'string' ? (JSON.parse(value) as T) : (value as T));

@Injectable()
export class ScopingRepository {
  constructor(private readonly database: DatabaseService) {}

  async counts(source: SQL): Promise<ScopeCounts> {
    const [row] = rowsOf<Record<string, unknown>>(await this.database.db.execute(countsQuery(source)));
    return {
      total: Number(row?.total ?? 0),
      byJurisdiction: sorted(json(row?.by_jurisdiction ?? {})),
      byDataCategory: sorted(json(row?.by_category ?? {})),
      byChannel: json(row?.by_channel),
      minors: json(row?.minors),
    };
  }

  /** Ids given in the criteria (body or list) that are nobody in the directory. */
  async unmatchedIds(criteria: Criteria): Promise<{ count: number; sample: string[] }> {
    const sources: SQL[] = [];
    if (criteria.externalIds?.length) {
      sources.push(sql`select distinct x as id from unnest(${sql.param(criteria.externalIds)}::text[]) as x`);
    }
    if (criteria.idListId) {
      sources.push(
        sql`select i.external_id as id from scope_id_list_items i where i.list_id = ${criteria.idListId}::uuid`,
      );
    }
    if (sources.length === 0) return { count: 0, sample: [] };
    const [row] = rowsOf<{ count: number; sample: string[] | null }>(
      await this.database.db.execute(sql`
        with given as (${sql.join(sources, sql` union `)}),
        missing as (select g.id from given g where not exists (select 1 from subjects s where s.external_id = g.id))
        select (select count(*)::int from missing) as count,
               (select array_agg(id) from (select id from missing order by id limit ${UNMATCHED_SAMPLE}) x) as sample`),
    );
    return { count: row?.count ?? 0, sample: row?.sample ?? [] };
  }

  async createIdList(incidentId: string, name: string | null, createdBy: string | null): Promise<IdListRow> {
    const [row] = await this.database.db
      .insert(scopeIdLists)
      .values({ incidentId, name, count: 0, createdBy })
      .returning();
    return row;
  }

  async addIdListItems(listId: string, ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db.execute(sql`
      insert into scope_id_list_items (list_id, external_id)
      select ${listId}::uuid, x from unnest(${sql.param(ids)}::text[]) as x
      on conflict do nothing`);
  }

  async finishIdList(listId: string): Promise<IdListRow> {
    const [row] = await this.database.db
      .update(scopeIdLists)
      .set({
        count: sql`(select count(*)::int from scope_id_list_items i where i.list_id = ${listId}::uuid)`,
      })
      .where(eq(scopeIdLists.id, listId))
      .returning();
    return row;
  }

  /** A list that was not finished (refused, or its upload failed), with its items. */
  async dropIdList(listId: string): Promise<void> {
    await this.database.db.delete(scopeIdLists).where(eq(scopeIdLists.id, listId));
  }

  async findIdList(listId: string): Promise<IdListRow | undefined> {
    const [row] = await this.database.db.select().from(scopeIdLists).where(eq(scopeIdLists.id, listId));
    return row;
  }

  async createRun(values: typeof scopeRuns.$inferInsert): Promise<ScopeRunRow | undefined> {
    const [row] = await this.database.db.insert(scopeRuns).values(values).onConflictDoNothing().returning();
    return row;
  }

  async findRun(id: string): Promise<ScopeRunRow | undefined> {
    const [row] = await this.database.db.select().from(scopeRuns).where(eq(scopeRuns.id, id));
    return row;
  }

  /**
   * The size of the frozen set, as its latest freeze counted it (written in the freeze's transaction;
   * only a freeze changes the set, and erasure keeps the row): 0 before any freeze. One row, where a
   * count reads the whole set.
   */
  async frozenTotal(incidentId: string): Promise<number> {
    const [row] = rowsOf<{ total: number | null }>(
      await this.database.db.execute(sql`
        select total from scope_runs
        where incident_id = ${incidentId}::uuid and status = 'completed'
        order by created_at desc, id desc limit 1`),
    );
    return Number(row?.total ?? 0);
  }

  async latestRun(incidentId: string): Promise<ScopeRunRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(scopeRuns)
      .where(eq(scopeRuns.incidentId, incidentId))
      .orderBy(desc(scopeRuns.createdAt), desc(scopeRuns.id))
      .limit(1);
    return row;
  }

  async unfinishedRuns(): Promise<string[]> {
    const rows = await this.database.db
      .select({ id: scopeRuns.id })
      .from(scopeRuns)
      .where(inArray(scopeRuns.status, ['queued', 'running']));
    return rows.map((r) => r.id);
  }

  async updateRun(id: string, changes: Partial<ScopeRunRow>): Promise<ScopeRunRow | undefined> {
    const error = typeof changes.error === 'string' ? storable(changes.error) : changes.error;
    const [row] = await this.database.db
      .update(scopeRuns)
      .set({ ...changes, ...(error === undefined ? {} : { error }) })
      .where(eq(scopeRuns.id, id))
      .returning();
    return row;
  }

  /** Until the transaction ends: shared with other freezes, exclusive with erasures (AFFECTED_SETS_LOCK). */
  async lockAffectedSets(): Promise<void> {
    await this.database.db.execute(sql`select pg_advisory_xact_lock_shared(${AFFECTED_SETS_LOCK})`);
  }

  /**
   * The set as a new freeze finds it. `campaigns`: campaigns past their draft (approved, planned, sent, or
   * cancelled after planning): their deliveries point at the set's rows, which must stay.
   */
  async setState(
    incidentId: string,
  ): Promise<{ size: number; notified: number; completedRuns: number; campaigns: number }> {
    const [row] = rowsOf<{ size: number; notified: number; completed_runs: number; campaigns: number }>(
      await this.database.db.execute(sql`
        select (select count(*)::int from affected_subjects where incident_id = ${incidentId}::uuid) as size,
               (select count(*)::int from affected_subjects
                 where incident_id = ${incidentId}::uuid and notified_at is not null) as notified,
               (select count(*)::int from scope_runs
                 where incident_id = ${incidentId}::uuid and status = 'completed') as completed_runs,
               (select count(*)::int from campaigns
                 where incident_id = ${incidentId}::uuid and status <> 'draft'
                   and not (status = 'cancelled' and recipients is null)) as campaigns`),
    );
    return {
      size: row?.size ?? 0,
      notified: row?.notified ?? 0,
      completedRuns: row?.completed_runs ?? 0,
      campaigns: row?.campaigns ?? 0,
    };
  }

  /** People of the set whom the criteria do not match (erased people never match). */
  async countOutsideCriteria(incidentId: string, criteria: Criteria): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        select count(*)::int as n from affected_subjects a
        where a.incident_id = ${incidentId}::uuid
          and not exists (select 1 from subjects s where s.id = a.subject_id and ${criteriaWhere(criteria)})`),
    );
    return row?.n ?? 0;
  }

  async clearSet(incidentId: string): Promise<void> {
    await this.database.db.execute(
      sql`delete from affected_subjects where incident_id = ${incidentId}::uuid`,
    );
  }

  /** Adds everyone the criteria match who is not in the set yet; returns how many were added. */
  async addMatching(
    incidentId: string,
    runId: string,
    criteria: Criteria,
    categories: readonly string[],
    now: Date,
  ): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with added as (
          insert into affected_subjects (incident_id, subject_id, scope_run_id, jurisdiction, minor, under_18,
            guardian_contact, exposed_categories, channels, added_at)
          select ${incidentId}::uuid, s.id, ${runId}::uuid, s.jurisdiction, s.minor, s.under_18,
            s.guardian_has_email or s.guardian_has_phone, ${exposedCategories(categories)}, ${REACHABLE_CHANNELS},
            ${now}
          from subjects s where ${criteriaWhere(criteria)}
          on conflict (subject_id, incident_id) do nothing
          returning 1)
        select count(*)::int as n from added`),
    );
    return row?.n ?? 0;
  }

  async affected(
    incidentId: string,
    filter: AffectedFilter,
    afterId: number,
    limit: number,
  ): Promise<AffectedRow[]> {
    const conditions: SQL[] = [
      sql`a.incident_id = ${incidentId}::uuid`,
      sql`a.id > ${afterId}`,
      ...affectedConditions(filter),
    ];
    const rows = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        select a.id, s.external_id, a.jurisdiction, a.minor, a.guardian_contact, a.exposed_categories,
               a.channels, a.scope_run_id, a.added_at, a.notified_at
        from affected_subjects a left join subjects s on s.id = a.subject_id
        where ${sql.join(conditions, sql` and `)}
        order by a.id limit ${limit}`),
    );
    return rows.map((r) => ({
      id: Number(r.id),
      externalId: (r.external_id as string | null) ?? null,
      jurisdiction: (r.jurisdiction as string | null) ?? null,
      minor: r.minor as boolean,
      guardianContact: r.guardian_contact as boolean,
      exposedCategories: r.exposed_categories as string[],
      channels: r.channels as string[],
      scopeRunId: r.scope_run_id as string,
      addedAt: new Date(r.added_at as string),
      notifiedAt: r.notified_at ? new Date(r.notified_at as string) : null,
    }));
  }
}

/** The affected list's filters as conditions on the affected row `a`. */
export function affectedConditions(filter: AffectedFilter): SQL[] {
  const conditions: SQL[] = [];
  if (filter.jurisdiction) {
    const code = filter.jurisdiction.toUpperCase();
    conditions.push(sql`(a.jurisdiction = ${code} or split_part(a.jurisdiction, '-', 1) = ${code})`);
  }
  if (filter.minor !== undefined) conditions.push(sql`a.minor = ${filter.minor}`);
  if (filter.channel === 'none') conditions.push(sql`cardinality(a.channels) = 0`);
  else if (filter.channel) conditions.push(sql`${filter.channel} = any(a.channels)`);
  // A group finds its finer members too, and a finer category the rows recorded with its group.
  if (filter.category) {
    conditions.push(sql`a.exposed_categories && ${sql.param(mayHold(filter.category))}::text[]`);
  }
  if (filter.scopeRunId) conditions.push(sql`a.scope_run_id = ${filter.scopeRunId}::uuid`);
  return conditions;
}
