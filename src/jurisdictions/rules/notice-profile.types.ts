import type { Source } from './rule.types.js';

// What a jurisdiction's law asks of the notice a person receives, as data beside the obligation rules:
// one profile per jurisdiction that asks something of its own, versioned (effectiveFrom) and cited (source
// keys, with their status, and notes on what is unsettled) like the rules, each with a worked case in
// notice-profiles.spec.ts. The renderer (src/templates) knows no jurisdiction: it reads the NoticeShape a
// jurisdiction's profiles compile to (notice-profiles.ts), and the planner cuts its batches by the same
// table (the notice variant, in SQL from src/jurisdictions/notice-variant.sql.ts).
//
// Profiles are layered: the default profile (every notice), then the country's (`US`, `CA`), then the
// subdivision's (`US-CA`, `CA-QC`), each in the version in effect on the day the notice goes out. A layer
// adds what is a list (parts left out, paragraphs) and replaces what is one (title, headings, the
// authority to complain to). Where the law is unsettled, a profile takes the stricter reading (say more,
// leave out what may not be said) and says so in the requirement's `unsettled`.
//
// How a new requirement is added:
// 1. Find the kind below that says it. A fixed sentence of the jurisdiction's (Washington's credit
//    reporting agencies, PIPEDA's internal complaint process) is a `paragraphs` requirement: add the
//    locale string to every locale of templates/_shared (and the guardian's wording to the guardian
//    template where it speaks to the reader), cite it, and add the worked case. A fact of the incident
//    in the responders' words (Singapore's how it was discovered) is a `words` statement in it, naming
//    the incident's field (a new field: add it to StatutoryWordsField and NOTICE_TEXT_FIELDS, so it is
//    translated too). Nothing else changes.
// 2. A requirement no kind says (below, "what comes next"): add a member to NoticeRequirement with its
//    doc comment; compile it into NoticeShape in notice-profiles.ts (the switch there is exhaustive, so
//    the compiler names every place that must learn it); make the renderer, or the planner, read the
//    shape's new field; then as in 1. A new kind of paragraph (the responders' words for one jurisdiction
//    only, a sentence that depends on a new fact) is a new Statement kind instead, read by the renderer's
//    paragraph function (src/templates/notice.body.ts).
// Languages are not a requirement but for a law that fixes one (Quebec's French, a `language`
// requirement): a reader's language the templates lack falls back to their jurisdiction's (CLDR's likely
// language of its country, src/jurisdictions/languages.ts) before English; a new locale is template files.
//
// 3. A jurisdiction that asks something for the first time gets a profile of its own: its code becomes a
//    notice variant, with batches of its own (the planner's SQL follows from this table).
// 4. A change in the law is a new version (a profile with the same jurisdiction and a later effectiveFrom);
//    the old one stays for notices dated before it.
// 5. Rendered notices change only on purpose: regenerate src/templates/notice.golden.json and say in the
//    commit which notices change and why.
//
// What comes next, and where it goes (issues 16 and 18):
// - The public Security Notice renders from the same profiles: a requirement that shapes it says
//   `notices: ['individual', 'public']` (California's title and headings do), and the public renderer asks
//   for the `public` shape.
// - Lawful notice methods per jurisdiction (Florida: written or email; E-SIGN consent for electronic notice;
//   GDPR and LGPD any effective means): a `methods` requirement, compiled into the shape for the planner
//   and the fallback to read (which channels count as individual notice), not the renderer.
// - What an SMS says is the notice this shape gives, after its lead (every template's `sms` string: who,
//   the reader's data, what to do first, how to tell a genuine message, the contact, the link), with
//   what SMS_NOTICE (notice-methods.ts) leaves out; the push alert is the lead's kind (`pushBody`) alone.
//   A requirement added here reaches the SMS as it reaches the email.
// - Guardian versions: requirements hold for both audiences; where the guardian must read other words,
//   the guardian template's strings under the same key say them, and the responders' words come from the
//   incident's guardian version (src/templates/locales.ts `wordsFor`; campaigns refuse guardians without).

/** The sections of a notice, in the order the templates list them (templates/<name>/template.json). */
export type SectionName =
  | 'whatHappened'
  | 'whatInformation'
  | 'impact'
  | 'whatWeAreDoing'
  | 'whatYouCanDo'
  | 'remedies'
  | 'moreInformation';

/**
 * The parts of the standard notice, each of which a profile may leave out (src/templates/notice.body.ts
 * says where each goes). The responders' words by their incident field; `occurred` (from and to),
 * `discovered`, `contained`: the dates; `dataIntro` and `categories`: what of the person was exposed;
 * `standardAdvice`: the advice every notice gives; `contact` and `complaint`: whom to ask, where to complain.
 */
export type StandardPart =
  | 'description'
  | 'occurred'
  | 'discovered'
  | 'contained'
  | 'location'
  | 'dataIntro'
  | 'categories'
  | 'likelyConsequences'
  | 'measuresTaken'
  | 'measuresPlanned'
  | 'adviceToIndividuals'
  | 'standardAdvice'
  | 'remedies'
  | 'contact'
  | 'complaint';

/**
 * A version of the responders' words a jurisdiction's notice says in place of the words as written (the
 * incident's `massachusettsWords`): each field from it, or left out.
 */
