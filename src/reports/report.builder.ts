import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../paths.js';
import { localeChain } from '../templates/notice.renderer.js';
import { commonSections, FormContext, type ReportLabels } from './forms/common.js';
import { FORM_BUILDERS } from './forms/index.js';
import type { ReportChange, ReportDocument, ReportFacts, ReportField } from './report.types.js';

export { formatReportDate, type ReportLabels } from './forms/common.js';

export const REPORT_TEMPLATES_DIR = join(PROJECT_ROOT, 'templates', 'reports');
/** Every report language falls back to this one, which has every label. */
export const BASE_REPORT_LANGUAGE = 'en';

/**
 * Builds a regulator report from the facts: the form's sections between the common ones, every missing
 * fact listed by its label, and what changed since `previous` (the last report to the same regulator).
 * Pure: the same facts, labels and previous report give the same document.
 */
export function buildReport(
  facts: ReportFacts,
  labels: ReportLabels,
  previous: ReportDocument | null,
): ReportDocument {
  const ctx = new FormContext(facts, labels);
  const form = FORM_BUILDERS[facts.regulator.form](ctx);
  const formSaysDelay = form.some((s) => s.fields.some((f) => f.key.endsWith('.delayReasons')));
  const { head, tail } = commonSections(ctx, formSaysDelay);
  const sections = [head, ...form, ...tail];
  const fields = sections.flatMap((s) => s.fields);
  return {
    form: facts.regulator.form,
    language: labels.language,
    title: ctx.t(`title.${facts.regulator.form}`),
    regulator: { id: facts.regulator.id, name: facts.regulator.name },
    phase: facts.phase,
    incident: { reference: facts.incident.reference, title: facts.incident.title },
    generatedAt: facts.generatedAt.toISOString(),
    sections,
    missing: fields.filter((f) => f.missing).map((f) => ({ key: f.key, label: f.label })),
    changes: previous ? changesSince(previous, fields) : null,
    deliveriesOverTime: facts.handling.overTime.map((h) => ({ ...h })),
  };
}

/** Fields whose value differs from the previous report's field of the same key (new fields included). */
export function changesSince(previous: ReportDocument, fields: ReportField[]): ReportChange[] {
  const before = new Map(previous.sections.flatMap((s) => s.fields).map((f) => [f.key, f.value] as const));
  const changes: ReportChange[] = [];
  for (const field of fields) {
    const old = before.get(field.key) ?? null;
    if (JSON.stringify(old) !== JSON.stringify(field.value)) {
      changes.push({ key: field.key, label: field.label, before: old, after: field.value });
    }
  }
  return changes;
}

/** The languages to try for a report: the regulator's, its parents, any regional variant, then English. */
export function reportLanguageChain(language: string, available: readonly string[]): string[] {
  const chain = localeChain(language).filter((l) => l !== BASE_REPORT_LANGUAGE);
  let base: string | undefined;
  try {
    base = new Intl.Locale(language).language;
  } catch {
    base = undefined;
  }
  // `pt` has no file of its own; the Brazilian labels are closer to it than the English ones.
  const variants = base ? available.filter((l) => l.startsWith(`${base}-`)).sort() : [];
  return [...new Set([...chain, ...variants, BASE_REPORT_LANGUAGE])];
}

/**
 * The report labels, one JSON file per language in templates/reports/labels. A language's labels are laid
 * over English, so a label not yet translated shows in English rather than as a key (the label-file test
 * keeps every file complete). Read once and cached.
 */
export class ReportTemplates {
  private readonly files = new Map<string, Record<string, string>>();
  private readonly resolved = new Map<string, ReportLabels>();

  constructor(readonly dir = join(REPORT_TEMPLATES_DIR, 'labels')) {
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.json')) continue;
      const labels = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, string>;
      this.files.set(file.replace(/\.json$/, ''), labels);
    }
    if (!this.files.has(BASE_REPORT_LANGUAGE)) {
      throw new Error(`no ${BASE_REPORT_LANGUAGE}.json in ${dir}`);
    }
  }

  get languages(): string[] {
    return [...this.files.keys()].sort();
  }

  /** The labels for a regulator's language, and the language they are actually in. */
  labels(language: string): ReportLabels {
    let resolved = this.resolved.get(language);
    if (!resolved) {
      const used =
        reportLanguageChain(language, this.languages).find((l) => this.files.has(l)) ?? BASE_REPORT_LANGUAGE;
      resolved = {
        language: used,
        labels: Object.freeze({ ...this.files.get(BASE_REPORT_LANGUAGE), ...this.files.get(used) }),
      };
      this.resolved.set(language, resolved);
    }
    return resolved;
  }
}
