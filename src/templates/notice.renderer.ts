import { NOTICE_TEXT_FIELDS, type NoticeTranslations } from '../incidents/notice-text.js';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { PROJECT_ROOT } from '../paths.js';
import { smsSize, type SmsSize } from './sms-segments.js';

export const TEMPLATES_DIR = join(PROJECT_ROOT, 'templates');
/** Every fallback chain ends here. */
export const BASE_LOCALE = 'en';

export type SectionName =
  | 'whatHappened'
  | 'whatInformation'
  | 'impact'
  | 'whatWeAreDoing'
  | 'whatYouCanDo'
  | 'remedies'
  | 'moreInformation';

/** California Civil Code 1798.82(d)(1): the title and these headings, in these words. */
export const CALIFORNIA_TITLE = 'Notice of Data Breach';
export const CALIFORNIA_HEADINGS: Partial<Record<SectionName, string>> = {
  whatHappened: 'What Happened',
  whatInformation: 'What Information Was Involved',
  whatWeAreDoing: 'What We Are Doing',
  whatYouCanDo: 'What You Can Do',
  moreInformation: 'For More Information',
};

/**
 * Jurisdictions whose notice says more, or less, than the others (each gets batches of its own):
 * - US-CA: the statute's title and five headings (Civil Code 1798.82(d)(1)), and nothing between them;
 * - US-MA: the right to a police report and a free security freeze, and not the nature of the breach
 *   (M.G.L. c. 93H s. 3(b));
 * - US-NY: the state and federal agencies' numbers and websites (General Business Law 899-aa(7));
 * - CA (Canada, any other province): the right to complain to the Privacy Commissioner, by name (PIPEDA,
 *   SOR/2018-64 s. 3); CA-QC: to Quebec's Commission d'accès à l'information as well (Law 25);
 * - KR: the remedies: dispute mediation and the infringement report center (PIPA, 2026).
 * Every other state: where to report identity theft (the FTC, the state's Attorney General) instead of
 * a data protection authority, which the US does not have.
 */
export const NOTICE_VARIANTS = ['US-CA', 'US-MA', 'US-NY', 'CA-QC'] as const;
/** Countries whose notice differs, for every subdivision without a variant of its own. */
export const NOTICE_COUNTRIES = ['CA', 'KR'] as const;

/** Where a variant's notice tells people they can complain; the rest say `complaint`. */
const COMPLAINT: Record<string, string> = {
  CA: 'complaintCanada',
  'CA-QC': 'complaintQuebec',
  KR: 'complaintKorea',
};

/**
 * What a recipient's jurisdiction changes in their notice: a NOTICE_VARIANT, 'US' (another state), a
 * NOTICE_COUNTRY, or ''. The planner computes the same in SQL (campaigns.repository).
 */
export function noticeVariant(jurisdiction: string | null): string {
  if (!jurisdiction) return '';
  if ((NOTICE_VARIANTS as readonly string[]).includes(jurisdiction)) return jurisdiction;
  const country = jurisdiction.split('-')[0];
  if (country === 'US') return 'US';
  return (NOTICE_COUNTRIES as readonly string[]).includes(country) ? country : '';
}

/** The incident's words, as the responders wrote them. */
export interface NoticeIncident {
  description: string | null;
  occurredFrom: Date | null;
  occurredTo: Date | null;
  discoveredAt: Date;
  containedAt: Date | null;
  likelyConsequences: string | null;
  measuresTaken: string | null;
  measuresPlanned: string | null;
  adviceToIndividuals: string | null;
  remedies: string | null;
  /** Where it took place, in the responders' words. */
  location?: string | null;
  /** Whether notifying people was delayed for law enforcement (California's notice says); null: not known. */
  lawEnforcementDelay?: boolean | null;
  /** The responders' words in other languages (per BCP 47 tag); a notice takes its language's. */
  translations?: NoticeTranslations | null;
}

/** Everything one recipient's notice says. */
export interface NoticeFacts {
  organization: string;
  contactEmail: string;
  /** The recipient's personal notice page. */
  url: string;
  /** The recipient's name (the guardian's, for a guardian's notice). */
  name: string | null;
  /** The minor's name, in a guardian's notice. */
  child: string | null;
  locale: string | null;
  timeZone: string | null;
  jurisdiction: string | null;
  /** What of the person was exposed (data category ids). */
  exposed: readonly string[];
  incident: NoticeIncident;
  /** When the notice goes out (California's notice gives its date, 1798.82(d)(2)); none in a sample. */
  sentAt?: Date | null;
}

