import { NOTICE_TEXT_FIELDS } from '../incidents/notice-text.js';
import type { NoticeFacts, NoticeIncident } from './notice.types.js';

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
    byLocale.set(locale, incident);
  }
  return { ...facts, incident };
}
