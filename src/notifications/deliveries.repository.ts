import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { Channel } from '../channels/channel.port.js';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf } from '../database/rows.js';
import { lawfulMethodsSqlOf } from '../jurisdictions/notice-methods.sql.js';
import type { EsignConsent } from '../jurisdictions/rules/notice-methods.js';
import { readerLocale, THROUGH_GUARDIAN } from './readers.sql.js';

export interface PlanSettings {
  campaignId: string;
  incidentId: string;
  /**
   * Each language of the readers with a jurisdiction they read it in ('' for none, either) and whether a
   * guardian reads it, and the template locale the notice is in (resolved in code, by the renderer's one
   * function, with the template of that audience); `fallback` for a language not among them, by audience.
   */
  locales: {
    from: string[];
    jurisdictions: string[];
    guardians: boolean[];
    to: string[];
    /** The SMS cannot carry that notice in one message (SmsFit): SMS does not count as it there. */
    smsLeadOnly: boolean[];
    fallback: { person: string; guardian: string };
  };
  channels: readonly Channel[];
  mode: 'escalate' | 'all';
  includeGuardians: boolean;
  template: string;
  guardianTemplate: string;
  /** What configuration says of consent to electronic notice (the lawful channels depend on it). */
  esignConsent: EsignConsent;
  /** Jurisdictions whose residents wait for a report the law wants filed first (jurisdictions/notice-ordering.ts). */
  held: readonly string[];
  /** Only people this campaign has no delivery for yet (residents released from a hold). */
  onlyNew?: boolean;
  now: Date;
}

/**
 * A campaign's `deliveries`, one per recipient: planned, locked, settled. (Sends move them in the
 * messages' own statements, MessagesRepository.)
 */
