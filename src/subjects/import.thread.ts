import { parentPort, workerData } from 'node:worker_threads';
import { BatchPreparer, type BatchInput, type PreparerSettings } from './subject.batch.js';

// An import worker thread: prepares batches (validate, seal, hash) off the main thread.
const preparer = new BatchPreparer(workerData as PreparerSettings);

parentPort?.on('message', (message: { id: number; input: BatchInput; now: string }) => {
  try {
    parentPort?.postMessage({
      id: message.id,
      result: preparer.prepare(message.input, new Date(message.now)),
    });
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: err instanceof Error ? err.message : String(err) });
  }
});
