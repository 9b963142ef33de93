import { existsSync } from 'node:fs';
import { fill } from './forms/common.js';
import type { ReportTemplates } from './report.builder.js';
import { chartLayout, meta, templates, valueLines } from './report.render.js';
import type { ReportDocument, ReportSection } from './report.types.js';

// A report as a PDF (pdfkit, no browser), from the stored ReportDocument as the HTML is (report.render.ts).

/**
 * The TrueType fonts a PDF may use, those installed; each character is drawn in the first that has it
 * (see PdfFonts), and pdfkit's Helvetica takes what none has. A collection (TTC) names its face by
 * PostScript name, which is what fontkit matches.
 */
export const PDF_FONT_CANDIDATES: readonly { path: string; family?: string }[] = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', family: 'NotoSansCJKjp-Regular' },
  { path: '/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf' },
  // Hangul: Droid Sans Fallback has none (fonts-nanum).
  { path: '/usr/share/fonts/truetype/nanum/NanumGothic.ttf' },
  { path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' },
];
const BOLD_CANDIDATES = ['/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf'];

interface GlyphSource {
  hasGlyphForCodePoint(codePoint: number): boolean;
}

interface FontChoice {
  name: string;
  /** Whether the font has a glyph for a character (pdfkit's built-in fonts: WinAnsi, Latin only). */
  covers: (codePoint: number) => boolean;
}

/**
 * The fonts a PDF is drawn with, each character in the first that has a glyph for it. No single font here
 * has everything: Droid Sans Fallback has CJK but not even ASCII, DejaVu Sans has Latin, accents and
 * symbols but no CJK. So a Latin font leads (whole words stay in one face) and the CJK font fills in.
 */
class PdfFonts {
  readonly regular: FontChoice[] = [];
  readonly bold: FontChoice[] = [];

  constructor(pdf: PDFKit.PDFDocument) {
    const present = PDF_FONT_CANDIDATES.filter((f) => existsSync(f.path));
    // DejaVu first when installed: Latin, accents and symbols in one face; the CJK fonts after it.
    const latin = present.filter((f) => f.path.includes('DejaVu'));
    const ordered = [...latin, ...present.filter((f) => !latin.includes(f))];
    ordered.forEach((font, n) => {
      const name = `f${n}`;
      if (font.family) pdf.registerFont(name, font.path, font.family);
      else pdf.registerFont(name, font.path);
      this.regular.push({ name, covers: coverage(pdf, name) });
    });
    this.regular.push({ name: 'Helvetica', covers: winAnsi });
    const bold = BOLD_CANDIDATES.find((p) => existsSync(p));
    if (bold) {
      pdf.registerFont('bold', bold);
      this.bold.push({ name: 'bold', covers: coverage(pdf, 'bold') });
    } else {
      this.bold.push({ name: 'Helvetica-Bold', covers: winAnsi });
    }
    // Bold text in a script the bold face lacks falls back to the regular fonts.
    this.bold.push(...this.regular);
  }

  /** The text cut into runs, each in the first font of the list that has all its characters. */
  runs(text: string, bold: boolean): { font: string; text: string }[] {
    const fonts = bold ? this.bold : this.regular;
    const runs: { font: string; text: string }[] = [];
    for (const char of text) {
      const code = char.codePointAt(0) ?? 0;
      // Spaces and line breaks stay with the run they are in, so words are not split across faces.
      const font =
        /\s/.test(char) && runs.length > 0
          ? runs[runs.length - 1].font
          : (fonts.find((f) => f.covers(code)) ?? fonts[0]).name;
      const last = runs[runs.length - 1];
      if (last && last.font === font) last.text += char;
      else runs.push({ font, text: char });
    }
    return runs;
  }
}

const winAnsi = (code: number) =>
  code < 0x100 || '€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ'.includes(String.fromCodePoint(code));

/**
 * Which characters a registered font has. pdfkit does not expose this; its embedded font object holds the
 * fontkit font, so it is read from there, and if that ever changes every font is taken to cover
 * everything (the old behaviour of one font for all text).
 */
function coverage(pdf: PDFKit.PDFDocument, name: string): (codePoint: number) => boolean {
  pdf.font(name);
  const internal = (pdf as unknown as { _font?: { font?: Partial<GlyphSource> } })._font?.font;
  const has = internal?.hasGlyphForCodePoint;
  if (typeof has !== 'function') return () => true;
  const cache = new Map<number, boolean>();
  return (code) => {
    let known = cache.get(code);
    if (known === undefined) {
      known = has.call(internal, code);
      cache.set(code, known);
    }
    return known;
  };
}