@Injectable()
export class DeliveriesRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Writes one delivery per recipient of the affected set who has not been notified yet: the guardian
   * for a minor with guardian contact (when the campaign includes guardians), else the person; with the
   * notice channels in the person's order of preference among the campaign's, a push alert when the
   * campaign has push and the person a token, and the recipient's language (a guardian's own, when the
   * directory has it, else the child's: readers.sql.ts, as the campaign warnings read it). The channels
   * that count as the notice under the recipient's law (`lawful`) come first in the plan, so a lawful
   * channel is tried before one that only informs.
   * Returns how many.
   */
  async planDeliveries(p: PlanSettings): Promise<number> {
    const guardian = p.includeGuardians ? THROUGH_GUARDIAN : sql`false`;
    const lawful = lawfulMethodsSqlOf(sql`a.jurisdiction`, p.now.toISOString().slice(0, 10), p.esignConsent);
    const [row] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with planned as (
          insert into deliveries (campaign_id, affected_id, subject_id, recipient, template, locale, time_zone,
            jurisdiction, exposed, plan, alert, lawful, status, updated_at)
          select ${p.campaignId}::uuid, a.id, s.id,
            case when g.guardian then 'guardian' else 'person' end,
            case when g.guardian then ${p.guardianTemplate} else ${p.template} end,
            coalesce(l.t, case when g.guardian then ${p.locales.fallback.guardian} else ${p.locales.fallback.person} end),
            s.time_zone, a.jurisdiction, a.exposed_categories, g.plan,
            ${p.channels.includes('push')} and not g.guardian and s.push_token_count > 0, lw.lawful,
            case when cardinality(g.plan) = 0 then 'unreachable' else 'pending' end,
            ${p.now}
          from affected_subjects a
          join subjects s on s.id = a.subject_id
          cross join lateral (select ${guardian} as guardian) gg
          -- The notice's locale by the reader's language and jurisdiction and the audience, as resolved
          -- in code: a hash join ('' for none), not a scan of the pairs per recipient. With it, whether an
          -- SMS can carry that notice: where it cannot, SMS only informs (SMS_NOTICE).
          left join unnest(${sql.param(p.locales.from)}::text[], ${sql.param(p.locales.jurisdictions)}::text[],
              ${sql.param(p.locales.guardians)}::boolean[], ${sql.param(p.locales.to)}::text[],
              ${sql.param(p.locales.smsLeadOnly)}::boolean[]) as l(f, j, by_guardian, t, lead_only)
            on l.f = coalesce(${readerLocale(sql`gg.guardian`)}, '')
            and l.j = coalesce(a.jurisdiction, '') and l.by_guardian = gg.guardian
          -- A reader whose language was not measured (their language or jurisdiction changed since the
          -- readers were read): SMS does not count, the stricter side.
          cross join lateral (select array_remove(${lawful}, case when coalesce(l.lead_only, true) then 'sms' end)
                                     as lawful) lw
          cross join lateral (
            select gg.guardian as guardian, array(
              select ch from unnest(array['email', 'sms']) with ordinality as o(ch, n)
              where ch = any(${sql.param([...p.channels])}::text[])
                and case ch
                  when 'email' then (case when gg.guardian then s.guardian_has_email else s.has_email end)
                  else (case when gg.guardian then s.guardian_has_phone else s.has_phone end) end
              order by ch = any(lw.lawful) desc,
                case when gg.guardian then n else coalesce(array_position(s.channel_preferences, ch), 9) end, n
            )::text[] as plan) g
          where a.incident_id = ${p.incidentId}::uuid and a.notified_at is null
            and coalesce(a.jurisdiction, '') <> all(${sql.param([...p.held])}::text[])
            ${p.onlyNew ? sql`and not exists (select 1 from deliveries x where x.affected_id = a.id and x.campaign_id = ${p.campaignId}::uuid)` : sql``}
          returning 1)
        select count(*)::int as n from planned`),
    );
    return row?.n ?? 0;
  }

  /** The campaign's last delivery id (0: none): what a release plans comes after it. */
  async lastId(campaignId: string): Promise<number> {
    const [row] = rowsOf<{ id: string | number | null }>(
      await this.database.db.execute(
        sql`select max(id) as id from deliveries where campaign_id = ${campaignId}::uuid`,
      ),
    );
    return Number(row?.id ?? 0);
  }

  /** Deliveries among these still pending, closed as cancelled (their campaign sends nothing more). */
  async markCancelled(deliveryIds: number[], now: Date): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.database.db.execute(sql`
      update deliveries set status = 'cancelled', updated_at = ${now}
      where id = any(${sql.param(deliveryIds)}::bigint[]) and status = 'pending'`);
  }

  /** Locks these deliveries until the transaction ends (in id order: two lockers never deadlock). */
  async lock(deliveryIds: number[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.database.db.execute(sql`
      select 1 from deliveries where id = any(${sql.param(deliveryIds)}::bigint[]) order by id for update`);
  }

  /**
   * Pending deliveries of an idle campaign, which nothing queued can settle any more: notified when a
   * notice message of theirs left on a lawful channel, unreachable when none did. A safety net under the campaign's row lock.
   */
  async settleStranded(campaignId: string, now: Date): Promise<{ notified: number; unreachable: number }> {
    const [row] = rowsOf<{ notified: number; unreachable: number }>(
      await this.database.db.execute(sql`
        with stranded as (
          select d.id, d.affected_id,
                 (select min(m.sent_at) from messages m where m.delivery_id = d.id
                    and m.channel = any(d.lawful) and m.status in ('sent', 'delivered')) as sent_at
          from deliveries d
          where d.campaign_id = ${campaignId}::uuid and d.status = 'pending'
            and not exists (select 1 from messages m where m.delivery_id = d.id and m.status = 'queued')
          for update of d),
        settled as (
          update deliveries d
          set status = case when s.sent_at is null then 'unreachable' else 'notified' end,
              notified_at = s.sent_at, updated_at = ${now}
          from stranded s where d.id = s.id
          returning d.status, d.affected_id, d.notified_at),
        affected as (
          update affected_subjects a set notified_at = s.notified_at
          from settled s where a.id = s.affected_id and s.status = 'notified' and a.notified_at is null
          returning 1)
        select count(*) filter (where status = 'notified')::int as notified,
               count(*) filter (where status = 'unreachable')::int as unreachable
        from settled`),
    );
    return { notified: row?.notified ?? 0, unreachable: row?.unreachable ?? 0 };
  }

  /**
   * Deliveries among these with no lawful notice left: every message on a channel their law accepts
   * failed, and none is queued (one that only informs, an SMS in Florida, may be).
   */
  async markUnreachable(deliveryIds: number[], now: Date): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.database.db.execute(sql`
      update deliveries d set status = 'unreachable', updated_at = ${now}
      where d.id = any(${sql.param(deliveryIds)}::bigint[]) and d.status = 'pending'
        and not exists (select 1 from messages m where m.delivery_id = d.id and m.channel = any(d.lawful)
                          and m.status in ('queued', 'sent', 'delivered'))`);
  }
}
