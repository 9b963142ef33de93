import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { FieldProblem } from '../common/errors.js';
import { GUARDIAN_FIELDS, SUBJECT_FIELDS } from './subject.validation.js';

export const IMPORT_FORMATS = ['ndjson', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** One CSV record as a subject object, or a problem found reading its line. */
export interface ParsedLine {
  line: number;
  bytesDone: number;
  value?: unknown;
  problem?: FieldProblem;
}

/** The whole file is unusable (a CSV header naming an unknown column): the import fails with this. */
export class FileFormatError extends Error {}

/** Longer lines are refused, so a file without newlines cannot make the parser hold it all. */
export const MAX_LINE_BYTES = 256 * 1024;

/** A guardian's field as a CSV column: `guardianName`, `guardianEmail`... */
const GUARDIAN_COLUMNS: Record<string, string> = Object.fromEntries(
  GUARDIAN_FIELDS.map((field) => [`guardian${field[0].toUpperCase()}${field.slice(1)}`, field]),
);
/** CSV columns: the subject's fields, with the guardian's flattened and lists separated by `;`. */
export const CSV_COLUMNS: readonly string[] = SUBJECT_FIELDS.flatMap((field) =>
  field === 'guardian' ? Object.keys(GUARDIAN_COLUMNS) : [field],
);
const LIST_COLUMNS = new Set(['channelPreferences', 'dataCategories', 'systems']);

const splitList = (cell: string): string[] =>
  cell
    .split(';')
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** A CSV row as the subject object NDJSON would carry. Empty cells are absent fields. */
export function csvRowToSubject(row: Record<string, string>): Record<string, unknown> {
  const subject: Record<string, unknown> = {};
  const guardian: Record<string, string> = {};
  for (const [column, raw] of Object.entries(row)) {
    const cell = raw.trim();
    if (cell === '') continue;
    if (column in GUARDIAN_COLUMNS) guardian[GUARDIAN_COLUMNS[column]] = cell;
    else if (LIST_COLUMNS.has(column)) subject[column] = splitList(cell);
    else if (column === 'pushTokens') {
      // `platform:token`, split at the first colon: FCM tokens contain colons themselves.
      subject.pushTokens = splitList(cell).map((entry) => {
        const colon = entry.indexOf(':');
        return colon < 0
          ? { token: entry }
          : { platform: entry.slice(0, colon), token: entry.slice(colon + 1) };
      });
    } else subject[column] = cell;
  }
  if (Object.keys(guardian).length > 0) subject.guardian = guardian;
  return subject;
}

/** RFC 4180 CSV with a header row naming {@link CSV_COLUMNS} (any order, any subset with externalId). */
export async function* parseCsv(chunks: AsyncIterable<Buffer>): AsyncIterable<ParsedLine> {
  const skipped: ParsedLine[] = [];
  const parser = parse({
    bom: true,
    info: true,
    trim: false,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_LINE_BYTES,
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim());
      const unknown = names.filter((n) => !CSV_COLUMNS.includes(n));
      if (unknown.length > 0) {
        throw new FileFormatError(
          `unknown CSV column(s) ${unknown.map((u) => `"${u.slice(0, 40)}"`).join(', ')}; known: ${CSV_COLUMNS.join(', ')}`,
        );
      }
      if (!names.includes('externalId'))
        throw new FileFormatError('the CSV header must have an externalId column');
      return names;
    },
  });
  parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
    skipped.push({
      line: err.lines ?? 0,
      bytesDone: parser.info.bytes,
      problem: {
        field: 'line',
        rule: err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS' ? 'columnCount' : 'isCsv',
        message:
          err.code === 'CSV_RECORD_INCONSISTENT_COLUMNS'
            ? 'the line does not have as many fields as the header'
            : 'the line is not valid CSV',
      },
    });
  });
  const source = Readable.from(chunks);
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  // csv-parse reports a skipped line as soon as it reads it, ahead of records it still buffers: lines are
  // put back in file order, which the import's checkpoint relies on.
  const skippedBefore = (line: number): ParsedLine[] => {
    const due = skipped.filter((s) => s.line < line);
    skipped.splice(0, skipped.length, ...skipped.filter((s) => s.line >= line));
    return due;
  };
  try {
    for await (const entry of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; bytes: number };
    }>) {
      yield* skippedBefore(entry.info.lines);
      yield { line: entry.info.lines, bytesDone: entry.info.bytes, value: csvRowToSubject(entry.record) };
    }
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof FileFormatError) throw cause;
    throw err;
  }
  yield* skippedBefore(Number.POSITIVE_INFINITY);
}
