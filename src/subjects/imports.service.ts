import type { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Actor } from '../common/actor.js';
import { SYSTEM_ACTOR } from '../common/actor.js';
import { AuditService } from '../audit/audit.service.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode, withoutParams } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { DatabaseService } from '../database/database.service.js';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, JobPayload } from '../queue/queue.catalogue.js';
import { FileFormatError, ImportFormat } from './import.parsers.js';
import { ImportRow, ImportsRepository, ImportStatus, RejectionRow } from './imports.repository.js';
import { PreparerPool } from './import.pool.js';
import type { PreparedBatch } from './subject.batch.js';
import { fileBatches, type FileBatch } from './import.batches.js';
import { SubjectsService } from './subjects.service.js';

/** The upload is stored in sealed chunks of this size: memory stays flat whatever the file's size. */
export const CHUNK_BYTES = 1 * 1024 * 1024;
/** Rows per set-based upsert. */
const BATCH_ROWS = 5_000;
/** Every rejected line is counted; the first ones are kept with their reasons. */
export const REJECTIONS_KEPT = 10_000;

/** While the file is still arriving, the job looks for its next chunk this often. */
const UPLOAD_POLL_MS = 20;
/** An upload connection silent this long is cut off: the upload was interrupted. */
export const UPLOAD_IDLE_MS = 60_000;
/**
 * An upload that brings no chunk for this long is given up by its job (the API node storing it died;
 * a silent sender is cut off sooner, by UPLOAD_IDLE_MS).
 */
export const UPLOAD_STALL_MS = 5 * 60_000;
/** How long the whole of a request may take: an import of IMPORT_MAX_BYTES needs far more than Node's 5 minutes. */
export const REQUEST_MAX_MS = 2 * 60 * 60_000;

const FINISHED = new Set<string>([ImportStatus.Completed, ImportStatus.Failed]);

/** The job failed the import while its file was arriving: the rest is not stored. */
class StoppedEarly extends Error {}

/** Why the job gives up an upload that brings no more data (its API node died). */
export const STALLED = `the upload stopped: no data for ${UPLOAD_STALL_MS / 60_000} minutes`;

/** Why an import failed, as its job stops on it: what the row says, or that its upload broke. */
const INTERRUPTED = 'the upload was interrupted';
const stoppedBy = (row: ImportRow | undefined): FileFormatError =>
  new FileFormatError(row?.error ?? INTERRUPTED);
const chunkAad = (importId: string, seq: number): string => `import:${importId}:${seq}`;

