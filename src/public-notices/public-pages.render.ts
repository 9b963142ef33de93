import { localeChain } from '../templates/locales.js';
import type { PublicNoticeRenderer } from '../templates/public-notice.renderer.js';
import type { PublishedContent } from './public-notice.content.js';
import type { PublishedRow } from './public-notices.repository.js';

// The public pages as strings: plain, accessible HTML (a lang attribute, real headings, a viewport for
// phones, no script, one stylesheet of our own), the JSON and the Atom feed. Everything inserted is
// escaped; nothing here reads a person's data (there is none in a published version).

export const PAGES_PATH = '/security-notices';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c]);

export const contentOf = (row: PublishedRow) => row.version.content as unknown as PublishedContent;

/** The language's name in itself ("Deutsch", "日本語"), for the links to the other languages. */
function languageName(tag: string): string {
  try {
    return new Intl.DisplayNames([tag], { type: 'language' }).of(tag) ?? tag;
  } catch {
    return tag;
  }
}

/**
 * The language to answer in, among a notice's: `?lang=` first, then Accept-Language by preference, each
 * along its chain (pt-BR, pt); English only for an English tag; else the notice's first language.
 */
export function negotiate(
  languages: readonly string[],
  query: string | undefined,
  accept: string | undefined,
) {
  const asked = (accept ?? '')
    .split(',')
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), i };
    })
    .filter((a) => a.tag && a.tag !== '*' && a.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i)
    .map((a) => a.tag);
  for (const tag of [query, ...asked]) {
    if (!tag) continue;
    const chain = localeChain(tag);
    const own = tag.toLowerCase().startsWith('en') ? chain : chain.slice(0, -1);
    const found = own.find((l) => languages.includes(l));
    if (found) return found;
  }
  return languages[0] ?? 'en';
}

/** Where a page's links go: the service's routes, or the files of the export bundle. */
export interface Links {
  css: string;
  feed: string;
  page: (slug: string, lang: string) => string;
}

export const SERVED: Links = {
  css: `${PAGES_PATH}/notice.css`,
  feed: `${PAGES_PATH}/feed.atom`,
  page: (slug, lang) => `${PAGES_PATH}/${slug}?lang=${encodeURIComponent(lang)}`,
};

function layout(lang: string, title: string, head: string, main: string, links: Links = SERVED): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${escapeHtml(links.css)}">
<link rel="alternate" type="application/atom+xml" href="${escapeHtml(links.feed)}">
${head}</head>
<body>
<main>
${main}
</main>
</body>
</html>
`;
}

const dateIn = (date: Date, lang: string) =>
  new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeZone: 'UTC' }).format(date);

/** One notice's page in one of its languages, with links to the others and the history of updates. */
export function noticePage(
  row: PublishedRow,
  lang: string,
  renderer: PublicNoticeRenderer,
  links: Links = SERVED,
): string {
  const content = contentOf(row);
  const text = content.texts[lang];
  const say = (key: string, values: Record<string, string> = {}) =>
    escapeHtml(renderer.say(lang, key, values));
  const href = (l: string) => escapeHtml(links.page(row.slug, l));
  const others = content.languages.filter((l) => l !== lang);
  const head = content.languages
    .map((l) => `<link rel="alternate" hreflang="${escapeHtml(l)}" href="${href(l)}">\n`)
    .join('');
  const time = (d: Date) => `<time datetime="${d.toISOString()}">${escapeHtml(dateIn(d, lang))}</time>`;
  const dates = [say('published', { date: '\u0000' }).replace('\u0000', time(row.firstPublishedAt))];
  if (row.history.length > 1)
    dates.push(say('updated', { date: '\u0000' }).replace('\u0000', time(row.version.publishedAt)));
  const sections = text.sections
    .map(
      (s) =>
        `<section>\n<h2>${escapeHtml(s.heading)}</h2>\n${s.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>\n`).join('')}${
          s.items.length ? `<ul>\n${s.items.map((i) => `<li>${escapeHtml(i)}</li>\n`).join('')}</ul>\n` : ''
        }</section>`,
    )
    .join('\n');
  const languages = others.length
    ? `<nav aria-labelledby="languages">\n<h2 id="languages">${say('languages')}</h2>\n<ul class="languages">\n${others
        .map(
          (l) =>
            `<li><a href="${href(l)}" hreflang="${escapeHtml(l)}" lang="${escapeHtml(l)}">${escapeHtml(languageName(l))}</a></li>\n`,
        )
        .join('')}</ul>\n</nav>`
    : '';
  const history = `<section>\n<h2>${say('history')}</h2>\n<ol class="history">\n${[...row.history]
    .reverse()
    .map((v) => `<li>${time(v.publishedAt)}: ${v.note ? escapeHtml(v.note) : say('firstVersion')}</li>\n`)
    .join('')}</ol>\n</section>`;
  // "Was I affected?": answered only to the address given (notice-pages/lookup.service.ts), no script.
  const lookup = `<section>
<h2 id="lookup">${say('lookupTitle')}</h2>
<form method="post" action="${PAGES_PATH}/${row.slug}/lookup" aria-labelledby="lookup">
<input type="hidden" name="lang" value="${escapeHtml(lang)}">
<label for="contact">${say('lookupLabel')}</label>
<input id="contact" name="contact" type="text" autocomplete="email" required maxlength="254">
<button type="submit">${say('lookupButton')}</button>
</form>
<p>${say('lookupExplain')}</p>
</section>`;
  const main = `<h1>${escapeHtml(text.title)}</h1>
<p class="dates">${dates.join(' · ')}</p>
${languages}
<p>${escapeHtml(text.intro)}</p>
${sections}
${lookup}
${history}`;
  return layout(lang, text.title, head, main, links);
}

