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
 * Cuts a file into batches of `size` lines (fewer for the last), skipping the lines up to `resumeAfter`.
 * NDJSON batches are raw bytes of whole lines, found with a native newline search across chunks and
 * copied once, into the batch that goes to an import thread, which decodes, parses and validates them: the
 * main thread touches no line as a JavaScript string. CSV is
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
  // The batch being gathered, as views of the chunks (copied once, into the batch, when it is full).
  let pieces: Buffer[] = [];
  let lines = 0;
  let firstLine = 0;
  // The start of a line that has not ended yet: the tail of one chunk or more.
  let partial: Buffer[] = [];
  let partialBytes = 0;
  /** Lines read, and bytes up to the end of the last of them: the checkpoint once the batch is written. */
  let line = 0;
  let bytesDone = 0;
  let skippingLongLine = false;

  const full = (): FileBatch => {
    const batch: FileBatch = {
      input: { kind: 'lines', firstLine, bytes: Buffer.concat(pieces) },
      lastLine: line,
      bytesDone,
    };
    pieces = [];
    lines = 0;
    return batch;
  };

  for await (const chunk of chunks) {
    let pos = 0;
    // Where the run of whole lines gathered from this chunk starts.
    let run = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, pos);
      if (newline < 0) break;
      const end = newline + 1;
      if (skippingLongLine) {
        // The end of a line refused for its length: skipped.
        bytesDone += end - pos;
        skippingLongLine = false;
        pos = run = end;
        continue;
      }
      line += 1;
      bytesDone += partialBytes + end - pos;
      if (line <= resumeAfter) {
        // Committed by an earlier attempt.
        partial = [];
        partialBytes = 0;
        pos = run = end;
        continue;
      }
      if (lines === 0) firstLine = line;
      if (partialBytes > 0) {
        // A line begun in earlier chunks (it starts this one, so the run starts with its end).
        pieces.push(...partial);
        partial = [];
        partialBytes = 0;
      }
      lines += 1;
      pos = end;
      if (lines >= size) {
        pieces.push(chunk.subarray(run, end));
        run = end;
        yield full();
      }
    }
    if (pos > run) pieces.push(chunk.subarray(run, pos));
    if (pos === chunk.length) continue;
    if (skippingLongLine) {
      bytesDone += chunk.length - pos;
      continue;
    }
    partial.push(chunk.subarray(pos));
    partialBytes += chunk.length - pos;
    if (partialBytes > MAX_LINE_BYTES) {
      // The line cannot be held; it is refused unread, and skipped up to its end.
      if (lines > 0) yield full();
      line += 1;
      bytesDone += partialBytes;
      partial = [];
      partialBytes = 0;
      skippingLongLine = true;
      if (line > resumeAfter) {
        yield { input: { kind: 'items', items: [{ line, problem: TOO_LONG }] }, lastLine: line, bytesDone };
      }
    }
  }
  if (partialBytes > 0) {
    // The last line has no newline.
    line += 1;
    bytesDone += partialBytes;
    if (line > resumeAfter) {
      if (lines === 0) firstLine = line;
      pieces.push(...partial, Buffer.from('\n'));
      lines += 1;
    }
  }
  if (lines > 0) yield full();
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
