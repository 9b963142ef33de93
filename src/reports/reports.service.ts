import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, type JobPayload } from '../queue/queue.catalogue.js';
import { createHash } from 'node:crypto';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode, withoutParams } from '../common/errors.js';
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
import { ageOn } from '../jurisdictions/consent-ages.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { DatabaseService } from '../database/database.service.js';
import type { ChronologyEntry } from '../incidents/regulator-text.js';
import { NoticeCopies } from '../notifications/notice-copies.js';
import { subjectAad } from '../subjects/subject.batch.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import { reportText } from './report.text.js';
import { CHILDREN_UNDER, chronologyOf, incidentFacts, lateness } from './report.facts.js';
import { buildReport, ReportTemplates } from './report.builder.js';
import { renderPdf } from './report.pdf.js';
import { renderHtml } from './report.render.js';
import type { ReportDocument, ReportFacts } from './report.types.js';
import { frozenSource } from '../scoping/scope.sql.js';
import { ScopingRepository } from '../scoping/scoping.repository.js';
import { asSent } from '../templates/tokens.js';
import { filedCopies } from './filed-copies.js';
import { ReportsRepository, type ReportRow } from './reports.repository.js';

export const ReportStatus = {
  /** Asked for: its job fills it (`report.generate`). */
  Generating: 'generating',
  /** Generated, ready for review: a draft until someone other than its author approves it. */
  Draft: 'draft',
  /** Not generated: the incident's facts did not allow it (`error` says which rule), or it broke. */
  Failed: 'failed',
  Approved: 'approved',
  Submitted: 'submitted',
} as const;

/** Every regulator of the rules: a name none of them has is a mistake of the request's, not the incident's. */
const KNOWN_REGULATORS = new Set(RULES.flatMap((rule) => regulatorsOf(rule).map((r) => r.id)));

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

/**
 * Refuses to approve a report missing a field its law lists with no "if any" (`ReportField.required`): the
 * responders give the fact on the incident and generate the report again.
 */
function refuseWithoutRequired(report: ReportRow): void {
  const document = report.content as unknown as ReportDocument | null;
  const missing = (document?.sections ?? [])
    .flatMap((section) => section.fields)
    .filter((field) => field.required && field.missing);
  if (missing.length === 0) return;
  throw new AppError(
    ErrorCode.Conflict,
    `report ${report.id} lacks what its law requires: ${missing.map((f) => `${f.label} (${f.key}${f.basis ? `, ${f.basis}` : ''})`).join('; ')}. Give it on the incident and generate the report again`,
    { missing: missing.map((f) => f.key) },
  );
}