interface TextStyle {
  size: number;
  bold?: boolean;
  colour?: string;
  x?: number;
  y?: number;
  width?: number;
  align?: 'left' | 'right' | 'center';
}

const PAGE_MARGIN = 50;

class PdfWriter {
  private readonly fonts: PdfFonts;

  constructor(readonly pdf: PDFKit.PDFDocument) {
    this.fonts = new PdfFonts(pdf);
  }

  get width(): number {
    return this.pdf.page.width - 2 * PAGE_MARGIN;
  }

  get bottom(): number {
    return this.pdf.page.height - PAGE_MARGIN;
  }

  /** A new page when less than `height` is left on this one. */
  need(height: number): void {
    if (this.pdf.y + height > this.bottom) this.pdf.addPage();
  }

  /** Text in as many fonts as its characters need, wrapped at the width. */
  text(text: string, style: TextStyle): void {
    const { pdf } = this;
    const runs = this.fonts.runs(text === '' ? ' ' : text, style.bold ?? false);
    pdf.fillColor(style.colour ?? '#000000').fontSize(style.size);
    const x = style.x ?? PAGE_MARGIN;
    const options = { width: style.width ?? this.width - (x - PAGE_MARGIN), align: style.align ?? 'left' };
    runs.forEach((run, n) => {
      pdf.font(run.font);
      const continued = n < runs.length - 1;
      if (n === 0 && style.y !== undefined) pdf.text(run.text, x, style.y, { ...options, continued });
      else if (n === 0) pdf.text(run.text, x, pdf.y, { ...options, continued });
      else pdf.text(run.text, { ...options, continued });
    });
  }

  /**
   * One line that must not wrap (chart labels, page numbers): each run placed at its measured width, since
   * pdfkit aligns each `continued` run on its own and a centred line of mixed scripts comes apart.
   */
  line(text: string, style: TextStyle & { x: number; y: number; width: number }): void {
    const { pdf } = this;
    const runs = this.fonts.runs(text, style.bold ?? false);
    pdf.fillColor(style.colour ?? '#000000').fontSize(style.size);
    const widths = runs.map((run) => pdf.font(run.font).widthOfString(run.text));
    const total = widths.reduce((a, b) => a + b, 0);
    const align = style.align ?? 'left';
    let x =
      style.x +
      (align === 'center' ? (style.width - total) / 2 : align === 'right' ? style.width - total : 0);
    runs.forEach((run, n) => {
      pdf.font(run.font).text(run.text, x, style.y, { lineBreak: false });
      x += widths[n];
    });
  }

  /** The width of a line of text, each run in the font it needs. */
  widthOf(text: string, style: TextStyle): number {
    const runs = this.fonts.runs(text === '' ? ' ' : text, style.bold ?? false);
    this.pdf.fontSize(style.size);
    return runs.reduce((sum, run) => sum + this.pdf.font(run.font).widthOfString(run.text), 0);
  }

  heightOf(text: string, style: TextStyle): number {
    const runs = this.fonts.runs(text === '' ? ' ' : text, style.bold ?? false);
    // Measured in the font of the longest run: close enough to keep rows and page breaks apart.
    const main = runs.reduce((a, b) => (b.text.length > a.text.length ? b : a));
    return this.pdf
      .font(main.font)
      .fontSize(style.size)
      .heightOfString(text === '' ? ' ' : text, { width: style.width ?? this.width });
  }

  heading(text: string, size: number): void {
    this.need(size * 3);
    this.pdf.moveDown(0.6);
    this.text(text, { size, bold: true, colour: '#1a1a1a' });
    this.pdf.moveDown(0.3);
  }

  table(columns: string[], rows: string[][], empty: string): void {
    // Each column at least as wide as the longest word of its header: a header breaks between words only.
    const minimums = columns.map(
      (column) =>
        Math.max(0, ...column.split(/\s+/).map((word) => this.widthOf(word, { size: 8, bold: true }))) + 6,
    );
    const widths = columnWidths([columns, ...rows], this.width, minimums);
    const drawRow = (cells: string[], bold: boolean) => {
      const heights = cells.map((c, n) => this.heightOf(c, { size: 8, bold, width: widths[n] - 4 }));
      const height = Math.max(...heights) + 4;
      this.need(height);
      const y = this.pdf.y;
      let x = PAGE_MARGIN;
      cells.forEach((cell, n) => {
        this.text(cell, { size: 8, bold, x: x + 2, y: y + 2, width: widths[n] - 4 });
        x += widths[n];
      });
      this.pdf
        .moveTo(PAGE_MARGIN, y + height)
        .lineTo(PAGE_MARGIN + this.width, y + height)
        .lineWidth(0.5)
        .strokeColor('#bbbbbb')
        .stroke();
      this.pdf.x = PAGE_MARGIN;
      this.pdf.y = y + height;
    };
    drawRow(columns, true);
    if (rows.length === 0) this.text(empty, { size: 8, colour: '#555555' });
    for (const row of rows) drawRow(row, false);
    this.pdf.moveDown(0.5);
  }
}

