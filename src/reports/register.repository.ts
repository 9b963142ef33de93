import { Injectable } from '@nestjs/common';
import { and, asc, gte, inArray, lt, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf } from '../database/rows.js';
import { incidents, obligations } from '../database/schema.js';

export type RegisterIncidentRow = typeof incidents.$inferSelect;
export type RegisterObligationRow = typeof obligations.$inferSelect;

/** What the breach register reads of the incidents aware in a period: one statement per kind of fact. */
export interface RegisterRows {
  incidents: RegisterIncidentRow[];
  residents: { incidentId: string; jurisdiction: string | null; residents: number; notified: number }[];
  obligations: RegisterObligationRow[];
  events: { incidentId: string; at: Date; toState: string; note: string | null }[];
  reports: {
    incidentId: string;
    regulatorId: string;
    phase: string;
    submittedAt: Date;
    reference: string | null;
  }[];
}

@Injectable()
export class RegisterRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Every incident the company became aware of in [from, to), oldest first, with what the register says. */
  async read(from: Date, to: Date): Promise<RegisterRows> {
    const db = this.database.db;
    const found = await db
      .select()
      .from(incidents)
      .where(and(gte(incidents.discoveredAt, from), lt(incidents.discoveredAt, to)))
      .orderBy(asc(incidents.discoveredAt), asc(incidents.id));
    const ids = found.map((i) => i.id);
    if (ids.length === 0) return { incidents: [], residents: [], obligations: [], events: [], reports: [] };
    const list = sql`${sql.param(ids)}::uuid[]`;
    const residents = rowsOf<{
      incident_id: string;
      jurisdiction: string | null;
      residents: number;
      notified: number;
    }>(
      await db.execute(sql`
        select incident_id, jurisdiction, count(*)::int as residents,
               (count(*) filter (where notified_at is not null))::int as notified
        from affected_subjects where incident_id = any(${list})
        group by incident_id, jurisdiction order by incident_id, jurisdiction`),
    );
    const events = rowsOf<{ incident_id: string; at: unknown; to_state: string; note: string | null }>(
      await db.execute(sql`
        select incident_id, at, to_state, note from incident_events
        where incident_id = any(${list}) and kind = 'transition' order by id`),
    );
    const reports = rowsOf<{
      incident_id: string;
      regulator_id: string;
      phase: string;
      submitted_at: unknown;
      submitted_reference: string | null;
    }>(
      await db.execute(sql`
        select incident_id, regulator_id, phase, submitted_at, submitted_reference from reports
        where incident_id = any(${list}) and submitted_at is not null order by submitted_at`),
    );
    return {
      incidents: found,
      residents: residents.map((r) => ({
        incidentId: r.incident_id,
        jurisdiction: r.jurisdiction,
        residents: r.residents,
        notified: r.notified,
      })),
      obligations: await db
        .select()
        .from(obligations)
        .where(inArray(obligations.incidentId, ids))
        .orderBy(asc(obligations.key)),
      events: events.map((e) => ({
        incidentId: e.incident_id,
        at: new Date(e.at as string),
        toState: e.to_state,
        note: e.note,
      })),
      reports: reports.map((r) => ({
        incidentId: r.incident_id,
        regulatorId: r.regulator_id,
        phase: r.phase,
        submittedAt: new Date(r.submitted_at as string),
        reference: r.submitted_reference,
      })),
    };
  }
}
