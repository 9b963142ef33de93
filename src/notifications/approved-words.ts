import { createHash } from 'node:crypto';
import type { NoticeTextField } from '../common/notice-text.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import type { NoticeShape } from '../jurisdictions/rules/notice-profiles.js';
import { fieldsSaid } from '../templates/notice.body.js';

/**
 * What a campaign's notices can say of the incident, from its readers' notice shapes: the responders'
 * fields they say (in every language), the versions they say them in (a guardian's, Massachusetts'),
 * and whether an answer (a law-enforcement delay) is said. Facts every notice says (its dates, the
 * categories, the words' language) are always in. Only these count: filling in what no reader's notice
 * says (Brazil's security measures for an ANPD report, with no Brazilian reader) changes nothing a reader
 * sees, and does not pause the campaign.
 */
export interface WordsScope {
  fields: NoticeTextField[];
  guardians: boolean;
  massachusetts: boolean;
  answers: boolean;
}

/** The scope of the notices of these shapes; guardians' versions when the campaign reaches guardians. */
export function wordsScopeOf(shapes: Iterable<NoticeShape>, includeGuardians: boolean): WordsScope {
  const fields = new Set<NoticeTextField>();
  let massachusetts = false;
  let answers = false;
  for (const shape of shapes) {
    fieldsSaid(shape).forEach((field) => fields.add(field));
    if (shape.wordsVersion === 'massachusetts') massachusetts = true;
    for (const { start, end } of Object.values(shape.added)) {
      if ([...start, ...end].some((said) => said.kind === 'answer')) answers = true;
    }
  }
  return { fields: [...fields].sort(), guardians: includeGuardians, massachusetts, answers };
}

/** The words of `scope` in a version (the incident's, a translation's, a guardian's...): field by field. */
const wordsOf = (version: unknown, fields: readonly string[]) =>
  fields.map((field) => (version as Record<string, unknown> | null | undefined)?.[field] ?? null);

/**
 * What the notices say of the incident, within `scope`, as a digest: the approval keeps it with its
 * scope, and a batch whose incident no longer gives the same pauses the campaign until it is approved
 * again (nothing goes out that its approver did not see).
 */
export function noticeWordsDigest(incident: IncidentRow, scope: WordsScope): string {
  const { fields } = scope;
  const versions = (words: unknown) => [
    wordsOf(words, fields),
    scope.guardians ? wordsOf((words as { guardianWords?: unknown } | null)?.guardianWords, fields) : null,
    scope.massachusetts
      ? wordsOf((words as { massachusettsWords?: unknown } | null)?.massachusettsWords, fields)
      : null,
    scope.massachusetts && scope.guardians
      ? wordsOf(
          (words as { massachusettsWords?: { guardian?: unknown } } | null)?.massachusettsWords?.guardian,
          fields,
        )
      : null,
  ];
  const translations = Object.entries(incident.translations ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([tag, words]) => [tag, versions(words)]);
  const said = [
    [incident.occurredFrom, incident.occurredTo, incident.discoveredAt, incident.containedAt],
    [...incident.dataCategories].sort(),
    incident.language,
    scope.answers ? incident.lawEnforcementDelay : null,
    versions(incident),
    translations,
  ];
  return createHash('sha256').update(JSON.stringify(said)).digest('hex');
}

/** The approval's record: the scope and the digest, as the campaign keeps them (`approved_words`). */
export const approvedWords = (incident: IncidentRow, scope: WordsScope): string =>
  JSON.stringify({ scope, digest: noticeWordsDigest(incident, scope) });

/**
 * Whether a campaign's notices would now say other words than approved: within the scope its approval
 * kept. Never for one approved before approvals were kept (null).
 */
export function wordsChanged(approved: string | null, incident: IncidentRow): boolean {
  if (approved === null) return false;
  const { scope, digest } = JSON.parse(approved) as { scope: WordsScope; digest: string };
  return noticeWordsDigest(incident, scope) !== digest;
}
