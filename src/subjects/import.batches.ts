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
  const cutter = new NdjsonCutter(size, resumeAfter);
  for await (const chunk of chunks) yield* cutter.cut(chunk);
  yield* cutter.end();
}

/** What {@link ndjsonBatches} knows between chunks. */
class NdjsonCutter {
  // The batch being gathered, as views of the chunks (copied once, into the batch, when it is full).
  private pieces: Buffer[] = [];
  private lines = 0;
  private firstLine = 0;
  // The start of a line that has not ended yet: the tail of one chunk or more.
  private partial: Buffer[] = [];
  private partialBytes = 0;
  /** Lines read, and bytes up to the end of the last of them: the checkpoint once the batch is written. */
  private line = 0;
  private bytesDone = 0;
  private skippingLongLine = false;

  constructor(
    private readonly size: number,
    private readonly resumeAfter: number,
  ) {}

  /** The batches a chunk completes; the rest of it is kept for the next. */
  *cut(chunk: Buffer): Generator<FileBatch> {
    let pos = 0;
    // Where the run of whole lines gathered from this chunk starts.
    let run = 0;
    for (;;) {
      const newline = chunk.indexOf(NEWLINE, pos);
      if (newline < 0) break;
      const end = newline + 1;
      if (this.skippingLongLine) {
        // The end of a line refused for its length: skipped.
        this.bytesDone += end - pos;
        this.skippingLongLine = false;
        pos = run = end;
        continue;
      }
      this.line += 1;
      this.bytesDone += this.partialBytes + end - pos;
      if (this.line <= this.resumeAfter) {
        // Committed by an earlier attempt.
        this.partial = [];
        this.partialBytes = 0;
        pos = run = end;
        continue;
      }
      if (this.lines === 0) this.firstLine = this.line;
      if (this.partialBytes > 0) {
        // A line begun in earlier chunks (it starts this one, so the run starts with its end).
        this.pieces.push(...this.partial);
        this.partial = [];
        this.partialBytes = 0;
      }
      this.lines += 1;
      pos = end;
      if (this.lines >= this.size) {
        this.pieces.push(chunk.subarray(run, end));
        run = end;
        yield this.full();
      }
    }
    if (pos > run) this.pieces.push(chunk.subarray(run, pos));
    if (pos < chunk.length) yield* this.keepPartial(chunk.subarray(pos));
  }

  /** The last batch, with a last line that has no newline. */
  *end(): Generator<FileBatch> {
    if (this.partialBytes > 0) {
      this.line += 1;
      this.bytesDone += this.partialBytes;
      if (this.line > this.resumeAfter) {
        if (this.lines === 0) this.firstLine = this.line;
        this.pieces.push(...this.partial, Buffer.from('\n'));
        this.lines += 1;
      }
    }
    if (this.lines > 0) yield this.full();
  }

  /** The start of a line the chunk does not end; refused, unread, once it is too long to hold. */
  private *keepPartial(tail: Buffer): Generator<FileBatch> {
    if (this.skippingLongLine) {
      this.bytesDone += tail.length;
      return;
    }
    this.partial.push(tail);
    this.partialBytes += tail.length;
    if (this.partialBytes <= MAX_LINE_BYTES) return;
    // The line cannot be held; it is refused unread, and skipped up to its end.
    if (this.lines > 0) yield this.full();
    this.line += 1;
    this.bytesDone += this.partialBytes;
    this.partial = [];
    this.partialBytes = 0;
    this.skippingLongLine = true;
    if (this.line > this.resumeAfter) {
      const items = [{ line: this.line, problem: TOO_LONG }];
      yield { input: { kind: 'items', items }, lastLine: this.line, bytesDone: this.bytesDone };
    }
  }

  private full(): FileBatch {
    const batch: FileBatch = {
      input: { kind: 'lines', firstLine: this.firstLine, bytes: Buffer.concat(this.pieces) },
      lastLine: this.line,
      bytesDone: this.bytesDone,
    };
    this.pieces = [];
    this.lines = 0;
    return batch;
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
