import { Inject, Injectable, Logger } from '@nestjs/common';
import Handlebars from 'handlebars';
import { SYSTEM_ACTOR, type Actor } from '../common/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { EMAIL_PORT, type EmailPort } from '../channels/channel.port.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import { IncidentsRepository, type IncidentRow } from '../incidents/incidents.repository.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, type JobPayload } from '../queue/queue.catalogue.js';
import { ObligationsRepository, type ComputedColumns, type ObligationRow } from './obligations.repository.js';
import { ReachRepository } from './reach.repository.js';
import { PublicNoticeObligations } from './public-notice-obligations.js';
import type { NotNotified } from './public-notice-obligations.js';
import { computeObligations, type ComputedObligation, type ComputeOptions } from './rules/compute.js';
import { germanAuthorityKey } from './rules/eu-gdpr.rules.js';
import { RULES } from './rules/index.js';
import type { RiskLevel } from './rules/rule.types.js';

export const ObligationState = {
  Due: 'due',
  Met: 'met',
  Missed: 'missed',
  Waived: 'waived',
  NotApplicable: 'not_applicable',
  /** The scope or facts changed and the obligation no longer arises (kept for the record). */
  Withdrawn: 'withdrawn',
} as const;
export type ObligationState = (typeof ObligationState)[keyof typeof ObligationState];

export interface ObligationView extends ObligationRow {
  state: ObligationState;
  /** Met or still open after its due date. */
  late: boolean;
  /** Individuals' obligations, in a list: residents it covers not notified yet. */
  unreached?: number | null;
  /** Individuals' and public-notice obligations, in a list: who was not reached one by one, by why. */
  notIndividuallyNotified?: Omit<NotNotified, 'total'> | null;
}

/** The residents of these jurisdictions not reached one by one, by why. */
const notNotifiedOf = (jurisdictions: readonly string[], reach: Map<string, NotNotified>) =>
  jurisdictions.reduce(
    (sum, j) => {
      const n = reach.get(j);
      return n
        ? {
            noContact: sum.noContact + n.noContact,
            allFailed: sum.allFailed + n.allFailed,
            pushOnly: sum.pushOnly + n.pushOnly,
            methodNotLawful: sum.methodNotLawful + n.methodNotLawful,
          }
        : sum;
    },
    { noContact: 0, allFailed: 0, pushOnly: 0, methodNotLawful: 0 },
  );

/** Residents of these jurisdictions not notified yet. */
const unreachedOf = (jurisdictions: readonly string[], unnotified: Map<string, number>): number =>
  jurisdictions.reduce((n, j) => n + (unnotified.get(j) ?? 0), 0);

/** An obligation's state now: decisions first, then the clock. */
export function stateOf(row: ObligationRow, now: Date): ObligationView {
  const due = row.dueAt?.getTime();
  const late = due !== undefined && (row.metAt ? row.metAt.getTime() > due : now.getTime() > due);
  let state: ObligationState;
  if (row.withdrawnAt) state = ObligationState.Withdrawn;
  else if (!row.applicable) state = ObligationState.NotApplicable;
  else if (row.metAt) state = ObligationState.Met;
  else if (row.waivedAt) state = ObligationState.Waived;
  else if (late) state = ObligationState.Missed;
  else state = ObligationState.Due;
  return {
    ...row,
    state,
    late: late && state !== ObligationState.Waived && state !== ObligationState.Withdrawn,
  };
}

/** The fields whose change is worth a line on the timeline. */
const WATCHED = ['dueAt', 'applicable', 'ruleVersion', 'reason', 'clockStartedAt'] as const;

const iso = (d: Date | null | undefined) => d?.toISOString() ?? null;

@Injectable()
export class ObligationsService {
  private readonly logger = new Logger(ObligationsService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: ObligationsRepository,
    private readonly reach: ReachRepository,
    private readonly incidents: IncidentsRepository,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
    @Inject(EMAIL_PORT) private readonly email: EmailPort,
    private readonly publicNotices: PublicNoticeObligations,
  ) {}

