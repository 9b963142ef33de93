// What an incident tells regulators in words of its own: a regulator version of the facts the notice says
// to people (a technical description, the risk as the company assesses it), their translations for the
// regulators' languages, and the incident's own story (the chronology). Reports use these; notices never.

/** The notice's facts that may have a version for regulators, kept apart from the words people read. */
export const REGULATOR_TEXT_FIELDS = [
  'description',
  'likelyConsequences',
  'measuresTaken',
  'measuresPlanned',
] as const;
export type RegulatorTextField = (typeof REGULATOR_TEXT_FIELDS)[number];
export type RegulatorText = Partial<Record<RegulatorTextField, string>>;

/** Every free-text fact a report says: what a regulator translation may give, per language. */
export const REPORT_TEXT_FIELDS = [
  'description',
  'likelyConsequences',
  'measuresTaken',
  'measuresPlanned',
  'adviceToIndividuals',
  'remedies',
  'location',
  'cause',
  'howDiscovered',
  'riskReasoning',
  'securityMeasuresBefore',
  'otherOrganisationsTold',
  'encryptionDetails',
] as const;
export type ReportTextField = (typeof REPORT_TEXT_FIELDS)[number];
export type RegulatorTranslations = Record<string, Partial<Record<ReportTextField, string>>>;

/** What an event of the incident's own story is: the chronology a regulator reads. */
export const CHRONOLOGY_KINDS = [
  'occurrence',
  'detection',
  'containment',
  'assessment',
  'investigation',
  'notification',
  'recovery',
  'other',
] as const;
export type ChronologyKind = (typeof CHRONOLOGY_KINDS)[number];

export interface ChronologyEntry {
  /** ISO 8601 with a zone. */
  at: string;
  kind: ChronologyKind;
  /** In the incident's language. */
  text: string;
  /** The same words per BCP 47 tag. */
  translations?: Record<string, string>;
}

/**
 * The tags of `translations` that serve a language, best first: the tag itself, the bare language, then
 * the other tags of the language (a fr-CA text serves a French report).
 */
export function tagsFor(tags: readonly string[], language: string): string[] {
  const base = (tag: string) => tag.split('-')[0].toLowerCase();
  const rank = (tag: string) =>
    tag.toLowerCase() === language.toLowerCase() ? 0 : tag.toLowerCase() === base(language) ? 1 : 2;
  return tags
    .filter((tag) => base(tag) === base(language))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/** Whether two language tags are the same language ("en-GB" and "en" are). */
export const sameLanguage = (a: string, b: string): boolean =>
  a.split('-')[0].toLowerCase() === b.split('-')[0].toLowerCase();
