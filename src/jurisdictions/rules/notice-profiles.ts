import { BR_NOTICE } from './brazil.rules.js';
import { CA_NOTICE, CA_QC_NOTICE } from './canada.rules.js';
import { CN_NOTICE } from './china.rules.js';
import { IN_NOTICE } from './india.rules.js';
import { JP_NOTICE } from './japan.rules.js';
import { KR_NOTICE } from './korea.rules.js';
import type {
  RequiredFact,
  NoticeForm,
  NoticeProfile,
  SectionName,
  StandardPart,
  Statement,
  StatutoryWords,
  WordsVersion,
} from './notice-profile.types.js';
import { SG_NOTICE } from './singapore.rules.js';
import { DEFAULT_NOTICE } from './standard-notice.js';
import { US_CA_NOTICE, US_MA_NOTICE, US_NOTICE, US_NY_NOTICE, US_WA_NOTICE } from './us-states.rules.js';

// The table of notice profiles (see notice-profile.types.ts), and what a jurisdiction's notice is made
// of on a day: its profiles layered (default, country, subdivision) and compiled into a NoticeShape,
// which the renderer reads. Shapes are compiled once per notice variant and kept, so the per-recipient
// path (a million recipients) only finds one: a map lookup and a comparison of dates.

/** Every profile, every version. */
export const NOTICE_PROFILES: readonly NoticeProfile[] = [
  DEFAULT_NOTICE,
  US_NOTICE,
  US_CA_NOTICE,
  US_MA_NOTICE,
  US_NY_NOTICE,
  US_WA_NOTICE,
  CA_NOTICE,
  CA_QC_NOTICE,
  KR_NOTICE,
  BR_NOTICE,
  SG_NOTICE,
  JP_NOTICE,
  CN_NOTICE,
  IN_NOTICE,
];

/** What a notice is made of, for one notice variant on one day: what the renderer reads. */
export interface NoticeShape {
  /** The notice variant: the code of its most specific profile, '' for the default. */
  variant: string;
  /** The statute's title, or null: the template's own. */
  title: StatutoryWords<string> | null;
  /** The statute's headings, or null: the template's own for every section. */
  headings: StatutoryWords<Partial<Record<SectionName, string>>> | null;
  /** Where each section's content is shown: under its own heading, in another section, or nowhere (null). */
  placement: Readonly<Record<SectionName, SectionName | null>>;
  /** Parts of the standard notice left out. */
  omitted: ReadonlySet<StandardPart>;
  /** Paragraphs added to each section, before and after its own. */
  added: Readonly<Record<SectionName, { start: readonly Statement[]; end: readonly Statement[] }>>;
  /** The locale string that says where to complain; null: nowhere (every individual notice has one). */
  complaint: string | null;
  /** Whether the notice says its date (a `dated` statement): only then is the date formatted for it. */
  dated: boolean;
  /** The version of the responders' words it says in place of the words as written, or null. */
  wordsVersion: WordsVersion | null;
  /** The language the law requires every notice to be in (the reader's own alongside), or null. */
  language: string | null;
  /** The incident's facts the law has every notice say (`requires`): a campaign to its readers waits for them. */
  required: readonly RequiredFact[];
  /** The facts it must say when it goes late (`requires` with `whenLate`): after the individuals' due date. */
  requiredWhenLate: readonly RequiredFact[];
  /** The profile versions it was compiled from, `US-CA@2016-01-01`, in layer order. */
  profiles: readonly string[];
  /** The source keys of the requirements it applies. */
  sources: readonly string[];
}

/** Every section, in the templates' order (a Record, so a new SectionName must be listed here). */
const SECTION_ORDER: Record<SectionName, number> = {
  whatHappened: 0,
  whatInformation: 1,
  impact: 2,
  whatWeAreDoing: 3,
  whatYouCanDo: 4,
  remedies: 5,
  moreInformation: 6,
};
export const SECTIONS = Object.keys(SECTION_ORDER) as SectionName[];

const perSection = <T>(value: () => T): Record<SectionName, T> =>
  Object.fromEntries(SECTIONS.map((section) => [section, value()])) as Record<SectionName, T>;

