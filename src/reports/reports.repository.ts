import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, lt, notInArray, sql, SQL } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { reports } from '../database/schema.js';
import { rowsOf, toBuffer } from '../database/rows.js';
import type { DeliveryCounts, ReportFacts } from './report.types.js';

export type ReportRow = typeof reports.$inferSelect;
export type NewReportRow = typeof reports.$inferInsert;

const CHANNELS = ['email', 'sms', 'push'] as const;

const zero = (): DeliveryCounts => ({
  planned: 0,
  sent: 0,
  delivered: 0,
  failed: 0,
  unreachable: 0,
  acknowledged: 0,
});

type Counted = Record<keyof DeliveryCounts, number | string | null>;

function counts(row: Partial<Counted> | undefined): DeliveryCounts {
  const result = zero();
  for (const key of Object.keys(result) as (keyof DeliveryCounts)[]) result[key] = Number(row?.[key] ?? 0);
  return result;
}

@Injectable()
export class ReportsRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: NewReportRow): Promise<ReportRow> {
    const [inserted] = await this.database.db.insert(reports).values(row).returning();
    return inserted;
  }

  async findById(id: string): Promise<ReportRow | undefined> {
    const [row] = await this.database.db.select().from(reports).where(eq(reports.id, id)).limit(1);
    return row;
  }

  async forIncident(incidentId: string): Promise<ReportRow[]> {
    return this.database.db
      .select()
      .from(reports)
      .where(eq(reports.incidentId, incidentId))
      .orderBy(desc(reports.createdAt));
  }

  /** The latest report to a regulator about an incident: what a follow-up is compared with. */
  /**
   * The latest report generated to this regulator (not one still generating, nor one that failed), of
   * those asked for before `before` when given.
   */
  async latest(incidentId: string, regulatorId: string, before?: Date): Promise<ReportRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(reports)
      .where(
        and(
          eq(reports.incidentId, incidentId),
          eq(reports.regulatorId, regulatorId),
          notInArray(reports.status, ['generating', 'failed']),
          before ? lt(reports.createdAt, before) : undefined,
        ),
      )
      .orderBy(desc(reports.createdAt))
      .limit(1);
    return row;
  }

  /** Reports still generating, oldest first (the sweep queues their jobs again). */
  async generating(): Promise<string[]> {
    const rows = await this.database.db
      .select({ id: reports.id })
      .from(reports)
      .where(eq(reports.status, 'generating'))
      .orderBy(asc(reports.createdAt))
      .limit(1000);
    return rows.map((r) => r.id);
  }

  /** The reference the regulator gave the initial report of the incident, once it was filed with one. */
  async initialReference(incidentId: string, regulatorId: string): Promise<string | null> {
    const [row] = await this.database.db
      .select({ reference: reports.submittedReference })
      .from(reports)
      .where(
        and(
          eq(reports.incidentId, incidentId),
          eq(reports.regulatorId, regulatorId),
          eq(reports.phase, 'initial'),
          sql`${reports.submittedReference} is not null`,
        ),
      )
      .orderBy(desc(reports.submittedAt))
      .limit(1);
    return row?.reference ?? null;
  }

  /**
   * The affected residents of some jurisdictions, a page at a time (after `afterId`), with their sealed
   * contact data: what counting children by their birth date needs (the birth date is never in clear).
   */
  async sealedResidents(
    incidentId: string,
    jurisdictions: string[],
    afterId: number,
    limit: number,
  ): Promise<{ id: number; externalId: string | null; sealed: Buffer | null }[]> {
    const result = await this.database.db.execute(sql`
      select a.id, s.external_id, s.sealed from affected_subjects a
      left join subjects s on s.id = a.subject_id
      where a.incident_id = ${incidentId}::uuid and a.jurisdiction = any(${sql.param(jurisdictions)}::text[])
        and a.id > ${afterId}
      order by a.id limit ${limit}`);
    // PGlite gives bytea as a Uint8Array, whose key id then read as "107,49": a Buffer on both databases.
    return rowsOf<{ id: string | number; external_id: string | null; sealed: Uint8Array | null }>(result).map(
      (r) => ({
        id: Number(r.id),
        externalId: r.external_id,
        sealed: r.sealed && toBuffer(r.sealed),
      }),
    );
  }

  /** Moves a report on if it is still in `from`; undefined when it is not (someone else moved it). */
  async move(id: string, from: string, changes: Partial<NewReportRow>): Promise<ReportRow | undefined> {
    const [row] = await this.database.db
      .update(reports)
      .set(changes)
      .where(and(eq(reports.id, id), eq(reports.status, from)))
      .returning();
    return row;
  }

  /**
   * What happened to the notices of the incident's campaigns to residents of some jurisdictions: per
   * channel (messages), per jurisdiction and in total (people), and per hour. A person in several
   * campaigns (a later one tries again whoever was not reached) counts once, by their best outcome:
   * notified in any, else unreachable in one; messages withdrawn by a cancel were never planned.
   */
  async handling(incidentId: string, jurisdictions: string[]): Promise<ReportFacts['handling']> {
    // One after the other: a report's generation reads them in its transaction (one connection).
    const results = [];
    for (const query of handlingQueries(incidentId, jurisdictions)) {
      results.push(await this.database.db.execute(query));
    }
    const [perChannel, unreachable, perJurisdiction, perHour, campaigns] = results;
    const unreachableBy = new Map(
      rowsOf<{ channel: string; unreachable: number }>(unreachable).map((r) => [r.channel, r.unreachable]),
    );
    const channelRows = new Map(
      rowsOf<Partial<Counted> & { channel: string }>(perChannel).map((r) => [r.channel, r]),
    );
    const byChannel = Object.fromEntries(
      CHANNELS.map((channel) => [
        channel,
        counts({ ...channelRows.get(channel), unreachable: unreachableBy.get(channel) ?? 0 }),
      ]),
    ) as Record<(typeof CHANNELS)[number], DeliveryCounts>;
    const jurisdictionRows = rowsOf<Partial<Counted> & { jurisdiction: string }>(perJurisdiction);
    const byJurisdiction = Object.fromEntries(jurisdictionRows.map((r) => [r.jurisdiction, counts(r)]));
    const total = zero();
    for (const row of Object.values(byJurisdiction)) {
      for (const key of Object.keys(total) as (keyof DeliveryCounts)[]) total[key] += row[key];
    }
    const date = (value: unknown) => (value ? new Date(value as string) : null);
    return {
      total,
      byChannel,
      byJurisdiction,
      overTime: rowsOf<{ hour: string; sent: number; delivered: number; failed: number }>(perHour),
      campaigns: rowsOf<{ id: string; status: string; started_at: unknown; finished_at: unknown }>(
        campaigns,
      ).map((r) => ({
        id: r.id,
        status: r.status,
        startedAt: date(r.started_at),
        finishedAt: date(r.finished_at),
      })),
    };
  }

  /**
   * The public Security Notice published for any of these jurisdictions (not withdrawn), the earliest
   * first: where it is, when it went up and in which languages (the forms ask whether one was made).
   */
  async publicNotice(
    incidentId: string,
    jurisdictions: readonly string[],
    baseUrl: string,
  ): Promise<ReportFacts['publicNotice']> {
    const [row] = rowsOf<{ slug: string; first_published_at: unknown; languages: string[] }>(
      await this.database.db.execute(sql`
        select slug, first_published_at, languages from public_notices
        where incident_id = ${incidentId}::uuid and first_published_at is not null and withdrawn_at is null
          and jurisdictions && ${`{${jurisdictions.join(',')}}`}::text[]
        order by first_published_at limit 1`),
    );
    return row
      ? {
          url: `${baseUrl}/security-notices/${row.slug}`,
          publishedAt: new Date(row.first_published_at as string),
          languages: row.languages,
        }
      : null;
  }
}