export type WordsVersion = 'massachusetts';

/** Which notice a requirement shapes: the one each person gets, or the public Security Notice (issue 16). */
export type NoticeForm = 'individual' | 'public';

/** Words fixed by a statute, in its language: alone in a notice in that language, else before the notice's own. */
export interface StatutoryWords<T> {
  words: T;
  /** BCP 47 language of the statute's words: a notice in `en` or `en-*` shows them alone. */
  language: string;
}

/**
 * The incident's facts in the responders' words that a jurisdiction asks its notice to say and the
 * standard notice does not: how the data was protected before (Brazil), why the notice is late
 * (Brazil), how the breach was discovered (Singapore), what caused it (Japan, China).
 */
export type StatutoryWordsField = 'securityMeasuresBefore' | 'noticeDelayReasons' | 'howDiscovered' | 'cause';

/** A paragraph a profile adds, by its locale string (templates/_shared/locales/<locale>.json). */
export type Statement =
  /** Always said. */
  | { kind: 'say'; key: string }
  /** Said when the notice has its date (`sentAt`; a sample has none): the string inserts `{{noticeDate}}`. */
  | { kind: 'dated'; key: string }
  /** The incident's yes-or-no answer, said as one string or the other; nothing while it is not known. */
  | { kind: 'answer'; fact: 'lawEnforcementDelay'; yes: string; no: string }
  /**
   * The responders' words for a fact (in the notice's language when translated), led in by the string,
   * which inserts them as `{{words}}`; nothing while the incident has none (a `requires` requirement
   * makes the incident give them before a notice goes).
   */
  | { kind: 'words'; field: StatutoryWordsField; key: string };

/**
 * A fact of the incident a law lists among what every notice says: its words, when it began, or where it
 * took place (the standard notice's `location`, said whenever given; India's Rule 7(1)(a) requires it).
 */
export type RequiredFact = StatutoryWordsField | 'occurredFrom' | 'location';

interface Cited {
  /** Keys of the profile's sources behind it (../shared/reference/breach-law.md section 6, or the profile's own). */
  sources: readonly string[];
  /** What is unsettled about it, and the reading taken, in words. */
  unsettled?: string;
  /** The notices it shapes; `['individual']` when absent. */
  notices?: readonly NoticeForm[];
}

/** One thing a jurisdiction asks of its notice. */
export type NoticeRequirement = Cited &
  (
    | {
        /** The notice's title in the statute's words; it also begins the email's subject. */
        kind: 'title';
        title: StatutoryWords<string>;
      }
    | {
        /**
         * The statute's headings, and no other: a section without one goes into the section `merge`
         * names (after that section's own paragraphs), or is left out.
         */
        kind: 'headings';
        headings: StatutoryWords<Partial<Record<SectionName, string>>>;
        merge: Partial<Record<SectionName, SectionName>>;
      }
    | {
        /** Parts of the standard notice it must not say. */
        kind: 'omit';
        parts: readonly StandardPart[];
      }
    | {
        /** Paragraphs it adds to a section: before the section's own (`start`) or after them (`end`). */
        kind: 'paragraphs';
        section: SectionName;
        at: 'start' | 'end';
        say: readonly Statement[];
      }
    | {
        /** Where the reader may complain: the locale string the `complaint` part says. */
        kind: 'complaint';
        key: string;
      }
    | {
        /**
         * The language every notice of the jurisdiction is in (a BCP 47 tag: the templates' locale for
         * it), whatever the reader's; the reader's own language, where the templates have it and it is
         * another, alongside it (a notice in two languages, this one first).
         */
        kind: 'language';
        language: string;
      }
    | {
        /**
         * Facts the law lists among what every notice says, which the notice leaves out while the incident
         * has none: a campaign reaching the jurisdiction's residents is refused (409) at its draft and its
         * approval until the incident gives them, so no notice goes without them.
         */
        kind: 'requires';
        facts: readonly RequiredFact[];
        /**
         * Only of a notice that goes late: approved after the due date of the jurisdiction's individuals'
         * obligation (Brazil's reasons for a delay). The campaign's check reads the obligations as last
         * computed; a profile itself knows no due date.
         */
        whenLate?: true;
      }
    | {
        /**
         * The responders' words come only from the incident's version for this jurisdiction, each field
         * from it or left out: never as written for everyone (nor as a guardian's, but its own guardian's).
         */
        kind: 'ownWords';
        version: WordsVersion;
      }
  );

export interface NoticeProfile {
  /**
   * The jurisdiction it is for: a country (for each of its subdivisions without a profile of its own) or a
   * subdivision; null for the default, which every notice starts from. Its code is the notice variant of
   * the jurisdictions it covers: the planner cuts batches by it, since a batch's email is rendered once.
   */
  jurisdiction: string | null;
  /** The day this version holds from (YYYY-MM-DD): the version in effect on the day the notice goes out is used. */
  effectiveFrom: string;
  /** Short name of the law: "California Civil Code 1798.82(d)". */
  law: string;
  requirements: readonly NoticeRequirement[];
  sources: readonly Source[];
  /** What is unsettled or simplified, in words. */
  notes?: string;
}
