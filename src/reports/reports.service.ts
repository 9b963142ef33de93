import { JobRepository } from '../queue/job.repository.js';
import { JobName } from '../queue/queue.catalogue.js';
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
import type { Phase, Regulator, ReportForm } from '../jurisdictions/rules/rule.types.js';
import { ageOn } from '../jurisdictions/consent-ages.js';
import { noticeVariant } from '../jurisdictions/rules/notice-profiles.js';
import { CryptoService } from '../crypto/crypto.service.js';
import type { ChronologyEntry } from '../incidents/regulator-text.js';
import { NoticeCopies } from '../notifications/notice-copies.js';
import { subjectAad } from '../subjects/subject.batch.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import { reportText } from './report.text.js';
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
    private readonly copies: NoticeCopies,
    private readonly crypto: CryptoService,
    private readonly jobs: JobRepository,
  ) {}

  /**
   * Generates a report to a regulator the incident has obligations to, filled from the incident, the
   * affected set and the deliveries, in the regulator's language; hashed, audited, a draft until approved.
   */
  async generate(actor: Actor, incidentId: string, input: GenerateReport): Promise<ReportRow> {
    const incident = await this.incidents.findById(incidentId);
    if (!incident) throw AppError.notFound('incident', incidentId);
    const owed = await this.owedTo(incidentId, input.regulator);
    const previous = await this.repository.latest(incidentId, input.regulator);
    if (input.phase !== 'initial' && !previous) {
      throw new AppError(
        ErrorCode.Conflict,
        `a ${input.phase} report follows an earlier one: generate the initial report to ${input.regulator} first`,
        { regulator: input.regulator, phase: input.phase },
      );
    }
    const now = this.clock.now();
    const timing = lateness(owed, input.phase, input.delayReasons, now);
    const { late, delayReasons } = timing;
    const regulator = this.regulatorOf(owed[0]);
    const jurisdictions = [...new Set(owed.flatMap((o) => o.jurisdictions))].sort();
    const labels = this.templates.labels(regulator.language);
    const facts = await this.facts(
      incident,
      regulator,
      jurisdictions,
      input.phase,
      owed,
      now,
      labels.language,
      timing,
    );
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
      (report) =>
        changeOf(report, now, 'report.generated', 'report.generate', {
          sha256: hash,
          late,
          // Birth dates were opened to count children as the form defines them: said in the log.
          ...(facts.children ? { childrenCounted: facts.children } : {}),
        }),
    );
  }

  /** The incident's obligations to this regulator; a 400 naming its regulators when it has none. */
  private async owedTo(incidentId: string, regulatorId: string): Promise<ObligationView[]> {
    const all = await this.obligations.list(incidentId);
    const owed = all.filter(
      (o) =>
        o.audience === 'regulator' && o.regulatorId === regulatorId && o.state !== ObligationState.Withdrawn,
    );
    if (owed.length === 0) {
      const known = [...new Set(all.flatMap((o) => (o.regulatorId ? [o.regulatorId] : [])))].sort();
      throw AppError.invalid([
        {
          field: 'regulator',
          rule: 'hasObligation',
          message: `the incident has no obligation to regulator "${regulatorId.slice(0, 64)}"; its regulators: ${known.join(', ') || 'none (freeze a scope first)'}`,
        },
      ]);
    }
    return owed;
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
    // Residents a campaign held back until this report (Singapore's, PDPA s 26D(2)) are planned now;
    // queued after the commit, harmless when nobody waited for it.
    await this.jobs.add(
      JobName.CampaignRelease,
      { incidentId: report.incidentId },
      { jobId: `release-${id}` },
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
    language: string,
    timing: { late: boolean; delayReasons: string | null; deadline: ReportFacts['deadline'] },
  ): Promise<ReportFacts> {
    const [counts, everyone, handling, events, initialReference] = await Promise.all([
      this.scoping.counts(frozenSource(incident.id, jurisdictions)),
      // Only its size: the latest freeze's, not a count of the whole set (1.8-2.8 s at a million).
      this.scoping.frozenTotal(incident.id),
      this.repository.handling(incident.id, jurisdictions),
      this.incidents.events(incident.id, 0, 1000),
      this.repository.initialReference(incident.id, regulator.id),
    ]);
    const text = reportText(
      {
        ...incident,
        chronology: incident.chronology as ChronologyEntry[],
        regulatorText: incident.regulatorText,
        regulatorTranslations: incident.regulatorTranslations,
        translations: incident.translations,
      },
      language,
    );
    const childAge = CHILDREN_UNDER[regulator.form];
    const children = childAge
      ? await this.children(incident.id, jurisdictions, childAge, incident.discoveredAt)
      : null;
    const noticeCopies =
      regulator.form === 'us-state-ag' ? await this.noticeCopies(incident.id, jurisdictions) : [];
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
    const chronology = chronologyOf(incident, confirmed?.at, handling, text.chronology);
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
      allAffected: everyone === 0 ? null : everyone,
      untranslated: text.untranslated,
      children,
      initialReference,
      noticeCopies,
      deadline: timing.deadline,
      incident: incidentFacts(incident, text.values, confirmed?.at ?? null),
      affected,
      handling,
      publicNotice: await this.repository.publicNotice(incident.id, jurisdictions, this.config.publicBaseUrl),
      chronology,
      obligations: owed.map((o) => ({
        what: o.what,
        phase: (o.phase as Phase | null) ?? null,
        dueAt: o.dueAt,
        state: o.state,
      })),
      late: timing.late,
      delayReasons: timing.delayReasons,
    };
  }

  /**
   * Children among the residents covered, as the form defines them: by the birth dates the directory
   * holds (sealed: opened here a page at a time, never kept), on the day of awareness.
   */
  private async children(
    incidentId: string,
    jurisdictions: string[],
    under: number,
    on: Date,
  ): Promise<NonNullable<ReportFacts['children']>> {
    let count = 0;
    let withBirthDate = 0;
    for (let after = 0; ;) {
      const page = await this.repository.sealedResidents(incidentId, jurisdictions, after, 5_000);
      if (page.length === 0) break;
      for (const row of page) {
        if (!row.sealed || !row.externalId) continue;
        const contact = this.crypto.cipher.openJson<SealedContact>(row.sealed, subjectAad(row.externalId));
        if (!contact.birthDate) continue;
        withBirthDate += 1;
        if (ageOn(contact.birthDate, on) < under) count += 1;
      }
      after = page[page.length - 1].id;
    }
    return { under, count, withBirthDate };
  }

  /** The notice variants the covered residents were sent (email and SMS: the notices, not the alerts). */
  private async noticeCopies(
    incidentId: string,
    jurisdictions: string[],
  ): Promise<ReportFacts['noticeCopies']> {
    const variants = new Set(jurisdictions.map((j) => noticeVariant(j)));
    return (await this.copies.ofIncident(incidentId))
      .filter((copy) => variants.has(copy.variant) && copy.content.channel !== 'push')
      .map((copy) => ({
        channel: copy.content.channel,
        locale: copy.locale,
        variant: copy.variant,
        subject: copy.content.channel === 'email' ? copy.content.subject : null,
        text:
          copy.content.channel === 'email'
            ? copy.content.text
            : copy.content.channel === 'sms'
              ? copy.content.body
              : '',
      }));
  }
}