export interface RenderedNotice {
  template: string;
  /** The locale the notice is in, after the fallback chain. */
  locale: string;
  email: { subject: string; html: string; text: string };
  sms: { body: string } & SmsSize;
  push: { title: string; body: string };
}

interface Manifest {
  description: string;
  audience: 'person' | 'guardian';
  /** Another template whose layouts this one uses. */
  layouts?: string;
  sections: SectionName[];
}

type Strings = Record<string, unknown>;
type Mode = 'html' | 'text';
const LAYOUTS = ['email.subject', 'email.html', 'email.text', 'sms', 'push.title', 'push.body'] as const;
type Layout = (typeof LAYOUTS)[number];

interface LoadedTemplate {
  name: string;
  manifest: Manifest;
  layouts: Record<Layout, HandlebarsTemplateDelegate>;
  locales: Map<string, Strings>;
}

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

const readJson = (path: string): Strings => JSON.parse(readFileSync(path, 'utf8')) as Strings;

/**
 * Renders notices from `templates/`: per template, layouts (Handlebars) and one strings file per locale,
 * over shared strings per locale (`templates/_shared`). Everything inserted is escaped for HTML in the
 * HTML part; nothing inserted is ever evaluated, so a name like `{{x}}` arrives as text.
 */
export class NoticeRenderer {
  private readonly templates = new Map<string, LoadedTemplate>();
  private readonly shared = new Map<string, Strings>();
  private readonly compiled = new Map<string, HandlebarsTemplateDelegate>();
  private readonly merged = new Map<string, Strings>();
  private readonly resolved = new Map<string, string>();

  constructor(private readonly root = TEMPLATES_DIR) {
    const sharedDir = join(root, '_shared', 'locales');
    for (const file of readdirSync(sharedDir)) {
      this.shared.set(file.replace(/\.json$/, ''), readJson(join(sharedDir, file)));
    }
    for (const name of readdirSync(root)) {
      if (name.startsWith('_') || !existsSync(join(root, name, 'template.json'))) continue;
      const manifest = readJson(join(root, name, 'template.json')) as unknown as Manifest;
      if (manifest.audience === undefined) continue;
      const layoutDir = join(root, manifest.layouts ?? name);
      const layouts = Object.fromEntries(
        LAYOUTS.map((layout) => [
          layout,
          Handlebars.compile(readFileSync(join(layoutDir, `${layout}.hbs`), 'utf8').replace(/\n$/, ''), {
            noEscape: layout !== 'email.html',
            strict: true,
          }),
        ]),
      ) as Record<Layout, HandlebarsTemplateDelegate>;
      const locales = new Map<string, Strings>();
      for (const file of readdirSync(join(root, name, 'locales'))) {
        locales.set(file.replace(/\.json$/, ''), readJson(join(root, name, 'locales', file)));
      }
      this.templates.set(name, { name, manifest, layouts, locales });
    }
  }

  get names(): string[] {
    return [...this.templates.keys()].sort();
  }

  has(name: string): boolean {
    return this.templates.has(name);
  }

  audience(name: string): 'person' | 'guardian' {
    return this.template(name).manifest.audience;
  }

  /** Locales a template has, each with its shared strings. */
  locales(name: string): string[] {
    return [...this.template(name).locales.keys()].filter((l) => this.shared.has(l)).sort();
  }

  /** The locale a recipient's notice will be in. */
  resolveLocale(name: string, locale: string | null): string {
    const key = `${name}|${locale ?? ''}`;
    let resolved = this.resolved.get(key);
    if (resolved === undefined) {
      const template = this.template(name);
      resolved =
        localeChain(locale).find((l) => template.locales.has(l) && this.shared.has(l)) ?? BASE_LOCALE;
      if (this.resolved.size > 10_000) this.resolved.clear();
      this.resolved.set(key, resolved);
    }
    return resolved;
  }

