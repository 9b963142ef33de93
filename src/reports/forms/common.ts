import type { Phase } from '../../jurisdictions/rules/rule.types.js';
import type {
  DeliveryCounts,
  ReportFacts,
  ReportField,
  ReportSection,
  ReportTable,
} from '../report.types.js';

/** The labels of one report language (flat keys, the same in every language; see templates/reports/labels). */
export interface ReportLabels {
  /** The language the labels are in, after the fallback chain (`pt-BR`, `ja`, `en`, ...). */
  language: string;
  labels: Readonly<Record<string, string>>;
}

export type FieldValue = ReportField['value'];

/** One form's sections, from the facts; the common sections are added by buildReport. */
export type FormBuilder = (ctx: FormContext) => ReportSection[];

const CHANNELS = ['email', 'sms', 'push'] as const;
const COUNTS = ['planned', 'sent', 'delivered', 'failed', 'unreachable', 'acknowledged'] as const;

/**
 * A date the same way in every report and language: ISO day and minute, always UTC and saying so, so a
 * regulator in another zone cannot misread it ("2026-04-01 15:00 UTC").
 */
export function formatReportDate(date: Date): string {
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `{name}` placeholders in a label, filled with text (labels are data, never evaluated). */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (token, name: string) =>
    name in values ? String(values[name]) : token,
  );
}

/** Null for what says nothing: null, blank text, an empty list. */
function present(value: FieldValue | undefined): FieldValue {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value.trim() === '' ? null : value.trim();
  if (Array.isArray(value)) {
    const items = value.map((item) => item.trim()).filter((item) => item !== '');
    return items.length === 0 ? null : items;
  }
  return value;
}

/**
 * What a form builder works with: the facts, the labels, and the phrasing shared by every form, so the
 * same fact reads the same in a GDPR and a PIPEDA report.
 */
export class FormContext {
  constructor(
    readonly facts: ReportFacts,
    readonly labels: ReportLabels,
  ) {}

  /** A label; a key with no label shows as itself, so a gap is visible (the label-file test prevents it). */
  t(key: string, values?: Record<string, string | number>): string {
    const label = this.labels.labels[key] ?? key;
    return values ? fill(label, values) : label;
  }

  /** A field labelled `field.<key>`; missing when its value is null, blank or an empty list. */
  field(key: string, value: FieldValue | undefined, basis?: string): ReportField {
    const given = present(value);
    const field: ReportField = { key, label: this.t(`field.${key}`), value: given, missing: given === null };
    if (basis) field.basis = basis;
    return field;
  }

  /** A field the report is not approved without (`ReportField.required`). */
  required(key: string, value: FieldValue | undefined, basis: string): ReportField {
    return { ...this.field(key, value, basis), required: true };
  }

  /** A section titled `section.<key>`. */
  section(key: string, fields: ReportField[], tables?: ReportTable[]): ReportSection {
    const section: ReportSection = { key, title: this.t(`section.${key}`), fields };
    if (tables) section.tables = tables;
    return section;
  }

  // The facts as report values: null when not known, so the field lands in `missing`.

  get incident(): ReportFacts['incident'] {
    return this.facts.incident;
  }

  date(date: Date | null): string | null {
    return date ? formatReportDate(date) : null;
  }

  /** When it happened: a period, an open period, or null when not known. */
  occurred(): string | null {
    const { occurredFrom: from, occurredTo: to } = this.incident;
    if (!from) return null;
    if (!to) return this.t('value.since', { from: formatReportDate(from) });
    return this.t('value.period', { from: formatReportDate(from), to: formatReportDate(to) });
  }

  /** Our data categories, in words. */
  categories(): string[] {
    return this.incident.dataCategories.map((id) => this.category(id));
  }

  category(id: string): string {
    return this.labels.labels[`category.${id}`] ?? id.replaceAll('_', ' ');
  }

  /** Security properties breached (confidentiality, integrity, availability), in words. */
  nature(): string[] {
    return this.incident.nature.map((n) => this.labels.labels[`nature.${n}`] ?? n);
  }

  /** People in the frozen affected set; null before the scope is frozen. */
  subjects(): number | null {
    return this.facts.affected?.total ?? null;
  }

  minors(): number | null {
    return this.facts.affected?.minors ?? null;
  }

  /**
   * Users, and children when some are affected: as the form defines them where it does (the ICO: under 18,
   * from the birth dates held), else the minors under the local age of consent.
   */
  subjectCategories(): string[] | null {
    const affected = this.facts.affected;
    if (!affected) return null;
    const kinds = [this.t('value.subjects.users')];
    const children = this.facts.children;
    if (children) {
      if (children.count > 0) kinds.push(this.childrenUnder());
    } else if (affected.minors > 0) {
      kinds.push(this.t('value.subjects.children', { count: affected.minors }));
    }
    return kinds;
  }