/** The snippet a website embeds to point to the notice: a banner with one link, no script. */
export function banner(row: PublishedRow, url: string, renderer: PublicNoticeRenderer): string {
  const content = contentOf(row);
  const lang = content.languages[0];
  const text = renderer.say(lang, 'banner', { title: content.texts[lang].title });
  return `<aside lang="${escapeHtml(lang)}" role="note" class="security-notice-banner">
<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>
</aside>
`;
}

/** The index of published notices, in one language (each notice's title in it when it has it). */
export function indexPage(
  rows: readonly PublishedRow[],
  lang: string,
  renderer: PublicNoticeRenderer,
  org: string,
) {
  const title = renderer.say(lang, 'indexTitle', { org });
  const items = rows.map((row) => {
    const content = contentOf(row);
    const l = content.languages.includes(lang) ? lang : content.languages[0];
    return `<li lang="${escapeHtml(l)}"><a href="${PAGES_PATH}/${row.slug}?lang=${encodeURIComponent(l)}">${escapeHtml(
      content.texts[l].title,
    )}</a> <time datetime="${row.version.publishedAt.toISOString()}">${escapeHtml(dateIn(row.version.publishedAt, lang))}</time></li>`;
  });
  const list = items.length
    ? `<ul class="notices">\n${items.join('\n')}\n</ul>`
    : `<p>${escapeHtml(renderer.say(lang, 'noneYet'))}</p>`;
  return layout(
    lang,
    title,
    '',
    `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(renderer.say(lang, 'indexIntro'))}</p>\n${list}`,
  );
}

/** The notice as JSON: every language's text, the versions' dates and notes. */
export function noticeJson(row: PublishedRow, baseUrl: string) {
  const content = contentOf(row);
  return {
    slug: row.slug,
    url: `${baseUrl}${PAGES_PATH}/${row.slug}`,
    organization: content.organization,
    contact: content.contactEmail,
    jurisdictions: content.jurisdictions,
    languages: content.languages,
    firstPublishedAt: row.firstPublishedAt.toISOString(),
    updatedAt: row.version.publishedAt.toISOString(),
    version: row.version.version,
    history: row.history.map((v) => ({
      version: v.version,
      publishedAt: v.publishedAt.toISOString(),
      note: v.note,
    })),
    texts: content.texts,
  };
}

/** The Atom feed of published notices (RFC 4287), one entry per notice, updated with its latest version. */
export function feed(
  rows: readonly PublishedRow[],
  baseUrl: string,
  renderer: PublicNoticeRenderer,
  org: string,
) {
  const updated = rows.reduce((max, r) => Math.max(max, r.version.publishedAt.getTime()), 0);
  const entries = rows.map((row) => {
    const content = contentOf(row);
    const text = content.texts[content.languages[0]];
    const url = `${baseUrl}${PAGES_PATH}/${row.slug}`;
    return `<entry xml:lang="${escapeHtml(text.locale)}">
<id>${escapeHtml(url)}</id>
<title>${escapeHtml(text.title)}</title>
<link rel="alternate" type="text/html" href="${escapeHtml(url)}"/>
${content.languages
  .map(
    (l) =>
      `<link rel="alternate" type="text/html" hreflang="${escapeHtml(l)}" href="${escapeHtml(`${url}?lang=${l}`)}"/>`,
  )
  .join('\n')}
<published>${row.firstPublishedAt.toISOString()}</published>
<updated>${row.version.publishedAt.toISOString()}</updated>
<summary>${escapeHtml(text.intro)}</summary>
</entry>`;
  });
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
<id>${escapeHtml(`${baseUrl}${PAGES_PATH}`)}</id>
<title>${escapeHtml(renderer.say('en', 'feedTitle', { org }))}</title>
<link rel="self" href="${escapeHtml(`${baseUrl}${PAGES_PATH}/feed.atom`)}"/>
<link rel="alternate" type="text/html" href="${escapeHtml(`${baseUrl}${PAGES_PATH}`)}"/>
<author><name>${escapeHtml(org)}</name></author>
<updated>${new Date(updated).toISOString()}</updated>
${entries.join('\n')}
</feed>
`;
}

/** Readable on a phone and on paper: system fonts, one column, at least 16px, links underlined. */
export const STYLESHEET = `html{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK JP","Noto Sans CJK SC",sans-serif;font-size:100%;line-height:1.6;color:#1a1a1a;background:#fff}
body{margin:0;padding:1rem}
main{max-width:42rem;margin:0 auto}
h1{font-size:1.75rem;line-height:1.25;margin:0 0 .5rem}
h2{font-size:1.25rem;margin:1.75rem 0 .5rem}
p,li{font-size:1rem;overflow-wrap:anywhere}
a{color:#0645ad;text-decoration:underline}
.dates{color:#444}
.languages{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.5rem 1rem}
.languages a{display:inline-block;padding:.5rem 0;min-height:44px}
@media print{a{color:inherit}}
`;
