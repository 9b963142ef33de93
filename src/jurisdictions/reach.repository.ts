import { Injectable } from '@nestjs/common';
import { sql, type SQL } from 'drizzle-orm';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf } from '../database/rows.js';
import { lawfulMethodsSqlOf } from './notice-methods.sql.js';

/** Where a person of an incident's affected set stands: told lawfully, not yet, or not reachable. */
export const ReachOutcome = { Notified: 'notified', Pending: 'pending', Unreached: 'unreached' } as const;
export type ReachOutcome = (typeof ReachOutcome)[keyof typeof ReachOutcome];

/** Why a person is unreached, the first that holds in this order. */
export const UnreachedReason = {
  /** A minor whose guardian the directory has no email or phone for: the guardian's notice cannot go. */
  MinorWithoutGuardianContact: 'minor_without_guardian_contact',
  /** No email or phone (on the campaign's channels), no push token, or erased from the directory. */
  NoContact: 'no_contact',
  /** Only a push token: an alert points to a notice, it is not one. */
  PushOnly: 'push_only',
  /** Told only on a channel their law does not accept as the notice (an SMS in Florida), or only such a channel known. */
  MethodNotLawful: 'method_not_lawful',
  /** Every notice channel tried failed (refused, bounced, undelivered). */
  AllFailed: 'all_failed',
} as const;
export type UnreachedReason = (typeof UnreachedReason)[keyof typeof UnreachedReason];

export interface ReachCount {
  jurisdiction: string | null;
  outcome: ReachOutcome;
  /** Null unless unreached. */
  reason: UnreachedReason | null;
  people: number;
}

export interface ReachAttempt {
  campaignId: string;
  recipient: 'person' | 'guardian';
  channel: string;
  /** `queued`, `sent`, `delivered`, `failed`, `cancelled`. */
  status: string;
  attempts: number;
  /** Whether the channel counts as the notice under the person's law (push never does). */
  lawful: boolean;
  /** The provider's answer when it failed: a code, never an address. */
  error: string | null;
  sentAt: Date | null;
  updatedAt: Date;
}

export interface ReachPerson {
  /** The affected row's id (the cursor of the list). */
  id: number;
  /** Null once the person was erased. */
  externalId: string | null;
  jurisdiction: string | null;
  minor: boolean;
  guardianContact: boolean;
  exposedCategories: string[];
  channels: string[];
  scopeRunId: string;
  addedAt: Date;
  outcome: ReachOutcome;
  reason: UnreachedReason | null;
  notifiedAt: Date | null;
  history: ReachAttempt[];
}

const date = (value: unknown): Date | null => (value ? new Date(value as string) : null);

/**
 * Who of an incident's affected set was told, who is still to be, and who cannot be, with the reason:
 * one SQL definition (`states`) for the counts (obligations, the public notice's trigger) and the list
 * (`GET /v1/incidents/:id/affected?outcome=`). Notified means told on a channel the person's law accepts
 * (`affected_subjects.notified_at`, set only then); a person stays unreached when their last campaign
 * could not reach them, or when nothing could: no contact, only a push token, a minor without a
 * guardian's contact, or only channels their law does not accept.
 */
@Injectable()
export class ReachRepository {
  constructor(
    private readonly database: DatabaseService,
    private readonly config: AppConfig,
    private readonly clock: Clock,
  ) {}

  /** People per jurisdiction, outcome and reason. */
  async counts(incidentId: string): Promise<ReachCount[]> {
    const rows = rowsOf<{
      jurisdiction: string | null;
      outcome: ReachOutcome;
      reason: UnreachedReason | null;
      people: number;
    }>(
      await this.database.db.execute(sql`
        with ${this.states(incidentId, sql`true`, 'all')}
        select jurisdiction, outcome, reason, count(*)::int as people from states
        group by 1, 2, 3 order by 1 nulls last, 2, 3`),
    );
    return rows.map((r) => ({ ...r, people: Number(r.people) }));
  }

  /**
   * Residents not notified yet per jurisdiction (the pending and unreached of `counts`, by the one column
   * that decides it, without the per-person reasons): what individuals' obligations count as unreached.
   */
  async unnotified(incidentId: string): Promise<Map<string, number>> {
    const rows = rowsOf<{ jurisdiction: string; n: number }>(
      await this.database.db.execute(sql`
        select jurisdiction, count(*)::int as n from affected_subjects
        where incident_id = ${incidentId}::uuid and notified_at is null and jurisdiction is not null
        group by 1`),
    );
    return new Map(rows.map((r) => [r.jurisdiction, Number(r.n)]));
  }

