import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { Clock } from '../common/clock.js';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf } from '../database/rows.js';
import { ObligationsRepository } from './obligations.repository.js';
import { rulesFor } from './rules/compute.js';
import { regulatorOf } from './rules/evaluate.js';
import { RULES } from './rules/index.js';
import type { Rule } from './rules/rule.types.js';

/** Residents of a jurisdiction whose notice waits for a report the law wants filed first. */
export interface NoticeHold {
  jurisdiction: string;
  /** Residents not notified yet. */
  residents: number;
  ruleId: string;
  regulatorId: string;
  regulatorName: string;
  /** The report's phase that releases them. */
  afterReport: string;
  why: string;
}

/**
 * The holds on an incident's not-yet-notified residents (pure): for each jurisdiction, the rules in effect
 * on the day of awareness that set an order (`Rule.ordering`) whose report to their regulator is not
 * recorded as submitted (`filed`: regulator ids with that phase submitted).
 */
export function holdsOf(
  residents: ReadonlyMap<string, number>,
  awareness: Date,
  filed: ReadonlySet<string>,
  rules: readonly Rule[] = RULES,
): NoticeHold[] {
  const holds: NoticeHold[] = [];
  for (const [jurisdiction, count] of residents) {
    for (const rule of rulesFor(jurisdiction, awareness, rules)) {
      if (!rule.ordering) continue;
      const regulator = regulatorOf(rule, jurisdiction);
      if (filed.has(`${regulator.id}/${rule.ordering.afterReport}`)) continue;
      holds.push({
        jurisdiction,
        residents: count,
        ruleId: rule.id,
        regulatorId: regulator.id,
        regulatorName: regulator.name,
        afterReport: rule.ordering.afterReport,
        why: rule.ordering.why,
      });
    }
  }
  return holds.sort((a, b) => a.jurisdiction.localeCompare(b.jurisdiction));
}

/** How long a view may show held residents counted earlier, the set and the filed reports unchanged. */
export const HOLDS_KEPT_MS = 60_000;

/**
 * Which of an incident's residents the law wants told only after a report (Singapore: on or after the
 * PDPC, PDPA s 26D(2)), as long as that report is not recorded as submitted. The planner holds them back
 * and plans them once it is.
 */
@Injectable()
export class NoticeOrdering {
  /** Per incident, the holds last counted for views, with what they were counted on and until when. */
  private readonly kept = new Map<string, { on: string; until: number; holds: NoticeHold[] }>();

  constructor(
    private readonly database: DatabaseService,
    private readonly obligations: ObligationsRepository,
    private readonly clock: Clock,
  ) {}

  /**
   * The incident's holds. Counting the residents not notified yet reads the whole affected set (1.4 s
   * at a million people), so it runs only for the jurisdictions a rule could hold: those of the set (its
   * latest freeze's counts per jurisdiction, which only a freeze changes) with a rule that orders their
   * notice after a report not yet filed. Most incidents have none, and count nobody.
   *
   * `forView`: a campaign's view (a dashboard asks every few seconds) reuses the count while the set's
   * counts and the filed reports are unchanged, for HOLDS_KEPT_MS at most: a held resident is planned
   * only once the report is filed, so what changes the count changes one of those (0.9 s at a million
   * people on each view before, with Singapore residents in the set). The planner always counts afresh.
   */
  async holds(incidentId: string, options: { forView?: boolean } = {}): Promise<NoticeHold[]> {
    const [incident] = rowsOf<{ discovered_at: unknown }>(
      await this.database.db.execute(sql`select discovered_at from incidents where id = ${incidentId}::uuid`),
    );
    if (!incident) return [];
    const awareness = new Date(incident.discovered_at as string);
    const filed = rowsOf<{ regulator_id: string; phase: string }>(
      await this.database.db.execute(sql`
        select distinct regulator_id, phase from reports
        where incident_id = ${incidentId}::uuid and submitted_at is not null`),
    );
    const reported = new Set(filed.map((f) => `${f.regulator_id}/${f.phase}`));
    const inSet = await this.obligations.frozenResidents(incidentId);
    const held = [...new Set(holdsOf(inSet, awareness, reported).map((h) => h.jurisdiction))];
    if (held.length === 0) return [];
    const on = JSON.stringify([[...inSet].sort(), [...reported].sort()]);
    const now = this.clock.now().getTime();
    const kept = this.kept.get(incidentId);
    if (options.forView && kept && kept.on === on && kept.until > now) return kept.holds;
    const residents = rowsOf<{ jurisdiction: string; n: number }>(
      await this.database.db.execute(sql`
        select jurisdiction, count(*)::int as n from affected_subjects
        where incident_id = ${incidentId}::uuid and notified_at is null
          and jurisdiction = any(${sql.param(held)}::text[])
        group by 1`),
    );
    const holds = holdsOf(new Map(residents.map((r) => [r.jurisdiction, Number(r.n)])), awareness, reported);
    for (const [id, entry] of this.kept) if (entry.until <= now) this.kept.delete(id);
    this.kept.set(incidentId, { on, until: now + HOLDS_KEPT_MS, holds });
    return holds;
  }
}