  /**
   * The obligations of an incident, recomputed from its current facts first; those to individuals say
   * how many of their residents were not notified yet. `bulk`: the recomputation under the bulk
   * statement limit (a job's, as {@link recompute}).
   */
  async list(incidentId: string, options: { bulk?: boolean } = {}): Promise<ObligationView[]> {
    // The set-wide figures the recomputation read, once: at a million people the reach counts take 3-13 s,
    // and a second read of them for the list doubled the request (docs/benchmarks.md).
    const { figures } = await this.recomputed(incidentId, options);
    const now = this.clock.now();
    const unnotified =
      figures.unnotified ??
      (options.bulk
        ? await this.database.transaction(() => this.reach.unnotified(incidentId), { bulk: true })
        : await this.reach.unnotified(incidentId));
    const reach = figures.notIndividuallyNotified;
    return (await this.repository.forIncident(incidentId)).map((row) => ({
      ...stateOf(row, now),
      unreached: row.audience === 'individuals' ? unreachedOf(row.jurisdictions, unnotified) : null,
      notIndividuallyNotified:
        row.audience === 'individuals' || row.audience === 'public'
          ? notNotifiedOf(row.jurisdictions, reach)
          : null,
    }));
  }

  /** The obligations as last computed, without recomputing them: the incident's rows, a few. */
  async stored(incidentId: string): Promise<ObligationView[]> {
    const now = this.clock.now();
    return (await this.repository.forIncident(incidentId)).map((row) => stateOf(row, now));
  }

  async get(id: string): Promise<ObligationView> {
    const row = await this.repository.findById(id);
    if (!row) throw AppError.notFound('obligation', id);
    return stateOf(row, this.clock.now());
  }

  /**
   * Applies the rules to the incident's facts, affected set and clocks, and writes what changed: new
   * obligations, changed due dates or applicability, withdrawn ones; each change on the timeline with
   * the rule version. Individuals' obligations are met once a campaign notified every resident they cover.
   *
   * `bulk`: the statements over the whole affected set (every person's last delivery and messages, for
   * the reach counts) get PG_BULK_STATEMENT_TIMEOUT_MS. For the watch: at a million people on a busy
   * machine one such statement ran for minutes, and the ordinary limit would fail the recomputation every
   * time, leaving the deadlines unwatched. A request (the list, recording substitute facts) keeps the
   * ordinary limit.
   */
  async recompute(
    incidentId: string,
    options: { bulk?: boolean } = {},
  ): Promise<{ added: number; changed: number; withdrawn: number }> {
    return (await this.recomputed(incidentId, options)).summary;
  }

  /** {@link recompute}, with the set-wide figures it read. */
  private async recomputed(incidentId: string, options: { bulk?: boolean } = {}) {
    const { summary, raised, figures } = await this.database.transaction(
      () => this.recomputeNow(incidentId),
      { bulk: options.bulk ?? false },
    );
    // A public notice newly due: the responders are told and a draft is made, once its rows are committed.
    if (raised.length > 0) await this.publicNotices.raised(incidentId, raised);
    return { summary, figures };
  }