/** Forms that count children by an age of their own (the ICO's "children", the ANPD's "crianças e adolescentes"). */
const CHILDREN_UNDER: Partial<Record<ReportForm, number>> = { ico: 18, 'lgpd-anpd': 18 };

/**
 * The deadline that applied to a report of this phase: among the regulator's obligations of the phase that
 * apply, the earliest due (a threshold not met leaves its deadline out: China's 4 hours below the
 * relatively major tier); the law that sets it, cited by its rule's sources.
 */
export function deadlineOf(owed: readonly ObligationView[], phase: Phase): ReportFacts['deadline'] {
  const applying = owed.filter((o) => o.applicable && o.state !== ObligationState.Withdrawn);
  const ofPhase = applying.filter((o) => o.phase === phase);
  const candidates = ofPhase.length > 0 ? ofPhase : applying.filter((o) => o.phase === 'initial');
  const dated = candidates.filter((o) => o.dueAt).sort((a, b) => a.dueAt!.getTime() - b.dueAt!.getTime());
  const chosen = dated[0] ?? candidates[0];
  if (!chosen) return { dueAt: null, wording: 'no deadline applies', basis: 'none' };
  const rule = RULES.find((r) => r.id === chosen.ruleId && r.effectiveFrom === chosen.ruleVersion);
  const cited = rule?.sources.filter((s) => chosen.sources.includes(s.key)).map((s) => s.citation) ?? [];
  return {
    dueAt: chosen.dueAt,
    wording: chosen.deadline,
    basis: cited.join('; ') || (chosen.law ?? 'the rule'),
  };
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

/** The deadline of this phase, whether the report is late by it, and the reasons given for the delay. */
function lateness(owed: ObligationView[], phase: Phase, reasons: string | undefined, now: Date) {
  const deadline = deadlineOf(owed, phase);
  const late = deadline.dueAt ? now.getTime() > deadline.dueAt.getTime() : false;
  const delayReasons = reasons?.trim() || null;
  if (late && !delayReasons) {
    throw AppError.invalid([
      {
        field: 'delayReasons',
        rule: 'requiredWhenLate',
        message: `the ${phase} report is late (due ${deadline.dueAt!.toISOString()}): give the reasons for the delay (${deadline.basis})`,
      },
    ]);
  }
  return { late, delayReasons, deadline };
}

/** The incident's own story as a regulator reads it: its dates and the responders' chronology, in order. */
function chronologyOf(
  incident: IncidentRow,
  confirmedAt: Date | undefined,
  handling: { campaigns: { startedAt: Date | null }[] },
  translated: (string | undefined)[],
): ReportFacts['chronology'] {
  const firstNotice = handling.campaigns
    .flatMap((c) => (c.startedAt ? [c.startedAt] : []))
    .sort((a, b) => a.getTime() - b.getTime())[0];
  const entries = incident.chronology as ChronologyEntry[];
  return [
    ...(incident.occurredFrom ? [{ at: incident.occurredFrom, kind: 'occurred' as const, text: null }] : []),
    { at: incident.discoveredAt, kind: 'discovered' as const, text: null },
    ...(incident.containedAt ? [{ at: incident.containedAt, kind: 'contained' as const, text: null }] : []),
    ...(confirmedAt ? [{ at: confirmedAt, kind: 'confirmed' as const, text: null }] : []),
    ...(firstNotice ? [{ at: firstNotice, kind: 'notified' as const, text: null }] : []),
    ...entries.map((e, n) => ({ at: new Date(e.at), kind: e.kind, text: translated[n] ?? e.text })),
  ].sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The incident's facts for the report, its texts in the regulator's language. */
function incidentFacts(
  incident: IncidentRow,
  values: ReturnType<typeof reportText>['values'],
  confirmedAt: Date | null,
): ReportFacts['incident'] {
  return {
    reference: incident.reference,
    title: incident.title,
    description: values.description,
    nature: incident.nature,
    cause: values.cause,
    cyberAttack: incident.cyberAttack,
    howDiscovered: values.howDiscovered,
    occurredFrom: incident.occurredFrom,
    occurredTo: incident.occurredTo,
    discoveredAt: incident.discoveredAt,
    confirmedAt,
    containedAt: incident.containedAt,
    systems: incident.systems,
    dataCategories: incident.dataCategories,
    encrypted: incident.encrypted,
    encryptionDetails: values.encryptionDetails,
    approximateRecords: incident.approximateRecords,
    likelyConsequences: values.likelyConsequences,
    measuresTaken: values.measuresTaken,
    measuresPlanned: values.measuresPlanned,
    securityMeasuresBefore: values.securityMeasuresBefore,
    adviceToIndividuals: values.adviceToIndividuals,
    remedies: values.remedies,
    otherOrganisationsTold: values.otherOrganisationsTold,
    riskLevel: incident.riskLevel as ReportFacts['incident']['riskLevel'],
    riskReasoning: values.riskReasoning,
    lawEnforcementInvestigating: incident.lawEnforcementInvestigating,
  };
}
