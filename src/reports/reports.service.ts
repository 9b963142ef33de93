import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { IncidentHistory, type IncidentChange } from '../incidents/incident.history.js';
import { IncidentsRepository, type IncidentRow } from '../incidents/incidents.repository.js';
import {
  ObligationsService,
  ObligationState,
  type ObligationView,
} from '../jurisdictions/obligations.service.js';
import { regulatorsOf } from '../jurisdictions/rules/evaluate.js';
import { RULES } from '../jurisdictions/rules/index.js';
import type { Phase, Regulator } from '../jurisdictions/rules/rule.types.js';
import { buildReport, ReportTemplates } from './report.builder.js';
import { renderPdf } from './report.pdf.js';
import { renderHtml } from './report.render.js';
import type { ReportDocument, ReportFacts } from './report.types.js';
import { frozenSource } from '../scoping/scope.sql.js';
import { ScopingRepository } from '../scoping/scoping.repository.js';
import { ReportsRepository, type ReportRow } from './reports.repository.js';

export const ReportStatus = { Draft: 'draft', Approved: 'approved', Submitted: 'submitted' } as const;

export interface GenerateReport {
  regulator: string;
  phase: Phase;
  delayReasons?: string;
}

/** JSON with its keys sorted at every level: what the SHA-256 covers, however jsonb orders keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export const sha256 = (document: unknown): string =>
  createHash('sha256').update(canonicalJson(document)).digest('hex');

@Injectable()
export class ReportsService {
  private readonly templates = new ReportTemplates();

  constructor(
    private readonly repository: ReportsRepository,
    private readonly history: IncidentHistory,
    private readonly scoping: ScopingRepository,
    private readonly incidents: IncidentsRepository,
    private readonly obligations: ObligationsService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly keys: ApiKeysService,
  ) {}

  /**
   * Generates a report to a regulator the incident has obligations to, filled from the incident, the
   * affected set and the deliveries, in the regulator's language; hashed, audited, a draft until approved.
   */
  async generate(actor: Actor, incidentId: string, input: GenerateReport): Promise<ReportRow> {
    const incident = await this.incidents.findById(incidentId);
    if (!incident) throw AppError.notFound('incident', incidentId);
    const all = await this.obligations.list(incidentId);
    const owed = all.filter(
      (o) =>
        o.audience === 'regulator' &&
        o.regulatorId === input.regulator &&
        o.state !== ObligationState.Withdrawn,
    );
    if (owed.length === 0) {
      const known = [...new Set(all.flatMap((o) => (o.regulatorId ? [o.regulatorId] : [])))].sort();
      throw AppError.invalid([
        {
          field: 'regulator',
          rule: 'hasObligation',
          message: `the incident has no obligation to regulator "${input.regulator.slice(0, 64)}"; its regulators: ${known.join(', ') || 'none (freeze a scope first)'}`,
        },
      ]);
    }
    const previous = await this.repository.latest(incidentId, input.regulator);
    if (input.phase !== 'initial' && !previous) {
      throw new AppError(
        ErrorCode.Conflict,
        `a ${input.phase} report follows an earlier one: generate the initial report to ${input.regulator} first`,
        { regulator: input.regulator, phase: input.phase },
      );
    }
    const now = this.clock.now();
    const phaseObligation =
      owed.find((o) => o.phase === input.phase) ?? owed.find((o) => o.phase === 'initial');
    const late = phaseObligation?.dueAt ? now.getTime() > phaseObligation.dueAt.getTime() : false;
    const delayReasons = input.delayReasons?.trim() || null;
    if (late && !delayReasons) {
      throw AppError.invalid([
        {
          field: 'delayReasons',
          rule: 'requiredWhenLate',
          message: `the ${input.phase} report is late (due ${phaseObligation!.dueAt!.toISOString()}): give the reasons for the delay (GDPR Art. 33(1))`,
        },
      ]);
    }
    const regulator = this.regulatorOf(owed[0]);
    const jurisdictions = [...new Set(owed.flatMap((o) => o.jurisdictions))].sort();
    const facts = await this.facts(
      incident,
      regulator,
      jurisdictions,
      input.phase,
      owed,
      now,
      late,
      delayReasons,
    );
    const labels = this.templates.labels(regulator.language);
    const document = buildReport(facts, labels, (previous?.content as unknown as ReportDocument) ?? null);
    const hash = sha256(document);
    return this.history.change(
      actor,
      () =>
        this.repository.insert({
          incidentId,
          regulatorId: regulator.id,
          form: regulator.form,
          phase: input.phase,
          language: document.language,
          status: ReportStatus.Draft,
          content: document as unknown as Record<string, unknown>,
          sha256: hash,
          previousId: previous?.id ?? null,
          late,
          delayReasons,
          createdBy: actor.keyId,
          createdAt: now,
        }),
      (report) => changeOf(report, now, 'report.generated', 'report.generate', { sha256: hash, late }),
    );
  }

  async get(id: string): Promise<ReportRow> {
    const report = await this.repository.findById(id);
    if (!report) throw AppError.notFound('report', id);
    return report;
  }

  async list(incidentId: string): Promise<ReportRow[]> {
    if (!(await this.incidents.findById(incidentId))) throw AppError.notFound('incident', incidentId);
    return this.repository.forIncident(incidentId);
  }

  html(report: ReportRow): string {
    return renderHtml(report.content as unknown as ReportDocument, this.templates);
  }

  pdf(report: ReportRow): Promise<Buffer> {
    return renderPdf(report.content as unknown as ReportDocument, this.templates);
  }

  /** Four eyes: an approver other than the author, as for campaigns (`ApiKeysService.checkFourEyes`). */
  async approve(actor: Actor, id: string): Promise<ReportRow> {
    const report = await this.get(id);
    if (report.status !== ReportStatus.Draft) {
      throw new AppError(ErrorCode.InvalidTransition, `report ${id} is ${report.status}, not a draft`, {
        status: report.status,
      });
    }
    await this.keys.checkFourEyes(actor, report.createdBy, report.createdAt, 'a report');
    const now = this.clock.now();
    return this.history.change(
      actor,
      () =>
        this.move(report, ReportStatus.Draft, {
          status: ReportStatus.Approved,
          approvedBy: actor.keyId,
          approvedAt: now,
        }),
      (moved) => changeOf(moved, now, 'report.approved', 'report.approve', { sha256: moved.sha256 }),
    );
  }

  /** Records that an approved report was filed with the regulator, which meets its obligation. */
  async submitted(actor: Actor, id: string, at: Date, reference: string): Promise<ReportRow> {
    const report = await this.get(id);
    if (report.status !== ReportStatus.Approved) {
      throw new AppError(
        ErrorCode.InvalidTransition,
        `report ${id} is ${report.status}: only an approved report can be recorded as submitted`,
        { status: report.status },
      );
    }
    const now = this.clock.now();
    if (at.getTime() > now.getTime() + 5 * 60_000) {
      throw AppError.invalid([{ field: 'at', rule: 'notInFuture', message: 'at must not be in the future' }]);
    }
    if (report.approvedAt && at.getTime() < report.approvedAt.getTime()) {
      throw AppError.invalid([
        { field: 'at', rule: 'notBefore:approvedAt', message: 'a report is filed after it was approved' },
      ]);
    }
    const { moved } = await this.history.change(
      actor,
      async () => {
        const moved = await this.move(report, ReportStatus.Approved, {
          status: ReportStatus.Submitted,
          submittedAt: at,
          submittedReference: reference,
          submittedBy: actor.keyId,
        });
        const met = await this.obligations.meetByReport(
          report.incidentId,
          report.regulatorId,
          report.phase,
          id,
          at,
        );
        return { moved, met };
      },
      ({ moved, met }) =>
        changeOf(moved, now, 'report.submitted', 'report.submitted', {
          at: at.toISOString(),
          obligationsMet: met.map((o) => o.key),
        }),
    );
    return moved;
  }

  /** Moves the report on from `status`, or 409 if someone else moved it first. */
  private async move(report: ReportRow, status: string, changes: Partial<ReportRow>): Promise<ReportRow> {
    const moved = await this.repository.move(report.id, status, changes);
    if (!moved) throw new AppError(ErrorCode.Conflict, `report ${report.id} changed meanwhile`, {});
    return moved;
  }

  private regulatorOf(obligation: ObligationView): Regulator {
    const rule = RULES.find((r) => r.id === obligation.ruleId && r.effectiveFrom === obligation.ruleVersion);
    if (!rule) throw new Error(`rule ${obligation.ruleId} ${obligation.ruleVersion} is not in the table`);
    // By id: where the authority follows the company's seat (a German Land), not the residents' country.
    const regulator = regulatorsOf(rule).find((r) => r.id === obligation.regulatorId);
    if (!regulator) throw new Error(`rule ${rule.id} has no regulator ${obligation.regulatorId}`);
    return regulator;
  }

  private async facts(
    incident: IncidentRow,
    regulator: Regulator,
    jurisdictions: string[],
    phase: Phase,
    owed: ObligationView[],
    now: Date,
    late: boolean,
    delayReasons: string | null,
  ): Promise<ReportFacts> {
    const [counts, everyone, handling, events] = await Promise.all([
      this.scoping.counts(frozenSource(incident.id, jurisdictions)),
      this.scoping.counts(frozenSource(incident.id)),
      this.repository.handling(incident.id, jurisdictions),
      this.incidents.events(incident.id, 0, 1000),
    ]);
    const affected =
      counts.total === 0
        ? null
        : {
            total: counts.total,
            byJurisdiction: counts.byJurisdiction,
            byCategory: counts.byDataCategory,
            minors: counts.minors.total,
          };
    const confirmed = events.find((e) => e.kind === 'transition' && e.toState === 'confirmed');
    return {
      generatedAt: now,
      organization: {
        name: this.config.organizationName,
        privacyContactEmail: this.config.privacyContactEmail,
        dpoContact: this.config.dpoContact,
        postalAddress: this.config.postalAddress,
        writtenSecurityProgram: this.config.writtenSecurityProgram,
      },
      regulator,
      jurisdictions,
      phase,
      allAffected: everyone.total === 0 ? null : everyone.total,
      incident: {
        reference: incident.reference,
        title: incident.title,
        description: incident.description,
        nature: incident.nature,
        cause: incident.cause,
        cyberAttack: incident.cyberAttack,
        howDiscovered: incident.howDiscovered,
        occurredFrom: incident.occurredFrom,
        occurredTo: incident.occurredTo,
        discoveredAt: incident.discoveredAt,
        confirmedAt: confirmed?.at ?? null,
        containedAt: incident.containedAt,
        systems: incident.systems,
        dataCategories: incident.dataCategories,
        encrypted: incident.encrypted,
        encryptionDetails: incident.encryptionDetails,
        approximateRecords: incident.approximateRecords,
        likelyConsequences: incident.likelyConsequences,
        measuresTaken: incident.measuresTaken,
        measuresPlanned: incident.measuresPlanned,
        securityMeasuresBefore: incident.securityMeasuresBefore,
        adviceToIndividuals: incident.adviceToIndividuals,
        remedies: incident.remedies,
        otherOrganisationsTold: incident.otherOrganisationsTold,
        riskLevel: incident.riskLevel as ReportFacts['incident']['riskLevel'],
        riskReasoning: incident.riskReasoning,
      },
      affected,
      handling,
      // The public Security Notice is not built yet: the report says that none was published.
      publicNotice: null,
      timeline: events.map((e) => ({ at: e.at, kind: e.kind, summary: summarize(e) })),
      obligations: owed.map((o) => ({
        what: o.what,
        phase: (o.phase as Phase | null) ?? null,
        dueAt: o.dueAt,
        state: o.state,
      })),
      late,
      delayReasons,
    };
  }
}

/** A report's change as the timeline and the audit log say it (the same words in both). */
function changeOf(
  report: ReportRow,
  at: Date,
  kind: string,
  action: string,
  details: Record<string, unknown>,
): IncidentChange {
  return {
    incidentId: report.incidentId,
    at,
    kind,
    action,
    target: { type: 'report', id: report.id },
    details: { reportId: report.id, regulator: report.regulatorId, phase: report.phase, ...details },
  };
}

/** A timeline event in one line, from what it records (states, counts, keys: never personal data). */
function summarize(event: {
  kind: string;
  fromState: string | null;
  toState: string | null;
  note: string | null;
  details: Record<string, unknown>;
}): string {
  if (event.kind === 'transition')
    return `${event.fromState} -> ${event.toState}${event.note ? `: ${event.note}` : ''}`;
  const details = event.details;
  const parts = ['key', 'fields', 'total', 'added', 'removed', 'regulator', 'phase', 'dueAt', 'status']
    .filter((k) => details[k] !== undefined && details[k] !== null)
    .map(
      (k) => `${k} ${Array.isArray(details[k]) ? (details[k] as unknown[]).join(', ') : String(details[k])}`,
    );
  return parts.join('; ');
}