  /** The recomputation, inside the caller's transaction. */
  private async recomputeNow(incidentId: string) {
    await this.repository.lockIncident(incidentId);
    const incident = await this.incidents.findById(incidentId);
    if (!incident) throw AppError.notFound('incident', incidentId);
    const now = this.clock.now();
    const notIndividuallyNotified = await this.publicNotices.notIndividuallyNotified(incidentId);
    const computed = await this.compute(incident, notIndividuallyNotified);
    const existing = new Map((await this.repository.forIncident(incidentId)).map((row) => [row.key, row]));
    const rows = computed.map((c) => toColumns(incidentId, c, now));
    const events: { kind: string; details: Record<string, unknown> }[] = [];
    for (const row of rows) {
      const before = existing.get(row.key);
      if (!before || before.withdrawnAt) {
        events.push({ kind: 'obligation.added', details: describe(row) });
        continue;
      }
      const fields = WATCHED.filter((f) => !same(before[f], row[f]));
      if (fields.length > 0) {
        events.push({
          kind: 'obligation.changed',
          details: {
            ...describe(row),
            fields,
            before: Object.fromEntries(fields.map((f) => [f, plain(before[f])])),
          },
        });
      }
    }
    const keys = new Set(rows.map((r) => r.key));
    const gone = [...existing.values()].filter((row) => !keys.has(row.key) && !row.withdrawnAt);
    for (const row of gone) {
      events.push({ kind: 'obligation.withdrawn', details: describe(row) });
    }
    await this.repository.upsert(rows);
    await this.repository.withdraw(
      gone.map((row) => row.id),
      now,
    );
    // Notifying people is met by a campaign once every resident it covers was notified; while some
    // were not reached one by one (no contact, every channel failed), it stays open: the law then wants
    // a substitute or public notice (met by hand), or a reason (waived). The list says how many.
    const campaign = await this.repository.completedCampaign(incidentId);
    const unnotified = campaign ? await this.reach.unnotified(incidentId) : undefined;
    if (campaign && unnotified) {
      const whole = (await this.repository.forIncident(incidentId))
        .filter((row) => row.audience === 'individuals' && unreachedOf(row.jurisdictions, unnotified) === 0)
        .map((row) => row.id);
      const met = await this.repository.meet(
        incidentId,
        { audience: 'individuals', ids: whole },
        campaign.finishedAt,
        { kind: 'campaign', id: campaign.id },
      );
      for (const row of met) {
        events.push({
          kind: 'obligation.met',
          details: { ...describe(row), by: { kind: 'campaign', id: campaign.id } },
        });
      }
    }
    for (const event of events) {
      await this.incidents.addEvent({ incidentId, at: now, kind: event.kind, details: event.details });
    }
    const summary = {
      added: events.filter((e) => e.kind === 'obligation.added').length,
      changed: events.filter((e) => e.kind === 'obligation.changed').length,
      withdrawn: gone.length,
    };
    if (events.length > 0) {
      await this.audit.record(SYSTEM_ACTOR, {
        action: 'obligations.recompute',
        targetType: 'incident',
        targetId: incidentId,
        summary: { ...summary, keys: events.map((e) => e.details.key) },
      });
    }
    await this.repository.markChecked(incidentId, now);
    const raised = events
      .filter((e) => e.kind === 'obligation.added' && String(e.details.key).endsWith('/public-notice'))
      .map((e) => String(e.details.key));
    return { summary, raised, figures: { notIndividuallyNotified, unnotified } };
  }

  private async compute(
    incident: IncidentRow,
    notIndividuallyNotified: ReadonlyMap<string, NotNotified>,
  ): Promise<ComputedObligation[]> {
    // One after the other: these share the recomputation's transaction's connection.
    const facts = await this.repository.jurisdictionFacts(incident.id);
    const clocks = await this.repository.clocks(incident.id, incident.discoveredAt);
    const substitute = await this.publicNotices.substituteFacts(incident.id, notIndividuallyNotified);
    const shared = {
      riskLevel: (incident.riskLevel as RiskLevel | null) ?? null,
      encrypted: incident.encrypted ?? null,
      cyberAttack: incident.cyberAttack ?? null,
      unlawfulPurpose: incident.unlawfulPurpose ?? null,
      paymentFunction: this.config.accountPayments,
    };
    return computeObligations(
      facts.map((f) => ({
        ...f,
        ...shared,
        substitute: f.jurisdiction ? substitute.get(f.jurisdiction) : undefined,
      })),
      clocks,
      RULES,
      computeOptions(this.config),
    );
  }

  async waive(actor: Actor, id: string, reason: string): Promise<ObligationView> {
    return this.decide(actor, id, 'obligation.waived', {
      waivedAt: this.clock.now(),
      waivedReason: reason,
      decidedBy: actor.keyId,
    });
  }

