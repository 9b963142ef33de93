import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { REPORT_TEMPLATES_DIR, ReportTemplates } from './report.builder.js';
import type { ReportDocument, ReportField } from './report.types.js';

// A report rendered for people: HTML (Handlebars, templates/reports/report.html.hbs) here and PDF (pdfkit,
// report.pdf.ts), both from the stored ReportDocument and the labels of its language, so a re-render of an
// old report shows what was filed. Neither includes the document's hash: it is computed over the document.

type Point = ReportDocument['deliveriesOverTime'][number];
const SERIES = ['sent', 'delivered', 'failed'] as const;
type Series = (typeof SERIES)[number];
const COLOURS: Record<Series, string> = { sent: '#4e79a7', delivered: '#59a14f', failed: '#e15759' };

let defaultTemplates: ReportTemplates | undefined;
export const templates = (given?: ReportTemplates): ReportTemplates =>
  given ?? (defaultTemplates ??= new ReportTemplates());

/** A field's value as lines of text: a list item per line, a number in the report's language. */
export function valueLines(value: ReportField['value'], language: string): string[] {
  if (value === null) return [];
  if (typeof value === 'number') return [new Intl.NumberFormat(language).format(value)];
  if (Array.isArray(value)) return value;
  return value.split('\n');
}

export interface ChartBar {
  series: Series;
  colour: string;
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
}

export interface Chart {
  width: number;
  height: number;
  /** The plot area: bars stand on `bottom`, from `left` to `right`. */
  left: number;
  right: number;
  top: number;
  bottom: number;
  max: number;
  bars: ChartBar[];
  /** Hour labels under the bars, thinned so they do not overlap. */
  ticks: { x: number; label: string }[];
  /** Value gridlines: 0, half and the top of the scale. */
  grid: { y: number; label: string }[];
  legend: { series: Series; colour: string; x: number }[];
  empty: boolean;
}

/** "2026-04-02T10:00:00Z" as "04-02 10:00"; anything else as given. */
function hourLabel(hour: string): string {
  const match = /^\d{4}-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})/.exec(hour);
  return match ? `${match[1]}-${match[2]} ${match[3]}:${match[4]}` : hour;
}

/** A rounded top for the scale: 1, 2 or 5 times a power of ten. */
function niceMax(value: number): number {
  if (value <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value) ?? value;
}

/** The grouped bar chart of notices per hour, laid out once for both the SVG and the PDF. */
export function chartLayout(points: readonly Point[], width: number, height: number): Chart {
  const left = 48;
  const right = width - 8;
  const top = 24;
  const bottom = height - 28;
  const max = niceMax(Math.max(0, ...points.flatMap((p) => SERIES.map((s) => p[s]))));
  const slot = points.length === 0 ? 0 : (right - left) / points.length;
  const barWidth = Math.max(1, (slot * 0.8) / SERIES.length);
  const scale = (v: number) => ((bottom - top) * v) / max;
  const bars = points.flatMap((p, n) =>
    SERIES.map((series, k) => ({
      series,
      colour: COLOURS[series],
      x: round(left + n * slot + slot * 0.1 + k * barWidth),
      y: round(bottom - scale(p[series])),
      width: round(barWidth),
      height: round(scale(p[series])),
      value: p[series],
    })),
  );
  const every = Math.max(1, Math.ceil(points.length / Math.max(1, Math.floor((right - left) / 70))));
  const ticks = points
    .map((p, n) => ({ x: round(left + n * slot + slot / 2), label: hourLabel(p.hour), n }))
    .filter((t) => t.n % every === 0)
    .map(({ x, label }) => ({ x, label }));
  const grid = [0, max / 2, max].map((v) => ({ y: round(bottom - scale(v)), label: String(Math.round(v)) }));
  const legend = SERIES.map((series, k) => ({ series, colour: COLOURS[series], x: left + k * 110 }));
  return {
    width,
    height,
    left,
    right,
    top,
    bottom,
    max,
    bars,
    ticks,
    grid,
    legend,
    empty: points.length === 0,
  };
}

const round = (n: number) => Math.round(n * 10) / 10;

// ---------------------------------------------------------------------------------------------------
// HTML

const hbs = Handlebars.create();
let htmlTemplate: HandlebarsTemplateDelegate | undefined;

function compiled(): HandlebarsTemplateDelegate {
  // strict: a value the template wants and the view lacks is a bug, not an empty string.
  htmlTemplate ??= hbs.compile(readFileSync(join(REPORT_TEMPLATES_DIR, 'report.html.hbs'), 'utf8'), {
    strict: true,
  });
  return htmlTemplate;
}

/**
 * The report as one HTML page. Every value goes through Handlebars' escaping (`{{ }}` only, never
 * `{{{ }}}`): incident text is whatever responders typed, and a regulator's portal may show it.
 */
export function renderHtml(doc: ReportDocument, given?: ReportTemplates): string {
  const t = templates(given).labels(doc.language).labels;
  const ui = (key: string) => t[`ui.${key}`] ?? key;
  const chart = chartLayout(doc.deliveriesOverTime, 720, 240);
  const seriesLabel = (s: Series) => t[`col.${s}`] ?? s;
  const view = {
    lang: doc.language,
    title: doc.title,
    ui: {
      basis: ui('basis'),
      notKnown: ui('notKnown'),
      none: ui('none'),
      missing: ui('missing'),
      missingIntro: ui('missingIntro'),
      missingNone: ui('missingNone'),
      changes: ui('changes'),
      changesNone: ui('changesNone'),
      noPrevious: ui('noPrevious'),
      field: ui('field'),
      before: ui('before'),
      after: ui('after'),
      chart: ui('chart'),
      chartAxis: ui('chartAxis'),
      chartEmpty: ui('chartEmpty'),
    },
    meta: meta(doc, ui),
    sections: doc.sections.map((section) => ({
      title: section.title,
      fields: section.fields.map((f) => ({
        label: f.label,
        lines: valueLines(f.value, doc.language),
        list: Array.isArray(f.value),
        missing: f.missing,
        basis: f.basis ?? null,
      })),
      tables: (section.tables ?? []).map((table) => ({
        columns: table.columns,
        rows: table.rows.map((row) => row.map((cell) => valueLines(cell, doc.language).join(' '))),
        empty: table.rows.length === 0,
      })),
    })),
    missing: doc.missing,
    changes: doc.changes?.map((c) => ({
      label: c.label,
      before: valueLines(c.before, doc.language).join('; ') || '-',
      after: valueLines(c.after, doc.language).join('; ') || '-',
    })),
    hasChanges: doc.changes !== null && doc.changes.length > 0,
    comparable: doc.changes !== null,
    showChanges: doc.changes !== null || doc.phase !== 'initial',
    chart: {
      ...chart,
      legend: chart.legend.map((l) => ({ ...l, label: seriesLabel(l.series), textX: l.x + 16 })),
      bars: chart.bars.map((b) => ({ ...b, title: `${seriesLabel(b.series)}: ${b.value}` })),
      axisY: chart.bottom + 24,
      legendY: 8,
    },
  };
  return compiled()(view);
}

/** The lines under the title: regulator, incident, when generated, language. */
export function meta(doc: ReportDocument, ui: (key: string) => string): { label: string; value: string }[] {
  return [
    { label: ui('regulator'), value: doc.regulator.name },
    { label: ui('incident'), value: `${doc.incident.reference}: ${doc.incident.title}` },
    { label: ui('generatedAt'), value: `${doc.generatedAt.slice(0, 16).replace('T', ' ')} UTC` },
    { label: ui('language'), value: doc.language },
  ];
}
