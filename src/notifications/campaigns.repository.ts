import { Injectable } from '@nestjs/common';
import { and, desc, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { campaigns, messageBatches } from '../database/schema.js';
import { rowsOf } from '../database/rows.js';
import type { Channel } from '../channels/channel.port.js';
import { noticeVariantSqlOf } from '../jurisdictions/notice-variant.sql.js';

export type CampaignRow = typeof campaigns.$inferSelect;
export type BatchRow = typeof messageBatches.$inferSelect;

export interface PlanSettings {
  campaignId: string;
  incidentId: string;
  /**
   * Each locale of the directory with a jurisdiction of its readers ('' for none, either), and the
   * template locale the notice is in (resolved in code, by the renderer's one function).
   */
  locales: { from: string[]; jurisdictions: string[]; to: string[]; fallback: string };
  channels: readonly Channel[];
  mode: 'escalate' | 'all';
  includeGuardians: boolean;
  template: string;
  guardianTemplate: string;
  now: Date;
}

/**
 * What a jurisdiction changes in the notice, in SQL: `noticeVariant` over a column, generated from the
 * notice profiles (src/jurisdictions). A batch holds one variant, since its email is rendered once.
 */
export function noticeVariantSql(jurisdiction: SQL): SQL {
  return noticeVariantSqlOf(jurisdiction);
}

const VARIANT = noticeVariantSql(sql`d.jurisdiction`);

/**
 * A message's batch number among the messages of its channel, template, locale and notice variant
 * (over deliveries `d`): planning and fallback cut batches the same way.
 */
function batchNumber(channel: SQL, order: SQL, sizes: Record<Channel, number>): SQL {
  return sql`(row_number() over (partition by ${channel}, d.template, d.locale, ${VARIANT} order by ${order}) - 1)
    / case ${channel} when 'email' then ${sizes.email}::int when 'sms' then ${sizes.sms}::int
                      else ${sizes.push}::int end`;
}

/** Advisory lock key of one campaign (batch assignment and dispatch are serialised per campaign). */
export const campaignLock = (campaignId: string) =>
  sql`pg_advisory_xact_lock(hashtext(${`campaign:${campaignId}`}))`;

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

  /**
   * Writes one delivery per recipient of the affected set who has not been notified yet: the guardian
   * for a minor with guardian contact (when the campaign includes guardians), else the person; with the
   * notice channels in the person's order of preference among the campaign's, a push alert when the
   * campaign has push and the person a token, and the recipient's language (a guardian's own, when the
   * directory has it, else the child's). Returns how many.
   */
  async planDeliveries(p: PlanSettings): Promise<number> {
    const guardian = p.includeGuardians
      ? sql`(a.minor and (s.guardian_has_email or s.guardian_has_phone))`
      : sql`false`;
    const [row] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with planned as (
          insert into deliveries (campaign_id, affected_id, subject_id, recipient, template, locale, time_zone,
            jurisdiction, plan, alert, status, updated_at)
          select ${p.campaignId}::uuid, a.id, s.id,
            case when g.guardian then 'guardian' else 'person' end,
            case when g.guardian then ${p.guardianTemplate} else ${p.template} end,
            coalesce(l.t, ${p.locales.fallback}), s.time_zone, a.jurisdiction, g.plan,
            ${p.channels.includes('push')} and not g.guardian and s.push_token_count > 0,
            case when cardinality(g.plan) = 0 then 'unreachable' else 'pending' end,
            ${p.now}
          from affected_subjects a
          join subjects s on s.id = a.subject_id
          cross join lateral (select ${guardian} as guardian) gg
          cross join lateral (
            select gg.guardian as guardian, array(
              select ch from unnest(array['email', 'sms']) with ordinality as o(ch, n)
              where ch = any(${sql.param([...p.channels])}::text[])
                and case ch
                  when 'email' then (case when gg.guardian then s.guardian_has_email else s.has_email end)
                  else (case when gg.guardian then s.guardian_has_phone else s.has_phone end) end
              order by case when gg.guardian then n else coalesce(array_position(s.channel_preferences, ch), 9) end, n
            )::text[] as plan) g
          -- The notice's locale by the reader's language and jurisdiction, as resolved in code: a hash
          -- join ('' for none), not a scan of the pairs per recipient.
          left join unnest(${sql.param(p.locales.from)}::text[], ${sql.param(p.locales.jurisdictions)}::text[],
              ${sql.param(p.locales.to)}::text[]) as l(f, j, t)
            on l.f = coalesce(case when g.guardian then coalesce(s.guardian_locale, s.locale) else s.locale end, '')
            and l.j = coalesce(a.jurisdiction, '')
          where a.incident_id = ${p.incidentId}::uuid and a.notified_at is null
          returning 1)
        select count(*)::int as n from planned`),
    );
    return row?.n ?? 0;
  }

  /**
   * The first messages, already in their batches: the first notice channel (escalate) or every one
   * (all), and the push alert. Numbered into batches in a temporary table and joined to the batch ids by
   * hash: an UPDATE of a million freshly inserted rows from a CTE got a nested-loop plan that ran for
   * minutes. Must run inside the planning transaction (the temporary tables go with it).
   */
  async planMessages(
    campaignId: string,
    mode: 'escalate' | 'all',
    sizes: Record<Channel, number>,
    now: Date,
  ): Promise<number> {
    const notice = mode === 'all' ? sql`d.plan` : sql`d.plan[1:1]`;
    const db = this.database.db;
    await db.execute(sql`
      create temporary table plan_messages on commit drop as
      select d.id as delivery_id, x.channel, d.template, d.locale,
        ${VARIANT} as variant,
        ${batchNumber(sql`x.channel`, sql`d.id`, sizes)} as n
      from deliveries d
      cross join lateral unnest(${notice} || case when d.alert then array['push'] else array[]::text[] end) as x(channel)
      where d.campaign_id = ${campaignId}::uuid`);
    // Batch ids (the order the windows take them in) follow the first delivery of each batch, so every
    // locale's batches go through the directory together: the window's people sit in one stretch of the
    // tables and stay in cache. Numbered per locale instead, the claims swept the whole directory once
    // per locale, and at a million people re-read most of it from disk each time.
    await db.execute(sql`
      create temporary table plan_batches on commit drop as
      select channel, template, locale, variant, n, size, nextval('message_batches_id_seq') as id
      from (select channel, template, locale, variant, n, count(*)::int as size, min(delivery_id) as first
            from plan_messages group by channel, template, locale, variant, n
            order by first, channel) g`);
    await db.execute(sql`analyze plan_messages`);
    await db.execute(sql`analyze plan_batches`);
    await db.execute(sql`
      insert into message_batches (id, campaign_id, channel, template, locale, variant, california, size, status,
        created_at)
      select id, ${campaignId}::uuid, channel, template, locale, variant, variant = 'US-CA', size, 'pending', ${now}
      from plan_batches order by id`);
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`
        with inserted as (
          insert into messages (campaign_id, delivery_id, channel, status, batch_id, updated_at)
          select ${campaignId}::uuid, m.delivery_id, m.channel, 'queued', b.id, ${now}
          from plan_messages m join plan_batches b using (channel, template, locale, variant, n)
          order by b.id, m.delivery_id
          returning 1)
        select count(*)::int as n from inserted`),
    );
    return row?.n ?? 0;
  }

  /** The next notice channel of a delivery's plan after `failed`, if any, as a new queued message. */
  async escalate(deliveryIds: number[], now: Date): Promise<{ escalated: number[]; exhausted: number[] }> {
    if (deliveryIds.length === 0) return { escalated: [], exhausted: [] };
    const rows = rowsOf<{ delivery_id: string | number; next: string | null }>(
      await this.database.db.execute(sql`
        with tried as (
          select d.id, d.campaign_id, d.plan,
                 array(select m.channel from messages m where m.delivery_id = d.id) as used
          from deliveries d where d.id = any(${sql.param(deliveryIds)}::bigint[]) and d.status = 'pending'),
        nexts as (
          select t.id, t.campaign_id,
                 (select ch from unnest(t.plan) with ordinality o(ch, n)
                   where not (ch = any(t.used)) order by n limit 1) as next
          from tried t),
        added as (
          insert into messages (campaign_id, delivery_id, channel, status, updated_at)
          select campaign_id, id, next, 'queued', ${now} from nexts where next is not null
          returning 1)
        select id as delivery_id, next from nexts`),
    );
    return {
      escalated: rows.filter((r) => r.next).map((r) => Number(r.delivery_id)),
      exhausted: rows.filter((r) => !r.next).map((r) => Number(r.delivery_id)),
    };
  }

  /**
   * Puts every queued message without a batch into batches of one channel, template, locale and
   * jurisdiction rule, at most `sizes[channel]` each. Set-based; serialised per campaign by its lock.
   */
  async assignBatches(campaignId: string, sizes: Record<Channel, number>, now: Date): Promise<number> {
    await this.lockCampaign(campaignId);
    const [row] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with ranked as materialized (
          select m.id, m.channel, d.template, d.locale, ${VARIANT} as variant,
            ${batchNumber(sql`m.channel`, sql`m.id`, sizes)} as n
          from messages m join deliveries d on d.id = m.delivery_id
          where m.campaign_id = ${campaignId}::uuid and m.batch_id is null and m.status = 'queued'),
        groups as materialized (
          select channel, template, locale, variant, n, count(*)::int as size,
                 nextval('message_batches_id_seq') as batch_id
          from ranked group by channel, template, locale, variant, n),
        made as (
          insert into message_batches (id, campaign_id, channel, template, locale, variant, california, size,
            status, created_at)
          select batch_id, ${campaignId}::uuid, channel, template, locale, variant, variant = 'US-CA', size,
            'pending', ${now}
          from groups
          returning 1),
        assigned as (
          update messages msg set batch_id = g.batch_id
          from ranked r join groups g using (channel, template, locale, variant, n)
          where msg.id = r.id
          returning 1)
        select (select count(*)::int from assigned) as n, (select count(*) from made) as batches`),
    );
    return row?.n ?? 0;
  }
}
