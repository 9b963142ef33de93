import {
  GUARDIAN_TEXT_FIELDS,
  MASSACHUSETTS_TEXT_FIELDS,
  NOTICE_TEXT_FIELDS,
  type GuardianTextField,
  type MassachusettsTextField,
  type NoticeTextField,
  type NoticeTranslations,
  type NoticeWordsInLanguage,
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

const language = (tag: string) => tag.split('-')[0].toLowerCase();

/** Whether two tags are one language in one script (`en` and `en-GB`; not `zh-Hans` and `zh-Hant`). */
export const sameLanguage = (a: string, b: string): boolean =>
  language(a) === language(b) && scriptOf(a) === scriptOf(b);

/**
 * The translations' tags that serve a notice in `locale`, in the order they are read: the locale itself,
 * then the bare language, then the others of its language and script. A fr-CA or zh-CN translation
 * serves the fr or zh-Hans notice (the reader's own region is not kept past planning); a zh-TW
 * (Traditional) one never serves the zh-Hans notice.
 */
function translationTags(translations: NoticeTranslations, locale: string): string[] {
  const rank = (tag: string) =>
    tag.toLowerCase() === locale.toLowerCase() ? 0 : tag.toLowerCase() === language(locale) ? 1 : 2;
  return Object.keys(translations)
    .filter((t) => sameLanguage(t, locale))
    .sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
}

/**
 * The responders' words a notice in `locale` would say as written, untranslated, by field in the API's
 * terms (`remedies`, `guardianWords.remedies`, `massachusettsWords.guardian.remedies`): of the fields
 * it says (`said`), those given as written for its audience and version of the words (as
 * {@link wordsFor} picks them) that no translation serving the locale gives. Empty for a notice in the
 * language the words are written in (`written`).
 */
export function untranslatedWords(
  incident: NoticeIncident,
  written: string,
  locale: string,
  audience: 'person' | 'guardian',
  version: WordsVersion | null,
  said: ReadonlySet<NoticeTextField>,
): string[] {
  if (sameLanguage(locale, written)) return [];
  const translations = incident.translations ?? {};
  const tags = translationTags(translations, locale);
  const given = (text: string | null | undefined) => Boolean(text?.trim());
  const translated = (words: (t: NoticeWordsInLanguage) => string | null | undefined) =>
    tags.some((tag) => given(words(translations[tag])));
  const missing: string[] = [];
  for (const field of NOTICE_TEXT_FIELDS) {
    if (!said.has(field)) continue;
    if (version === 'massachusetts') {
      if (!(MASSACHUSETTS_TEXT_FIELDS as readonly string[]).includes(field)) continue;
      const f = field as MassachusettsTextField;
      const guardian = audience === 'guardian';
      const own = incident.massachusettsWords;
      if (!given(guardian ? own?.guardian?.[f] : own?.[f])) continue;
      const ok = translated((t) =>
        guardian ? t.massachusettsWords?.guardian?.[f] : t.massachusettsWords?.[f],
      );
      if (!ok) missing.push(`massachusettsWords.${guardian ? 'guardian.' : ''}${f}`);
    } else if (audience === 'guardian' && (GUARDIAN_TEXT_FIELDS as readonly string[]).includes(field)) {
      const f = field as GuardianTextField;
      if (given(incident.guardianWords?.[f]) && !translated((t) => t.guardianWords?.[f])) {
        missing.push(`guardianWords.${f}`);
      }
    } else if (given(incident[field]) && !translated((t) => t[field])) {
      missing.push(field);
    }
  }
  return missing;
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
    const chain = translationTags(translations, locale);
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