/**
 * Column widths in proportion to their longest text, within bounds, so counts stay narrow and prose wide;
 * none narrower than its minimum (the longest word of its header): the others give up the difference, in
 * proportion. Minimums that cannot all fit share the width in their own proportion.
 */
export function columnWidths(rows: string[][], total: number, minimums: readonly number[] = []): number[] {
  const count = Math.max(...rows.map((r) => r.length));
  const weights = Array.from({ length: count }, (_, n) =>
    Math.min(60, Math.max(12, ...rows.map((r) => [...(r[n] ?? '')].length))),
  );
  const floor = (n: number) => minimums[n] ?? 0;
  const needed = weights.reduce((sum, _, n) => sum + floor(n), 0);
  if (needed >= total) return weights.map((_, n) => (total * floor(n)) / needed);
  const fixed = new Set<number>();
  for (;;) {
    const free = weights.reduce((sum, w, n) => (fixed.has(n) ? sum : sum + w), 0);
    const left = total - [...fixed].reduce((sum, n) => sum + floor(n), 0);
    const widths = weights.map((w, n) => (fixed.has(n) ? floor(n) : (left * w) / free));
    const under = widths.findIndex((w, n) => !fixed.has(n) && w < floor(n));
    if (under < 0) return widths;
    fixed.add(under);
  }
}

/**
 * The report as a PDF: the same sections, fields, tables, missing list, changes and chart as the HTML.
 * Deterministic for a document: the creation date is the document's, and pdfkit derives the file id from
 * it, so the same document gives the same bytes.
 */
export async function renderPdf(doc: ReportDocument, given?: ReportTemplates): Promise<Buffer> {
  const t = templates(given).labels(doc.language).labels;
  const ui = (key: string) => t[`ui.${key}`] ?? key;
  const { pdf, done } = await openPdf(doc);
  const w = new PdfWriter(pdf);
  w.text(doc.title, { size: 16, bold: true });
  pdf.moveDown(0.4);
  for (const { label, value } of meta(doc, ui)) w.text(`${label}: ${value}`, { size: 9, colour: '#333333' });
  for (const section of doc.sections) drawSection(w, section, doc.language, ui);
  drawMissing(w, doc, ui);
  drawChanges(w, doc, ui);
  w.heading(ui('chart'), 12);
  drawChart(w, doc, t);
  numberPages(w, ui);
  pdf.end();
  return done;
}

/** A deterministic pdfkit document for the report, and the bytes it will have been once ended. */
async function openPdf(doc: ReportDocument): Promise<{ pdf: PDFKit.PDFDocument; done: Promise<Buffer> }> {
  // pdfkit (~30 MB with its fonts) is loaded when the first PDF is asked for.
  const { default: PDFDocument } = await import('pdfkit');
  const pdf = new PDFDocument({
    size: 'A4',
    margin: PAGE_MARGIN,
    bufferPages: true,
    lang: doc.language,
    displayTitle: true,
    info: {
      Title: doc.title,
      Subject: `${doc.regulator.name}: ${doc.incident.reference}`,
      Creator: 'breach-notify',
      Producer: 'breach-notify',
      CreationDate: new Date(doc.generatedAt),
      ModDate: new Date(doc.generatedAt),
    },
  });
  const chunks: Buffer[] = [];
  pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  return { pdf, done };
}

type Ui = (key: string) => string;

