import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';
import { JobRepository } from '../queue/job.repository.js';

export interface Readiness {
  status: 'ok' | 'error';
  checks: Record<string, { status: 'up' | 'down'; error?: string }>;
}

const TIMEOUT_MS = 2_000;

@Injectable()
export class HealthService {
  constructor(
    private readonly database: DatabaseService,
    private readonly jobs: JobRepository,
  ) {}

  /** Ready when the database and the queue backend both answer within the timeout. */
  async readiness(): Promise<Readiness> {
    const [database, queue] = await Promise.all([
      check(() => this.database.ping()),
      check(() => this.jobs.ping()),
    ]);
    const checks = { database, queue };
    return { status: database.status === 'up' && queue.status === 'up' ? 'ok' : 'error', checks };
  }
}

async function check(probe: () => Promise<void>): Promise<{ status: 'up' | 'down'; error?: string }> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probe(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer in ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
      }),
    ]);
    return { status: 'up' };
  } catch (err) {
    // The class of failure only: driver messages can carry host names and user names.
    return {
      status: 'down',
      error: err instanceof Error && err.message.startsWith('no answer') ? err.message : 'unavailable',
    };
  } finally {
    clearTimeout(timer);
  }
}
