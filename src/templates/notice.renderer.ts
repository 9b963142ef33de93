import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { DEFAULT_DATA_CATEGORIES, listed } from '../common/data-categories.js';
import { SMS_NOTICE } from '../jurisdictions/rules/notice-methods.js';
import {
  noticeShape,
  profileStringKeys,
  SECTIONS,
  type NoticeShape,
} from '../jurisdictions/rules/notice-profiles.js';
import type { SectionName, StandardPart } from '../jurisdictions/rules/notice-profile.types.js';
import { PROJECT_ROOT } from '../paths.js';
import { formatDate } from './dates.js';
import { interpolation } from './interpolation.js';
import { jurisdictionLanguages } from '../jurisdictions/languages.js';
import { ALONGSIDE, inLanguage, noticeLocale, wordsFor } from './locales.js';
import { noticeSections, noticeTitle, type Speaker } from './notice.body.js';
import type { NoticeFacts, NoticeWords, RenderedNotice } from './notice.types.js';
import { smsSize } from './sms-segments.js';
import { asSent, escapeHtml, inert, MARK } from './tokens.js';

// The renderer's public API, importable from here as it always was.
export { noticeVariant } from '../jurisdictions/rules/notice-profiles.js';
export type { SectionName } from '../jurisdictions/rules/notice-profile.types.js';
export { formatDate } from './dates.js';
export { interpolation } from './interpolation.js';
export { BASE_LOCALE, localeChain } from './locales.js';
export type { NoticeFacts, NoticeIncident, RenderedNotice } from './notice.types.js';

export const TEMPLATES_DIR = join(PROJECT_ROOT, 'templates');

interface Manifest {
  description: string;
  audience: 'person' | 'guardian';
  /** Another template whose layouts this one uses. */
  layouts?: string;
  sections: SectionName[];
}

type Strings = Record<string, unknown>;
/** `sms`: text as it is sent, no substitution after it (so nobody's words are made inert, see `inert`). */
type Mode = 'html' | 'text' | 'sms';
const LAYOUTS = ['email.subject', 'email.html', 'email.text', 'sms', 'push.title', 'push.body'] as const;
type Layout = (typeof LAYOUTS)[number];

