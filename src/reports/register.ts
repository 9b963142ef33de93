import { recordKeeping } from '../jurisdictions/rules/records.js';
import { RULES } from '../jurisdictions/rules/index.js';
import type { Rule } from '../jurisdictions/rules/rule.types.js';
import { rulesFor } from '../jurisdictions/rules/compute.js';
import type { RegisterObligationRow, RegisterRows } from './register.repository.js';

// The breach register the law asks to keep (GDPR and UK GDPR Art. 33(5), PIPEDA s 10.3, Quebec s 3.8,
// LGPD, Florida's written determination): every incident, notifiable or not, with its facts, its effects,
// the remedial action and each decision with its reason. Built from the stored rows by a pure function, so
// what the register says of an incident is tested without a database.

export interface RegisterDecision {
  /** The obligation (`<rule>/<regulator or jurisdiction>/<obligation>`), or `incident/dismissed`. */
  key: string;
  law: string | null;
  recipient: string;
  what: string;
  /** `due`, `met`, `missed`, `waived`, `not_applicable`, `withdrawn`, `dismissed`. */
  outcome: string;
  /** Why it applied or not, and the waiver's or the dismissal's reason. */
  reasons: string[];
  decidedAt: string | null;
  dueAt: string | null;
  late: boolean;
}

export interface RegisterEntry {
  reference: string;
  title: string;
  state: string;
  discoveredAt: string;
  occurredFrom: string | null;
  occurredTo: string | null;
  containedAt: string | null;
  confirmedAt: string | null;
  /** Residents of each jurisdiction in the frozen affected set; empty before a scope was frozen. */
  jurisdictions: { code: string; residents: number; notified: number }[];
  /** No scope was frozen: whose the incident is is not known, so every jurisdiction's export lists it. */
  jurisdictionsKnown: boolean;
  facts: {
    description: string | null;
    nature: string[];
    cause: string | null;
    cyberAttack: boolean | null;
    dataCategories: string[];
    systems: string[];
    approximateRecords: number | null;
    encrypted: boolean | null;
  };
  effects: {
    affected: number;
    likelyConsequences: string | null;
    riskLevel: string | null;
    riskReasoning: string | null;
  };
  remedialAction: { measuresTaken: string | null; measuresPlanned: string | null; remedies: string | null };
  decisions: RegisterDecision[];
  regulatorsNotified: { regulator: string; phase: string; at: string; reference: string | null }[];
  /** Until when the law asks to keep this record (null: no period ends it), and why. */
  keepUntil: string | null;
  keptFor: { ruleId: string; what: string; until: string | null }[];
}

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

/** Whether a jurisdiction code is `wanted` or inside it (`CA` holds `CA-QC`). */
export const within = (code: string, wanted: string): boolean =>
  code === wanted || code.startsWith(`${wanted}-`);

function outcomeOf(row: RegisterObligationRow, now: Date): { outcome: string; late: boolean } {
  const due = row.dueAt?.getTime();
  const late = due !== undefined && (row.metAt ? row.metAt.getTime() > due : now.getTime() > due);
  if (row.withdrawnAt) return { outcome: 'withdrawn', late: false };
  if (!row.applicable) return { outcome: 'not_applicable', late: false };
  if (row.metAt) return { outcome: 'met', late };
  if (row.waivedAt) return { outcome: 'waived', late: false };
  return { outcome: late ? 'missed' : 'due', late };
}

type RegisterIncident = RegisterRows['incidents'][number];
type RegisterTransition = RegisterRows['events'][number];

/** Whether an incident is outside the jurisdiction asked for (one whose residents are unknown never is). */
function outside(rows: RegisterRows, incident: RegisterIncident, jurisdiction: string | null): boolean {
  const residents = rows.residents.filter((r) => r.incidentId === incident.id);
  if (!jurisdiction || residents.length === 0) return false;
  const own = rows.obligations.filter((o) => o.incidentId === incident.id);
  return (
    !residents.some((r) => r.jurisdiction !== null && within(r.jurisdiction, jurisdiction)) &&
    !own.some((o) => o.jurisdictions.some((c) => within(c, jurisdiction)))
  );
}

/** The decisions taken on an incident: each obligation's outcome, and each dismissal. */
function decisionsOf(
  own: readonly RegisterObligationRow[],
  transitions: readonly RegisterTransition[],
  now: Date,
): RegisterDecision[] {
  const decisions: RegisterDecision[] = own.map((row) => {
    const { outcome, late } = outcomeOf(row, now);
    return {
      key: row.key,
      law: row.law,
      recipient: row.recipient,
      what: row.what,
      outcome,
      reasons: [row.reason, ...(row.waivedReason ? [`waived: ${row.waivedReason}`] : [])],
      decidedAt: iso(row.metAt ?? row.waivedAt ?? row.withdrawnAt),
      dueAt: iso(row.dueAt),
      late,
    };
  });
  for (const dismissal of transitions.filter((e) => e.toState === 'dismissed')) {
    decisions.push({
      key: 'incident/dismissed',
      law: null,
      recipient: 'the responders',
      what: 'Dismissed: not a personal data breach, or nothing to notify.',
      outcome: 'dismissed',
      reasons: dismissal.note ? [dismissal.note] : [],
      decidedAt: dismissal.at.toISOString(),
      dueAt: null,
      late: false,
    });
  }
  return decisions;
}

