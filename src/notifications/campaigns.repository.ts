import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { campaigns } from '../database/schema.js';
import { rowsOf } from '../database/rows.js';
import { campaignLock } from './batching.sql.js';
import { readersSql, readersVersionSql, THROUGH_GUARDIAN } from './readers.sql.js';

export type CampaignRow = typeof campaigns.$inferSelect;

/** A language and jurisdiction the notices would be read in, by a person or a guardian. */
export interface Reader {
  locale: string | null;
  jurisdiction: string | null;
  /** A guardian reads it (the guardian's version), in a campaign with guardians only. */
  guardian: boolean;
  /**
   * A minor with a guardian's contact (and their guardian): a campaign with guardians reaches them
   * through the guardian, and the minor reads no notice of their own.
   */
  throughGuardian: boolean;
}

/** Whether a campaign with guardians or without reaches this reader: as the planner plans recipients. */
export const readsIn = (reader: Reader, includeGuardians: boolean): boolean =>
  reader.guardian ? includeGuardians : !(includeGuardians && reader.throughGuardian);

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

  /** Whether a freeze of the incident's affected set has completed (a set exists to send to). */
  async hasFrozenSet(incidentId: string): Promise<boolean> {
    const rows = rowsOf(
      await this.database.db.execute(
        sql`select 1 from scope_runs where incident_id = ${incidentId}::uuid and status = 'completed' limit 1`,
      ),
    );
    return rows.length > 0;
  }

  async find(id: string): Promise<CampaignRow | undefined> {
    const [row] = await this.database.db.select().from(campaigns).where(eq(campaigns.id, id));
    return row;
  }

  /** The campaign, its row locked until the caller's transaction ends. */
  /** Why the campaign was last paused, from its timeline (`incident_changed`...); null: by hand, or never. */
  async lastPauseReason(id: string): Promise<string | null> {
    const [row] = rowsOf<{ reason: string | null }>(
      await this.database.db.execute(sql`
        select e.details->>'reason' as reason from incident_events e
        join campaigns c on c.incident_id = e.incident_id and c.id = ${id}::uuid
        where e.kind = 'campaign.paused' and e.details->>'campaignId' = ${id}
        order by e.id desc limit 1`),
    );
    return row?.reason ?? null;
  }

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
    /** Only while the campaign's approval is still the one that read `approvedWords`. */
    approvedWords?: string | null,
  ): Promise<CampaignRow | undefined> {
    const [row] = await this.database.db
      .update(campaigns)
      .set({ ...changes, updatedAt: changes.updatedAt ?? new Date() })
      .where(
        and(
          eq(campaigns.id, id),
          inArray(campaigns.status, [...from]),
          approvedWords === undefined
            ? undefined
            : sql`${campaigns.approvedWords} is not distinct from ${approvedWords}`,
        ),
      )
      .returning();
    return row;
  }

  /**
   * Incidents (not closed) whose residents a campaign held back for a report now submitted, and some of
   * them not yet planned into the incident's latest sending or completed campaign: their release job was
   * lost (a Redis flush, a crash between the report's commit and the enqueue). Read from the
   * `campaign.held_back` events' holds (jurisdiction, regulator, report phase).
   */
  async awaitingRelease(): Promise<string[]> {
    const rows = rowsOf<{ incident_id: string }>(
      await this.database.db.execute(sql`
        select distinct e.incident_id from incident_events e
        join incidents i on i.id = e.incident_id and i.state <> 'closed'
        cross join lateral jsonb_array_elements(e.details -> 'holds') h
        join lateral (select c.id from campaigns c where c.incident_id = e.incident_id
                      and c.status in ('sending', 'completed') order by c.created_at desc limit 1) c on true
        where e.kind = 'campaign.held_back'
          and exists (select 1 from reports r where r.incident_id = e.incident_id and r.submitted_at is not null
                      and r.regulator_id = h ->> 'regulatorId' and r.phase = h ->> 'afterReport')
          and exists (select 1 from affected_subjects a where a.incident_id = e.incident_id
                      and a.jurisdiction = h ->> 'jurisdiction' and a.notified_at is null
                      and not exists (select 1 from deliveries d where d.affected_id = a.id and d.campaign_id = c.id))`),
    );
    return rows.map((r) => r.incident_id);
  }

  async withStatus(statuses: readonly string[]): Promise<CampaignRow[]> {
    return this.database.db
      .select()
      .from(campaigns)
      .where(inArray(campaigns.status, [...statuses]));
  }

  /**
   * Who the notices of a campaign would be read by, as languages (readers.sql.ts): each distinct language
   * and jurisdiction of the people not notified yet, and of the guardians a campaign with guardians would
   * reach. No person in it. The planner resolves their notices' locales from it, and CampaignWarnings
   * reads it for the words those notices would leave untranslated (kept while `readersVersion` stays the
   * same: a join of the whole set, 1.3-2.8 s at a million people, docs/benchmarks.md).
   */
  async readers(incidentId: string): Promise<Reader[]> {
    return rowsOf<Reader>(await this.database.db.execute(readersSql(incidentId)));
  }

  /** Changes whenever the incident's people not notified yet may have changed (readers.sql.ts). */
  async readersVersion(incidentId: string): Promise<string> {
    const [row] = rowsOf<{ version: string }>(await this.database.db.execute(readersVersionSql(incidentId)));
    return row?.version ?? '';
  }

  /**
   * The jurisdictions of the people not notified yet whom a campaign with guardians would reach through
   * their guardian.
   */
  async guardianJurisdictions(incidentId: string): Promise<Array<string | null>> {
    const rows = rowsOf<{ jurisdiction: string | null }>(
      await this.database.db.execute(sql`
        select distinct a.jurisdiction from affected_subjects a join subjects s on s.id = a.subject_id
        where a.incident_id = ${incidentId}::uuid and a.notified_at is null and ${THROUGH_GUARDIAN}`),
    );
    return rows.map((r) => r.jurisdiction);
  }

  async lockCampaign(campaignId: string): Promise<void> {
    await this.database.db.execute(sql`select ${campaignLock(campaignId)}`);
  }
}
