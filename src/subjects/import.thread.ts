import { parentPort, workerData } from 'node:worker_threads';
import { messageOf } from '../common/errors.js';
import { BatchPreparer, transferables, type BatchInput, type PreparerSettings } from './subject.batch.js';

// An import worker thread: prepares batches (validate, seal, hash) off the main thread.
const preparer = new BatchPreparer(workerData as PreparerSettings);

parentPort?.on('message', (message: { id: number; input: BatchInput; now: string }) => {
  try {
    const result = preparer.prepare(message.input, new Date(message.now));
    parentPort?.postMessage({ id: message.id, result }, transferables(result));
  } catch (err) {
    parentPort?.postMessage({ id: message.id, error: messageOf(err) });
  }
});
