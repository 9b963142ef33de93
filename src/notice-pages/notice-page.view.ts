import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { BASE_LOCALE, localeChain, TEMPLATES_DIR } from '../templates/notice.renderer.js';
import { interpolation } from '../templates/interpolation.js';

/** The page's own words (templates/_notice-page/locales), one file per locale. */
export interface PageStrings {
  ackButton: string;
  ackExplain: string;
  ackDone: string;
  private: string;
  goneTitle: string;
  goneText: string;
  busyTitle: string;
  busyText: string;
  lookupTitle: string;
  lookupText: string;
  badTitle: string;
  badText: string;
  notAffectedSubject: string;
  notAffectedText: string;
  notAffectedSms: string;
  involvedSubject: string;
  involvedText: string;
  involvedSms: string;
}

const KEYS: readonly (keyof PageStrings)[] = [
  'ackButton',
  'ackExplain',
  'ackDone',
  'private',
  'goneTitle',
  'goneText',
  'busyTitle',
  'busyText',
  'lookupTitle',
  'lookupText',
  'badTitle',
  'badText',
  'notAffectedSubject',
  'notAffectedText',
  'notAffectedSms',
  'involvedSubject',
  'involvedText',
  'involvedSms',
];

export type MessageKind = 'gone' | 'busy' | 'lookup' | 'bad';

/** The short answers "Was I affected?" sends to an address of the directory that has no notice to resend. */
export type AnswerKind = 'notAffected' | 'involved';

export interface ShortAnswer {
  subject: string;
  text: string;
  html: string;
  sms: string;
}

const MESSAGES: Record<MessageKind, [keyof PageStrings, keyof PageStrings]> = {
  gone: ['goneTitle', 'goneText'],
  busy: ['busyTitle', 'busyText'],
  lookup: ['lookupTitle', 'lookupText'],
  bad: ['badTitle', 'badText'],
};

/**
 * The layouts and words of a person's notice page (templates/_notice-page): the notice itself comes from
 * the renderer, as its email says it. The style sheet is inline, allowed by its hash in the page's CSP,
 * so the page needs no second request and runs no script.
 */
export class NoticePageView {
  readonly contentSecurityPolicy: string;
  private readonly css: string;
  private readonly page: HandlebarsTemplateDelegate;
  private readonly ack: HandlebarsTemplateDelegate;
  private readonly message: HandlebarsTemplateDelegate;
  /** The form of each locale, the same for everyone who has not acknowledged yet. */
  private readonly forms = new Map<string, string>();
  private readonly strings = new Map<string, PageStrings>();
  private readonly negotiated = new Map<string, string>();
  private readonly words = new Map<string, { lang: string; s: PageStrings }>();