  /** Children as the form counts them (`facts.children`), with how many birth dates that rests on. */
  childrenUnder(): string {
    const children = this.facts.children!;
    return this.t('value.subjects.childrenUnder', {
      count: children.count,
      under: children.under,
      known: children.withBirthDate,
    });
  }

  /** Residents per covered jurisdiction: "US-CA: 1200". */
  residents(): string[] | null {
    const affected = this.facts.affected;
    if (!affected) return null;
    return this.facts.jurisdictions.map((j) => `${j}: ${affected.byJurisdiction[j] ?? 0}`);
  }

  /** "Yes" / "No"; null (missing) when not known, unless the form itself offers "don't know". */
  yesNo(value: boolean | null, unknownIsAnAnswer = false): string | null {
    if (value === null) return unknownIsAnAnswer ? this.t('value.unknown') : null;
    return this.t(value ? 'value.yes' : 'value.no');
  }

  risk(): string | null {
    const level = this.incident.riskLevel;
    return level ? this.t(`value.risk.${level}`) : null;
  }

  encryption(): string | null {
    const { encrypted, encryptionDetails } = this.incident;
    const answer = this.yesNo(encrypted);
    if (answer === null) return null;
    return encryptionDetails?.trim() ? `${answer}: ${encryptionDetails.trim()}` : answer;
  }

  /** The DPO when there is one, and the privacy contact always. */
  contactPoint(): string | null {
    const { dpoContact, privacyContactEmail } = this.facts.organization;
    const parts = [
      dpoContact?.trim() ? this.t('value.contact.dpo', { dpo: dpoContact.trim() }) : '',
      privacyContactEmail.trim()
        ? this.t('value.contact.privacy', { email: privacyContactEmail.trim() })
        : '',
    ].filter((p) => p !== '');
    return parts.length === 0 ? null : parts.join('; ');
  }

  phase(phase: Phase = this.facts.phase): string {
    return this.t(`phase.${phase}`);
  }

  /** Before the deadline: not applicable; late: the reasons, or missing. */
  delayReasons(): string | null {
    if (!this.facts.late) return this.t('value.notLate');
    return this.facts.delayReasons;
  }

  /** Several facts as one value; null when all are missing. */
  join(...parts: (string | null)[]): string | null {
    const given = parts.filter((p): p is string => p !== null && p.trim() !== '').map((p) => p.trim());
    return given.length === 0 ? null : given.join('\n');
  }

  /** What the notices to individuals have done so far, in one paragraph. */
  handlingSummary(): string {
    const { total, campaigns } = this.facts.handling;
    if (total.planned === 0 && campaigns.length === 0) return this.t('value.noNotices');
    return this.t('value.handlingSummary', {
      planned: total.planned,
      sent: total.sent,
      delivered: total.delivered,
      failed: total.failed,
      unreachable: total.unreachable,
    });
  }

  /** When the first notice to individuals went out (the first campaign that started). */
  firstNoticeAt(): string | null {
    const starts = this.facts.handling.campaigns
      .map((c) => c.startedAt)
      .filter((d): d is Date => d !== null)
      .sort((a, b) => a.getTime() - b.getTime());
    return this.date(starts[0] ?? null);
  }

  publicNotice(): string {
    const notice = this.facts.publicNotice;
    if (!notice) return this.t('value.noPublicNotice');
    return this.t('value.publicNotice', { url: notice.url, at: formatReportDate(notice.publishedAt) });
  }

  /** The incident's own story as lines: "2026-04-01 16:05 UTC: Containment: the bucket was made private". */
  chronology(): string[] {
    return this.facts.chronology.map(
      (e) =>
        `${formatReportDate(e.at)}: ${[this.t(`chronology.${e.kind}`), e.text].filter(Boolean).join(': ')}`,
    );
  }

  /** When this report was due under the regulator's law (its basis says which); none when no number. */
  deadline(): string {
    const { dueAt } = this.facts.deadline;
    return dueAt ? formatReportDate(dueAt) : this.t('value.noDueDate');
  }
}

function countsRow(name: string, counts: DeliveryCounts): (string | number)[] {
  return [name, ...COUNTS.map((c) => counts[c])];
}

/**
 * The sections every report has: what the report covers, handling, public notice, chronology, obligations.
 * A late report says when it was due and the reasons for its delay in its head, unless its form has a
 * field of its own for them (`formSaysDelay`): every regulator reads why a report came late (GDPR and UK
 * GDPR Art. 33(1), the PDPC, the ANPD...), and the service refuses a late report without them.
 */