interface LoadedTemplate {
  name: string;
  manifest: Manifest;
  layouts: Record<Layout, HandlebarsTemplateDelegate>;
  locales: Map<string, Strings>;
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
      // The standard notice and the profiles know these sections, and no other.
      const unknown = manifest.sections.filter((section) => !SECTIONS.includes(section));
      if (unknown.length > 0)
        throw new Error(`${name}/template.json: unknown sections ${unknown.join(', ')}`);
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
    this.checkProfileStrings();
  }

  /**
   * Every string a notice profile names, and a label for every built-in data category, is in every
   * locale of every template: else no start.
   */
  private checkProfileStrings(): void {
    const keys = profileStringKeys();
    for (const template of this.templates.values()) {
      for (const locale of this.locales(template.name)) {
        const strings = this.strings(template, locale);
        const missing = keys.filter((key) => typeof strings[key] !== 'string');
        if (missing.length > 0) {
          throw new Error(
            `${template.name}/${locale}: no string ${missing.join(', ')}, which a notice profile says`,
          );
        }
        const labels = (strings.categories ?? {}) as Record<string, unknown>;
        const unlabelled = DEFAULT_DATA_CATEGORIES.filter((c) => typeof labels[c] !== 'string');
        if (unlabelled.length > 0) {
          throw new Error(
            `${template.name}/${locale}: no label for the data categories ${unlabelled.join(', ')}`,
          );
        }
      }
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

  /**
   * The locale a recipient's notice will be in (`noticeLocale`): their language, else their jurisdiction's,
   * else English; Quebec's French with theirs alongside (`fr+en`). The planner stores what this says and
   * the send path renders what the planner stored, which resolves to itself.
   */
  resolveLocale(name: string, locale: string | null, jurisdiction: string | null = null): string {
    const key = `${name}|${locale ?? ''}|${jurisdiction ?? ''}`;
    let resolved = this.resolved.get(key);
    if (resolved === undefined) {
      const template = this.template(name);
      resolved = noticeLocale(
        (l) => template.locales.has(l) && this.shared.has(l),
        locale,
        jurisdictionLanguages(jurisdiction),
        noticeShape(jurisdiction, null).language,
      );
      if (this.resolved.size > 10_000) this.resolved.clear();
      this.resolved.set(key, resolved);
    }
    return resolved;
  }

  render(name: string, given: NoticeFacts): RenderedNotice {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale, given.jurisdiction);
    const html = this.layoutContext(template, locale, given, 'html');
    const text = this.layoutContext(template, locale, given, 'text');
    const sms = this.smsBody(template, locale, given, false);
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
   * What a person's notice page shows: the notice as its email says it, in HTML (every value escaped), in
   * each of its languages, for the page's own layout (templates/_notice-page). `shared`: with the
   * `%token%`s of {@link renderShared} where it differs per person, for a page kept per notice variant.
   */
  page(
    name: string,
    given: NoticeFacts,
    shared = false,
  ): { locale: string; notices: Record<string, unknown>[] } {
    const locale = this.resolveLocale(name, given.locale, given.jurisdiction);
    const context = this.layoutContext(this.template(name), locale, given, 'html', shared);
    return { locale, notices: context.notices as Record<string, unknown>[] };
  }

  /**
   * One email for a batch of recipients who share template, locale and jurisdiction rules: what differs
   * per person (greeting, the child's name, exposed data, dates in their zone, their link) is a
   * `%token%`, filled per recipient by {@link substitutions} (SendGrid's per-personalization
   * substitutions). Applying them gives exactly what {@link render} gives.
   */
  renderShared(name: string, given: NoticeFacts): RenderedNotice['email'] & { locale: string } {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale, given.jurisdiction);
    const html = this.layoutContext(template, locale, given, 'html', true);
    const text = this.layoutContext(template, locale, given, 'text', true);
    return {
      locale,
      subject: template.layouts['email.subject'](text),
      html: template.layouts['email.html'](html),
      text: template.layouts['email.text'](text),
    };
  }

  /**
   * The values of {@link renderShared}'s tokens for one recipient: only what differs per person is
   * rendered (a million of these go out per campaign). In a notice in two languages, each language's
   * own tokens (the second's end in `_2`).
   */
  substitutions(name: string, given: NoticeFacts): Record<string, string> {
    const template = this.template(name);
    const parts = this.resolveLocale(name, given.locale, given.jurisdiction).split(ALONGSIDE);
    if (parts.length === 1) return this.substitutionsIn(template, parts[0], given, '');
    return Object.assign(
      {},
      ...parts.map((part, i) => this.substitutionsIn(template, part, given, suffixOf(i))),
    ) as Record<string, string>;
  }

  private substitutionsIn(
    template: LoadedTemplate,
    locale: string,
    given: NoticeFacts,
    suffix: string,
  ): Record<string, string> {
    const facts = inLanguage(given, locale);
    const strings = this.strings(template, locale);
    const inserted = this.values(facts, locale, false, 't');
    const say = (key: string) => this.compile(strings[key] as string)(inserted);
    const greeting = say(facts.name ? 'greeting' : 'greetingNoName');
    const labels = strings.categories as Record<string, string>;
    const items = listed(facts.exposed).map((c) => labels[c] ?? c.replaceAll('_', ' '));
    const child = facts.child ?? '';
    const values: Record<string, string> = {
      '%url%': facts.url,
      // The greeting was said for the text part (see `inert`); HTML has its own guard.
      [`%greeting_h${suffix}%`]: escapeHtml(asSent(greeting)),
      [`%greeting_t${suffix}%`]: greeting,
      [`%categories_h${suffix}%`]: items.map((item) => escapeHtml(item)).join('</li>\n<li>'),
      [`%categories_t${suffix}%`]: items.join('\n- '),
      '%child_h%': escapeHtml(child),
      '%child_t%': inert(child),
    };
    // The incident's dates, formatted once above for the locale strings ('' when the incident has none).
    if (inserted.from) values[`%from${suffix}%`] = inserted.from;
    if (inserted.to) values[`%to${suffix}%`] = inserted.to;
    if (inserted.discovered) values[`%discovered${suffix}%`] = inserted.discovered;
    if (inserted.contained) values[`%contained${suffix}%`] = inserted.contained;
    if (inserted.noticeDate) values[`%noticedate${suffix}%`] = inserted.noticeDate;
    return values;
  }

  /**
   * The SMS (SMS_NOTICE): the lead every SMS starts with (`renderShort`'s), then the notice in brief, its
   * sections as the reader's profile shapes them. `tokens`: what differs per person (the link, the dates
   * in their zone, the data involved) as the `%token%`s of {@link substitutions}, for the kept copy.
   */
  renderSms(name: string, given: NoticeFacts, tokens = false): Pick<RenderedNotice, 'locale' | 'sms'> {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale, given.jurisdiction);
    const body = this.smsBody(template, locale, given, tokens);
    return { locale, sms: { body, ...smsSize(body) } };
  }

  /** The SMS: its lead alone where it cannot carry the reader's notice (`smsLeadOnly`), else the notice. */
  private smsBody(template: LoadedTemplate, locale: string, given: NoticeFacts, tokens: boolean): string {
    if (given.smsLeadOnly) return this.renderShort(template.name, given, tokens).sms.body;
    return template.layouts.sms(
      this.layoutContext(template, locale, given, tokens ? 'text' : 'sms', tokens, true),
    );
  }

  /**
   * The SMS's lead alone (who, that the reader's data was involved, the link, how to tell a genuine
   * message, whom to ask) and the push alert: what the push jobs send, without rendering the notice.
   * `tokens`: the link as `%url%` (its site as it is), for a kept copy.
   */
  renderShort(
    name: string,
    given: NoticeFacts,
    tokens = false,
  ): Pick<RenderedNotice, 'locale' | 'sms' | 'push'> {
    const template = this.template(name);
    const locale = this.resolveLocale(name, given.locale, given.jurisdiction);
    // What the SMS and push layouts may use; strict mode fails a layout that wants more.
    const notices = locale.split(ALONGSIDE).map((part, i) => {
      const facts = inLanguage(given, part);
      const strings = this.strings(template, part);
      const values = this.values(facts, part, tokens, 't');
      const say = (key: string) => this.compile(strings[key] as string)(values).replaceAll(MARK, '%');
      return {
        lang: part,
        url: facts.url,
        sep: i === 0 ? '' : SHORT_SEPARATOR,
        t: { sms: say('sms'), pushTitle: say('pushTitle'), pushBody: say('pushBody') },
      };
    });
    const text = { ...notices[0], notices };
    const sms = notices.map((n) => n.sep + n.t.sms).join('');
    return {
      locale,
      sms: { body: sms, ...smsSize(sms) },
      push: { title: template.layouts['push.title'](text), body: template.layouts['push.body'](text) },
    };
  }

  /**
   * What a layout sees: the notice in each of its languages (`notices`, one but in a jurisdiction that
   * fixes a language besides the reader's), the first of them also at the top.
   */
  private layoutContext(
    template: LoadedTemplate,
    locale: string,
    given: NoticeFacts,
    mode: Mode,
    tokens = false,
    sms = false,
  ): Record<string, unknown> {
    const notices = locale.split(ALONGSIDE).map((part, i) => {
      const context = this.context(
        template,
        this.strings(template, part),
        part,
        inLanguage(given, part),
        mode,
        tokens,
        {
          suffix: suffixOf(i),
          sms,
        },
      );
      // An SMS in two languages (Quebec) says its core once, in the language the law fixes (the first),
      // and each language's lead (SMS_NOTICE.alongside).
      const leadOnly = sms && i > 0 && SMS_NOTICE.alongside === 'leadOnly';
      return { ...context, ...(leadOnly ? { sections: [] } : {}), sep: i === 0 ? '' : SHORT_SEPARATOR };
    });
    return { ...notices[0], notices };
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
  private values(
    facts: NoticeFacts,
    locale: string,
    tokens: boolean,
    m: 'h' | 't',
    suffix = '',
    asSent = false,
  ): Record<string, string> {
    const when = (date: Date | null, token: string) =>
      !date ? '' : tokens ? `${MARK}${token}${suffix}${MARK}` : formatDate(date, locale, facts.timeZone);
    // Words of someone else's: inert in the text part (see `inert`), but in what is sent as it is.
    const theirs = (words: string) => (m === 't' && !asSent ? inert(words) : words);
    return {
      org: facts.organization,
      contact: facts.contactEmail,
      url: tokens ? `${MARK}url${MARK}` : facts.url,
      // Where every link of ours goes (the SMS says it, to tell a genuine message from a copy).
      site: siteOf(facts.url),
      name: theirs(facts.name ?? ''),
      // Escaped by `say` with the rest of the string, then made a token.
      child: tokens ? `${MARK}child_${m}${MARK}` : theirs(facts.child ?? ''),
      from: when(facts.incident.occurredFrom, 'from'),
      to: when(facts.incident.occurredTo, 'to'),
      discovered: when(facts.incident.discoveredAt, 'discovered'),
      contained: when(facts.incident.containedAt, 'contained'),
      // Only a notice whose jurisdiction asks for its date says it (a token the others would carry for nothing).
      noticeDate: noticeShape(facts.jurisdiction, facts.sentAt).dated
        ? when(facts.sentAt ?? null, 'noticedate')
        : '',
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
    { suffix, sms = false }: { suffix: string; sms?: boolean } = { suffix: '' },
  ): Record<string, unknown> {
    const m = mode === 'html' ? 'h' : 't';
    const values = this.values(facts, locale, tokens, m, suffix, mode === 'sms');
    const speaker = this.speaker(template, strings, locale, values, mode);
    const { say } = speaker;
    // What the recipient's jurisdiction asks of the notice on the day it goes out (in brief, for an SMS).
    const full = noticeShape(facts.jurisdiction, facts.sentAt);
    const words = wordsFor(facts.incident, template.manifest.audience, full.wordsVersion);
    const shape = sms ? inBrief(full, words) : full;
    const labels = strings.categories as Record<string, string>;
    const sections = noticeSections(
      {
        shape,
        sections: template.manifest.sections,
        headings: strings.headings as Record<SectionName, string>,
        locale,
        incident: facts.incident,
        words,
        dated: Boolean(facts.sentAt),
        categories: tokens
          ? [`%categories_${m}${suffix}%`]
          : listed(facts.exposed).map((c) => speaker.escape(labels[c] ?? c.replaceAll('_', ' '))),
      },
      speaker,
    );
    return {
      lang: locale,
      url: (tokens ? `${MARK}url${MARK}` : facts.url).replaceAll(MARK, '%'),
      // The statute's title begins the subject too, in its own words.
      statutoryTitle: shape.title ? speaker.escape(shape.title.words) : '',
      t: {
        title: noticeTitle(shape, locale, say('title'), speaker),
        subject: say('subject'),
        greeting: tokens ? `%greeting_${m}${suffix}%` : facts.name ? say('greeting') : say('greetingNoName'),
        intro: say('intro'),
        readOnline: say('readOnline'),
        closing: say('closing'),
        signoff: say('signoff'),
        sms: say('sms'),
        pushTitle: say('pushTitle'),
        pushBody: say('pushBody'),
      },
      // An SMS says no heading over nothing (remedies the responders did not give).
      sections: sms ? sections.filter((x) => x.paragraphs.length + x.items.length > 0) : sections,
    };
  }

  /** Says a notice's strings for one part (HTML or text), with the values they insert. */
  private speaker(
    template: LoadedTemplate,
    strings: Strings,
    locale: string,
    values: Record<string, string>,
    mode: Mode,
  ): Speaker {
    // Tokens are marked while a string is rendered and escaped, and become `%token%` after: any other `%`
    // in HTML is an entity, so nothing inserted (a name, the responders' words) can spell a token.
    const escape = (value: string) => (mode === 'html' ? escapeHtml(value) : value).replaceAll(MARK, '%');
    return {
      escape,
      // Each string is rendered as text, then escaped whole for HTML: its own words and what it inserts.
      say: (key) => {
        const source = strings[key];
        if (typeof source !== 'string') throw new Error(`${template.name}/${locale}: no string "${key}"`);
        return escape(this.compile(source)(values));
      },
      sayWith: (key, words) => {
        const source = strings[key];
        if (typeof source !== 'string') throw new Error(`${template.name}/${locale}: no string "${key}"`);
        const theirs = words.replaceAll(MARK, '');
        return escape(this.compile(source)({ ...values, words: mode === 'text' ? inert(theirs) : theirs }));
      },
      sayEach: (key) => (strings[key] as string[]).map((source) => escape(this.compile(source)(values))),
      // The responders' words never carry the token mark, nor spell a token in the text part.
      own: (value) => {
        const words = value?.trim().replaceAll(MARK, '');
        return words ? [escape(mode === 'text' ? inert(words) : words)] : [];
      },
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

/**
 * The notice's shape for an SMS (SMS_NOTICE): the whole notice but what its lead says already or only
 * introduces, and the standard advice where the responders give their own.
 */
function inBrief(shape: NoticeShape, words: NoticeWords): NoticeShape {
  const omitted = new Set<StandardPart>([...shape.omitted, ...SMS_NOTICE.leftOut]);
  if (SMS_NOTICE.standardAdviceOnlyWithoutOwn && words.adviceToIndividuals?.trim())
    omitted.add('standardAdvice');
  return { ...shape, omitted };
}

/** Between the languages of an SMS or push alert in two (the email has its own, in its layouts). */
const SHORT_SEPARATOR = '\n\n';

/** The token suffix of the i-th language of a notice: none for the first, `_2` for the second. */
const suffixOf = (i: number): string => (i === 0 ? '' : `_${i + 1}`);

/** The host a link goes to (`notice.example.org`), as a reader sees it: no scheme, no path. */
function siteOf(url: string): string {
  const start = url.indexOf('//');
  const host = start < 0 ? url : url.slice(start + 2);
  const end = host.indexOf('/');
  return end < 0 ? host : host.slice(0, end);
}
