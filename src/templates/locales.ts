import {
  GUARDIAN_TEXT_FIELDS,
  MASSACHUSETTS_TEXT_FIELDS,
  NOTICE_TEXT_FIELDS,
  type NoticeTextField,
} from '../common/notice-text.js';
import type { WordsVersion } from '../jurisdictions/rules/notice-profile.types.js';
import type { NoticeFacts, NoticeIncident, NoticeWords } from './notice.types.js';

// Which language a notice is in: the fallback chain of a reader's locale, and the responders' words in
// the notice's language (from the incident's translations).

/** Every fallback chain ends here. */
export const BASE_LOCALE = 'en';

/** The chain a locale falls back along: pt-BR -> pt -> en; zh-CN -> zh-Hans -> zh -> en. */
export function localeChain(locale: string | null): string[] {
  const chain: string[] = [];
  const add = (tag: string | undefined) => {
    if (tag && !chain.includes(tag)) chain.push(tag);
  };
  if (locale) {
    try {
      const given = new Intl.Locale(locale);
      const full = given.maximize();
      add(given.toString());
      if (given.region) add(`${given.language}-${given.region}`);
      if (full.script) add(`${full.language}-${full.script}`);
      add(given.language);
    } catch {
      // Validated at import; a bad tag here only means the base locale.
    }
  }
  add(BASE_LOCALE);
  return chain;
}

/** What joins the locales of a notice in two languages (Quebec: `fr+en`, French first). */
export const ALONGSIDE = '+';

/**
 * The locale a reader's notice is in, for the planner and the renderer alike: the reader's language where
 * the templates have it (along its chain, not falling to English); else their jurisdiction's language
 * (`tr-DE` reads German, `ca-ES` Spanish); else English. Where the jurisdiction's law fixes a language
 * (`required`, Quebec's French), that language, with the reader's own alongside when the templates have it
 * and it is another (`fr+en`). A locale already resolved (`fr+en`, `de`) resolves to itself.
 */
export function noticeLocale(
  has: (tag: string) => boolean,
  locale: string | null,
  jurisdictionLanguages: readonly string[],
  required: string | null,
): string {
  if (locale?.includes(ALONGSIDE)) {
    const parts = locale.split(ALONGSIDE);
    if (parts.every(has)) return locale;
  }
  const own = firstOf(has, locale);
  const fixed = required ? firstOf(has, required) : undefined;
  if (fixed) return own && own !== fixed ? `${fixed}${ALONGSIDE}${own}` : fixed;
  if (own) return own;
  for (const language of jurisdictionLanguages) {
    const theirs = firstOf(has, language);
    if (theirs) return theirs;
  }
  return BASE_LOCALE;
}

/** The first locale the templates have along a tag's chain, English only for an English tag. */
function firstOf(has: (tag: string) => boolean, tag: string | null): string | undefined {
  if (!tag) return undefined;
  const english = tag.split('-')[0].toLowerCase() === BASE_LOCALE;
  return localeChain(tag).find((l) => (l !== BASE_LOCALE || english) && has(l));
}

/** The script a language tag is written in (Latn, Hans, Hant...), as likely subtags say. */
function scriptOf(tag: string): string | undefined {
  try {
    return new Intl.Locale(tag).maximize().script;
  } catch {
    return undefined;
  }
}

/** The incident in a notice's language, by the incident and language (its words are read once per batch). */
const LOCALIZED = new WeakMap<NoticeIncident, Map<string, NoticeIncident>>();

/**
 * The facts with the incident's words in `locale`: each text fact from the first translation that gives it,
 * among the tags of the notice's language and script (the locale itself, then the bare language, then the
 * others), else as written. The same objects for the same incident and locale.
 */
export function inLanguage(facts: NoticeFacts, locale: string): NoticeFacts {
  const translations = facts.incident.translations;
  if (!translations || Object.keys(translations).length === 0) return facts;
  let byLocale = LOCALIZED.get(facts.incident);
  if (!byLocale) {
    byLocale = new Map();
    LOCALIZED.set(facts.incident, byLocale);
  }
  let incident = byLocale.get(locale);
  if (!incident) {
    // A fr-CA or zh-CN translation serves the fr or zh-Hans notice (the reader's own region is not kept
    // past planning); a zh-TW (Traditional) one never serves the zh-Hans notice.
    const language = (tag: string) => tag.split('-')[0].toLowerCase();
    const ours = scriptOf(locale);
    const rank = (tag: string) =>
      tag.toLowerCase() === locale.toLowerCase() ? 0 : tag.toLowerCase() === language(locale) ? 1 : 2;
    const chain = Object.keys(translations)
      .filter((t) => language(t) === language(locale) && scriptOf(t) === ours)
      .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    incident = { ...facts.incident };
    for (const field of NOTICE_TEXT_FIELDS) {
      const words = chain.map((tag) => translations[tag]?.[field]).find((w) => w?.trim());
      if (words) incident[field] = words;
    }
    // The guardian's and Massachusetts versions, field by field in the same order.
    const versions = chain.map((tag) => translations[tag]);
    const pick = <F extends string>(
      fields: readonly F[],
      written: Partial<Record<F, string>> | null | undefined,
      translated: Array<Partial<Record<F, string>> | undefined>,
    ) => {
      const out: Partial<Record<F, string>> = { ...written };
      for (const field of fields) {
        const words = translated.map((t) => t?.[field]).find((w) => w?.trim());
        if (words) out[field] = words;
      }
      return out;
    };
    incident.guardianWords = pick(
      GUARDIAN_TEXT_FIELDS,
      facts.incident.guardianWords,
      versions.map((v) => v?.guardianWords),
    );
    const massachusetts = facts.incident.massachusettsWords;
    incident.massachusettsWords = {
      ...pick(
        MASSACHUSETTS_TEXT_FIELDS,
        massachusetts,
        versions.map((v) => v?.massachusettsWords),
      ),
      guardian: pick(
        MASSACHUSETTS_TEXT_FIELDS,
        massachusetts?.guardian,
        versions.map((v) => v?.massachusettsWords?.guardian),
      ),
    };
    byLocale.set(locale, incident);
  }
  return { ...facts, incident };
}

/**
 * The responders' words a notice says, by field: as written for the person; a guardian's notice, the
 * guardian's version of those written to the person (and none of the person's: "your photos" is not the
 * guardian's); a notice whose profile asks for a version of its own (Massachusetts), only that version's,
 * each field from it or left out. From an incident already in the notice's language.
 */
export function wordsFor(
  incident: NoticeIncident,
  audience: 'person' | 'guardian',
  version: WordsVersion | null,
): NoticeWords {
  const words: Record<NoticeTextField, string | null | undefined> = { ...EMPTY_WORDS };
  if (version === 'massachusetts') {
    const own = incident.massachusettsWords;
    const versioned = audience === 'guardian' ? own?.guardian : own;
    for (const field of MASSACHUSETTS_TEXT_FIELDS) words[field] = versioned?.[field];
    return words;
  }
  for (const field of NOTICE_TEXT_FIELDS) words[field] = incident[field];
  if (audience === 'guardian') {
    for (const field of GUARDIAN_TEXT_FIELDS) words[field] = incident.guardianWords?.[field];
  }
  return words;
}

const EMPTY_WORDS = Object.fromEntries(NOTICE_TEXT_FIELDS.map((f) => [f, null])) as Record<
  NoticeTextField,
  null
>;