  render(name: string, given: NoticeFacts): RenderedNotice {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale);
    const facts = inLanguage(given, locale);
    const strings = this.strings(template, locale);
    const html = this.context(template, strings, locale, facts, 'html');
    const text = this.context(template, strings, locale, facts, 'text');
    const sms = template.layouts.sms(text);
    return {
      template: name,
      locale,
      email: {
        subject: template.layouts['email.subject'](text),
        html: template.layouts['email.html'](html),
        text: template.layouts['email.text'](text),
      },
      sms: { body: sms, ...smsSize(sms) },
      push: { title: template.layouts['push.title'](text), body: template.layouts['push.body'](text) },
    };
  }

  /**
   * One email for a batch of recipients who share template, locale and jurisdiction rules: what differs
   * per person (greeting, the child's name, exposed data, dates in their zone, their link) is a
   * `%token%`, filled per recipient by {@link substitutions} (SendGrid's per-personalization
   * substitutions). Applying them gives exactly what {@link render} gives.
   */
  renderShared(name: string, given: NoticeFacts): RenderedNotice['email'] & { locale: string } {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale);
    const facts = inLanguage(given, locale);
    const strings = this.strings(template, locale);
    const html = this.context(template, strings, locale, facts, 'html', true);
    const text = this.context(template, strings, locale, facts, 'text', true);
    return {
      locale,
      subject: template.layouts['email.subject'](text),
      html: template.layouts['email.html'](html),
      text: template.layouts['email.text'](text),
    };
  }

  /**
   * The values of {@link renderShared}'s tokens for one recipient: only what differs per person is
   * rendered (a million of these go out per campaign).
   */
  substitutions(name: string, given: NoticeFacts): Record<string, string> {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale);
    const facts = inLanguage(given, locale);
    const strings = this.strings(template, locale);
    const inserted = this.values(facts, locale, false, 't');
    const say = (key: string) => this.compile(strings[key] as string)(inserted);
    const greeting = say(facts.name ? 'greeting' : 'greetingNoName');
    const labels = strings.categories as Record<string, string>;
    const items = facts.exposed.map((c) => labels[c] ?? c.replaceAll('_', ' '));
    const child = facts.child ?? '';
    const values: Record<string, string> = {
      '%url%': facts.url,
      // The greeting was said for the text part (see `inert`); HTML has its own guard.
      '%greeting_h%': escapeHtml(greeting.replaceAll('%\u2060', '%')),
      '%greeting_t%': greeting,
      '%categories_h%': items.map((item) => escapeHtml(item)).join('</li>\n<li>'),
      '%categories_t%': items.join('\n- '),
      '%child_h%': escapeHtml(child),
      '%child_t%': inert(child),
    };
    // The incident's dates, formatted once above for the locale strings ('' when the incident has none).
    if (inserted.from) values['%from%'] = inserted.from;
    if (inserted.to) values['%to%'] = inserted.to;
    if (inserted.discovered) values['%discovered%'] = inserted.discovered;
    if (inserted.contained) values['%contained%'] = inserted.contained;
    if (inserted.noticeDate) values['%noticedate%'] = inserted.noticeDate;
    return values;
  }

  /** Only the SMS and the push alert: what the SMS and push jobs send, without rendering the email. */
  renderShort(name: string, given: NoticeFacts): Pick<RenderedNotice, 'locale' | 'sms' | 'push'> {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale);
    const facts = inLanguage(given, locale);
    const strings = this.strings(template, locale);
    const values = this.values(facts, locale, false, 't');
    const say = (key: string) => this.compile(strings[key] as string)(values);
    // What the SMS and push layouts may use; strict mode fails a layout that wants more.
    const text = {
      lang: locale,
      url: facts.url,
      t: { sms: say('sms'), pushTitle: say('pushTitle'), pushBody: say('pushBody') },
    };
    const sms = template.layouts.sms(text);
    return {
      locale,
      sms: { body: sms, ...smsSize(sms) },
      push: { title: template.layouts['push.title'](text), body: template.layouts['push.body'](text) },
    };
  }

  private strings(template: LoadedTemplate, locale: string): Strings {
    const key = `${template.name}|${locale}`;
    let strings = this.merged.get(key);
    if (!strings) {
      strings = { ...this.shared.get(locale), ...template.locales.get(locale) };
      this.merged.set(key, strings);
    }
    return strings;
  }

  /** What locale strings may insert, as text; tokens instead of what differs per person for a shared email. */
  private values(facts: NoticeFacts, locale: string, tokens: boolean, m: 'h' | 't'): Record<string, string> {
    const when = (date: Date | null, token: string) =>
      !date ? '' : tokens ? `${MARK}${token}${MARK}` : formatDate(date, locale, facts.timeZone);
    // Words of someone else's: inert in the text part (see `inert`).
    const theirs = (words: string) => (m === 't' ? inert(words) : words);
    return {
      org: facts.organization,
      contact: facts.contactEmail,
      url: tokens ? `${MARK}url${MARK}` : facts.url,
      name: theirs(facts.name ?? ''),
      // Escaped by `say` with the rest of the string, then made a token.
      child: tokens ? `${MARK}child_${m}${MARK}` : theirs(facts.child ?? ''),
      from: when(facts.incident.occurredFrom, 'from'),
      to: when(facts.incident.occurredTo, 'to'),
      discovered: when(facts.incident.discoveredAt, 'discovered'),
      contained: when(facts.incident.containedAt, 'contained'),
      // Only California's notice says its date (a token the others would carry for nothing).
      noticeDate:
        noticeVariant(facts.jurisdiction) === 'US-CA' ? when(facts.sentAt ?? null, 'noticedate') : '',
      location: theirs(facts.incident.location?.trim().replaceAll(MARK, '') ?? ''),
    };
  }

  private template(name: string): LoadedTemplate {
    const template = this.templates.get(name);
    if (!template) throw new Error(`no template "${name}" in ${this.root}`);
    return template;
  }

  /** What the layouts see: every string already rendered and, for HTML, every inserted value escaped. */
  private context(
    template: LoadedTemplate,
    strings: Strings,
    locale: string,
    facts: NoticeFacts,
    mode: Mode,
    tokens = false,
  ): Record<string, unknown> {
    // Tokens are marked while a string is rendered and escaped, and become `%token%` after: any other `%`
    // in HTML is an entity, so nothing inserted (a name, the responders' words) can spell a token.
    const escape = (value: string) => (mode === 'html' ? escapeHtml(value) : value).replaceAll(MARK, '%');
    const m = mode === 'html' ? 'h' : 't';
    const values = this.values(facts, locale, tokens, m);
    // Each string is rendered as text, then escaped whole for HTML: its own words and what it inserts.
    const say = (key: string): string => {
      const source = strings[key];
      if (typeof source !== 'string') throw new Error(`${template.name}/${locale}: no string "${key}"`);
      return escape(this.compile(source)(values));
    };
    const sayEach = (key: string): string[] =>
      (strings[key] as string[]).map((source) => escape(this.compile(source)(values)));
    // The responders' words never carry the token mark, nor spell a token in the text part.
    const own = (value: string | null) => {
      const words = value?.trim().replaceAll(MARK, '');
      return words ? [escape(mode === 'text' ? inert(words) : words)] : [];
    };
    const headings = strings.headings as Record<SectionName, string>;
    const labels = strings.categories as Record<string, string>;
    const variant = noticeVariant(facts.jurisdiction);
    const california = variant === 'US-CA';
    const massachusetts = variant === 'US-MA';
    const english = locale === BASE_LOCALE || locale.startsWith('en-');
    const heading = (section: SectionName): string => {
      const statutory = california ? CALIFORNIA_HEADINGS[section] : undefined;
      if (!statutory) return escape(headings[section]);
      return escape(english ? statutory : `${statutory} (${headings[section]})`);
    };
    const incident = facts.incident;
    const happened = [
      // California (1798.82(d)(2)): the notice says its date; first, where the statute's title leads.
      california && facts.sentAt ? say('noticeDate') : '',
      ...(massachusetts ? [] : own(incident.description)),
      incident.occurredFrom && incident.occurredTo ? say('occurredBetween') : '',
      incident.occurredFrom && !incident.occurredTo ? say('occurredSince') : '',
      say('discovered'),
      incident.containedAt ? say('contained') : '',
      // Where it happened describes the breach too: not for Massachusetts either.
      incident.location?.trim() && !massachusetts ? say('location') : '',
      // California (1798.82(d)(2)(D)): whether law enforcement delayed the notice, when that is known.
      california && typeof incident.lawEnforcementDelay === 'boolean'
        ? say(incident.lawEnforcementDelay ? 'delayedByLawEnforcement' : 'notDelayedByLawEnforcement')
        : '',
    ].filter((p) => p !== '');
    const body: Record<SectionName, { paragraphs: string[]; items: string[] }> = {
      whatHappened: { paragraphs: happened, items: [] },
      whatInformation: {
        paragraphs: [say('dataIntro')],
        items: tokens
          ? [`%categories_${m}%`]
          : facts.exposed.map((c) => escape(labels[c] ?? c.replaceAll('_', ' '))),
      },
      impact: { paragraphs: own(incident.likelyConsequences), items: [] },
      whatWeAreDoing: {
        paragraphs: [...own(incident.measuresTaken), ...own(incident.measuresPlanned)],
        items: [],
      },
      whatYouCanDo: {
        paragraphs: [
          ...own(incident.adviceToIndividuals),
          ...(massachusetts ? [say('massachusettsPoliceReport'), say('massachusettsFreeze')] : []),
        ],
        items: sayEach('standardAdvice'),
      },
      remedies: { paragraphs: own(incident.remedies), items: [] },
      moreInformation: {
        paragraphs: [
          say('contact'),
          say(variant.startsWith('US') ? 'complaintUS' : (COMPLAINT[variant] ?? 'complaint')),
          ...(variant === 'US-NY' ? [say('newYorkAgencies')] : []),
        ],
        items: [],
      },
    };
    // California: the five headings and nothing between them; the impact is part of what happened, the
    // remedies part of what the company does.
    if (california) {
      body.whatHappened.paragraphs.push(...body.impact.paragraphs);
      body.whatWeAreDoing.paragraphs.push(...body.remedies.paragraphs);
    }
    const sections = template.manifest.sections.filter(
      (section) => !california || CALIFORNIA_HEADINGS[section],
    );
    const title = say('title');
    return {
      lang: locale,
      url: values.url.replaceAll(MARK, '%'),
      california,
      t: {
        title: california ? (english ? CALIFORNIA_TITLE : `${CALIFORNIA_TITLE} (${title})`) : title,
        subject: say('subject'),
        greeting: tokens ? `%greeting_${m}%` : facts.name ? say('greeting') : say('greetingNoName'),
        intro: say('intro'),
        readOnline: say('readOnline'),
        closing: say('closing'),
        signoff: say('signoff'),
        sms: say('sms'),
        pushTitle: say('pushTitle'),
        pushBody: say('pushBody'),
      },
      sections: sections.map((section) => ({
        heading: heading(section),
        ...body[section],
      })),
    };
  }

  private compile(source: string): HandlebarsTemplateDelegate {
    let compiled = this.compiled.get(source);
    if (!compiled) {
      compiled = interpolation(source) ?? Handlebars.compile(source, { noEscape: true, strict: true });
      this.compiled.set(source, compiled);
    }
    return compiled;
  }
}