export function commonSections(
  ctx: FormContext,
  formSaysDelay = false,
): { head: ReportSection; tail: ReportSection[] } {
  const { facts } = ctx;
  const late =
    facts.late && !formSaysDelay
      ? [
          ctx.field('common.report.dueAt', ctx.deadline(), facts.deadline.basis),
          ctx.field('common.report.delayReasons', ctx.delayReasons(), facts.deadline.basis),
        ]
      : [];
  const head = ctx.section('common.report', [
    ctx.field('common.report.organisation', facts.organization.name),
    ctx.field('common.report.jurisdictions', facts.jurisdictions),
    ctx.field('common.report.phase', ctx.phase()),
    ...late,
    // Said, not hidden: the incident's words that have no translation in the report's language.
    ...(facts.untranslated.length > 0
      ? [
          ctx.field(
            'common.report.untranslated',
            facts.untranslated.map((fact) => ctx.t(`fact.${fact}`)),
          ),
        ]
      : []),
  ]);
  return {
    head,
    tail: [handlingSection(ctx), publicNoticeSection(ctx), timelineSection(ctx), obligationsSection(ctx)],
  };
}

/** What happened to the notices: the campaigns, then the counts per channel and per jurisdiction. */
function handlingSection(ctx: FormContext): ReportSection {
  const { handling } = ctx.facts;
  const counts = COUNTS.map((c) => ctx.t(`col.${c}`));
  const jurisdictions = Object.keys(handling.byJurisdiction).sort();
  return ctx.section(
    'common.handling',
    [
      ctx.field('common.handling.summary', ctx.handlingSummary()),
      ctx.field(
        'common.handling.campaigns',
        handling.campaigns.length === 0
          ? ctx.t('value.noCampaigns')
          : handling.campaigns.map((c) =>
              ctx.t('value.campaign', {
                status: ctx.t(`campaign.${c.status}`),
                started: c.startedAt ? formatReportDate(c.startedAt) : '-',
                finished: c.finishedAt ? formatReportDate(c.finishedAt) : '-',
              }),
            ),
      ),
      // People who said "I have read this" on their notice page.
      ctx.field('common.handling.acknowledgement', handling.total.acknowledged),
    ],
    [
      {
        columns: [ctx.t('col.channel'), ...counts],
        rows: [
          ...CHANNELS.map((c) => countsRow(ctx.t(`channel.${c}`), handling.byChannel[c])),
          countsRow(ctx.t('col.total'), handling.total),
        ],
      },
      {
        columns: [ctx.t('col.jurisdiction'), ...counts],
        rows: jurisdictions.map((j) => countsRow(j, handling.byJurisdiction[j])),
      },
    ],
  );
}

function publicNoticeSection(ctx: FormContext): ReportSection {
  const notice = ctx.facts.publicNotice;
  return ctx.section(
    'common.publicNotice',
    notice
      ? [
          ctx.field('common.publicNotice.status', ctx.publicNotice()),
          ctx.field('common.publicNotice.url', notice.url),
          ctx.field('common.publicNotice.publishedAt', formatReportDate(notice.publishedAt)),
          ctx.field('common.publicNotice.languages', notice.languages),
        ]
      : [ctx.field('common.publicNotice.status', ctx.publicNotice())],
  );
}

/**
 * The incident's own story (its dates and the responders' chronology), in the report's language: never the
 * system's events, internal names or ids, nor another regulator's business.
 */
function timelineSection(ctx: FormContext): ReportSection {
  return ctx.section(
    'common.timeline',
    [],
    [
      {
        columns: [ctx.t('col.at'), ctx.t('col.event'), ctx.t('col.summary')],
        rows: ctx.facts.chronology.map((e) => [
          formatReportDate(e.at),
          ctx.t(`chronology.${e.kind}`),
          e.text ?? '',
        ]),
      },
    ],
  );
}

/** This regulator's own obligations: which report, by when, and where it stands (in the report's words). */
function obligationsSection(ctx: FormContext): ReportSection {
  return ctx.section(
    'common.obligations',
    [],
    [
      {
        columns: [ctx.t('col.phase'), ctx.t('col.dueAt'), ctx.t('col.state')],
        rows: ctx.facts.obligations.map((o) => [
          o.phase ? ctx.phase(o.phase) : '-',
          o.dueAt ? formatReportDate(o.dueAt) : ctx.t('value.noDueDate'),
          ctx.t(`state.${o.state}`),
        ]),
      },
    ],
  );
}