/** What the register holds of the incident itself: its facts, effects and remedial action. */
function factsOf(
  incident: RegisterIncident,
  affected: number,
): Pick<RegisterEntry, 'facts' | 'effects' | 'remedialAction'> {
  const text = incident.regulatorText;
  return {
    facts: {
      description: text.description ?? incident.description,
      nature: incident.nature,
      cause: incident.cause,
      cyberAttack: incident.cyberAttack,
      dataCategories: incident.dataCategories,
      systems: incident.systems,
      approximateRecords: incident.approximateRecords,
      encrypted: incident.encrypted,
    },
    effects: {
      affected,
      likelyConsequences: text.likelyConsequences ?? incident.likelyConsequences,
      riskLevel: incident.riskLevel,
      riskReasoning: incident.riskReasoning,
    },
    remedialAction: {
      measuresTaken: text.measuresTaken ?? incident.measuresTaken,
      measuresPlanned: text.measuresPlanned ?? incident.measuresPlanned,
      remedies: incident.remedies,
    },
  };
}

/** One incident's register entry. */
function entryOf(
  rows: RegisterRows,
  incident: RegisterIncident,
  jurisdiction: string | null,
  now: Date,
  rules: readonly Rule[],
): RegisterEntry {
  const residents = rows.residents.filter((r) => r.incidentId === incident.id);
  const own = rows.obligations.filter((o) => o.incidentId === incident.id);
  const codes = residents.flatMap((r) => (r.jurisdiction ? [r.jurisdiction] : []));
  const transitions = rows.events.filter((e) => e.incidentId === incident.id);
  const confirmed = transitions.find((e) => e.toState === 'confirmed')?.at ?? null;
  // The rules of every jurisdiction it touched, in their versions of the day of awareness.
  const touched = [...new Set([...codes, ...own.flatMap((o) => o.jurisdictions)])];
  const applying = touched.flatMap((code) => rulesFor(code, incident.discoveredAt, rules));
  const kept = recordKeeping(applying, incident.discoveredAt, confirmed);
  return {
    reference: incident.reference,
    title: incident.title,
    state: incident.state,
    discoveredAt: incident.discoveredAt.toISOString(),
    occurredFrom: iso(incident.occurredFrom),
    occurredTo: iso(incident.occurredTo),
    containedAt: iso(incident.containedAt),
    confirmedAt: iso(confirmed),
    jurisdictions: residents
      .filter((r) => !jurisdiction || (r.jurisdiction !== null && within(r.jurisdiction, jurisdiction)))
      .map((r) => ({ code: r.jurisdiction ?? 'unknown', residents: r.residents, notified: r.notified })),
    jurisdictionsKnown: residents.length > 0,
    ...factsOf(
      incident,
      residents.reduce((n, r) => n + r.residents, 0),
    ),
    decisions: decisionsOf(own, transitions, now),
    regulatorsNotified: rows.reports
      .filter((r) => r.incidentId === incident.id)
      .map((r) => ({
        regulator: r.regulatorId,
        phase: r.phase,
        at: r.submittedAt.toISOString(),
        reference: r.reference,
      })),
    keepUntil: iso(kept.until),
    keptFor: kept.rules.map((r) => ({ ruleId: r.ruleId, what: r.what, until: iso(r.until) })),
  };
}

/** The register's entries of the rows read, limited to a jurisdiction when one is given. */
export function registerEntries(
  rows: RegisterRows,
  jurisdiction: string | null,
  now: Date,
  rules: readonly Rule[] = RULES,
): RegisterEntry[] {
  return rows.incidents
    .filter((incident) => !outside(rows, incident, jurisdiction))
    .map((incident) => entryOf(rows, incident, jurisdiction, now, rules));
}

/** The register's columns as CSV, one incident per line. */
export const REGISTER_CSV_COLUMNS = [
  'reference',
  'title',
  'state',
  'discovered_at',
  'occurred_from',
  'occurred_to',
  'contained_at',
  'confirmed_at',
  'jurisdictions',
  'affected',
  'data_categories',
  'nature',
  'description',
  'cause',
  'likely_consequences',
  'risk_level',
  'risk_reasoning',
  'measures_taken',
  'measures_planned',
  'remedies',
  'decisions',
  'regulators_notified',
  'keep_until',
] as const;

/** Quotes a cell that needs it, and defuses spreadsheet formulas (=, +, -, @ at the start). */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\n\r]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function registerCsv(entries: readonly RegisterEntry[]): string {
  const lines = entries.map((e) =>
    [
      e.reference,
      e.title,
      e.state,
      e.discoveredAt,
      e.occurredFrom ?? '',
      e.occurredTo ?? '',
      e.containedAt ?? '',
      e.confirmedAt ?? '',
      e.jurisdictionsKnown ? e.jurisdictions.map((j) => `${j.code}:${j.residents}`).join('; ') : 'not known',
      String(e.effects.affected),
      e.facts.dataCategories.join('; '),
      e.facts.nature.join('; '),
      e.facts.description ?? '',
      e.facts.cause ?? '',
      e.effects.likelyConsequences ?? '',
      e.effects.riskLevel ?? '',
      e.effects.riskReasoning ?? '',
      e.remedialAction.measuresTaken ?? '',
      e.remedialAction.measuresPlanned ?? '',
      e.remedialAction.remedies ?? '',
      e.decisions.map((d) => `${d.key}: ${d.outcome} (${d.reasons.join('; ')})`).join(' | '),
      e.regulatorsNotified
        .map((r) => `${r.regulator} ${r.phase} ${r.at}${r.reference ? ` ${r.reference}` : ''}`)
        .join(' | '),
      e.keepUntil ?? '',
    ]
      .map(csvCell)
      .join(','),
  );
  return [REGISTER_CSV_COLUMNS.join(','), ...lines].map((line) => `${line}\n`).join('');
}