  /**
   * A page of people (by affected row id, after `after`; `where` holds further conditions on the affected
   * row `a`), with their outcome, reason and delivery history.
   */
  async list(
    incidentId: string,
    filter: { outcome?: ReachOutcome; after: number; limit: number; where?: readonly SQL[] },
  ): Promise<ReachPerson[]> {
    const outcome = filter.outcome ? sql`s.outcome = ${filter.outcome}` : sql`true`;
    const where = sql.join([sql`a.id > ${filter.after}`, ...(filter.where ?? [])], sql` and `);
    const rows = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        with ${this.states(incidentId, where, 'each')}
        select s.id, s.jurisdiction, s.minor, s.guardian_contact, s.exposed_categories, s.channels,
          s.scope_run_id, s.added_at, s.outcome, s.reason, s.notified_at, p.external_id,
          coalesce((select json_agg(json_build_object(
              'campaignId', d.campaign_id, 'recipient', d.recipient, 'channel', m.channel, 'status', m.status,
              'attempts', m.attempts, 'lawful', m.channel = any(d.lawful), 'error', m.error,
              'sentAt', m.sent_at, 'updatedAt', m.updated_at) order by m.id)
            from deliveries d join messages m on m.delivery_id = d.id
            where d.affected_id = s.id), '[]'::json) as history
        from states s left join subjects p on p.id = s.subject_id
        where ${outcome}
        order by s.id limit ${filter.limit}`),
    );
    return rows.map((r) => ({
      id: Number(r.id),
      externalId: (r.external_id as string | null) ?? null,
      jurisdiction: (r.jurisdiction as string | null) ?? null,
      minor: Boolean(r.minor),
      guardianContact: Boolean(r.guardian_contact),
      exposedCategories: r.exposed_categories as string[],
      channels: r.channels as string[],
      scopeRunId: r.scope_run_id as string,
      addedAt: date(r.added_at)!,
      outcome: r.outcome as ReachOutcome,
      reason: (r.reason as UnreachedReason | null) ?? null,
      notifiedAt: date(r.notified_at),
      history: (r.history as Array<Record<string, unknown>>).map((h) => ({
        campaignId: h.campaignId as string,
        recipient: h.recipient as 'person' | 'guardian',
        channel: h.channel as string,
        status: h.status as string,
        attempts: Number(h.attempts),
        lawful: Boolean(h.lawful),
        error: (h.error as string | null) ?? null,
        sentAt: date(h.sentAt),
        updatedAt: date(h.updatedAt)!,
      })),
    }));
  }

  /**
   * The `states` CTE: per affected row (those `where` keeps), its last delivery (the latest campaign that
   * planned it), and from both its outcome and reason. The last delivery is found per row (`each`: a
   * page of the list, by the index on `affected_id`) or for the whole set at once (`all`: the counts, one
   * pass over the incident's deliveries hash-joined to the set; at a million people 3.4-4.2 s against
   * 5.8-6.2 s for a million index probes, docs/benchmarks.md). A delivery's affected row is of its
   * campaign's incident, so both find the same one.
   */
  private states(incidentId: string, where: SQL, find: 'each' | 'all'): SQL {
    const lawful = lawfulMethodsSqlOf(
      sql`a.jurisdiction`,
      this.clock.now().toISOString().slice(0, 10),
      this.config.esignConsent,
    );
    return sql`facts as (
        select a.id, a.subject_id, a.jurisdiction, a.minor, a.guardian_contact, a.notified_at,
          a.exposed_categories, a.channels, a.scope_run_id, a.added_at,
          'push' = any(a.channels) as push,
          array(select c from unnest(a.channels) c where c in ('email', 'sms')) as notice,
          ${lawful} as lawful_now,
          d.status as delivery, cardinality(d.plan) = 0 as no_plan, d.alert,
          exists (select 1 from messages m where m.delivery_id = d.id and m.channel in ('email', 'sms')
                    and not (m.channel = any(d.lawful)) and m.status in ('sent', 'delivered')) as informed
        from affected_subjects a
        ${
          find === 'each'
            ? sql`left join lateral (select d.id, d.status, d.plan, d.alert, d.lawful from deliveries d
                           where d.affected_id = a.id order by d.id desc limit 1) d on true`
            : sql`left join (select distinct on (d.affected_id) d.affected_id, d.id, d.status, d.plan, d.alert, d.lawful
                     from deliveries d
                     where d.campaign_id in (select c.id from campaigns c where c.incident_id = ${incidentId}::uuid)
                     order by d.affected_id, d.id desc) d on d.affected_id = a.id`
        }
        where a.incident_id = ${incidentId}::uuid and ${where}),
      states as (
        select f.id, f.subject_id, f.jurisdiction, f.minor, f.guardian_contact, f.notified_at,
          f.exposed_categories, f.channels, f.scope_run_id, f.added_at, o.outcome,
          case
            when o.outcome <> 'unreached' then null
            when f.minor and not f.guardian_contact then 'minor_without_guardian_contact'
            when f.subject_id is null or (cardinality(f.notice) = 0 and not f.push)
              or (f.no_plan and not f.alert) then 'no_contact'
            when cardinality(f.notice) = 0 or f.no_plan then 'push_only'
            when f.informed or (f.delivery is distinct from 'unreachable' and not (f.notice && f.lawful_now))
              then 'method_not_lawful'
            else 'all_failed' end as reason
        from facts f
        cross join lateral (select case
            when f.notified_at is not null then 'notified'
            when f.delivery = 'pending' then 'pending'
            when f.delivery = 'unreachable' or f.subject_id is null or cardinality(f.notice) = 0
              or (f.minor and not f.guardian_contact) or not (f.notice && f.lawful_now) then 'unreached'
            else 'pending' end as outcome) o)`;
  }
}