const PLACEHOLDER = /\{\{\s*([A-Za-z_]\w*)\s*\}\}/g;

/** Marks a token's ends while a shared email is rendered (a character no text of ours holds). */
const MARK = '\u0001';

/**
 * Text as HTML, with `%` as an entity too: SendGrid replaces `%token%` wherever it finds one (and,
 * its documentation has said, inside what it inserted), so no `%` that is not a token reaches it.
 */
function escapeHtml(text: string): string {
  return Handlebars.escapeExpression(text).replaceAll('%', '&#37;');
}

/**
 * A locale string that only inserts values (`Dear {{name}},`) as a plain function: what Handlebars
 * gives for it (no escaping, strict: a missing value throws) at a fraction of the cost of its runtime,
 * which a campaign pays per recipient for the greeting. Undefined for anything else (blocks, helpers,
 * partials, escapes, comments), which Handlebars compiles.
 */
export function interpolation(source: string): HandlebarsTemplateDelegate | undefined {
  if (source.includes('{{{') || source.includes('}}}') || source.includes('\\')) return undefined;
  const texts: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const match of source.matchAll(PLACEHOLDER)) {
    if (match[1] === 'this' || match[1] in Handlebars.helpers) return undefined;
    texts.push(source.slice(last, match.index));
    names.push(match[1]);
    last = match.index + match[0].length;
  }
  texts.push(source.slice(last));
  if (texts.some((text) => text.includes('{{'))) return undefined;
  return (context: Record<string, unknown>) => {
    let out = texts[0];
    for (let i = 0; i < names.length; i += 1) {
      // Strict, as Handlebars: the value must be there; null or undefined print nothing.
      if (!(names[i] in context)) {
        throw new Error(`"${names[i]}" not defined in the values a locale string may insert`);
      }
      // What locale strings insert are strings (see `values`).
      out += ((context[names[i]] as string | null | undefined) ?? '') + texts[i + 1];
    }
    return out;
  };
}

