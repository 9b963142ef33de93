import { createHash } from 'node:crypto';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import type { NoticeIncident } from '../templates/notice.types.js';

/**
 * Every fact of the incident a notice says (a Record, so a field added to NoticeIncident must be listed
 * here), with the categories it names and the language its words are written in.
 */
const SAID: Record<keyof NoticeIncident, true> = {
  description: true,
  occurredFrom: true,
  occurredTo: true,
  discoveredAt: true,
  containedAt: true,
  likelyConsequences: true,
  measuresTaken: true,
  measuresPlanned: true,
  adviceToIndividuals: true,
  remedies: true,
  location: true,
  securityMeasuresBefore: true,
  noticeDelayReasons: true,
  howDiscovered: true,
  cause: true,
  lawEnforcementDelay: true,
  guardianWords: true,
  massachusettsWords: true,
  translations: true,
};
const FIELDS = [...Object.keys(SAID), 'dataCategories', 'language'] as const;

/**
 * What a campaign's notices say of the incident, as a digest: the approval keeps it, and a batch whose
 * incident no longer gives the same pauses the campaign until it is approved again (nothing goes out that
 * its approver did not see).
 */
export function noticeWordsDigest(incident: IncidentRow): string {
  const said = FIELDS.map((field) => [
    field,
    (incident as unknown as Record<string, unknown>)[field] ?? null,
  ]);
  return createHash('sha256').update(JSON.stringify(said)).digest('hex');
}

/** Whether a campaign's notices would now say other words than approved (never for one approved before they were kept). */
export const wordsChanged = (campaign: { approvedWords: string | null }, now: string): boolean =>
  campaign.approvedWords !== null && campaign.approvedWords !== now;
