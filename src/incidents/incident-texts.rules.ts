import { ValidateBy } from 'class-validator';
import { isKnownLanguageTag, LANGUAGE_TAG } from '../common/text.js';
import { MASSACHUSETTS_TEXT_FIELDS, wordsInLanguageProblem } from '../common/notice-text.js';
import { REPORT_TEXT_FIELDS } from './regulator-text.js';

/**
 * The rules for the incident's texts in every language: the responders' words, the regulators' words and the
 * chronology's translations. Each says what is wrong without quoting what was sent.
 */
export const TEXT = 10_000;

/**
 * What is wrong with an object of languages (`translations`, `regulatorTranslations`), if anything: BCP 47
 * keys, each once whatever its case, at most 50, each language's words checked by `words`.
 */
function languagesProblem(value: unknown, words: (value: unknown) => string | undefined): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of languages';
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) return 'at most 50 languages';
  const seen = new Set<string>();
  for (const [tag, given] of entries) {
    if (!LANGUAGE_TAG.test(tag) || !isKnownLanguageTag(tag))
      return 'each key must be a BCP 47 language tag of a known language, such as de or pt-BR';
    if (seen.has(tag.toLowerCase())) return 'a language is given twice (tags differ only in case)';
    seen.add(tag.toLowerCase());
    const problem = words(given);
    if (problem) return problem;
  }
  return undefined;
}

/** What is wrong with a `translations` value, if anything (never quoting what was sent). */
export const translationsProblem = (value: unknown) => languagesProblem(value, wordsInLanguageProblem);

/** A validator of an object of texts, by the function that says what is wrong with one. */
export const textsRule = (name: string, field: string, problem: (value: unknown) => string | undefined) =>
  ValidateBy({
    name,
    validator: {
      validate: (value: unknown) => problem(value) === undefined,
      defaultMessage: (args) => `${field}: ${problem(args?.value) ?? 'invalid'}`,
    },
  });

export const TEXTS_SCHEMA = (fields: readonly string[]) => ({
  type: 'object' as const,
  properties: Object.fromEntries(fields.map((f) => [f, { type: 'string' as const, maxLength: TEXT }])),
  additionalProperties: false,
});
export const MASSACHUSETTS_SCHEMA = {
  ...TEXTS_SCHEMA(MASSACHUSETTS_TEXT_FIELDS),
  properties: {
    ...TEXTS_SCHEMA(MASSACHUSETTS_TEXT_FIELDS).properties,
    guardian: TEXTS_SCHEMA(MASSACHUSETTS_TEXT_FIELDS),
  },
};

/** What is wrong with an object of a regulator's texts (`regulatorText`, one language of its translations). */
export function regulatorTextsProblem(value: unknown, fields: readonly string[]): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of texts';
  for (const [field, text] of Object.entries(value as Record<string, unknown>)) {
    if (!fields.includes(field)) return `may give only ${fields.join(', ')}`;
    if (typeof text !== 'string' || text.trim() === '') return 'each text must be a non-empty string';
    if (text.length > TEXT) return `each text must be at most ${TEXT} characters`;
  }
  return undefined;
}

/** What is wrong with `regulatorTranslations`, if anything (never quoting what was sent). */
export const regulatorTranslationsProblem = (value: unknown) =>
  languagesProblem(value, (words) => {
    const problem = regulatorTextsProblem(words, REPORT_TEXT_FIELDS);
    return problem && `each language ${problem}`;
  });

/** What is wrong with a chronology entry's translations, if anything. */
export function wordsByTagProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return 'must be an object of languages';
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 50) return 'at most 50 languages';
  for (const [tag, text] of entries) {
    if (!LANGUAGE_TAG.test(tag) || !isKnownLanguageTag(tag))
      return 'each key must be a BCP 47 language tag of a known language, such as de or pt-BR';
    if (typeof text !== 'string' || text.trim() === '') return 'each text must be a non-empty string';
    if (text.length > 2000) return 'each text must be at most 2000 characters';
  }
  return undefined;
}