function drawSection(w: PdfWriter, section: ReportSection, language: string, ui: Ui): void {
  w.heading(section.title, 12);
  for (const field of section.fields) {
    w.need(30);
    w.text(field.label, { size: 9, bold: true, colour: '#333333' });
    if (field.missing) {
      w.text(ui('notKnown'), { size: 9, colour: '#b00020' });
    } else {
      const lines = valueLines(field.value, language);
      const list = Array.isArray(field.value);
      for (const line of lines) w.text(list ? `• ${line}` : line, { size: 9, x: PAGE_MARGIN + 8 });
    }
    if (field.basis)
      w.text(`${ui('basis')}: ${field.basis}`, { size: 7, colour: '#777777', x: PAGE_MARGIN + 8 });
    w.pdf.moveDown(0.3);
  }
  for (const table of section.tables ?? []) {
    w.table(
      table.columns,
      table.rows.map((row) => row.map((cell) => valueLines(cell, language).join(' '))),
      ui('none'),
    );
  }
}

function drawMissing(w: PdfWriter, doc: ReportDocument, ui: Ui): void {
  w.heading(ui('missing'), 12);
  if (doc.missing.length === 0) w.text(ui('missingNone'), { size: 9 });
  else {
    w.text(ui('missingIntro'), { size: 9, colour: '#333333' });
    for (const m of doc.missing) w.text(`• ${m.label}`, { size: 9, colour: '#b00020', x: PAGE_MARGIN + 8 });
  }
}

/** What changed since the previous report (a follow-up or final report). */
function drawChanges(w: PdfWriter, doc: ReportDocument, ui: Ui): void {
  if (doc.changes === null && doc.phase === 'initial') return;
  w.heading(ui('changes'), 12);
  if (doc.changes === null) w.text(ui('noPrevious'), { size: 9 });
  else if (doc.changes.length === 0) w.text(ui('changesNone'), { size: 9 });
  else
    w.table(
      [ui('field'), ui('before'), ui('after')],
      doc.changes.map((c) => [
        c.label,
        valueLines(c.before, doc.language).join('; ') || '-',
        valueLines(c.after, doc.language).join('; ') || '-',
      ]),
      ui('none'),
    );
}

/** Page numbers last, when the page count is known. */
function numberPages(w: PdfWriter, ui: Ui): void {
  const { pdf } = w;
  const range = pdf.bufferedPageRange();
  for (let n = 0; n < range.count; n++) {
    pdf.switchToPage(range.start + n);
    // Drawn inside the bottom margin: lift the margin so pdfkit does not start a new page for it.
    const margin = pdf.page.margins.bottom;
    pdf.page.margins.bottom = 0;
    w.line(fill(ui('page'), { page: n + 1, pages: range.count }), {
      size: 7,
      colour: '#777777',
      x: PAGE_MARGIN,
      y: pdf.page.height - PAGE_MARGIN + 16,
      width: w.width,
      align: 'center',
    });
    pdf.page.margins.bottom = margin;
  }
}

function drawChart(w: PdfWriter, doc: ReportDocument, t: Readonly<Record<string, string>>): void {
  const { pdf } = w;
  if (doc.deliveriesOverTime.length === 0) {
    w.text(t['ui.chartEmpty'] ?? '', { size: 9 });
    return;
  }
  const chart = chartLayout(doc.deliveriesOverTime, w.width, 200);
  w.need(chart.height + 10);
  const ox = PAGE_MARGIN;
  const oy = pdf.y;
  for (const g of chart.grid) {
    pdf
      .moveTo(ox + chart.left, oy + g.y)
      .lineTo(ox + chart.right, oy + g.y)
      .lineWidth(0.5)
      .strokeColor('#dddddd')
      .stroke();
    w.line(g.label, {
      size: 7,
      colour: '#555555',
      x: ox,
      y: oy + g.y - 4,
      width: chart.left - 6,
      align: 'right',
    });
  }
  for (const bar of chart.bars) {
    if (bar.height > 0) pdf.rect(ox + bar.x, oy + bar.y, bar.width, bar.height).fill(bar.colour);
  }
  for (const tick of chart.ticks) {
    w.line(tick.label, {
      size: 7,
      colour: '#555555',
      x: ox + tick.x - 30,
      y: oy + chart.bottom + 4,
      width: 60,
      align: 'center',
    });
  }
  for (const item of chart.legend) {
    pdf.rect(ox + item.x, oy + 4, 10, 10).fill(item.colour);
    w.line(t[`col.${item.series}`] ?? item.series, { size: 8, x: ox + item.x + 14, y: oy + 5, width: 90 });
  }
  w.line(t['ui.chartAxis'] ?? '', {
    size: 7,
    colour: '#555555',
    x: ox,
    y: oy + chart.bottom + 16,
    width: w.width,
    align: 'center',
  });
  pdf.x = PAGE_MARGIN;
  pdf.y = oy + chart.height + 10;
}
