import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { listed } from '../common/data-categories.js';
import { noticeShape, SECTIONS } from '../jurisdictions/rules/notice-profiles.js';
import type { SectionName } from '../jurisdictions/rules/notice-profile.types.js';
import { formatDate } from './dates.js';
import { interpolation } from './interpolation.js';
import { inLanguage, localeChain, wordsFor } from './locales.js';
import { noticeSections, noticeTitle, type Section, type Speaker } from './notice.body.js';
import { TEMPLATES_DIR } from './notice.renderer.js';
import type { NoticeFacts, NoticeIncident } from './notice.types.js';

// The public Security Notice's text: the standard notice's sections (what happened, what information,
// what it may mean, what the company does, what people can do, remedies, more information), shaped by
// one jurisdiction's notice profile in its `public` form (California's title and headings), in the
// strings of templates/security-notice over templates/_shared. Plain text: the page escapes it. Never
// anyone's data: the incident's words and data categories only.

type Strings = Record<string, unknown>;

/** What a public notice says in one language. */
export interface PublicNoticeText {
  locale: string;
  title: string;
  intro: string;
  sections: Section[];
}

export interface PublicNoticeInput {
  organization: string;
  contactEmail: string;
  /** The jurisdiction whose profile shapes it (its statutory title and headings); null: the standard. */
  profileJurisdiction: string | null;
  /** The incident, with the notice's own words merged into its translations. */
  incident: NoticeIncident;
  /** The data categories involved (the incident's). */
  dataCategories: readonly string[];
  /** The day it is published: the profiles' version of that day, and the notice's date. */
  on: Date;
}

const readJson = (path: string): Strings => JSON.parse(readFileSync(path, 'utf8')) as Strings;

export class PublicNoticeRenderer {
  private readonly strings = new Map<string, Strings>();

  constructor(root = TEMPLATES_DIR) {
    const own = join(root, 'security-notice', 'locales');
    for (const file of readdirSync(own)) {
      const locale = file.replace(/\.json$/, '');
      const shared = readJson(join(root, '_shared', 'locales', file));
      this.strings.set(locale, { ...shared, ...readJson(join(own, file)) });
    }
  }

  /** Locales the public notice has: English first (the index's default language), then the others sorted. */
  locales(): string[] {
    return [...this.strings.keys()].sort(
      (a, b) => Number(b === 'en') - Number(a === 'en') || a.localeCompare(b),
    );
  }

  /** The locale along a tag's chain that the notice has (pt-BR, then pt, then en). */
  resolve(tag: string | null): string {
    return localeChain(tag).find((l) => this.strings.has(l)) ?? 'en';
  }

  /** A page string (`published`, `history`, ...) with its values, as plain text. */
  say(locale: string, key: string, values: Record<string, string> = {}): string {
    const source = this.stringsOf(locale)[key];
    if (typeof source !== 'string') throw new Error(`security-notice/${locale}: no string "${key}"`);
    return compile(source)(values);
  }

  render(input: PublicNoticeInput, locale: string): PublicNoticeText {
    const strings = this.stringsOf(locale);
    const facts = inLanguage(factsOf(input), locale);
    const incident = facts.incident;
    const date = (d: Date | null) => (d ? formatDate(d, locale, 'UTC') : '');
    const values: Record<string, string> = {
      org: input.organization,
      contact: input.contactEmail,
      from: date(incident.occurredFrom),
      to: date(incident.occurredTo),
      discovered: date(incident.discoveredAt),
      contained: date(incident.containedAt),
      noticeDate: date(input.on),
      location: incident.location?.trim() ?? '',
    };
    const speaker = this.speaker(strings, locale, values);
    const shape = noticeShape(input.profileJurisdiction, input.on, 'public');
    const labels = (strings.categories ?? {}) as Record<string, string>;
    const sections = noticeSections(
      {
        shape,
        sections: SECTIONS,
        headings: strings.headings as Record<SectionName, string>,
        locale,
        incident,
        words: wordsFor(incident, 'person', shape.wordsVersion),
        dated: true,
        categories: listed(input.dataCategories).map((c) => labels[c] ?? c.replaceAll('_', ' ')),
      },
      speaker,
    );
    // A section the incident has nothing for is left out (no remedies offered: no heading for them).
    const said = sections.filter((s) => s.paragraphs.length > 0 || s.items.length > 0);
    // How to learn whether one is affected: at the end, under the last heading (For More Information).
    said.at(-1)?.paragraphs.push(speaker.say('affected'));
    return {
      locale,
      title: noticeTitle(shape, locale, speaker.say('title'), speaker),
      intro: speaker.say('intro'),
      sections: said,
    };
  }

  private stringsOf(locale: string): Strings {
    const strings = this.strings.get(locale);
    if (!strings) throw new Error(`security-notice has no locale "${locale}"`);
    return strings;
  }

  private speaker(strings: Strings, locale: string, values: Record<string, string>): Speaker {
    const say = (key: string) => {
      const source = strings[key];
      if (typeof source !== 'string') throw new Error(`security-notice/${locale}: no string "${key}"`);
      return compile(source)(values);
    };
    return {
      escape: (text) => text,
      say,
      sayWith: (key, words) => {
        const source = strings[key];
        if (typeof source !== 'string') throw new Error(`security-notice/${locale}: no string "${key}"`);
        return compile(source)({ ...values, words });
      },
      sayEach: (key) => (strings[key] as string[]).map((source) => compile(source)(values)),
      own: (value) => {
        const words = value?.trim();
        return words ? [words] : [];
      },
    };
  }
}

const COMPILED = new Map<string, HandlebarsTemplateDelegate>();

function compile(source: string): HandlebarsTemplateDelegate {
  let compiled = COMPILED.get(source);
  if (!compiled) {
    compiled = interpolation(source) ?? Handlebars.compile(source, { noEscape: true, strict: true });
    COMPILED.set(source, compiled);
  }
  return compiled;
}

/** The facts inLanguage reads: the incident only (a public notice has no reader). */
function factsOf(input: PublicNoticeInput): NoticeFacts {
  return {
    organization: input.organization,
    contactEmail: input.contactEmail,
    url: '',
    name: null,
    child: null,
    locale: null,
    timeZone: 'UTC',
    jurisdiction: input.profileJurisdiction,
    exposed: [],
    incident: input.incident,
  };
}
