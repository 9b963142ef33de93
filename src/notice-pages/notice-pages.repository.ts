import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf, toBuffer } from '../database/rows.js';

/** What a person's notice page needs of their delivery: the notice's facts, still sealed where personal. */
export interface PageDelivery {
  id: number;
  campaignId: string;
  incidentId: string;
  recipient: 'person' | 'guardian';
  template: string;
  locale: string;
  timeZone: string | null;
  jurisdiction: string | null;
  status: string;
  /** When the notice went out: the delivery's, else its campaign's start (a page read before the outcome). */
  sentAt: Date | null;
  acknowledgedAt: Date | null;
  exposed: string[];
  /** Whether an SMS counts as this delivery's notice (`deliveries.lawful`): else it only informs. */
  smsCounts: boolean;
  /** Null once the person was erased: their page is gone with them. */
  externalId: string | null;
  sealed: Buffer | null;
}

const date = (value: unknown): Date | null =>
  value === null || value === undefined ? null : new Date(value as string);

@Injectable()
export class NoticePagesRepository {
  constructor(private readonly database: DatabaseService) {}

  /** One delivery by id, by its primary key (a page answers in one statement). */
  async delivery(id: number): Promise<PageDelivery | undefined> {
    const [row] = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        select d.id, d.campaign_id, c.incident_id, d.recipient, d.template, d.locale, d.time_zone,
               d.jurisdiction, d.status, coalesce(d.notified_at, c.started_at) as sent_at, d.acknowledged_at,
               a.exposed_categories, s.external_id, s.sealed, 'sms' = any(d.lawful) as sms_counts
        from deliveries d join campaigns c on c.id = d.campaign_id
        left join affected_subjects a on a.id = d.affected_id
        left join subjects s on s.id = d.subject_id
        where d.id = ${id}`),
    );
    if (!row) return undefined;
    return {
      id: Number(row.id),
      campaignId: row.campaign_id as string,
      incidentId: row.incident_id as string,
      recipient: row.recipient as 'person' | 'guardian',
      template: row.template as string,
      locale: row.locale as string,
      timeZone: (row.time_zone as string | null) ?? null,
      jurisdiction: (row.jurisdiction as string | null) ?? null,
      status: row.status as string,
      sentAt: date(row.sent_at),
      acknowledgedAt: date(row.acknowledged_at),
      exposed: (row.exposed_categories as string[] | null) ?? [],
      smsCounts: row.sms_counts !== false,
      externalId: (row.external_id as string | null) ?? null,
      sealed: row.sealed ? toBuffer(row.sealed as Uint8Array) : null,
    };
  }

  /**
   * Records the first acknowledgement of a delivery and counts it in its campaign's tallies, in one
   * statement (a second click changes nothing). The tally is written here, not by the deliveries trigger:
   * an acknowledgement is no status (the notice stays `notified`), and progress never counts rows.
   */
  async acknowledge(id: number, at: Date): Promise<boolean> {
    const rows = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with acked as (
          update deliveries set acknowledged_at = ${at}
          where id = ${id} and acknowledged_at is null
          returning campaign_id)
        insert into campaign_tallies (campaign_id, kind, channel, status, n, at)
        select campaign_id, 'acknowledgement', '', 'acknowledged', 1, now() from acked
        returning 1 as n`),
    );
    return rows.length > 0;
  }

  /**
   * Who an email or phone hashes to (the keyed hash of the directory): the person whose own it is, and
   * the minors whose guardian gave it (a guardian of several children: each, up to 20).
   */
  async matchesByHash(
    kind: 'email' | 'phone',
    hash: Buffer,
  ): Promise<{ person: number | null; guardianOf: number[] }> {
    const own = kind === 'email' ? sql`email_hash` : sql`phone_hash`;
    const guardians = kind === 'email' ? sql`guardian_email_hash` : sql`guardian_phone_hash`;
    const rows = rowsOf<{ id: string | number; guardian: boolean }>(
      await this.database.db.execute(sql`
        (select id, false as guardian from subjects where ${own} = ${hash} limit 1)
        union all
        (select id, true as guardian from subjects where ${guardians} = ${hash} order by id limit 20)`),
    );
    return {
      person: rows.filter((r) => !r.guardian).map((r) => Number(r.id))[0] ?? null,
      guardianOf: rows.filter((r) => r.guardian).map((r) => Number(r.id)),
    };
  }

  /**
   * A notice of an incident to send again: the latest delivery of its campaigns to this person, or to
   * the guardian of this minor (not cancelled), with what rendering it needs; none when none was planned.
   */
  async resendable(
    incidentId: string,
    subjectId: number,
    recipient: 'person' | 'guardian',
  ): Promise<PageDelivery | undefined> {
    const [row] = rowsOf<{ id: string | number }>(
      await this.database.db.execute(sql`
        select d.id from deliveries d join campaigns c on c.id = d.campaign_id
        where c.incident_id = ${incidentId}::uuid and d.subject_id = ${subjectId}
          and d.recipient = ${recipient} and d.status <> 'cancelled'
        order by d.id desc limit 1`),
    );
    return row ? this.delivery(Number(row.id)) : undefined;
  }

  /** Whether any of these people is in the incident's affected set. */
  async anyAffected(incidentId: string, subjectIds: number[]): Promise<boolean> {
    const rows = rowsOf(
      await this.database.db.execute(sql`
        select 1 from affected_subjects
        where incident_id = ${incidentId}::uuid and subject_id = any(${sql.param(subjectIds)}::bigint[])
        limit 1`),
    );
    return rows.length > 0;
  }

  /** A person's sealed contact and languages, to write to them outside a campaign. */
  async contactOf(
    subjectId: number,
  ): Promise<
    { externalId: string; sealed: Buffer; locale: string | null; guardianLocale: string | null } | undefined
  > {
    const [row] = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        select external_id, sealed, locale, guardian_locale from subjects where id = ${subjectId}`),
    );
    if (!row) return undefined;
    return {
      externalId: row.external_id as string,
      sealed: toBuffer(row.sealed as Uint8Array),
      locale: (row.locale as string | null) ?? null,
      guardianLocale: (row.guardian_locale as string | null) ?? null,
    };
  }

  /** An id for a message before it is sent (the provider carries it back in its events). */
  async nextMessageId(): Promise<number> {
    const [row] = rowsOf<{ id: string | number }>(
      await this.database.db.execute(sql`select nextval(pg_get_serial_sequence('messages', 'id')) as id`),
    );
    return Number(row.id);
  }

  /**
   * A notice sent again, recorded as a message of its delivery once the provider answered (its campaign
   * counts it with the rest); a failure too, with its code.
   */
  async recordResend(
    message: { id: number; campaignId: string; deliveryId: number; channel: string },
    outcome: { status: 'sent' | 'failed'; providerRef: string | null; error: string | null },
    at: Date,
  ): Promise<void> {
    await this.database.db.execute(sql`
      insert into messages (id, campaign_id, delivery_id, channel, status, attempts, provider_ref, error,
                            sent_at, updated_at)
      values (${message.id}, ${message.campaignId}::uuid, ${message.deliveryId}, ${message.channel},
              ${outcome.status}, 1, ${outcome.providerRef}, ${outcome.error},
              ${outcome.status === 'sent' ? at : null}, ${at})`);
  }
}
