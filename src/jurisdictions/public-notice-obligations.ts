import { Inject, Injectable, Logger } from '@nestjs/common';
import Handlebars from 'handlebars';
import { AuditService } from '../audit/audit.service.js';
import { EMAIL_PORT, type EmailPort } from '../channels/channel.port.js';
import { SYSTEM_ACTOR, type Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import { IncidentsRepository } from '../incidents/incidents.repository.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { ObligationsRepository, type ObligationRow } from './obligations.repository.js';
import { rulesFor } from './rules/compute.js';
import { RULES } from './rules/index.js';
import { raisedByPolicy, substituteRuleFor } from './rules/substitute-notice.js';
import type { SubstituteFacts, SubstituteMeans } from './rules/substitute-notice.types.js';
import { ReachRepository, UnreachedReason } from './reach.repository.js';
import { SubstituteFactsRepository, type SubstituteFactsRow } from './substitute-facts.repository.js';

/**
 * What a law's substitute notice may ask for that publishing the notice does not do: notice to statewide
 * or major media (California, New York, Florida, Australia's "publicise"; GDPR and the UK GDPR where the
 * website alone would not inform as effectively: taken as always, the stricter reading, since only the
 * responders can judge it), and a toll-free number (HIPAA). Email where the address is known is the campaign's; the website is
 * the publication; LGPD's app or service channels are met by either.
 */
const BY_HAND: readonly SubstituteMeans[] = ['media', 'tollFreeNumber'];

/** Residents of one jurisdiction not individually notified, by why (the reach repository's reasons). */
export interface NotNotified {
  /** Affected residents. */
  total: number;
  /** No usable contact, a minor's guardian without one included. */
  noContact: number;
  /** Reachable only by push: an alert, not a notice the law recognises. */
  pushOnly: number;
  /** Ended unreachable on every notice channel of their plan. */
  allFailed: number;
  /** Told, or reachable, only by a channel their law does not accept as the notice. */
  methodNotLawful: number;
}

const FIELD_OF: Record<UnreachedReason, Exclude<keyof NotNotified, 'total'>> = {
  [UnreachedReason.NoContact]: 'noContact',
  [UnreachedReason.MinorWithoutGuardianContact]: 'noContact',
  [UnreachedReason.PushOnly]: 'pushOnly',
  [UnreachedReason.AllFailed]: 'allFailed',
  [UnreachedReason.MethodNotLawful]: 'methodNotLawful',
};

/** Told when public-notice obligations are raised (the public notices module drafts one). */
export type PublicNoticeRaised = (incidentId: string, raised: ObligationRow[]) => Promise<void>;

/** The responders' facts for a substitute notice, as recorded. */
export interface SubstituteDecision {
  estimatedCostUsd: number | null;
  disproportionateEffort: boolean;
  reason: string | null;
}

/**
 * The public notice among the obligations: the facts its rules read (who was not reached one by one, and
 * the responders' cost and effort facts), the alerts when one is raised (timeline, audit, the metric
 * obligation_alerts_total{kind=public_notice}, an email to OBLIGATION_ALERT_EMAIL) and the hook that drafts
 * it, and what a publication meets.
 */
@Injectable()
export class PublicNoticeObligations {
  private readonly logger = new Logger(PublicNoticeObligations.name);
  private readonly listeners: PublicNoticeRaised[] = [];

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: ObligationsRepository,
    private readonly facts: SubstituteFactsRepository,
    private readonly reach: ReachRepository,
    private readonly incidents: IncidentsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Inject(EMAIL_PORT) private readonly email: EmailPort,
  ) {}

  /** Adds a listener told of every raised public-notice obligation (after the recomputation's commit). */
  onPublicNoticeRaised(listener: PublicNoticeRaised): void {
    this.listeners.push(listener);
  }

  /**
   * Per jurisdiction, the facts the substitute-notice rules read, from `reach` (the incident's
   * {@link notIndividuallyNotified}, read once by the caller, which may show them too).
   */
  async substituteFacts(
    incidentId: string,
    reach: ReadonlyMap<string, NotNotified>,
  ): Promise<Map<string, SubstituteFacts>> {
    const decision = await this.facts.get(incidentId);
    return new Map(
      [...reach].map(([jurisdiction, n]) => [
        jurisdiction,
        {
          residents: n.total,
          noContact: n.noContact,
          allFailed: n.allFailed,
          pushOnly: n.pushOnly,
          methodNotLawful: n.methodNotLawful,
          unreached: n.noContact + n.allFailed + n.pushOnly + n.methodNotLawful,
          estimatedCostUsd: decision?.estimatedCostUsd ?? null,
          disproportionateEffort: decision?.disproportionateEffort ?? false,
        },
      ]),
    );
  }

  /**
   * Per jurisdiction: residents not individually notified, by why, once a campaign of the incident
   * completed (before that nobody was tried, so nobody counts as unreached).
   *
   * Until then only the totals are read, and from the latest freeze's counts: the reach counts join every
   * affected person to their last delivery and its messages (3-15 s of PostgreSQL at a million, run by the
   * obligations watch during a campaign's sends, whose start moves the timeline), only to be summed here.
   */
  async notIndividuallyNotified(incidentId: string): Promise<Map<string, NotNotified>> {
    const done = Boolean(await this.repository.completedCampaign(incidentId));
    const byJurisdiction = new Map<string, NotNotified>();
    const entry = (jurisdiction: string) => {
      const n = byJurisdiction.get(jurisdiction) ?? {
        total: 0,
        noContact: 0,
        pushOnly: 0,
        allFailed: 0,
        methodNotLawful: 0,
      };
      byJurisdiction.set(jurisdiction, n);
      return n;
    };
    if (!done) {
      for (const [jurisdiction, residents] of await this.repository.frozenResidents(incidentId)) {
        entry(jurisdiction).total += residents;
      }
      return byJurisdiction;
    }
    for (const count of await this.reach.counts(incidentId)) {
      if (!count.jurisdiction) continue;
      const n = entry(count.jurisdiction);
      n.total += count.people;
      if (count.outcome === 'unreached' && count.reason) n[FIELD_OF[count.reason]] += count.people;
    }
    return byJurisdiction;
  }

  async decision(incidentId: string): Promise<SubstituteDecision> {
    await this.incident(incidentId);
    const row = await this.facts.get(incidentId);
    return {
      estimatedCostUsd: row?.estimatedCostUsd ?? null,
      disproportionateEffort: row?.disproportionateEffort ?? false,
      reason: row?.reason ?? null,
    };
  }

  /** Records the responders' facts (audited, on the timeline); the obligations are recomputed by the caller. */
  async decide(actor: Actor, incidentId: string, decision: SubstituteDecision): Promise<SubstituteDecision> {
    await this.incident(incidentId);
    const now = this.clock.now();
    await this.database.transaction(async () => {
      const row: SubstituteFactsRow = { incidentId, ...decision, decidedBy: actor.keyId, updatedAt: now };
      await this.facts.put(row);
      const details = { ...decision };
      await this.incidents.addEvent({
        incidentId,
        at: now,
        kind: 'substitute_facts.recorded',
        details,
        actorKeyId: actor.keyId,
      });
      await this.audit.record(actor, {
        action: 'substitute_facts.recorded',
        targetType: 'incident',
        targetId: incidentId,
        summary: details,
      });
    });
    return decision;
  }

  /** Public-notice obligations were raised: the alerts, then the listeners (the draft). */
  async raised(incidentId: string, keys: readonly string[]): Promise<void> {
    const rows = (await this.repository.forIncident(incidentId)).filter((r) => keys.includes(r.key));
    if (rows.length === 0) return;
    const now = this.clock.now();
    await this.database.transaction(async () => {
      for (const row of rows) {
        const details = {
          key: row.key,
          ruleId: row.ruleId,
          dueAt: row.dueAt?.toISOString() ?? null,
          reason: row.reason,
        };
        await this.incidents.addEvent({ incidentId, at: now, kind: 'obligation.public_notice', details });
        await this.audit.record(SYSTEM_ACTOR, {
          action: 'obligation.alert.public_notice',
          targetType: 'obligation',
          targetId: row.id,
          summary: details,
        });
      }
    });
    this.metrics.obligationAlerts.inc({ kind: 'public_notice' }, rows.length);
    await this.sendEmail(incidentId, rows);
    for (const listener of this.listeners) {
      try {
        await listener(incidentId, rows);
      } catch (error) {
        // The obligation and its alert stand; a responder drafts the notice by hand.
        this.logger.warn(
          { incident: incidentId, err: (error as Error).message },
          'public notice not drafted',
        );
      }
    }
  }

  /**
   * A public notice was published for these jurisdictions: it meets their public-notice obligations and,
   * where the law accepts a substitute notice for the residents not reached one by one, their individuals'
   * obligations (inside the caller's transaction). Returns what it met. Not where the law's substitute
   * notice also asks for what publishing does not do (BY_HAND: statewide media, a toll-free number):
   * those stay open, the timeline says what is outstanding, and the responders mark them met once done
   * (`POST /v1/obligations/{id}/met` with a note naming it), or waived with the reason it was not needed.
   */
  async meetByPublicNotice(
    incidentId: string,
    noticeId: string,
    jurisdictions: readonly string[],
    at: Date,
  ): Promise<ObligationRow[]> {
    const incident = await this.incident(incidentId);
    const open = (await this.repository.forIncident(incidentId)).filter(
      (row) => row.applicable && !row.metAt && !row.waivedAt && !row.withdrawnAt,
    );
    const covered = (row: ObligationRow) =>
      row.jurisdictions.length > 0 && row.jurisdictions.every((j) => jurisdictions.includes(j));
    // What the law's substitute notice asks beyond the publication; nothing for the policy's own notice.
    const byHand = (row: ObligationRow) =>
      row.ruleId === null || (row.audience === 'public' && raisedByPolicy(row))
        ? []
        : (substituteRuleFor(row.ruleId, incident.discoveredAt)?.means ?? [])
            .map((m) => m.means)
            .filter((m) => BY_HAND.includes(m));
    const raised = open.filter((row) => row.audience === 'public' && covered(row));
    // A group whose public notice the law raised: publishing it meets the individuals' obligation where
    // the law accepts that. One the privacy policy raised meets only itself.
    const groups = new Set(
      raised.filter((row) => !raisedByPolicy(row)).map((row) => row.key.split('/').slice(0, -1).join('/')),
    );
    const substituted = open.filter(
      (row) =>
        row.audience === 'individuals' &&
        groups.has(row.key.split('/').slice(0, -1).join('/')) &&
        row.ruleId !== null &&
        substituteRuleFor(row.ruleId, incident.discoveredAt)?.replacesIndividualNotice === true,
    );
    const by = { kind: 'public_notice', id: noticeId };
    const done = (row: ObligationRow) => byHand(row).length === 0;
    // Once per obligation: a new version published leaves what was outstanding as it was said.
    const said = await this.repository.keysOnTimeline(incidentId, 'obligation.means_outstanding');
    for (const row of [...raised, ...substituted].filter((r) => !done(r) && !said.has(r.key))) {
      await this.incidents.addEvent({
        incidentId,
        at: this.clock.now(),
        kind: 'obligation.means_outstanding',
        details: { key: row.key, ruleId: row.ruleId, by, outstanding: byHand(row) },
      });
    }
    const met = [
      ...(await this.repository.meet(
        incidentId,
        { audience: 'public', ids: raised.filter(done).map((r) => r.id) },
        at,
        by,
      )),
      ...(await this.repository.meet(
        incidentId,
        { audience: 'individuals', ids: substituted.filter(done).map((r) => r.id) },
        at,
        by,
      )),
    ];
    for (const row of met) {
      await this.incidents.addEvent({
        incidentId,
        at: this.clock.now(),
        kind: 'obligation.met',
        details: { key: row.key, ruleId: row.ruleId, by },
      });
    }
    return met;
  }

  /** Whether a jurisdiction's law accepts a public notice in place of the individual one (for the list). */
  static replacesIndividualNotice(jurisdiction: string, awareness: Date): boolean {
    return rulesFor(jurisdiction, awareness, RULES).some(
      (rule) => substituteRuleFor(rule.id, awareness)?.replacesIndividualNotice === true,
    );
  }

  private async incident(incidentId: string) {
    const incident = await this.incidents.findById(incidentId);
    if (!incident) throw AppError.notFound('incident', incidentId);
    return incident;
  }

  private async sendEmail(incidentId: string, rows: ObligationRow[]): Promise<void> {
    const to = this.config.obligationAlertEmail;
    const incident = await this.incidents.findById(incidentId);
    if (!to || !incident) return;
    const text = [
      `${incident.reference} ${incident.title}`,
      '',
      'A public notice is due: people could not be reached one by one.',
      ...rows.map(
        (row) =>
          `- ${row.law ?? row.ruleId} (${row.jurisdictions.join(', ')}), due ${row.dueAt?.toISOString() ?? 'as soon as possible'}: ${row.what} Why: ${row.reason}`,
      ),
      '',
      'A draft was created from the incident: review it, have it approved and publish it.',
      `${this.config.publicBaseUrl}/v1/incidents/${incident.id}/public-notices`,
    ].join('\n');
    try {
      await this.email.send({
        subject: `[${incident.reference}] Public notice due`,
        text,
        html: `<pre>${Handlebars.escapeExpression(text)}</pre>`,
        recipients: [{ messageId: 0, to, substitutions: {} }],
      });
    } catch (error) {
      // The alert stands in the audit log, on the timeline and in the metric; the email is best effort.
      this.logger.warn(
        { incident: incidentId, err: (error as Error).message },
        'public notice alert email failed',
      );
    }
  }
}
