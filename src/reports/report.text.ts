import { NOTICE_TEXT_FIELDS } from '../common/notice-text.js';
import {
  REGULATOR_TEXT_FIELDS,
  REPORT_TEXT_FIELDS,
  sameLanguage,
  tagsFor,
  type ChronologyEntry,
  type ReportTextField,
} from '../incidents/regulator-text.js';

// The incident's words in a report's language: the words written for regulators before those written for
// the people notified, a translation for the report's language before the words as written; what has no
// translation is said as written and listed (a report never passes the responders' English off as German).

export interface ReportTextSource {
  language: string;
  regulatorText: Partial<Record<string, string>>;
  regulatorTranslations: Record<string, Partial<Record<string, string>>>;
  /** The notice's translations: per tag, its words (and the guardians' and Massachusetts', never used here). */
  translations: Record<string, Partial<Record<string, unknown>>>;
  chronology: readonly ChronologyEntry[];
}

export interface ReportText {
  /** Each free-text fact, in the report's language where a translation gives it; null when not given. */
  values: Record<ReportTextField, string | null>;
  /** The chronology's words, in the report's language where a translation gives them. */
  chronology: string[];
  /** The facts (and `chronology`) said as written, in another language than the report's. */
  untranslated: string[];
}

const given = (text: unknown): string | null =>
  typeof text === 'string' && text.trim() !== '' ? text : null;

/** The incident's words for a report in `language`. */
export function reportText(
  incident: ReportTextSource & Partial<Record<ReportTextField, string | null>>,
  language: string,
): ReportText {
  const same = sameLanguage(language, incident.language);
  const regulatorTags = tagsFor(Object.keys(incident.regulatorTranslations), language);
  const noticeTags = tagsFor(Object.keys(incident.translations), language);
  const untranslated: string[] = [];
  const values = {} as Record<ReportTextField, string | null>;
  for (const field of REPORT_TEXT_FIELDS) {
    const forRegulators = (REGULATOR_TEXT_FIELDS as readonly string[]).includes(field)
      ? given(incident.regulatorText[field])
      : null;
    const written = forRegulators ?? given(incident[field]);
    if (written === null || same) {
      values[field] = written;
      continue;
    }
    const translated =
      regulatorTags.map((tag) => given(incident.regulatorTranslations[tag]?.[field])).find(Boolean) ??
      // The notice's translation says the people's words, not the regulators' own: only without them.
      (forRegulators === null && (NOTICE_TEXT_FIELDS as readonly string[]).includes(field)
        ? noticeTags.map((tag) => given(incident.translations[tag]?.[field])).find(Boolean)
        : undefined);
    values[field] = translated ?? written;
    if (!translated) untranslated.push(field);
  }
  const chronology = incident.chronology.map((entry) => {
    if (same) return entry.text;
    const tags = tagsFor(Object.keys(entry.translations ?? {}), language);
    const translated = tags.map((tag) => given(entry.translations?.[tag])).find(Boolean);
    if (!translated && !untranslated.includes('chronology')) untranslated.push('chronology');
    return translated ?? entry.text;
  });
  return { values, chronology, untranslated };
}
