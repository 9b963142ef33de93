import { Injectable } from '@nestjs/common';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { obligationChecks, obligations } from '../database/schema.js';
import { rowsOf } from '../database/rows.js';
import type { Clocks, JurisdictionFacts } from './rules/compute.js';

export type ObligationRow = typeof obligations.$inferSelect;
export type NewObligationRow = typeof obligations.$inferInsert;

/** What a recomputation writes: everything but the decisions and alerts, which it keeps. */
export type ComputedColumns = Omit<
  NewObligationRow,
  | 'id'
  | 'withdrawnAt'
  | 'metAt'
  | 'metBy'
  | 'waivedAt'
  | 'waivedReason'
  | 'decidedBy'
  | 'alertedDueSoonAt'
  | 'alertedMissedAt'
>;

@Injectable()
export class ObligationsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Serialises recomputations of one incident (two at once would both write the same changes). */
  async lockIncident(incidentId: string): Promise<void> {
    await this.database.db.execute(
      sql`select pg_advisory_xact_lock(hashtext(${`obligations:${incidentId}`}))`,
    );
  }

  /**
   * Per jurisdiction of the frozen affected set: residents, minors, the categories exposed, and the
   * residents by what was exposed of them (thresholds count those whose data meets a law's definition).
   */
  async jurisdictionFacts(
    incidentId: string,
  ): Promise<Omit<JurisdictionFacts, 'riskLevel' | 'encrypted' | 'cyberAttack'>[]> {
    // One statement: this runs inside the recomputation's transaction (one connection). A row per
    // jurisdiction and distinct set of exposed categories: a handful, whatever the size of the set.
    const result = await this.database.db.execute(sql`
        select jurisdiction, exposed_categories as categories, count(*)::int as residents,
               (count(*) filter (where minor))::int as minors,
               (count(*) filter (where under_18 or minor))::int as under18
        from affected_subjects where incident_id = ${incidentId}::uuid
        group by jurisdiction, exposed_categories`);
    const byJurisdiction = new Map<
      string | null,
      Omit<JurisdictionFacts, 'riskLevel' | 'encrypted' | 'cyberAttack'>
    >();
    for (const row of rowsOf<{
      jurisdiction: string | null;
      categories: string[];
      residents: number;
      minors: number;
      under18: number;
    }>(result)) {
      const categories = [...new Set(row.categories)].sort();
      const entry = byJurisdiction.get(row.jurisdiction) ?? {
        jurisdiction: row.jurisdiction,
        residents: 0,
        minors: 0,
        under18: 0,
        categories: [],
        exposures: [],
      };
      entry.residents += row.residents;
      entry.minors += row.minors;
      entry.under18 = (entry.under18 ?? 0) + row.under18;
      entry.categories = [...new Set([...entry.categories, ...categories])].sort();
      entry.exposures = [...(entry.exposures ?? []), { categories, residents: row.residents }];
      byJurisdiction.set(row.jurisdiction, entry);
    }
    return [...byJurisdiction.values()];
  }

  /** The obligation keys an incident's timeline already has an event of this kind for. */
  async keysOnTimeline(incidentId: string, kind: string): Promise<Set<string>> {
    const rows = rowsOf<{ key: string | null }>(
      await this.database.db.execute(sql`
        select distinct details->>'key' as key from incident_events
        where incident_id = ${incidentId}::uuid and kind = ${kind}`),
    );
    return new Set(rows.flatMap((r) => (r.key ? [r.key] : [])));
  }

  /** When the clocks of an incident started, from its timeline, its affected set and its reports. */
  async clocks(incidentId: string, awareness: Date): Promise<Clocks> {
    const confirmed = await this.database.db.execute(sql`
        select min(at) as at from incident_events
        where incident_id = ${incidentId}::uuid and kind = 'transition' and to_state = 'confirmed'`);
    const notified = await this.database.db.execute(sql`
        select jurisdiction, min(notified_at) as at from affected_subjects
        where incident_id = ${incidentId}::uuid and notified_at is not null and jurisdiction is not null
        group by jurisdiction`);
    const filed = await this.database.db.execute(sql`
        select regulator_id, min(submitted_at) as at from reports
        where incident_id = ${incidentId}::uuid and phase = 'initial' and submitted_at is not null
        group by regulator_id`);
    const date = (value: unknown) => (value ? new Date(value as string) : null);
    return {
      awareness,
      confirmed: date(rowsOf<{ at: unknown }>(confirmed)[0]?.at),
      individualsNotified: Object.fromEntries(
        rowsOf<{ jurisdiction: string; at: unknown }>(notified).map((r) => [r.jurisdiction, date(r.at)!]),
      ),
      initialReportFiled: Object.fromEntries(
        rowsOf<{ regulator_id: string; at: unknown }>(filed).map((r) => [r.regulator_id, date(r.at)!]),
      ),
    };
  }

  /** When the incident's last campaign completed, if one did: individuals were told. */
  async completedCampaign(incidentId: string): Promise<{ id: string; finishedAt: Date } | undefined> {
    const result = await this.database.db.execute(sql`
      select id, finished_at from campaigns
      where incident_id = ${incidentId}::uuid and status = 'completed' and finished_at is not null
      order by finished_at desc limit 1`);
    const [row] = rowsOf<{ id: string; finished_at: unknown }>(result);
    return row ? { id: row.id, finishedAt: new Date(row.finished_at as string) } : undefined;
  }

  /**
   * Residents per jurisdiction of the frozen affected set, as its latest freeze counted them: the
   * completed scope run's `counts.byJurisdiction`, written in the freeze's transaction from the whole set
   * (scoping.service.ts). The set changes only by a freeze, one at a time per incident, and erasure keeps
   * the row and its jurisdiction (it nulls only subject_id), so this is the count of the set's rows per
   * jurisdiction, read from one row where a count would read every row of the set. Residents without a
   * jurisdiction (the counts' `unknown`, never a code: codes are two letters) are left out.
   */
  async frozenResidents(incidentId: string): Promise<Map<string, number>> {
    const [row] = rowsOf<{ by_jurisdiction: Record<string, number> | null }>(
      await this.database.db.execute(sql`
        select counts -> 'byJurisdiction' as by_jurisdiction from scope_runs
        where incident_id = ${incidentId}::uuid and status = 'completed'
        order by created_at desc, id desc limit 1`),
    );
    return new Map(
      Object.entries(row?.by_jurisdiction ?? {})
        .filter(([jurisdiction]) => jurisdiction !== 'unknown')
        .map(([jurisdiction, n]) => [jurisdiction, Number(n)]),
    );
  }

  async forIncident(incidentId: string): Promise<ObligationRow[]> {
    return this.database.db
      .select()
      .from(obligations)
      .where(eq(obligations.incidentId, incidentId))
      .orderBy(asc(obligations.dueAt), asc(obligations.key));
  }

  async findById(id: string): Promise<ObligationRow | undefined> {
    const [row] = await this.database.db.select().from(obligations).where(eq(obligations.id, id)).limit(1);
    return row;
  }

  /** Writes the computed part of each obligation, keeping decisions and alerts; revives a withdrawn one. */
  async upsert(rows: ComputedColumns[]): Promise<void> {
    if (rows.length === 0) return;
    await this.database.db
      .insert(obligations)
      .values(rows)
      .onConflictDoUpdate({
        target: [obligations.incidentId, obligations.key],
        set: {
          ruleId: sql`excluded.rule_id`,
          ruleVersion: sql`excluded.rule_version`,
          law: sql`excluded.law`,
          jurisdictions: sql`excluded.jurisdictions`,
          audience: sql`excluded.audience`,
          regulatorId: sql`excluded.regulator_id`,
          recipient: sql`excluded.recipient`,
          phase: sql`excluded.phase`,
          what: sql`excluded.what`,
          deadline: sql`excluded.deadline`,
          clock: sql`excluded.clock`,
          clockStartedAt: sql`excluded.clock_started_at`,
          dueAt: sql`excluded.due_at`,
          applicable: sql`excluded.applicable`,
          reason: sql`excluded.reason`,
          facts: sql`excluded.facts`,
          sources: sql`excluded.sources`,
          computedAt: sql`excluded.computed_at`,
          withdrawnAt: sql`null`,
        },
      });
  }

  async withdraw(ids: string[], at: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db.update(obligations).set({ withdrawnAt: at }).where(inArray(obligations.id, ids));
  }

  /** Records a decision on an open obligation; undefined when it was met or waived already. */
  async decide(
    id: string,
    decision: Pick<NewObligationRow, 'metAt' | 'metBy' | 'waivedAt' | 'waivedReason' | 'decidedBy'>,
  ): Promise<ObligationRow | undefined> {
    const [row] = await this.database.db
      .update(obligations)
      .set(decision)
      .where(and(eq(obligations.id, id), isNull(obligations.metAt), isNull(obligations.waivedAt)))
      .returning();
    return row;
  }

  /** Marks open obligations met: a report to their regulator filed, or the individuals' notices sent. */
  async meet(
    incidentId: string,
    match: { regulatorId?: string; phase?: string; audience: string; ids?: string[] },
    at: Date,
    by: Record<string, unknown>,
  ): Promise<ObligationRow[]> {
    return this.database.db
      .update(obligations)
      .set({ metAt: at, metBy: by })
      .where(
        and(
          eq(obligations.incidentId, incidentId),
          eq(obligations.audience, match.audience),
          match.regulatorId ? eq(obligations.regulatorId, match.regulatorId) : undefined,
          match.phase ? eq(obligations.phase, match.phase) : undefined,
          match.ids ? inArray(obligations.id, match.ids) : undefined,
          isNull(obligations.metAt),
          isNull(obligations.waivedAt),
          isNull(obligations.withdrawnAt),
          eq(obligations.applicable, true),
        ),
      )
      .returning();
  }

  /** Open incidents whose timeline moved past their last computation of obligations. */
  async staleIncidents(limit: number): Promise<string[]> {
    const result = await this.database.db.execute(sql`
      select i.id from incidents i
      left join obligation_checks c on c.incident_id = i.id
      where i.state not in ('closed', 'dismissed')
        and (select max(e.id) from incident_events e where e.incident_id = i.id) > coalesce(c.through_event_id, 0)
      order by i.created_at limit ${limit}`);
    return rowsOf<{ id: string }>(result).map((r) => r.id);
  }

  /** Records that obligations are computed through the incident's latest timeline event. */
  async markChecked(incidentId: string, at: Date): Promise<void> {
    const result = await this.database.db.execute(sql`
      select coalesce(max(id), 0)::bigint as id from incident_events where incident_id = ${incidentId}::uuid`);
    const through = Number(rowsOf<{ id: string | number }>(result)[0]?.id ?? 0);
    await this.database.db
      .insert(obligationChecks)
      .values({ incidentId, throughEventId: through, checkedAt: at })
      .onConflictDoUpdate({
        target: obligationChecks.incidentId,
        set: { throughEventId: through, checkedAt: at },
      });
  }

  /** Open obligations whose alert is due: within `lead` of their deadline, or past it. */
  async needingAlerts(now: Date, leadMs: number): Promise<ObligationRow[]> {
    const soon = new Date(now.getTime() + leadMs).toISOString();
    const current = now.toISOString();
    return this.database.db
      .select()
      .from(obligations)
      .where(
        sql`${obligations.metAt} is null and ${obligations.waivedAt} is null and ${obligations.withdrawnAt} is null
          and ${obligations.applicable} and ${obligations.dueAt} is not null
          and ((${obligations.alertedDueSoonAt} is null and ${obligations.dueAt} <= ${soon}::timestamptz)
            or (${obligations.alertedMissedAt} is null and ${obligations.dueAt} < ${current}::timestamptz))`,
      )
      .orderBy(asc(obligations.dueAt))
      .limit(500);
  }

  /** Claims an alert once, whichever worker gets there first. */
  async markAlerted(id: string, kind: 'due_soon' | 'missed', at: Date): Promise<boolean> {
    const column = kind === 'due_soon' ? obligations.alertedDueSoonAt : obligations.alertedMissedAt;
    const rows = await this.database.db
      .update(obligations)
      .set(kind === 'due_soon' ? { alertedDueSoonAt: at } : { alertedMissedAt: at })
      .where(and(eq(obligations.id, id), isNull(column)))
      .returning({ id: obligations.id });
    return rows.length > 0;
  }
}
