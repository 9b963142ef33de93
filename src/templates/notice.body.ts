import type { NoticeShape } from '../jurisdictions/rules/notice-profiles.js';
import type {
  SectionName,
  StandardPart,
  Statement,
  StatutoryWords,
} from '../jurisdictions/rules/notice-profile.types.js';
import { NOTICE_TEXT_FIELDS, type NoticeTextField } from '../common/notice-text.js';
import type { NoticeIncident, NoticeWords } from './notice.types.js';

// The body of a notice: the standard notice's parts under their sections, as a jurisdiction's NoticeShape
// changes them (src/jurisdictions/rules/notice-profiles.ts). Nothing here knows a jurisdiction: what a law
// asks of the notice is in its profile; what each part and statement says is here.

/** Where each part of the standard notice goes: every section's paragraphs, and the list under them. */
const STANDARD: Readonly<Record<SectionName, { paragraphs: readonly StandardPart[]; items?: StandardPart }>> =
  {
    whatHappened: { paragraphs: ['description', 'occurred', 'discovered', 'contained', 'location'] },
    whatInformation: { paragraphs: ['dataIntro'], items: 'categories' },
    impact: { paragraphs: ['likelyConsequences'] },
    whatWeAreDoing: { paragraphs: ['measuresTaken', 'measuresPlanned'] },
    whatYouCanDo: { paragraphs: ['adviceToIndividuals'], items: 'standardAdvice' },
    remedies: { paragraphs: ['remedies'] },
    moreInformation: { paragraphs: ['contact', 'complaint'] },
  };

/**
 * The responders' words a notice of this shape says, by field (when the incident gives them): the standard
 * parts it keeps, in the sections it shows, and the words its profile's statements insert.
 */
export function fieldsSaid(shape: NoticeShape): Set<NoticeTextField> {
  const said = new Set<NoticeTextField>();
  const words = new Set<string>(NOTICE_TEXT_FIELDS);
  for (const [section, standard] of Object.entries(STANDARD) as Array<
    [SectionName, typeof STANDARD.impact]
  >) {
    if (shape.placement[section] === null) continue;
    for (const part of standard.paragraphs) {
      if (words.has(part) && !shape.omitted.has(part)) said.add(part as NoticeTextField);
    }
    const added = shape.added[section];
    for (const statement of [...added.start, ...added.end]) {
      if (statement.kind === 'words') said.add(statement.field);
    }
  }
  return said;
}

/** What the body says with: every string rendered with the notice's values and escaped for its part. */
export interface Speaker {
  /** A locale string. */
  say: (key: string) => string;
  /** A locale string that inserts someone else's words as `{{words}}` (made inert and escaped with it). */
  sayWith: (key: string, words: string) => string;
  /** A locale string that is a list. */
  sayEach: (key: string) => string[];
  /** The responders' words, as written (trimmed); none when they gave none. */
  own: (words: string | null | undefined) => string[];
  escape: (text: string) => string;
}

export interface BodyInput {
  shape: NoticeShape;
  /** The template's sections, in order. */
  sections: readonly SectionName[];
  /** The template's headings in the notice's locale. */
  headings: Readonly<Record<SectionName, string>>;
  locale: string;
  incident: NoticeIncident;
  /** The responders' words this notice says (locales.ts `wordsFor`): read here, never the incident's. */
  words: NoticeWords;
  /** Whether the notice has its date (a sample has none). */
  dated: boolean;
  /** The exposed data, as list items (or the token that stands for them in a shared email). */
  categories: string[];
}

export interface Section {
  heading: string;
  paragraphs: string[];
  items: string[];
}

/** Whether a notice in `locale` reads the statute's words alone (`en`, `en-GB` for English ones). */
const inLanguageOf = (words: StatutoryWords<unknown>, locale: string) =>
  locale === words.language || locale.startsWith(`${words.language}-`);

/** The notice's title: the statute's where it fixes one (with the notice's own beside it in another language). */
export function noticeTitle(shape: NoticeShape, locale: string, own: string, speaker: Speaker): string {
  if (!shape.title) return own;
  const statutory = speaker.escape(shape.title.words);
  return inLanguageOf(shape.title, locale) ? statutory : `${statutory} (${own})`;
}

/** The sections the notice shows, each with its heading, paragraphs and list. */
export function noticeSections(input: BodyInput, speaker: Speaker): Section[] {
  const { shape } = input;
  const built = {} as Record<SectionName, { paragraphs: string[]; items: string[] }>;
  for (const section of input.sections) {
    const standard = STANDARD[section];
    const added = shape.added[section];
    const shown = (part: StandardPart) => !shape.omitted.has(part);
    built[section] = {
      paragraphs: [
        ...added.start.flatMap((said) => statement(said, input, speaker)),
        ...standard.paragraphs.filter(shown).flatMap((part) => standardPart(part, input, speaker)),
        ...added.end.flatMap((said) => statement(said, input, speaker)),
      ],
      items: standard.items && shown(standard.items) ? standardPart(standard.items, input, speaker) : [],
    };
  }
  // A section the statute gives no heading goes into the one its profile names, after that one's own.
  for (const section of input.sections) {
    const into = shape.placement[section];
    if (into === null || into === section || !built[into]) continue;
    built[into].paragraphs.push(...built[section].paragraphs);
    built[into].items.push(...built[section].items);
  }
  return input.sections
    .filter((section) => shape.placement[section] === section)
    .map((section) => ({ heading: heading(section, input, speaker), ...built[section] }));
}

function heading(section: SectionName, input: BodyInput, speaker: Speaker): string {
  const statutory = input.shape.headings;
  const words = statutory?.words[section];
  if (!statutory || !words) return speaker.escape(input.headings[section]);
  return speaker.escape(
    inLanguageOf(statutory, input.locale) ? words : `${words} (${input.headings[section]})`,
  );
}

/** What a part of the standard notice says: nothing when the incident has nothing for it. */
function standardPart(part: StandardPart, input: BodyInput, speaker: Speaker): string[] {
  const { incident } = input;
  const { say, own } = speaker;
  switch (part) {
    case 'description':
    case 'likelyConsequences':
    case 'measuresTaken':
    case 'measuresPlanned':
    case 'adviceToIndividuals':
    case 'remedies':
      return own(input.words[part]);
    case 'occurred':
      if (!incident.occurredFrom) return [];
      return [say(incident.occurredTo ? 'occurredBetween' : 'occurredSince')];
    case 'discovered':
      return [say('discovered')];
    case 'contained':
      return incident.containedAt ? [say('contained')] : [];
    case 'location':
      return input.words.location?.trim() ? [say('location')] : [];
    case 'dataIntro':
      return [say('dataIntro')];
    case 'categories':
      return input.categories;
    case 'standardAdvice':
      return speaker.sayEach('standardAdvice');
    case 'contact':
      return [say('contact')];
    case 'complaint':
      return input.shape.complaint ? [say(input.shape.complaint)] : [];
  }
}

/** What a profile's added paragraph says: nothing when what it depends on is not known. */
function statement(said: Statement, input: BodyInput, speaker: Speaker): string[] {
  switch (said.kind) {
    case 'say':
      return [speaker.say(said.key)];
    case 'dated':
      return input.dated ? [speaker.say(said.key)] : [];
    case 'answer': {
      const answer = input.incident[said.fact];
      return typeof answer === 'boolean' ? [speaker.say(answer ? said.yes : said.no)] : [];
    }
    case 'words': {
      const words = input.words[said.field]?.trim();
      return words ? [speaker.sayWith(said.key, words)] : [];
    }
  }
}