  constructor(root = join(TEMPLATES_DIR, '_notice-page')) {
    this.css = readFileSync(join(root, 'page.css'), 'utf8').trim();
    const compile = (file: string) =>
      Handlebars.compile(readFileSync(join(root, file), 'utf8'), { strict: true });
    this.page = compile('page.html.hbs');
    this.ack = compile('ack.html.hbs');
    this.message = compile('message.html.hbs');
    for (const file of readdirSync(join(root, 'locales'))) {
      const strings = JSON.parse(readFileSync(join(root, 'locales', file), 'utf8')) as PageStrings;
      const missing = KEYS.filter((key) => typeof strings[key] !== 'string');
      if (missing.length > 0)
        throw new Error(`_notice-page/locales/${file}: no string ${missing.join(', ')}`);
      this.strings.set(file.replace(/\.json$/, ''), strings);
    }
    const hash = createHash('sha256').update(this.css).digest('base64');
    this.contentSecurityPolicy = [
      "default-src 'none'",
      `style-src 'sha256-${hash}'`,
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; ');
  }

  get locales(): string[] {
    return [...this.strings.keys()].sort();
  }

  /** The page's words in a locale's first language (`fr+en`: French), along its fallback chain. */
  wordsFor(locale: string): { lang: string; s: PageStrings } {
    let words = this.words.get(locale);
    if (words === undefined) {
      const first = locale.split('+')[0] ?? BASE_LOCALE;
      const lang = localeChain(first).find((tag) => this.strings.has(tag)) ?? BASE_LOCALE;
      words = { lang, s: this.strings.get(lang)! };
      // Locales are the templates' (a few dozen), never what a reader sends.
      this.words.set(locale, words);
    }
    return words;
  }

  /** The locale an `Accept-Language` header asks for, among the page's; English when none. */
  negotiate(header: string | undefined): string {
    const key = (header ?? '').slice(0, 200);
    let locale = this.negotiated.get(key);
    if (locale === undefined) {
      locale = negotiate(key, (tag) => this.strings.has(tag));
      if (this.negotiated.size > 1_000) this.negotiated.clear();
      this.negotiated.set(key, locale);
    }
    return locale;
  }

  /**
   * The page around the notice, with `ack` where the acknowledgement goes (a form, or that it was given:
   * {@link renderAck}), so the page can be kept per notice variant and the form put in per reader.
   */
  renderPage(context: {
    locale: string;
    title: string;
    notices: Record<string, unknown>[];
    ack: string;
  }): string {
    // The page is in the notice's first language (its own words fall back along that one's chain).
    return this.page({ ...context, lang: context.locale.split('+')[0], css: this.css });
  }

  /** The acknowledgement's part: the button, or the words that say when it was given (with its date). */
  renderAck(locale: string, acknowledgedOn: string | null): string {
    const { s } = this.wordsFor(locale);
    if (acknowledgedOn !== null) return this.ack({ s, acknowledgedOn });
    let form = this.forms.get(locale);
    if (form === undefined) {
      form = this.ack({ s, acknowledgedOn: null });
      this.forms.set(locale, form);
    }
    return form;
  }

  /**
   * A short page: a link that opens nothing (wrong, expired: the same words), too many requests, the one
   * answer to "Was I affected?", or what was given there is no address.
   */
  renderMessage(kind: MessageKind, locale: string, values: Record<string, string>): string {
    const { lang, s } = this.wordsFor(locale);
    const say = (source: string) =>
      (interpolation(source) ?? Handlebars.compile(source, { noEscape: true }))(values);
    const [title, text] = MESSAGES[kind];
    return this.message({ lang, title: say(s[title]), text: say(s[text]), css: this.css });
  }

  /** A short answer to "Was I affected?" as an email (subject, text, HTML) and an SMS, in `locale`. */
  renderAnswer(
    kind: AnswerKind,
    locale: string,
    values: { org: string; contact: string; url: string },
  ): ShortAnswer {
    const { lang, s } = this.wordsFor(locale);
    const say = (source: string) =>
      (interpolation(source) ?? Handlebars.compile(source, { noEscape: true }))(values);
    const text = say(s[`${kind}Text`]);
    return {
      subject: say(s[`${kind}Subject`]),
      text,
      html: `<!doctype html><html lang="${lang}"><body><p>${Handlebars.escapeExpression(text)}</p></body></html>`,
      sms: say(s[`${kind}Sms`]),
    };
  }

  /** The acknowledgement's words with its date, in the reader's language (escaped by the layout). */
  acknowledged(locale: string, date: string): string {
    const { s } = this.wordsFor(locale);
    return (interpolation(s.ackDone) ?? Handlebars.compile(s.ackDone, { noEscape: true }))({ date });
  }
}

/** The first language of `Accept-Language` (by q) that `has` along its chain; English when none. */
export function negotiate(header: string, has: (tag: string) => boolean): string {
  const asked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((a) => a.tag !== '' && a.tag !== '*' && a.q > 0 && Number.isFinite(a.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { tag } of asked) {
    // The chain of each asked language, short of English: English only where it was asked.
    const found = localeChain(tag)
      .filter((t) => t !== BASE_LOCALE || /^en\b/i.test(tag))
      .find(has);
    if (found) return found;
  }
  return BASE_LOCALE;
}