  async meet(actor: Actor, id: string, at: Date, note: string): Promise<ObligationView> {
    if (at.getTime() > this.clock.now().getTime()) {
      throw AppError.invalid([{ field: 'at', rule: 'notInFuture', message: 'at must not be in the future' }]);
    }
    // Nothing owed for a breach is done before the company knew of it: a date before would turn a missed
    // obligation into one met on time (a hostile-input review met a missed one "at" 1970).
    const { incidentId } = await this.get(id);
    const incident = await this.incidents.findById(incidentId);
    if (incident && at.getTime() < incident.discoveredAt.getTime()) {
      throw AppError.invalid([
        {
          field: 'at',
          rule: 'notBeforeDiscovery',
          message: `at must not be before the incident's discoveredAt (${incident.discoveredAt.toISOString()})`,
        },
      ]);
    }
    return this.decide(actor, id, 'obligation.met', {
      metAt: at,
      metBy: { kind: 'manual', note },
      decidedBy: actor.keyId,
    });
  }

  private async decide(
    actor: Actor,
    id: string,
    kind: 'obligation.met' | 'obligation.waived',
    decision: Parameters<ObligationsRepository['decide']>[1],
  ): Promise<ObligationView> {
    const current = await this.get(id);
    if (current.state !== ObligationState.Due && current.state !== ObligationState.Missed) {
      throw new AppError(
        ErrorCode.Conflict,
        `obligation ${id} is ${current.state}: only a due or missed obligation can be met or waived`,
        { state: current.state },
      );
    }
    return this.database.transaction(async () => {
      const row = await this.repository.decide(id, decision);
      if (!row) throw new AppError(ErrorCode.Conflict, `obligation ${id} was decided meanwhile`, {});
      const details = {
        ...describe(row),
        ...(kind === 'obligation.waived' ? { reason: row.waivedReason } : { metAt: iso(row.metAt) }),
      };
      await this.incidents.addEvent({
        incidentId: row.incidentId,
        at: this.clock.now(),
        kind,
        details,
        actorKeyId: actor.keyId,
      });
      await this.audit.record(actor, {
        action: kind,
        targetType: 'obligation',
        targetId: id,
        summary: details,
      });
      return stateOf(row, this.clock.now());
    });
  }

  /** A report to a regulator was filed: its obligations of that phase are met (inside the caller's transaction). */
  async meetByReport(
    incidentId: string,
    regulatorId: string,
    phase: string,
    reportId: string,
    at: Date,
  ): Promise<ObligationRow[]> {
    const met = await this.repository.meet(incidentId, { audience: 'regulator', regulatorId, phase }, at, {
      kind: 'report',
      id: reportId,
    });
    for (const row of met) {
      await this.incidents.addEvent({
        incidentId,
        at: this.clock.now(),
        kind: 'obligation.met',
        details: { ...describe(row), by: { kind: 'report', id: reportId } },
      });
    }
    return met;
  }

  /**
   * Every minute: recompute the obligations of incidents whose timeline moved, then raise the alerts
   * that are due. An alert is an audit entry, a timeline event, a metric, and an email to
   * OBLIGATION_ALERT_EMAIL through the email channel. Each fires once per obligation and kind.
   */
  @OnJob(JobName.ObligationsWatch)
  async watch(
    _payload: JobPayload<JobName.ObligationsWatch> = {},
  ): Promise<{ recomputed: number; alerts: number }> {
    const stale = await this.repository.staleIncidents(100);
    // A job: the set-wide reach counts may run long at a million people (the bulk statement limit).
    for (const incidentId of stale) await this.recompute(incidentId, { bulk: true });
    const now = this.clock.now();
    let alerts = 0;
    for (const row of await this.repository.needingAlerts(now, this.config.obligationAlertLeadMs)) {
      const kind = row.dueAt! < now ? 'missed' : 'due_soon';
      // A missed obligation never alerted as due soon gets only the missed alert.
      if (kind === 'missed' && !row.alertedDueSoonAt)
        await this.repository.markAlerted(row.id, 'due_soon', now);
      if (await this.alert(row, kind, now)) alerts += 1;
    }
    return { recomputed: stale.length, alerts };
  }

