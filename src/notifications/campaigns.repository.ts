import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { campaigns } from '../database/schema.js';
import { rowsOf } from '../database/rows.js';
import { campaignLock } from './batching.sql.js';

export type CampaignRow = typeof campaigns.$inferSelect;

/** A language and jurisdiction the notices would be read in, by a person or (`guardian`) a guardian. */
export interface Reader {
  locale: string | null;
  jurisdiction: string | null;
  guardian: boolean;
}

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

  /** The locales of the people a campaign would reach, and of their guardians. */
  /**
   * The languages of the people not notified yet (theirs and their guardians'), each with the
   * jurisdictions they are read in: the notice's locale depends on both (a language the templates lack
   * falls back to the jurisdiction's; Quebec adds French).
   */
  async localesOf(
    incidentId: string,
  ): Promise<Array<{ locale: string | null; jurisdiction: string | null }>> {
    return rowsOf<{ locale: string | null; jurisdiction: string | null }>(
      await this.database.db.execute(sql`
        select distinct l.locale, a.jurisdiction from affected_subjects a join subjects s on s.id = a.subject_id
        cross join lateral (values (s.locale), (s.guardian_locale)) as l(locale)
        where a.incident_id = ${incidentId}::uuid and a.notified_at is null`),
    );
  }

  /**
   * Who the notices of a campaign would be read by, as languages: each distinct language and jurisdiction
   * of the people not notified yet, and of the guardians a campaign with guardians would reach (the
   * planner's condition: a minor with a guardian's email or phone), marked as such; a campaign without
   * guardians reads the rows not so marked. A guardian with no language of their own reads the child's,
   * as the planner writes their notice. No person in it. A join of the whole set: 1.3-2.8 s at a
   * million people (docs/benchmarks.md), which CampaignWarnings keeps while `readersVersion` stays the same.
   */
  async readers(incidentId: string): Promise<Reader[]> {
    return rowsOf<Reader>(
      await this.database.db.execute(sql`
        select distinct l.locale, a.jurisdiction, l.guardian
        from affected_subjects a join subjects s on s.id = a.subject_id
        cross join lateral (values (s.locale, false), (coalesce(s.guardian_locale, s.locale), true))
          as l(locale, guardian)
        where a.incident_id = ${incidentId}::uuid and a.notified_at is null
          and (not l.guardian or (a.minor and (s.guardian_has_email or s.guardian_has_phone)))`),
    );
  }

  /**
   * Changes whenever the incident's people not notified yet may have changed, read from a few rows: its
   * latest scope run (a freeze adds or replaces people in the same transaction that completes the run)
   * and its campaigns' delivery tallies (a notice that leaves, or bounces after it left, moves someone out
   * of the set or back into it in a statement that changes a delivery's status, and so adds a tally row).
   * Count and highest id both: a fold removes rows, and a row written by a transaction that began
   * earlier may become visible with a lower id than one already seen. Erasures only remove readers and
   * are not in it; nor are changes to people's languages in the directory.
   */
  async readersVersion(incidentId: string): Promise<string> {
    const [row] = rowsOf<{ version: string }>(
      await this.database.db.execute(sql`
        select concat_ws(':',
          (select r.id::text || r.status from scope_runs r where r.incident_id = ${incidentId}::uuid
            order by r.created_at desc, r.id desc limit 1),
          t.n, t.last, t.notified) as version
        from (select count(*) as n, max(t.id) as last,
                     sum(t.n) filter (where t.status = 'notified') as notified
              from campaign_tallies t
              where t.campaign_id in (select c.id from campaigns c where c.incident_id = ${incidentId}::uuid)
                and t.kind = 'delivery') t`),
    );
    return row?.version ?? '';
  }

  /**
   * The jurisdictions of the people not notified yet whom a campaign with guardians would reach through
   * their guardian (the planner's condition: a minor with a guardian's email or phone).
   */
  async guardianJurisdictions(incidentId: string): Promise<Array<string | null>> {
    const rows = rowsOf<{ jurisdiction: string | null }>(
      await this.database.db.execute(sql`
        select distinct a.jurisdiction from affected_subjects a join subjects s on s.id = a.subject_id
        where a.incident_id = ${incidentId}::uuid and a.notified_at is null
          and a.minor and (s.guardian_has_email or s.guardian_has_phone)`),
    );
    return rows.map((r) => r.jurisdiction);
  }

  async lockCampaign(campaignId: string): Promise<void> {
    await this.database.db.execute(sql`select ${campaignLock(campaignId)}`);
  }
}