/** The profiles of one notice variant as versions in force on one day, compiled for one notice form. */
export function compileShape(
  variant: string,
  layers: readonly NoticeProfile[],
  form: NoticeForm,
): NoticeShape {
  let title: NoticeShape['title'] = null;
  let headings: NoticeShape['headings'] = null;
  let merge: Partial<Record<SectionName, SectionName>> = {};
  let complaint: string | null = null;
  let wordsVersion: WordsVersion | null = null;
  let language: string | null = null;
  const required = new Set<RequiredFact>();
  const requiredWhenLate = new Set<RequiredFact>();
  const omitted = new Set<StandardPart>();
  const added = perSection(() => ({ start: [] as Statement[], end: [] as Statement[] }));
  const sources = new Set<string>();
  for (const requirement of layers.flatMap((profile) => profile.requirements)) {
    if (!(requirement.notices ?? ['individual']).includes(form)) continue;
    requirement.sources.forEach((key) => sources.add(key));
    switch (requirement.kind) {
      case 'title':
        title = requirement.title;
        break;
      case 'headings':
        headings = requirement.headings;
        merge = requirement.merge;
        break;
      case 'omit':
        requirement.parts.forEach((part) => omitted.add(part));
        break;
      case 'paragraphs':
        added[requirement.section][requirement.at].push(...requirement.say);
        break;
      case 'complaint':
        complaint = requirement.key;
        break;
      case 'ownWords':
        wordsVersion = requirement.version;
        break;
      case 'language':
        language = requirement.language;
        break;
      case 'requires':
        requirement.facts.forEach((fact) => (requirement.whenLate ? requiredWhenLate : required).add(fact));
        break;
    }
  }
  const statutory = headings;
  const placement = Object.fromEntries(
    SECTIONS.map((section) => [
      section,
      !statutory || statutory.words[section] ? section : (merge[section] ?? null),
    ]),
  ) as Record<SectionName, SectionName | null>;
  return {
    variant,
    title,
    headings: statutory,
    placement,
    omitted,
    added,
    complaint,
    dated: SECTIONS.some((s) => [...added[s].start, ...added[s].end].some((said) => said.kind === 'dated')),
    wordsVersion,
    language,
    required: [...required].sort(),
    requiredWhenLate: [...requiredWhenLate].filter((fact) => !required.has(fact)).sort(),
    profiles: layers.map((profile) => `${profile.jurisdiction ?? 'default'}@${profile.effectiveFrom}`),
    sources: [...sources],
  };
}

/** The shapes of one notice variant over time: `shapes[i]` holds from `from[i]` (epoch ms). */
interface Family {
  variant: string;
  from: readonly number[];
  shapes: Readonly<Record<NoticeForm, readonly NoticeShape[]>>;
}

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);

/** A profile's versions, oldest first: the version in effect on a day, or the first before it. */
function versionOn(versions: readonly NoticeProfile[], ms: number): NoticeProfile {
  let chosen = versions[0];
  for (const version of versions) if (dayMs(version.effectiveFrom) <= ms) chosen = version;
  return chosen;
}

/** A table of notice profiles: what each jurisdiction's notice is made of, compiled once per variant. */
export class NoticeProfileTable {
  /** The codes that have profiles: each is the notice variant of the jurisdictions it covers. */
  private readonly codes: ReadonlySet<string>;
  private readonly byVariant = new Map<string, Family>();
  /** Per jurisdiction code as given ('' for none): a handful per campaign, bounded anyway. */
  private readonly byJurisdiction = new Map<string, Family>();

  constructor(private readonly profiles: readonly NoticeProfile[]) {
    this.codes = new Set(profiles.flatMap((p) => (p.jurisdiction === null ? [] : [p.jurisdiction])));
  }

  /** The codes of the notice variants, split as the planner's SQL matches them (notice-variant.sql.ts). */
  variantCodes(): { subdivisions: string[]; countries: string[] } {
    const codes = [...this.codes].sort();
    return {
      subdivisions: codes.filter((code) => code.includes('-')),
      countries: codes.filter((code) => !code.includes('-')),
    };
  }