/**
 * Streamed imports. The API node stores the upload sealed in chunks (so any worker node can process it and
 * a retried job can start again), each committed as it arrives, and queues the job as the upload starts:
 * the worker processes the chunks while the rest of the file is still arriving, and the 202 comes once the
 * whole file is stored. The worker streams the chunks through the parser; batches are validated and sealed
 * on worker threads in parallel and upserted in file order. Each batch commits with its rejections and a
 * checkpoint, so a retry resumes after the last committed line. An upload that breaks fails the import;
 * the lines already imported stay (each is a valid person, and sending the file again updates them).
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger(ImportsService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: ImportsRepository,
    private readonly subjects: SubjectsService,
    private readonly jobs: JobRepository,
    private readonly audit: AuditService,
    private readonly crypto: CryptoService,
    private readonly pool: PreparerPool,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  async receive(
    actor: Actor,
    format: ImportFormat,
    body: Readable,
    declaredBytes?: number,
  ): Promise<ImportRow> {
    if (declaredBytes !== undefined && declaredBytes > this.config.importMaxBytes) {
      // Refused before anything is imported (a file sent without a length is cut off at the limit instead).
      body.resume();
      throw this.tooLarge();
    }
    const created = await this.repository.create(format, actor.keyId, this.clock.now());
    // Queued now, after the row's commit: the worker starts on the first chunks while the rest arrives.
    // Not awaited: with Redis down, adding waits for it; the upload goes on and the sweep queues the job.
    void this.enqueue(created.id).catch((err: unknown) =>
      this.logger.warn(
        { importId: created.id, err: withoutParams(err) },
        'import job not queued; the sweep will queue it',
      ),
    );
    const stored = await this.storeUpload(created.id, body);
    const received = await this.database.transaction(async () => {
      const row = await this.repository.received(created.id, { ...stored, at: this.clock.now() }, STALLED);
      // Given up while the file was arriving (it stalled): nothing is recorded as received.
      if (!row) return undefined;
      // Failed by its job on the file's content, whether before or after the last chunk came: the answer is
      // the import as it stands (failed, with its reason), and chunks stored after the job stopped go too.
      if (row.status === String(ImportStatus.Failed)) await this.repository.dropChunks(created.id);
      await this.audit.record(actor, {
        action: 'subject.import.create',
        targetType: 'subject_import',
        targetId: created.id,
        summary: { format, bytes: stored.bytes },
      });
      return row;
    });
    if (!received) throw await this.givenUp(created.id);
    return received;
  }

  /**
   * Stores the body in sealed chunks of CHUNK_BYTES, each committed as it arrives. A body that breaks,
   * is too large or is empty fails the import; one whose import its job failed meanwhile is read and
   * dropped (the answer is then the failed import).
   */
  private async storeUpload(importId: string, body: Readable): Promise<{ bytes: number; chunks: number }> {
    const cipher = this.crypto.cipher;
    let seq = 0;
    let bytes = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const store = async () => {
      const chunk = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      // The 202 is answered after a normal commit, which flushes these chunks' WAL too.
      const sealed = cipher.seal(chunk, chunkAad(importId, seq));
      await this.database.transaction(
        () => this.repository.addChunk(importId, seq, cipher.currentKeyId, sealed),
        { asyncCommit: true },
      );
      seq += 1;
      // Every 16 MB, whether the job failed the import (its content, or a stall): then the rest is not taken.
      if (seq % 16 === 0 && (await this.repository.find(importId))?.status === String(ImportStatus.Failed)) {
        throw new StoppedEarly();
      }
    };
    try {
      for await (const piece of body as AsyncIterable<Buffer>) {
        bytes += piece.length;
        if (bytes > this.config.importMaxBytes) {
          body.resume();
          throw this.tooLarge();
        }
        pending.push(piece);
        pendingBytes += piece.length;
        if (pendingBytes >= CHUNK_BYTES) await store();
      }
      if (pendingBytes > 0) await store();
      if (bytes === 0) {
        throw AppError.invalid([{ field: 'body', rule: 'isNotEmpty', message: 'the file is empty' }]);
      }
    } catch (err) {
      if (!(err instanceof StoppedEarly)) {
        const reason = err instanceof AppError ? err.message : INTERRUPTED;
        await this.repository.update(importId, { status: ImportStatus.Failed, error: reason, bytes });
        await this.repository.dropChunks(importId);
        throw err;
      }
      body.resume();
    }
    return { bytes, chunks: seq };
  }

  private tooLarge(): AppError {
    return new AppError(
      ErrorCode.PayloadTooLarge,
      `the file is larger than IMPORT_MAX_BYTES (${this.config.importMaxBytes} bytes); split it`,
    );
  }

  /** The job gave the import up while its file arrived: what came after is not kept; the sender gets 409. */
  private async givenUp(id: string): Promise<AppError> {
    await this.repository.dropChunks(id);
    const row = await this.repository.find(id);
    return new AppError(ErrorCode.Conflict, `import ${id} was given up: ${row?.error ?? 'failed'}`, {
      importId: id,
    });
  }

  /**
   * Every minute: imports the rows say are receiving, waiting or running get their job again (same job id,
   * so a job still there is left alone). Covers a crash between commit and enqueue, and a Redis that lost
   * its jobs; an upload whose sender died is failed by its job once it has stalled.
   */
  @OnJob(JobName.ImportsSweep)
  async sweep(): Promise<{ requeued: number }> {
    const waiting = await this.repository.unfinished();
    for (const id of waiting) await this.enqueue(id);
    return { requeued: waiting.length };
  }

  private async enqueue(importId: string): Promise<void> {
    await this.jobs.add(JobName.SubjectsImport, { importId }, { jobId: `import-${importId}` });
  }

  async get(id: string): Promise<ImportRow> {
    const row = await this.repository.find(id);
    if (!row) throw AppError.notFound('import', id);
    return row;
  }

  async rejections(id: string, afterId: number, limit: number): Promise<RejectionRow[]> {
    await this.get(id);
    return this.repository.rejections(id, afterId, limit);
  }

  countRejections(id: string): Promise<number> {
    return this.repository.countRejections(id);
  }

  @OnJob(JobName.SubjectsImport)
  async process(payload: JobPayload<JobName.SubjectsImport>, job?: Job): Promise<Record<string, unknown>> {
    const row = await this.repository.find(payload.importId);
    if (!row || FINISHED.has(row.status)) {
      return { skipped: row?.status ?? 'missing' };
    }
    await this.repository.start(row.id, row.startedAt ?? this.clock.now());
    try {
      await this.run(row);
    } catch (err) {
      const lastAttempt = !job || job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!(err instanceof FileFormatError) && !lastAttempt) throw err;
      const reason = err instanceof FileFormatError ? err.message : 'the import failed; see the service log';
      this.logger.error(
        { importId: row.id, err: err instanceof FileFormatError ? undefined : withoutParams(err) },
        'import failed',
      );
      await this.finish(row.id, ImportStatus.Failed, reason);
      return { failed: reason };
    }
    const done = await this.finish(row.id, ImportStatus.Completed, null);
    return { created: done.created, updated: done.updated, rejected: done.rejected };
  }

  private async run(row: ImportRow): Promise<void> {
    const now = this.clock.now();
    const kept = { rejections: await this.repository.countRejections(row.id) };
    // Batches are prepared on the threads in parallel and written in file order, one at a time, while the
    // file goes on being read: at most `maxAhead` batches are in flight.
    const maxAhead = this.pool.threads * 1 + 1;
    const inFlight: Array<Promise<void>> = [];
    let chain: Promise<void> = Promise.resolve();
    const submit = async (batch: FileBatch) => {
      const prepared = this.pool.prepare(batch.input, now);
      // Awaited in order through the chain; marked handled now so a failure cannot crash the process meanwhile.
      prepared.catch(() => undefined);
      chain = chain.then(() => this.write(row.id, batch, prepared, kept));
      chain.catch(() => undefined);
      inFlight.push(chain);
      while (inFlight.length >= maxAhead) await inFlight.shift();
    };
    try {
      const format = row.format as ImportFormat;
      for await (const batch of fileBatches(format, this.chunks(row.id), BATCH_ROWS, row.linesDone)) {
        await submit(batch);
      }
    } catch (err) {
      // The batches already handed over commit (or fail) before the import is marked failed and counted.
      await chain.catch(() => undefined);
      throw err;
    }
    await chain;
  }

  /** A prepared batch, its first REJECTIONS_KEPT rejections and the checkpoint after it, in one commit. */
  private async write(
    importId: string,
    batch: FileBatch,
    preparing: Promise<PreparedBatch>,
    kept: { rejections: number },
  ): Promise<void> {
    const prepared = await preparing;
    const rejections = prepared.rejections.slice(0, Math.max(0, REJECTIONS_KEPT - kept.rejections));
    kept.rejections += rejections.length;
    await this.database.transaction(
      async () => {
        const { created, updated } = await this.subjects.store(prepared);
        await this.repository.addRejections(importId, rejections);
        const counted = await this.repository.checkpoint(importId, {
          linesDone: batch.lastLine,
          bytesDone: batch.bytesDone,
          created,
          updated,
          rejected: prepared.rejectedLines,
        });
        if (!counted) {
          // Failed while this batch was on its way (the upload broke): it is not stored either.
          throw stoppedBy(await this.repository.find(importId));
        }
      },
      { asyncCommit: true },
    );
  }

  /** The file's chunks in order, waiting for each while the upload is still arriving. */
  private async *chunks(importId: string): AsyncIterable<Buffer> {
    const cipher = this.crypto.cipher;
    for (let seq = 0; ; seq += 1) {
      const sealed = await this.nextChunk(importId, seq);
      if (!sealed) return;
      yield cipher.open(sealed, chunkAad(importId, seq));
    }
  }

  private async nextChunk(importId: string, seq: number): Promise<Buffer | undefined> {
    const since = this.clock.now().getTime();
    for (;;) {
      const sealed = await this.repository.chunk(importId, seq);
      if (sealed) return sealed;
      const now = await this.repository.find(importId);
      if (!now || now.status === String(ImportStatus.Failed)) throw stoppedBy(now);
      // Whole: marked received (uploads stored by an older API node only count their chunks).
      if (now.receivedAt || now.chunks > 0) {
        if (seq >= now.chunks) return undefined;
        // Stored between the two reads.
        const late = await this.repository.chunk(importId, seq);
        if (!late) throw new Error(`chunk ${seq} of import ${importId} is missing`);
        return late;
      }
      if (this.clock.now().getTime() - since > UPLOAD_STALL_MS) {
        throw new FileFormatError(STALLED);
      }
      await new Promise((resolve) => setTimeout(resolve, UPLOAD_POLL_MS));
    }
  }

  private async finish(id: string, status: ImportStatus, error: string | null): Promise<ImportRow> {
    const current = await this.get(id);
    return this.database.transaction(async () => {
      const row = await this.repository.update(id, {
        status,
        error,
        finishedAt: this.clock.now(),
        bytesDone: status === ImportStatus.Completed ? current.bytes : current.bytesDone,
      });
      await this.repository.dropChunks(id);
      await this.audit.record(SYSTEM_ACTOR, {
        action: `subject.import.${status}`,
        targetType: 'subject_import',
        targetId: id,
        summary: {
          created: row!.created,
          updated: row!.updated,
          rejected: row!.rejected,
          lines: row!.linesDone,
        },
      });
      return row!;
    });
  }
}
