import type { FieldProblem } from '../common/errors.js';
import { MAX_LINE_BYTES, parseCsv, type ImportFormat } from './import.parsers.js';
import type { BatchInput } from './subject.batch.js';

/** A batch of a file, with where the file stands once it is written (the import's checkpoint). */
export interface FileBatch {
  input: BatchInput;
  lastLine: number;
  bytesDone: number;
}

const NEWLINE = 0x0a;
const TOO_LONG: FieldProblem = {
  field: 'line',
  rule: 'maxLength',
  message: `the line is longer than ${MAX_LINE_BYTES} bytes`,
};

/**
 * Cuts a file into batches of about `size` lines, skipping the lines up to `resumeAfter`. NDJSON batches
 * are raw bytes of whole lines, found with a native newline search and handed to an import thread that
 * decodes, parses and validates them: the main thread touches no line as a JavaScript string. CSV is
 * parsed here (a quoted field can hold a newline) and sent as values.
 */
export function fileBatches(
  format: ImportFormat,
  chunks: AsyncIterable<Buffer>,
  size: number,
  resumeAfter: number,
): AsyncIterable<FileBatch> {
  return format === 'ndjson'
    ? ndjsonBatches(chunks, size, resumeAfter)
    : csvBatches(chunks, size, resumeAfter);
}

async function* ndjsonBatches(
  chunks: AsyncIterable<Buffer>,
  size: number,
  resumeAfter: number,
): AsyncIterable<FileBatch> {
  let carry: Buffer = Buffer.alloc(0);
  /** Lines before `carry` (the next line's number is line + 1), and bytes before it. */
  let line = 0;
  let bytesDone = 0;
  let skippingLongLine = false;

  for await (const chunk of chunks) {
    let buffer = carry.length > 0 ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    if (skippingLongLine) {
      const end = buffer.indexOf(NEWLINE);
      if (end < 0) {
        bytesDone += buffer.length;
        carry = Buffer.alloc(0);
        continue;
      }
      bytesDone += end + 1;
      start = end + 1;
      skippingLongLine = false;
    }
    for (;;) {
      // Up to `size` whole lines from `start`.
      let end = start - 1;
      let count = 0;
      while (count < size) {
        const next = buffer.indexOf(NEWLINE, end + 1);
        if (next < 0) break;
        end = next;
        count += 1;
      }
      if (count === 0) break;
      const firstLine = line + 1;
      line += count;
      bytesDone += end + 1 - start;
      if (line > resumeAfter) {
        // Lines already committed by an earlier attempt are cut off the front.
        let from = start;
        let first = firstLine;
        while (first <= resumeAfter) {
          from = buffer.indexOf(NEWLINE, from) + 1;
          first += 1;
        }
        // A copy of its own, so the batch can move to a thread without taking the chunk along.
        yield {
          input: { kind: 'lines', firstLine: first, bytes: Buffer.from(buffer.subarray(from, end + 1)) },
          lastLine: line,
          bytesDone,
        };
      }
      start = end + 1;
      if (count < size) break;
    }
    carry = Buffer.from(buffer.subarray(start));
    buffer = carry;
    if (carry.length > MAX_LINE_BYTES) {
      // The line cannot be held; it is refused unread, and skipped up to its end.
      line += 1;
      bytesDone += carry.length;
      carry = Buffer.alloc(0);
      skippingLongLine = true;
      if (line > resumeAfter) {
        yield { input: { kind: 'items', items: [{ line, problem: TOO_LONG }] }, lastLine: line, bytesDone };
      }
    }
  }
  if (carry.length > 0) {
    line += 1;
    bytesDone += carry.length;
    if (line > resumeAfter) {
      yield {
        input: { kind: 'lines', firstLine: line, bytes: Buffer.concat([carry, Buffer.from('\n')]) },
        lastLine: line,
        bytesDone,
      };
    }
  }
}

async function* csvBatches(
  chunks: AsyncIterable<Buffer>,
  size: number,
  resumeAfter: number,
): AsyncIterable<FileBatch> {
  let items: Array<{ line: number; value?: unknown; problem?: FieldProblem }> = [];
  let last = { line: 0, bytesDone: 0 };
  for await (const parsed of parseCsv(chunks)) {
    last = { line: parsed.line, bytesDone: parsed.bytesDone };
    if (parsed.line <= resumeAfter) continue;
    items.push({ line: parsed.line, value: parsed.value, problem: parsed.problem });
    if (items.length >= size) {
      yield { input: { kind: 'items', items }, lastLine: last.line, bytesDone: last.bytesDone };
      items = [];
    }
  }
  if (items.length > 0)
    yield { input: { kind: 'items', items }, lastLine: last.line, bytesDone: last.bytesDone };
}
