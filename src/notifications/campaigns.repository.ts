import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { campaigns } from '../database/schema.js';
import { rowsOf } from '../database/rows.js';
import { campaignLock } from './batching.sql.js';

export type CampaignRow = typeof campaigns.$inferSelect;

@Injectable()
export class CampaignsRepository {
  constructor(private readonly database: DatabaseService) {}

  async create(values: typeof campaigns.$inferInsert): Promise<CampaignRow> {
    const [row] = await this.database.db.insert(campaigns).values(values).returning();
    return row;
  }

  /** Messages that may have reached their recipient twice (a call with no answer, sent again). */
  async addPossibleDuplicates(id: string, n: number): Promise<void> {
    if (n === 0) return;
    await this.database.db.execute(
      sql`update campaigns set possible_duplicates = possible_duplicates + ${n} where id = ${id}::uuid`,
    );
  }

  async find(id: string): Promise<CampaignRow | undefined> {
    const [row] = await this.database.db.select().from(campaigns).where(eq(campaigns.id, id));
    return row;
  }

  /** The campaign, its row locked until the caller's transaction ends. */
  async findForUpdate(id: string): Promise<CampaignRow | undefined> {
    const [row] = await this.database.db.select().from(campaigns).where(eq(campaigns.id, id)).for('update');
    return row;
  }

  async forIncident(incidentId: string): Promise<CampaignRow[]> {
    return this.database.db
      .select()
      .from(campaigns)
      .where(eq(campaigns.incidentId, incidentId))
      .orderBy(desc(campaigns.createdAt));
  }

  /** Moves a campaign from one of `from` to `to`; undefined when it was not in one of them. */
  async move(
    id: string,
    from: readonly string[],
    changes: Partial<CampaignRow> & { status: string },
  ): Promise<CampaignRow | undefined> {
    const [row] = await this.database.db
      .update(campaigns)
      .set({ ...changes, updatedAt: changes.updatedAt ?? new Date() })
      .where(and(eq(campaigns.id, id), inArray(campaigns.status, [...from])))
      .returning();
    return row;
  }

  async withStatus(statuses: readonly string[]): Promise<CampaignRow[]> {
    return this.database.db
      .select()
      .from(campaigns)
      .where(inArray(campaigns.status, [...statuses]));
  }

  /** The locales of the people a campaign would reach, and of their guardians. */
  async localesOf(incidentId: string): Promise<Array<string | null>> {
    const rows = rowsOf<{ locale: string | null }>(
      await this.database.db.execute(sql`
        select distinct l.locale from affected_subjects a join subjects s on s.id = a.subject_id
        cross join lateral (values (s.locale), (s.guardian_locale)) as l(locale)
        where a.incident_id = ${incidentId}::uuid and a.notified_at is null`),
    );
    return rows.map((r) => r.locale);
  }

  async lockCampaign(campaignId: string): Promise<void> {
    await this.database.db.execute(sql`select ${campaignLock(campaignId)}`);
  }
}
