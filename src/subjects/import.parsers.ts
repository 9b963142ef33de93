import { isUtf8 } from 'node:buffer';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { FieldProblem } from '../common/errors.js';
import { repeatedColumnsProblem } from './csv-header.js';
import { FIELD_NAME, GUARDIAN_FIELDS, SUBJECT_FIELDS } from './subject.validation.js';

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

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const BOM = [0xef, 0xbb, 0xbf];
const NEWLINE = Buffer.from('\n');
const CRLF = Buffer.from('\r\n');

const QUOTE_NOT_CLOSED: FieldProblem = {
  field: 'line',
  rule: 'quoteNotClosed',
  message: 'a quote opened on this line is not closed on it (no field holds a line break)',
};
const STRAY_QUOTE: FieldProblem = {
  field: 'line',
  rule: 'isCsv',
  message: 'a quote inside a field that does not start with one, or text after a closing quote',
};
/** A line of either format over MAX_LINE_BYTES, or not UTF-8: refused alone, in CSV and NDJSON alike. */
export const LINE_TOO_LONG: FieldProblem = {
  field: 'line',
  rule: 'maxLength',
  message: `the line is longer than ${MAX_LINE_BYTES} bytes`,
};
export const NOT_UTF8: FieldProblem = {
  field: 'line',
  rule: 'isUtf8',
  message: 'the line is not valid UTF-8',
};

/**
 * The file as csv-parse is given it: one record per line. No field of a person holds a line break, so
 * a quote still open at the end of its line is a broken line, not a field going on: csv-parse took
 * the rest of the file into that field, and the lines after it vanished from the import (reported, at
 * best, as one bad line at the end). A line whose quotes are broken (open at its end, inside a field
 * that does not start with one, followed by text once closed), that is longer than MAX_LINE_BYTES or
 * whose bytes are not UTF-8 (csv-parse would decode each bad byte as U+FFFD, stored and then printed in
 * a notice: "Jos\uFFFD") is given to the parser as an empty line, which it skips while counting it, and reported through
 * `refused` with its number and the bytes left out; every other byte passes as it came.
 */
export async function* oneRecordPerLine(
  chunks: AsyncIterable<Buffer>,
  refused: (line: number, problem: FieldProblem, bytes: number, header: boolean) => void,
): AsyncIterable<Buffer> {
  const scanner = new LineScanner(refused);
  for await (const chunk of chunks) {
    const out = scanner.scan(chunk);
    if (out.length > 0) yield out;
  }
  scanner.end();
  if (scanner.last.length > 0) yield scanner.last;
}

const IN_FIELD = 0;
const FIELD_START = 1;
const IN_QUOTES = 2;
const CLOSED_QUOTE = 3;
const BROKEN = 4;

/** The state of {@link oneRecordPerLine} between chunks; a byte loop over plain locals (~1 ns a byte). */
class LineScanner {
  private line = 1;
  private filePos = 0;
  // Until a line with text passes, a refused line is the header.
  private headerPassed = false;
  private state = FIELD_START;
  private problem: FieldProblem | undefined;
  // The current line's bytes from earlier chunks, held until its end says whether it passes.
  private carry: Buffer[] = [];
  private carryBytes = 0;
  private carryEndsWithCr = false;
  last = Buffer.alloc(0);

  constructor(
    private readonly refused: (line: number, problem: FieldProblem, bytes: number, header: boolean) => void,
  ) {}

  scan(chunk: Buffer): Buffer {
    const out: Buffer[] = [];
    const end = chunk.length;
    let state = this.state;
    // Bytes before emitFrom are given out or left out; lineStart is where the current line began here.
    let emitFrom = 0;
    let lineStart = 0;
    // Lines are checked for UTF-8 one by one only where the chunk as a whole is not (a character split
    // across chunks makes it so), and a line begun in an earlier chunk always.
    const chunkUtf8 = isUtf8(chunk);
    let i = 0;
    while (this.filePos + i < BOM.length && i < end && chunk[i] === BOM[this.filePos + i]) i += 1;
    for (; i < end; i += 1) {
      const c = chunk[i];
      if (c === LF) {
        const length = this.carryBytes + i - lineStart;
        const crlf = i > lineStart ? chunk[i - 1] === CR : this.carryEndsWithCr;
        const problem =
          length > MAX_LINE_BYTES
            ? LINE_TOO_LONG
            : state === IN_QUOTES
              ? QUOTE_NOT_CLOSED
              : state === BROKEN
                ? this.problem
                : (!chunkUtf8 || this.carryBytes > 0) && !this.lineIsUtf8(chunk.subarray(lineStart, i))
                  ? NOT_UTF8
                  : undefined;
        if (problem) {
          // Left out, with the line's end as the file writes it (CRLF or LF): one kind of break for the parser.
          out.push(chunk.subarray(emitFrom, lineStart), crlf ? CRLF : NEWLINE);
          this.refused(this.line, problem, length - (crlf ? 1 : 0), !this.headerPassed);
          emitFrom = i + 1;
        } else if (this.carryBytes > 0) {
          out.push(...this.carry);
        }
        if (!this.headerPassed && !problem && length > (crlf ? 1 : 0)) this.headerPassed = true;
        this.line += 1;
        lineStart = i + 1;
        state = FIELD_START;
        if (this.carryBytes > 0) {
          this.carry = [];
          this.carryBytes = 0;
          this.carryEndsWithCr = false;
        }
      } else if (state === IN_QUOTES) {
        if (c === QUOTE) state = CLOSED_QUOTE;
      } else if (state === IN_FIELD) {
        if (c === COMMA) state = FIELD_START;
        else if (c === QUOTE) state = this.broken(STRAY_QUOTE);
      } else if (state === FIELD_START) {
        if (c === QUOTE) state = IN_QUOTES;
        else if (c !== COMMA) state = IN_FIELD;
      } else if (state === CLOSED_QUOTE) {
        // A doubled quote goes on with the field; else only a separator or the line's end may follow.
        if (c === QUOTE) state = IN_QUOTES;
        else if (c === COMMA) state = FIELD_START;
        else if (c !== CR || (i + 1 < end && chunk[i + 1] !== LF)) state = this.broken(STRAY_QUOTE);
      }
    }
    this.filePos += end;
    out.push(chunk.subarray(emitFrom, lineStart));
    if (lineStart < end) {
      this.carryBytes += end - lineStart;
      this.carryEndsWithCr = chunk[end - 1] === CR;
      this.carry.push(chunk.subarray(lineStart));
      if (this.carryBytes > MAX_LINE_BYTES) {
        // Not held any longer: the rest of the line is left out up to its end.
        state = this.broken(LINE_TOO_LONG);
        this.carry = [];
      }
    }
    this.state = state;
    return out.length === 1 ? out[0] : Buffer.concat(out);
  }

