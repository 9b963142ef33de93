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
];

export type MessageKind = 'gone' | 'busy';

/**
 * The layouts and words of a person's notice page (templates/_notice-page): the notice itself comes from
 * the renderer, as its email says it. The style sheet is inline, allowed by its hash in the page's CSP,
 * so the page needs no second request and runs no script.
 */
export class NoticePageView {
  readonly contentSecurityPolicy: string;
  private readonly css: string;
  private readonly page: HandlebarsTemplateDelegate;
  private readonly message: HandlebarsTemplateDelegate;
  private readonly strings = new Map<string, PageStrings>();
  private readonly negotiated = new Map<string, string>();

  constructor(root = join(TEMPLATES_DIR, '_notice-page')) {
    this.css = readFileSync(join(root, 'page.css'), 'utf8').trim();
    const compile = (file: string) =>
      Handlebars.compile(readFileSync(join(root, file), 'utf8'), { strict: true });
    this.page = compile('page.html.hbs');
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
    const first = locale.split('+')[0] ?? BASE_LOCALE;
    const lang = localeChain(first).find((tag) => this.strings.has(tag)) ?? BASE_LOCALE;
    return { lang, s: this.strings.get(lang)! };
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

  renderPage(context: {
    locale: string;
    title: string;
    notices: Record<string, unknown>[];
    acknowledgedOn: string | null;
  }): string {
    // The page is in the notice's first language (its own words fall back along that one's chain).
    const { s } = this.wordsFor(context.locale);
    return this.page({ ...context, lang: context.locale.split('+')[0], s, css: this.css });
  }

  /** A short page: a link that opens nothing (wrong, expired: the same words), or too many requests. */
  renderMessage(kind: MessageKind, locale: string, values: Record<string, string>): string {
    const { lang, s } = this.wordsFor(locale);
    const say = (source: string) =>
      (interpolation(source) ?? Handlebars.compile(source, { noEscape: true }))(values);
    const [title, text] = kind === 'gone' ? [s.goneTitle, s.goneText] : [s.busyTitle, s.busyText];
    return this.message({ lang, title: say(title), text: say(text), css: this.css });
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
