import { existsSync } from 'node:fs';
import { buildReport, ReportTemplates } from './report.builder.js';
import { buildFixtureReport, pdfToText, poppler, reportFacts } from '../../test/support/report.fixtures.js';
import { columnWidths, PDF_FONT_CANDIDATES, renderPdf } from './report.pdf.js';
import { chartLayout, renderHtml } from './report.render.js';
import type { ReportDocument } from './report.types.js';

const templates = new ReportTemplates();
const build = buildFixtureReport;

const CJK_FONT = PDF_FONT_CANDIDATES.slice(0, 2).some((f) => existsSync(f.path));
const HANGUL_FONT = PDF_FONT_CANDIDATES.filter((f) => /Noto|Nanum/.test(f.path) && !/Mono/.test(f.path)).some(
  (f) => existsSync(f.path),
);

/** The PDF's text as pdftotext lays it out, with all whitespace made one space (columns, wrapped lines). */
async function pdfText(doc: ReportDocument): Promise<string> {
  return pdfToText(await renderPdf(doc)).replace(/\s+/g, ' ');
}

describe('renderHtml', () => {
  it('escapes the incident text and every other value', () => {
    const doc = build('ico', {
      incident: {
        description: '<script>alert("x")</script> & more',
        title: '<b>bold</b>',
        howDiscovered: '<img src=x onerror=alert(1)>',
      },
    });
    const html = renderHtml(doc);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<b>bold');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('&lt;b&gt;bold&lt;/b&gt;');
  });

  it('has the sections, fields, tables, missing list and the chart as inline SVG', () => {
    const doc = build('ico', { phase: 'follow-up', incident: { riskReasoning: null } });
    const html = renderHtml(doc);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    for (const section of doc.sections) expect(html).toContain(`<h2>${section.title}</h2>`);
    expect(html).toContain('When did you discover the breach? (date and time)');
    expect(html).toContain('2026-04-01 15:00 UTC');
    expect(html).toContain('<th>Unreachable</th>');
    expect(html).toContain('No public notice has been published.');
    // The missing list names what is missing.
    const missing = html.slice(html.indexOf('<h2>Missing information</h2>'));
    expect(missing).toContain('<li>ICO case reference</li>');
    expect(missing).toContain('<li>Why we assess the risk this way</li>');
    // A follow-up without a previous report says so.
    expect(html).toContain('There is no previous report to this regulator to compare with.');
    // 3 hours x 3 series, the two empty ones of the last hour with no height.
    const svg = html.slice(html.indexOf('<svg'), html.indexOf('</svg>'));
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg.match(/<rect [^>]*><title>/g)).toHaveLength(9);
    expect(svg).toContain('<title>Delivered: 580</title>');
    expect(svg).toContain('04-02 10:00');
    expect(html).not.toMatch(/sha-?256/i);
  });

  it('shows the changes since the previous report', () => {
    const previous = build('gdpr-art33');
    const doc = build('gdpr-art33', { phase: 'follow-up', incident: { approximateRecords: 6100 } }, previous);
    const html = renderHtml(doc);
    const changes = html.slice(html.indexOf('<h2>Änderungen'));
    expect(changes).toContain('<td>5.200</td><td>6.100</td>');
  });

  it('says when there is nothing to chart', () => {
    const facts = reportFacts('ico');
    const doc = buildReport(
      { ...facts, handling: { ...facts.handling, overTime: [] } },
      templates.labels('en'),
      null,
    );
    const html = renderHtml(doc);
    expect(html).not.toContain('<svg');
    expect(html).toContain('No notices have been sent yet.');
  });
});

describe('chartLayout', () => {
  it('scales bars to a rounded maximum and keeps them in the plot area', () => {
    const chart = chartLayout(
      [
        { hour: '2026-04-02T10:00:00Z', sent: 600, delivered: 580, failed: 10 },
        { hour: '2026-04-02T11:00:00Z', sent: 300, delivered: 0, failed: 0 },
      ],
      720,
      240,
    );
    expect(chart.max).toBe(1000);
    expect(chart.bars).toHaveLength(6);
    for (const bar of chart.bars) {
      expect(bar.x).toBeGreaterThanOrEqual(chart.left);
      expect(bar.x + bar.width).toBeLessThanOrEqual(chart.right + 0.1);
      expect(bar.y + bar.height).toBeCloseTo(chart.bottom, 0);
    }
    expect(chart.bars[0].height).toBeCloseTo(((chart.bottom - chart.top) * 600) / 1000, 0);
  });
});