/** A notice link's length: the base address, `/n/` and a 22-character token. */
const SAMPLE_TOKEN = 'A'.repeat(22);

/**
 * Whether the English SMS of every template is one segment with this organization's name and public
 * address (what varies in it besides the token); a sentence naming what to shorten when it is not.
 */
export function englishSmsProblem(
  renderer: NoticeRenderer,
  organization: string,
  publicBaseUrl: string,
): string | undefined {
  for (const template of renderer.names) {
    const { sms } = renderer.renderShort(template, {
      organization,
      contactEmail: '',
      url: `${publicBaseUrl}/n/${SAMPLE_TOKEN}`,
      name: null,
      child: null,
      locale: BASE_LOCALE,
      timeZone: null,
      jurisdiction: null,
      exposed: [],
      incident: {
        description: null,
        occurredFrom: null,
        occurredTo: null,
        discoveredAt: new Date(0),
        containedAt: null,
        likelyConsequences: null,
        measuresTaken: null,
        measuresPlanned: null,
        adviceToIndividuals: null,
        remedies: null,
      },
    });
    if (sms.segments > 1) {
      const limit = sms.encoding === 'GSM-7' ? 160 : 70;
      return (
        `the English SMS of ${template} is ${sms.units} ${sms.encoding} characters with this ` +
        `ORGANIZATION_NAME and PUBLIC_BASE_URL, ${sms.segments} segments where one holds ${limit}` +
        (sms.encoding === 'UCS-2' ? ' (a character of the name is outside GSM-7)' : '') +
        ': shorten them'
      );
    }
  }
  return undefined;
}

