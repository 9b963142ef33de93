import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { withoutParams } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { PROJECT_ROOT } from '../paths.js';
import {
  BatchPreparer,
  type BatchInput,
  type PreparedBatch,
  type PreparerSettings,
} from './subject.batch.js';

/** The compiled thread entry; tests run the TypeScript sources, and build first, so it is there too. */
const THREAD_SCRIPT = resolve(PROJECT_ROOT, 'dist/subjects/import.thread.js');
/** Each thread's heap is capped: a batch needs a few MB, and garbage must not grow the process. */
const THREAD_HEAP_MB = 48;
const THREAD_YOUNG_MB = 8;

interface Pending {
  resolve: (batch: PreparedBatch) => void;
  reject: (err: Error) => void;
}

/**
 * Prepares batches of people (validate, seal, hash: about 60 µs of CPU per person) on worker threads, so
 * an import uses every core while the main thread streams the file and talks to the database. With
 * IMPORT_THREADS=0, or without the compiled thread script, batches are prepared inline.
 */
@Injectable()
export class PreparerPool implements OnApplicationShutdown {
  private readonly logger = new Logger(PreparerPool.name);
  private workers?: Worker[];
  private inline?: BatchPreparer;
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;

  constructor(
    private readonly config: AppConfig,
    private readonly crypto: CryptoService,
  ) {}

  /** How many threads prepare batches (started on first use). */
  get threads(): number {
    return this.start().length;
  }

  async prepare(input: BatchInput, now: Date): Promise<PreparedBatch> {
    const workers = this.start();
    if (workers.length === 0) return this.inlinePreparer().prepare(input, now);
    const id = this.nextId++;
    const worker = workers[id % workers.length];
    return new Promise<PreparedBatch>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      // Raw bytes move to the thread instead of being copied, when they own their memory.
      const bytes = input.kind === 'lines' ? input.bytes : undefined;
      const movable = bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      worker.postMessage({ id, input, now: now.toISOString() }, movable ? [bytes.buffer as ArrayBuffer] : []);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    const workers = this.workers ?? [];
    this.workers = undefined;
    await Promise.all(workers.map((w) => w.terminate()));
  }

  private settings(): PreparerSettings {
    const { keys, hashKey } = this.crypto.keys;
    return {
      categories: [...this.config.dataCategories],
      minorAgeDefault: this.config.minorAgeDefault,
      minorAges: { ...this.config.minorAges },
      keys: keys.map((k) => ({ id: k.id, key: k.key.toString('base64') })),
      hashKey: hashKey.toString('base64'),
    };
  }

  private inlinePreparer(): BatchPreparer {
    this.inline ??= new BatchPreparer(this.settings());
    return this.inline;
  }

  private start(): Worker[] {
    if (this.workers) return this.workers;
    const count = this.config.importThreads;
    if (count > 0 && !existsSync(THREAD_SCRIPT)) {
      this.logger.warn(`${THREAD_SCRIPT} is missing (run npm run build): imports prepare batches inline`);
    }
    this.workers =
      count > 0 && existsSync(THREAD_SCRIPT) ? Array.from({ length: count }, () => this.spawn()) : [];
    return this.workers;
  }

  private spawn(): Worker {
    const worker = new Worker(THREAD_SCRIPT, {
      workerData: this.settings(),
      resourceLimits: { maxOldGenerationSizeMb: THREAD_HEAP_MB, maxYoungGenerationSizeMb: THREAD_YOUNG_MB },
    });
    worker.unref();
    worker.on('message', (message: { id: number; result?: PreparedBatch; error?: string }) => {
      const waiting = this.pending.get(message.id);
      this.pending.delete(message.id);
      if (message.result) waiting?.resolve(message.result);
      else waiting?.reject(new Error(`import thread: ${message.error ?? 'no result'}`));
    });
    worker.on('error', (err) => {
      this.logger.error({ err: withoutParams(err) }, 'import thread failed');
      // Fail what was waiting; the next batch starts fresh threads (the job retries and resumes).
      for (const [id, waiting] of this.pending) {
        waiting.reject(err);
        this.pending.delete(id);
      }
      const workers = this.workers ?? [];
      this.workers = undefined;
      void Promise.all(workers.map((w) => w.terminate()));
    });
    return worker;
  }
}