  private async alert(row: ObligationRow, kind: 'due_soon' | 'missed', now: Date): Promise<boolean> {
    const incident = await this.incidents.findById(row.incidentId);
    if (!incident) return false;
    const claimed = await this.database.transaction(async () => {
      if (!(await this.repository.markAlerted(row.id, kind, now))) return false;
      const details = { ...describe(row), alert: kind };
      await this.incidents.addEvent({
        incidentId: row.incidentId,
        at: now,
        kind: `obligation.${kind}`,
        details,
      });
      await this.audit.record(SYSTEM_ACTOR, {
        action: `obligation.alert.${kind}`,
        targetType: 'obligation',
        targetId: row.id,
        summary: details,
      });
      return true;
    });
    if (!claimed) return false;
    this.metrics.obligationAlerts.inc({ kind });
    await this.sendAlertEmail(incident, row, kind, now);
    return true;
  }

  private async sendAlertEmail(
    incident: IncidentRow,
    row: ObligationRow,
    kind: 'due_soon' | 'missed',
    now: Date,
  ): Promise<void> {
    const to = this.config.obligationAlertEmail;
    if (!to) return;
    const due = row.dueAt!;
    const hours = Math.round(Math.abs(due.getTime() - now.getTime()) / 36e5);
    const headline =
      kind === 'missed' ? `MISSED ${hours} h ago: ${row.what}` : `Due in ${hours} h: ${row.what}`;
    const lines = [
      `${incident.reference} ${incident.title}`,
      '',
      headline,
      `To: ${row.recipient}`,
      `Due: ${due.toISOString()} (${row.deadline})`,
      `Rule: ${row.law ?? 'none'} (version ${row.ruleVersion ?? '-'}), jurisdictions ${row.jurisdictions.join(', ')}`,
      kind === 'missed'
        ? 'A late report must give the reasons for the delay (GDPR Art. 33(1)): generate it with delayReasons.'
        : '',
      `${this.config.publicBaseUrl}/v1/incidents/${incident.id}/obligations`,
    ].filter((line, i, all) => line !== '' || all[i - 1] !== '');
    const text = lines.join('\n');
    try {
      const [outcome] = await this.email.send({
        subject: `[${incident.reference}] ${kind === 'missed' ? 'Missed' : 'Due soon'}: ${row.what}`.slice(
          0,
          200,
        ),
        text,
        html: `<pre>${Handlebars.escapeExpression(text)}</pre>`,
        recipients: [{ messageId: 0, to, substitutions: {} }],
      });
      if (outcome?.kind !== 'sent')
        this.logger.warn({ obligation: row.id, outcome: outcome?.kind }, 'alert email not sent');
    } catch (error) {
      // The alert stands in the audit log, on the timeline and in the metric; the email is best effort.
      this.logger.warn({ obligation: row.id, err: (error as Error).message }, 'alert email failed');
    }
  }
}

/** What the configuration says about where the company sits, for the rules. */
export function computeOptions(config: AppConfig): ComputeOptions {
  const german = config.germanLand ? germanAuthorityKey(config.germanLand) : undefined;
  return {
    euMainEstablishment: config.euMainEstablishment,
    seats: german ? { DE: german } : {},
  };
}

function toColumns(incidentId: string, c: ComputedObligation, now: Date): ComputedColumns {
  return {
    incidentId,
    key: c.key,
    ruleId: c.ruleId,
    ruleVersion: c.ruleVersion,
    law: c.law,
    jurisdictions: c.jurisdictions,
    audience: c.audience,
    regulatorId: c.regulator?.id ?? null,
    recipient: c.recipient,
    phase: c.phase,
    what: c.what,
    deadline: c.deadline,
    clock: c.clock,
    clockStartedAt: c.clockStartedAt,
    dueAt: c.dueAt,
    applicable: c.applicable,
    reason: c.reason,
    facts: c.facts as unknown as Record<string, unknown>,
    sources: c.sources,
    computedAt: now,
  };
}

function describe(
  row: Pick<ComputedColumns, 'key' | 'ruleId' | 'ruleVersion' | 'dueAt' | 'applicable' | 'reason'>,
) {
  return {
    key: row.key,
    ruleId: row.ruleId ?? null,
    ruleVersion: row.ruleVersion ?? null,
    dueAt: iso(row.dueAt),
    applicable: row.applicable,
    reason: row.reason,
  };
}

function plain(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(plain(a)) === JSON.stringify(plain(b));
}