  /** After the last chunk: the last line, when it has no line break. */
  end(): void {
    if (this.carryBytes === 0) return;
    const problem =
      this.carryBytes > MAX_LINE_BYTES
        ? LINE_TOO_LONG
        : this.state === IN_QUOTES
          ? QUOTE_NOT_CLOSED
          : this.state === BROKEN
            ? this.problem
            : !this.lineIsUtf8(Buffer.alloc(0))
              ? NOT_UTF8
              : undefined;
    if (problem) this.refused(this.line, problem, this.carryBytes, !this.headerPassed);
    else this.last = Buffer.concat(this.carry);
  }

  /** The current line, its bytes from earlier chunks followed by `tail`, is UTF-8. */
  private lineIsUtf8(tail: Buffer): boolean {
    return isUtf8(this.carryBytes > 0 ? Buffer.concat([...this.carry, tail]) : tail);
  }

  private broken(problem: FieldProblem): number {
    this.problem = problem;
    return BROKEN;
  }
}

/**
 * RFC 4180 CSV with a header row naming {@link CSV_COLUMNS} (any order, any subset with externalId), one
 * record per line ({@link oneRecordPerLine}).
 */
export async function* parseCsv(chunks: AsyncIterable<Buffer>): AsyncIterable<ParsedLine> {
  // Lines refused before the parser or by it, given back in file order among the records.
  const refused: Array<{ line: number; problem: FieldProblem }> = [];
  // Bytes the parser was not given (refused lines), per refused line in order: the checkpoint's bytes.
  const removed: Array<{ line: number; bytes: number }> = [];
  let removedBefore = 0;
  let bytesDone = 0;
  const parser = parse({
    bom: true,
    info: true,
    trim: false,
    skip_empty_lines: true,
    skip_records_with_error: true,
    max_record_size: MAX_LINE_BYTES,
    columns: (header: string[]) => {
      const names = header.map((h) => h.trim());
      // A header cell quoted in an error only when it looks like a field name: a data row is never quoted.
      const unknown = names.flatMap((name, i) =>
        CSV_COLUMNS.includes(name) ? [] : [FIELD_NAME.test(name) ? `"${name}"` : `column ${i + 1}`],
      );
      if (unknown.length > 0) {
        throw new FileFormatError(
          `unknown CSV column(s) ${unknown.join(', ')}; known: ${CSV_COLUMNS.join(', ')}`,
        );
      }
      const repeated = repeatedColumnsProblem(names);
      if (repeated) throw new FileFormatError(repeated);
      if (!names.includes('externalId'))
        throw new FileFormatError('the CSV header must have an externalId column');
      return names;
    },
  });
  parser.on('skip', (err: Error & { lines?: number; code?: string }) => {
    refused.push({
      line: err.lines ?? 0,
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
  const lines = oneRecordPerLine(chunks, (line, problem, bytes, header) => {
    if (header) {
      throw new FileFormatError(`the CSV header (line ${line}) is not valid: ${problem.message}`);
    }
    refused.push({ line, problem });
    removed.push({ line, bytes });
  });
  const source = Readable.from(lines);
  source.on('error', (err) => parser.destroy(err));
  source.pipe(parser);
  const bytesAt = (line: number, parsed: number): number => {
    while (removed.length > 0 && removed[0].line < line) removedBefore += removed.shift()!.bytes;
    bytesDone = Math.max(bytesDone, parsed + removedBefore);
    return bytesDone;
  };
  // csv-parse reports a skipped line as soon as it reads it, ahead of records it still buffers, and lines
  // refused before it are known sooner still: lines are put back in file order, which the import's
  // checkpoint relies on.
  const refusedBefore = (line: number): ParsedLine[] => {
    const due = refused.filter((r) => r.line < line).sort((a, b) => a.line - b.line);
    refused.splice(0, refused.length, ...refused.filter((r) => r.line >= line));
    return due.map((r) => ({ line: r.line, bytesDone, problem: r.problem }));
  };
  try {
    for await (const entry of parser as AsyncIterable<{
      record: Record<string, string>;
      info: { lines: number; bytes: number };
    }>) {
      yield* refusedBefore(entry.info.lines);
      const done = bytesAt(entry.info.lines, entry.info.bytes);
      yield { line: entry.info.lines, bytesDone: done, value: csvRowToSubject(entry.record) };
    }
  } catch (err) {
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof FileFormatError) throw cause;
    throw err;
  }
  bytesAt(Number.POSITIVE_INFINITY, parser.info.bytes);
  yield* refusedBefore(Number.POSITIVE_INFINITY);
}
