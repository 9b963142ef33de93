import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gte, ilike, lt, lte, or, sql, SQL } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { incidentEvents, incidents, referenceCounters } from '../database/schema.js';

export type IncidentRow = typeof incidents.$inferSelect;
export type NewIncidentRow = typeof incidents.$inferInsert;
export type IncidentChanges = Partial<
  Omit<NewIncidentRow, 'id' | 'reference' | 'version' | 'createdAt' | 'createdBy'>
>;
export type IncidentEventRow = typeof incidentEvents.$inferSelect;
export type NewIncidentEventRow = typeof incidentEvents.$inferInsert;

export interface IncidentFilter {
  state?: string;
  riskLevel?: string;
  text?: string;
  discoveredFrom?: Date;
  discoveredTo?: Date;
  before?: { createdAt: Date; id: string };
  limit: number;
}

@Injectable()
export class IncidentsRepository {
  constructor(private readonly database: DatabaseService) {}

  /** The next number in a scope (e.g. `INC-2026`), gap-free within committed transactions. */
  async nextNumber(scope: string): Promise<number> {
    const [row] = await this.database.db
      .insert(referenceCounters)
      .values({ scope, last: 1 })
      .onConflictDoUpdate({
        target: referenceCounters.scope,
        set: { last: sql`${referenceCounters.last} + 1` },
      })
      .returning({ last: referenceCounters.last });
    return row.last;
  }

  async insert(row: NewIncidentRow): Promise<IncidentRow> {
    const [inserted] = await this.database.db.insert(incidents).values(row).returning();
    return inserted;
  }

  async findById(id: string): Promise<IncidentRow | undefined> {
    const [row] = await this.database.db.select().from(incidents).where(eq(incidents.id, id)).limit(1);
    return row;
  }

  /** The id of the incident with this reference (as stored: `INC-2026-0001`), if any. */
  async idByReference(reference: string): Promise<string | undefined> {
    const [row] = await this.database.db
      .select({ id: incidents.id })
      .from(incidents)
      .where(eq(incidents.reference, reference))
      .limit(1);
    return row?.id;
  }

  async find(filter: IncidentFilter): Promise<IncidentRow[]> {
    const conditions: (SQL | undefined)[] = [];
    if (filter.state) conditions.push(eq(incidents.state, filter.state));
    if (filter.riskLevel) conditions.push(eq(incidents.riskLevel, filter.riskLevel));
    if (filter.text) {
      const pattern = `%${filter.text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      conditions.push(or(ilike(incidents.title, pattern), ilike(incidents.reference, pattern)));
    }
    if (filter.discoveredFrom) conditions.push(gte(incidents.discoveredAt, filter.discoveredFrom));
    if (filter.discoveredTo) conditions.push(lte(incidents.discoveredAt, filter.discoveredTo));
    if (filter.before) {
      const { createdAt, id } = filter.before;
      conditions.push(
        or(lt(incidents.createdAt, createdAt), and(eq(incidents.createdAt, createdAt), lt(incidents.id, id))),
      );
    }
    return this.database.db
      .select()
      .from(incidents)
      .where(and(...conditions))
      .orderBy(desc(incidents.createdAt), desc(incidents.id))
      .limit(filter.limit);
  }

  /** Applies the changes only if nobody changed the row since `version` was read; else undefined. */
  async updateIfVersion(
    id: string,
    version: number,
    changes: IncidentChanges,
  ): Promise<IncidentRow | undefined> {
    const [row] = await this.database.db
      .update(incidents)
      .set({ ...changes, version: sql`${incidents.version} + 1` })
      .where(and(eq(incidents.id, id), eq(incidents.version, version)))
      .returning();
    return row;
  }

  /** Holds the incident's row until the transaction ends. */
  async lockIncident(id: string): Promise<void> {
    await this.database.db.execute(sql`select id from incidents where id = ${id}::uuid for update`);
  }

  /**
   * Waits for whoever holds the incident's lock (a freeze of its set), and keeps it from being taken
   * until the caller's transaction ends, without blocking those who only add to its timeline.
   */
  async lockIncidentShared(id: string): Promise<void> {
    await this.database.db.execute(sql`select id from incidents where id = ${id}::uuid for share`);
  }

  async addEvent(event: NewIncidentEventRow): Promise<void> {
    await this.database.db.insert(incidentEvents).values(event);
  }

  async events(incidentId: string, afterId: number, limit: number): Promise<IncidentEventRow[]> {
    return this.database.db
      .select()
      .from(incidentEvents)
      .where(and(eq(incidentEvents.incidentId, incidentId), sql`${incidentEvents.id} > ${afterId}`))
      .orderBy(asc(incidentEvents.id))
      .limit(limit);
  }
}