describe('table headers never break inside a word', () => {
  it('HTML: headers break between words only', () => {
    const html = renderHtml(build('gdpr-art33'));
    expect(html).toMatch(/th \{[^}]*word-break: keep-all;[^}]*overflow-wrap: normal;[^}]*hyphens: manual;/);
    expect(html).toContain('<th>Nicht erreichbar</th>');
  });

  it('PDF: a column is never narrower than the longest word of its header', () => {
    // Seven columns of counts: by their text alone, "Fehlgeschlagen" got less width than it needs.
    const rows = [
      ['Kanal', 'Geplant', 'Versandt', 'Zugestellt', 'Fehlgeschlagen', 'Nicht erreichbar', 'Bestätigt'],
    ];
    const minimums = [30, 38, 42, 48, 70, 46, 45];
    const widths = columnWidths([...rows, ['E-Mail', '1', '2', '3', '4', '5', '6']], 400, minimums);
    widths.forEach((w, n) => expect(w).toBeGreaterThanOrEqual(minimums[n] - 1e-9));
    expect(widths.reduce((a, b) => a + b, 0)).toBeCloseTo(400);
    // Without minimums, as before: in proportion to the text.
    expect(columnWidths(rows, 300)[0]).toBeLessThan(columnWidths(rows, 300)[4]);
  });

  it('PDF: a long German header word beside columns of prose stays whole', async () => {
    const doc = build('gdpr-art33');
    const headers = ['Zustellungsbestätigungen', 'Einzelheiten', 'Anmerkungen'];
    const prose = 'Die Benachrichtigung wurde am selben Tag per E-Mail und SMS an alle Betroffenen versandt.';
    const handling = doc.sections.find((s) => s.key === 'common.handling')!;
    handling.tables = [{ columns: headers, rows: [[12, prose, prose]] }];
    const text = pdfToText(await renderPdf(doc));
    // By the text of its cells, the first column got about two thirds of what its header's one word needs.
    for (const word of headers) expect(text).toContain(word);
  });
});

describe('renderPdf', () => {
  it('renders an English ICO report with its labels, values, tables, missing list and chart', async () => {
    const doc = build('ico', { phase: 'follow-up' });
    const text = await pdfText(doc);
    expect(text).toContain("Personal data breach report to the Information Commissioner's Office");
    expect(text).toContain('INC-2026-0042');
    expect(text).toContain('1. Report type');
    expect(text).toContain('Was the breach caused by a cyber incident?');
    expect(text).toContain('A security researcher reported the open bucket by email.');
    expect(text).toContain('2026-04-01 15:00 UTC');
    expect(text).toContain('Identification data (e.g. usernames, passwords)');
    expect(text).toContain('Children under 18: 52 (of the 1100 people whose birth date we hold)');
    expect(text).toContain('Police cybercrime unit; our cloud provider.');
    expect(text).toContain('Email 1,180 1,170 1,140 30 0 0');
    expect(text).toContain('No public notice has been published.');
    expect(text).toContain('Missing information');
    expect(text).toContain('• ICO case reference');
    expect(text).toContain('Changes since the previous report');
    expect(text).toContain('Notices to individuals over time');
    expect(text).toContain('04-02 10:00');
    expect(text).toMatch(/Page 1 of \d/);
  });

  it('renders a Portuguese ANPD report, accents and all', async () => {
    const text = await pdfText(build('lgpd-anpd', { organization: { dpoContact: null } }));
    expect(text).toContain('Comunicação de incidente de segurança à ANPD');
    expect(text).toContain('Encarregado pelo tratamento de dados pessoais');
    expect(text).toContain('Informações ausentes');
    expect(text).toContain('Nenhum aviso público foi publicado.');
    expect(text).toContain('Passwords hashed with bcrypt');
    expect(text).toContain('Crianças e adolescentes');
  });

  (CJK_FONT ? it : it.skip)('renders a Japanese PPC report when a CJK font is installed', async () => {
    const text = await pdfText(build('appi-ppc'));
    expect(text).toContain('個人データの漏えい等');
    expect(text).toContain('再発防止のための措置');
    // Latin text in the same report, from the Latin font.
    expect(text).toContain('Automated checks of bucket permissions in CI');
    expect(text).toContain('2026-04-01 15:00 UTC');
  });

  (CJK_FONT ? it : it.skip)('renders the CAC report in Chinese when a CJK font is installed', async () => {
    const chinese = await pdfText(build('pipl-cac'));
    expect(chinese).toContain('个人信息处理者的联系方式');
    expect(chinese).toContain('一般');
  });

  // Droid Sans Fallback has no Hangul syllables: Korean needs Noto CJK or Nanum.
  (HANGUL_FONT ? it : it.skip)(
    'renders the PIPC report in Korean when a Hangul font is installed',
    async () => {
      const korean = await pdfText(build('pipa-pipc'));
      expect(korean).toContain('정보주체가 피해를 최소화하기 위해 할 수 있는 방법');
    },
  );

  it('gives the same bytes for the same document, dated by the document', async () => {
    const doc = build('pipeda');
    const [a, b] = await Promise.all([renderPdf(doc), renderPdf(doc)]);
    expect(a.subarray(0, 5).toString()).toBe('%PDF-');
    expect(a.equals(b)).toBe(true);
    const info = poppler(a, 'pdfinfo', ['-isodates']);
    expect(info).toMatch(/CreationDate:\s+2026-04-03T09:30:00/);
  });
});