  variant(jurisdiction: string | null): string {
    return this.family(jurisdiction).variant;
  }

  shape(jurisdiction: string | null, on: Date | null | undefined, form: NoticeForm): NoticeShape {
    const family = this.family(jurisdiction);
    const shapes = family.shapes[form];
    if (!on) return shapes[shapes.length - 1];
    const ms = on.getTime();
    for (let i = family.from.length - 1; i > 0; i -= 1) if (ms >= family.from[i]) return shapes[i];
    return shapes[0];
  }

  /** A subdivision with a profile of its own is its own variant, else its country when that has one, else ''. */
  private variantOf(jurisdiction: string | null): string {
    if (!jurisdiction) return '';
    if (this.codes.has(jurisdiction)) return jurisdiction;
    const country = jurisdiction.split('-')[0];
    return this.codes.has(country) ? country : '';
  }

  private family(jurisdiction: string | null): Family {
    const key = jurisdiction ?? '';
    let family = this.byJurisdiction.get(key);
    if (!family) {
      const variant = this.variantOf(jurisdiction);
      family = this.byVariant.get(variant);
      if (!family) {
        family = this.build(variant);
        this.byVariant.set(variant, family);
      }
      if (this.byJurisdiction.size > 10_000) this.byJurisdiction.clear();
      this.byJurisdiction.set(key, family);
    }
    return family;
  }

  /** The variant's layers (default, country, subdivision), compiled at each date one of them changes. */
  private build(variant: string): Family {
    const country = variant.split('-')[0];
    const codes: Array<string | null> = [null];
    if (variant !== '' && country !== variant && this.codes.has(country)) codes.push(country);
    if (variant !== '') codes.push(variant);
    const layers = codes.map((code) =>
      this.profiles
        .filter((p) => p.jurisdiction === code)
        .sort((a, b) => (a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0)),
    );
    if (layers[0].length === 0) throw new Error('notice profiles: no default profile (jurisdiction null)');
    const from = [...new Set(layers.flat().map((p) => dayMs(p.effectiveFrom)))].sort((a, b) => a - b);
    const at = (form: NoticeForm) =>
      from.map((ms) =>
        compileShape(
          variant,
          layers.map((versions) => versionOn(versions, ms)),
          form,
        ),
      );
    return { variant, from, shapes: { individual: at('individual'), public: at('public') } };
  }
}

const TABLE = new NoticeProfileTable(NOTICE_PROFILES);

/** The notice variants' codes, split as the planner's SQL matches them (notice-variant.sql.ts). */
export const noticeVariantCodes = () => TABLE.variantCodes();

/**
 * What a recipient's jurisdiction changes in their notice: the code of the most specific profile that
 * covers it (`US-CA`; `US` for a state without one; `CA` for a province without one), or '' for none.
 * The planner computes the same in SQL (notice-variant.sql.ts), and cuts batches by it.
 */
export function noticeVariant(jurisdiction: string | null): string {
  return TABLE.variant(jurisdiction);
}

/**
 * What a jurisdiction's notice is made of on the day it goes out (`on`; without one, as the newest
 * profiles say). The same object for every recipient of a variant on the same side of a version's date.
 */
export function noticeShape(
  jurisdiction: string | null,
  on: Date | null | undefined,
  form: NoticeForm = 'individual',
): NoticeShape {
  return TABLE.shape(jurisdiction, on, form);
}

/** Every locale string the profiles name: each template has them in every locale (the renderer checks at start). */
export function profileStringKeys(): string[] {
  const keys = new Set<string>();
  for (const requirement of NOTICE_PROFILES.flatMap((p) => p.requirements)) {
    switch (requirement.kind) {
      case 'complaint':
        keys.add(requirement.key);
        break;
      case 'paragraphs':
        for (const said of requirement.say) {
          if (said.kind === 'answer') [said.yes, said.no].forEach((key) => keys.add(key));
          else keys.add(said.key);
        }
        break;
      case 'title':
      case 'headings':
      case 'omit':
      case 'ownWords':
      case 'language':
      case 'requires':
        break;
    }
  }
  return [...keys].sort();
}