/**
 * The queries of `handling`, run side by side: messages per channel, unreachable people per channel,
 * people per jurisdiction, messages per hour, and the incident's campaigns.
 */
function handlingQueries(incidentId: string, jurisdictions: string[]): SQL[] {
  const scope: SQL = sql`c.incident_id = ${incidentId}::uuid and d.jurisdiction = any(${sql.param(jurisdictions)}::text[])`;
  return [
    sql`
      select m.channel, (count(*) filter (where m.status <> 'cancelled'))::int as planned,
        (count(*) filter (where m.status in ('sent', 'delivered')))::int as sent,
        (count(*) filter (where m.status = 'delivered'))::int as delivered,
        (count(*) filter (where m.status = 'failed'))::int as failed,
        (count(*) filter (where m.status in ('sent', 'delivered') and d.acknowledged_at is not null))::int
          as acknowledged
      from messages m join deliveries d on d.id = m.delivery_id join campaigns c on c.id = d.campaign_id
      where ${scope} group by m.channel`,
    sql`
      select p.channel, count(distinct d.affected_id)::int as unreachable
      from deliveries d join campaigns c on c.id = d.campaign_id, unnest(d.plan) as p(channel)
      where ${scope} and d.status = 'unreachable'
        and not exists (select 1 from deliveries n where n.affected_id = d.affected_id and n.status = 'notified'
                          and n.campaign_id in (select id from campaigns where incident_id = ${incidentId}::uuid))
      group by p.channel`,
    sql`
      with m as (
        -- On a channel that is the person's notice only (d.lawful): a push alert delivered, or an SMS that
        -- only pointed to the notice, is no notice delivered to a regulator's reading.
        select m.delivery_id, bool_or(m.status = 'delivered' and m.channel = any(d.lawful)) as delivered,
          bool_or(m.status = 'failed' and m.channel = any(d.lawful)) as failed
        from messages m join deliveries d on d.id = m.delivery_id join campaigns c on c.id = d.campaign_id
        where ${scope} group by m.delivery_id),
      people as (
        select d.affected_id, min(d.jurisdiction) as jurisdiction,
          bool_or(d.status = 'notified') as notified,
          coalesce(bool_or(m.delivered), false) as delivered,
          coalesce(bool_or(m.failed), false) as failed,
          bool_or(d.status = 'unreachable') as unreachable,
          bool_or(d.acknowledged_at is not null) as acknowledged,
          bool_and(d.status = 'cancelled') as withdrawn
        from deliveries d join campaigns c on c.id = d.campaign_id left join m on m.delivery_id = d.id
        where ${scope} group by d.affected_id)
      select jurisdiction, (count(*) filter (where not withdrawn))::int as planned,
        (count(*) filter (where notified))::int as sent,
        (count(*) filter (where delivered))::int as delivered,
        (count(*) filter (where failed))::int as failed,
        (count(*) filter (where unreachable and not notified))::int as unreachable,
        (count(*) filter (where acknowledged))::int as acknowledged
      from people group by jurisdiction order by jurisdiction`,
    sql`
      select to_char(date_trunc('hour', coalesce(m.sent_at, m.updated_at) at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00"Z"') as hour,
        (count(*) filter (where m.status in ('sent', 'delivered')))::int as sent,
        (count(*) filter (where m.status = 'delivered'))::int as delivered,
        (count(*) filter (where m.status = 'failed'))::int as failed
      from messages m join deliveries d on d.id = m.delivery_id join campaigns c on c.id = d.campaign_id
      where ${scope} and m.status in ('sent', 'delivered', 'failed') group by 1 order by 1`,
    sql`
      select id, status, started_at, finished_at from campaigns
      where incident_id = ${incidentId}::uuid order by created_at`,
  ];
}