@Injectable()
export class ReportsService {
  private readonly logger = new Logger(ReportsService.name);
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
    private readonly database: DatabaseService,
  ) {}

  /**
   * Asks for a report to a regulator the incident has obligations to: what the request alone can tell is
   * checked here (the incident, a regulator's name, a follow-up's earlier report), and the report is
   * filled by a job ({@link runGenerate}): its reads go over the whole affected set (the obligations'
   * recomputation, the counts, the deliveries), tens of seconds at a million people, which a request's
   * statement limit would cut short. Answers the report as `generating`.
   */
  async generate(actor: Actor, incidentId: string, input: GenerateReport): Promise<ReportRow> {
    const incident = await this.incidents.findById(incidentId);
    if (!incident) throw AppError.notFound('incident', incidentId);
    if (!KNOWN_REGULATORS.has(input.regulator)) {
      throw AppError.invalid([
        {
          field: 'regulator',
          rule: 'isRegulator',
          message: `no rule names a regulator "${input.regulator.slice(0, 64)}"`,
        },
      ]);
    }
    if (input.phase !== 'initial' && !(await this.repository.latest(incidentId, input.regulator))) {
      throw followsAnEarlier(input);
    }
    // A late report without the reasons for its delay is bad input, answered at once when the obligations
    // as last computed show it (a few rows); the job judges again on them recomputed.
    const now = this.clock.now();
    const stored = owedIn(await this.obligations.stored(incidentId), input.regulator);
    if (stored.length > 0) lateness(stored, input.phase, input.delayReasons, now);
    const report = await this.repository.insert({
      incidentId,
      regulatorId: input.regulator,
      phase: input.phase,
      status: ReportStatus.Generating,
      delayReasons: input.delayReasons?.trim() || null,
      createdBy: actor.keyId,
      createdAt: now,
    });
    // Lost with Redis or a crash before it was queued: the sweep queues it again.
    await this.enqueue(report.id);
    return report;
  }

  /** Queues again the reports still generating (their job lost), every minute. */
  @OnJob(JobName.ReportsSweep)
  async sweep(): Promise<{ requeued: number }> {
    const waiting = await this.repository.generating();
    for (const id of waiting) await this.enqueue(id);
    return { requeued: waiting.length };
  }

  private async enqueue(reportId: string): Promise<void> {
    await this.jobs.add(JobName.ReportGenerate, { reportId }, { jobId: `report-${reportId}` });
  }

  /**
   * Fills a report asked for, from the incident, its obligations (recomputed), its affected set and the
   * deliveries, in the regulator's language; hashed, audited, a draft until approved. Its statements run
   * under the bulk limit. Where the incident's facts do not allow it (no obligation to that regulator, a
   * late report without the reasons for the delay) it ends `failed`, the rule in `error`.
   */
  @OnJob(JobName.ReportGenerate)
  async runGenerate(
    payload: JobPayload<JobName.ReportGenerate>,
    job?: Job,
  ): Promise<Record<string, unknown>> {
    const report = await this.repository.findById(payload.reportId);
    if (!report || report.status !== ReportStatus.Generating) return { skipped: report?.status ?? 'missing' };
    try {
      const done = await this.fill(report);
      return { status: done.status };
    } catch (err) {
      if (err instanceof AppError && REFUSALS.has(err.code)) {
        await this.fail(report, err.message);
        return { failed: err.message };
      }
      const lastAttempt = !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!lastAttempt) throw err;
      this.logger.error({ reportId: report.id, err: withoutParams(err) }, 'report generation failed');
      await this.fail(report, 'the generation failed; see the service log');
      return { failed: true };
    }
  }

  private async fail(report: ReportRow, error: string): Promise<void> {
    await this.repository.move(report.id, ReportStatus.Generating, { status: ReportStatus.Failed, error });
  }

  private async fill(report: ReportRow): Promise<ReportRow> {
    const incidentId = report.incidentId;
    const incident = await this.incidents.findById(incidentId);
    if (!incident) throw AppError.notFound('incident', incidentId);
    const input = { regulator: report.regulatorId, phase: report.phase as Phase };
    const owed = await this.owedTo(incidentId, input.regulator, { bulk: true });
    const previous = await this.repository.latest(incidentId, input.regulator, report.createdAt);
    if (input.phase !== 'initial' && !previous) throw followsAnEarlier(input);
    // Late or not as of when it was asked for; the document says when it was made. A follow-up to a late
    // report says so, with the reasons given then unless new ones are: the notification was late, and a
    // follow-up on time does not make it "notified on time" (a hostile-input review saw the reasons
    // replaced by that in the follow-up's changes).
    const own = lateness(owed, input.phase, report.delayReasons ?? undefined, report.createdAt);
    const carried = !own.late && input.phase !== 'initial' && previous?.late === true;
    // The late report's own deadline, with the reasons given now or then.
    const timing = carried
      ? {
          late: true,
          delayReasons: own.delayReasons ?? previous.delayReasons,
          deadline: lateness(
            owed,
            previous.phase as Phase,
            previous.delayReasons ?? 'late',
            previous.createdAt,
          ).deadline,
        }
      : own;
    const { late, delayReasons } = timing;
    const now = this.clock.now();
    const regulator = this.regulatorOf(owed[0]);
    const jurisdictions = [...new Set(owed.flatMap((o) => o.jurisdictions))].sort();
    const labels = this.templates.labels(regulator.language);
    // The author, as the job's actor: the request was theirs.
    const actor: Actor = { keyId: report.createdBy, role: 'system', ip: null };
    const generate = async () => {
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
          this.move(report, ReportStatus.Generating, {
            form: regulator.form,
            language: document.language,
            status: ReportStatus.Draft,
            content: document as unknown as Record<string, unknown>,
            sha256: hash,
            previousId: previous?.id ?? null,
            late,
            delayReasons,
          }),
        (generated) =>
          changeOf(generated, now, 'report.generated', 'report.generate', {
            sha256: hash,
            late,
            // Birth dates were opened to count children as the form defines them: said in the log.
            ...(facts.children ? { childrenCounted: facts.children } : {}),
          }),
      );
    };
    return this.database.transaction(generate, { bulk: true });
  }

  /** The incident's obligations to this regulator; a 400 naming its regulators when it has none. */
  private async owedTo(
    incidentId: string,
    regulatorId: string,
    options: { bulk?: boolean } = {},
  ): Promise<ObligationView[]> {
    const all = await this.obligations.list(incidentId, options);
    const owed = owedIn(all, regulatorId);
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
    refuseWithoutRequired(report);
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
    // One after the other: they share the generation's transaction (its connection, the bulk limit).
    const counts = await this.scoping.counts(frozenSource(incident.id, jurisdictions));
    // Only its size: the latest freeze's, not a count of the whole set (1.8-2.8 s at a million).
    const everyone = await this.scoping.frozenTotal(incident.id);
    const handling = await this.repository.handling(incident.id, jurisdictions);
    const events = await this.incidents.events(incident.id, 0, 1000);
    const initialReference = await this.repository.initialReference(incident.id, regulator.id);
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

  /**
   * The notices the covered residents were sent (filedCopies). The SMS as it went: without the copy's
   * guard on the responders' words.
   */
  private async noticeCopies(
    incidentId: string,
    jurisdictions: string[],
  ): Promise<ReportFacts['noticeCopies']> {
    return filedCopies(await this.copies.ofIncident(incidentId), jurisdictions).map((copy) => ({
      channel: copy.content.channel,
      locale: copy.locale,
      variant: copy.variant,
      subject: copy.content.channel === 'email' ? copy.content.subject : null,
      text:
        copy.content.channel === 'email'
          ? copy.content.text
          : copy.content.channel === 'sms'
            ? asSent(copy.content.body)
            : '',
    }));
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

/** The obligations to a regulator among an incident's, withdrawn ones left out. */
const owedIn = (all: ObligationView[], regulatorId: string): ObligationView[] =>
  all.filter(
    (o) =>
      o.audience === 'regulator' && o.regulatorId === regulatorId && o.state !== ObligationState.Withdrawn,
  );

/** Failures of a report's generation that are the incident's facts, not a fault: the report fails, with why. */
const REFUSALS: ReadonlySet<string> = new Set([
  ErrorCode.ValidationFailed,
  ErrorCode.Conflict,
  ErrorCode.NotFound,
]);

const followsAnEarlier = (input: { regulator: string; phase: string }) =>
  new AppError(
    ErrorCode.Conflict,
    `a ${input.phase} report follows an earlier one: generate the initial report to ${input.regulator} first`,
    { regulator: input.regulator, phase: input.phase },
  );
