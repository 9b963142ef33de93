// The pure parts of a report's facts: its deadline and lateness, the incident's story and facts as the
// form reads them (reports.service.ts gathers what they read).

import { AppError } from '../common/errors.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import type { ChronologyEntry } from '../incidents/regulator-text.js';
import { ObligationState, type ObligationView } from '../jurisdictions/obligations.service.js';
import { RULES } from '../jurisdictions/rules/index.js';
import type { Phase, ReportForm } from '../jurisdictions/rules/rule.types.js';
import type { reportText } from './report.text.js';
import type { ReportFacts } from './report.types.js';

/** Forms that count children by an age of their own (the ICO's "children", the ANPD's "crianças e adolescentes"). */
export const CHILDREN_UNDER: Partial<Record<ReportForm, number>> = { ico: 18, 'lgpd-anpd': 18 };

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

/** The deadline of this phase, whether the report is late by it, and the reasons given for the delay. */
export function lateness(owed: ObligationView[], phase: Phase, reasons: string | undefined, now: Date) {
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
export function chronologyOf(
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
export function incidentFacts(
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