/**
 * What SendGrid does with a personalization's substitutions, for the outbox and the tests: one pass, so a
 * value that happens to look like a token (a name "%url%") is never replaced in turn.
 */
export function substitute(text: string, substitutions: Record<string, string>): string {
  const tokens = Object.keys(substitutions);
  if (tokens.length === 0) return text;
  const pattern = new RegExp(tokens.map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|'), 'g');
  return text.replace(pattern, (token) => substitutions[token] ?? token);
}

/** The script a language tag is written in (Latn, Hans, Hant...), as likely subtags say. */
function scriptOf(tag: string): string | undefined {
  try {
    return new Intl.Locale(tag).maximize().script;
  } catch {
    return undefined;
  }
}

/**
 * Words of someone else's (the responders', a person's name) in the plain-text part: a `%` is followed by
 * an invisible word joiner, so `%url%` in them is never a SendGrid token (HTML has `&#37;` for that).
 */
const inert = (text: string): string => text.replaceAll('%', '%\u2060');

/** The incident in a notice's language, by the incident and language (its words are read once per batch). */
const LOCALIZED = new WeakMap<NoticeIncident, Map<string, NoticeIncident>>();

/**
 * The facts with the incident's words in `locale`: each text fact from the first translation that gives it,
 * among the tags of the notice's language and script (the locale itself, then the bare language, then the
 * others), else as written. The same objects for the same incident and locale.
 */
function inLanguage(facts: NoticeFacts, locale: string): NoticeFacts {
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

/** A date as the recipient reads it: their language, their time zone (UTC when unknown), with the zone. */
export function formatDate(date: Date, locale: string, timeZone: string | null): string {
  const zone = timeZone ?? 'UTC';
  // A campaign formats the incident's few dates for every recipient: each zone and language once, found
  // by the Date itself (the incident's, never changed) rather than by a key string built per call.
  let forDate = FORMATTED.get(date);
  if (!forDate || forDate.time !== date.getTime()) {
    forDate = { time: date.getTime(), texts: new Map() };
    FORMATTED.set(date, forDate);
  }
  let byZone = forDate.texts.get(locale);
  if (!byZone) {
    byZone = new Map();
    if (forDate.texts.size > 1_000) forDate.texts.clear();
    forDate.texts.set(locale, byZone);
  }
  let text = byZone.get(zone);
  if (text !== undefined) return text;
  const key = `${locale}|${zone}`;
  let format = FORMATS.get(key);
  if (!format) {
    // Building a formatter costs far more than using one: a million notices use a few dozen.
    format = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: zone,
      timeZoneName: 'short',
    });
    if (FORMATS.size > 1_000) FORMATS.clear();
    FORMATS.set(key, format);
  }
  text = format.format(date);
  if (byZone.size > 1_000) byZone.clear();
  byZone.set(zone, text);
  return text;
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();
/** Formatted dates per Date (its time kept, should it ever be set), then per locale and zone. */
const FORMATTED = new WeakMap<Date, { time: number; texts: Map<string, Map<string, string>> }>();
