import { Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import { DatabaseService } from '../database/database.service.js';
import { MetricsService } from '../metrics/metrics.service.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, JobPayload } from '../queue/queue.catalogue.js';
import { entryHash, GENESIS_HASH } from './audit.hash.js';
import { AuditFilter, AuditRepository, AuditRow, AuditVerificationRow } from './audit.repository.js';

export interface AuditEntry {
  action: string;
  targetType: string;
  targetId?: string | null;
  /** What changed: field names, states, counts. Never personal data. */
  summary?: Record<string, unknown>;
}

export interface ChainVerification {
  valid: boolean;
  entries: number;
  firstBrokenId: number | null;
}

const VERIFY_PAGE = 5_000;

@Injectable()
export class AuditService implements OnApplicationBootstrap {
  private verifiedHere = false;
  private readonly logger = new Logger(AuditService.name);

  constructor(
    private readonly database: DatabaseService,
    private readonly repository: AuditRepository,
    private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Appends an entry to the chain. Inside a caller's transaction it commits or rolls back with the change
   * it records; the chain lock is held until then, so concurrent appends cannot fork the chain.
   */
  async record(actor: Actor, entry: AuditEntry): Promise<void> {
    await this.database.transaction(async () => {
      await this.repository.lockChain();
      const prevHash = (await this.repository.lastHash()) ?? GENESIS_HASH;
      const row = {
        at: this.clock.now(),
        actorKeyId: actor.keyId,
        actorRole: actor.role,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId ?? null,
        ip: actor.ip,
        // Through JSON once so the hash covers exactly what jsonb will give back (dates as strings).
        summary: JSON.parse(JSON.stringify(entry.summary ?? {})) as Record<string, unknown>,
        prevHash,
      };
      await this.repository.insert({ ...row, hash: entryHash(row) });
    });
  }

  async find(filter: AuditFilter): Promise<AuditRow[]> {
    return this.repository.find(filter);
  }

  /** Walks the chain in order, a page at a time, and reports the first entry whose link or hash is wrong. */
  async verify(): Promise<ChainVerification> {
    let prevHash = GENESIS_HASH;
    let lastId = 0;
    let entries = 0;
    for (;;) {
      const page = await this.repository.pageAfter(lastId, VERIFY_PAGE);
      for (const row of page) {
        entries += 1;
        if (row.prevHash !== prevHash || entryHash(row) !== row.hash) {
          return { valid: false, entries, firstBrokenId: row.id };
        }
        prevHash = row.hash;
        lastId = row.id;
      }
      if (page.length < VERIFY_PAGE) return { valid: true, entries, firstBrokenId: null };
    }
  }

  /**
   * A restarted process says what the last verification found (it is stored), not "unknown" for up to
   * an hour; with none yet, the metric stays NaN. A database not answering leaves it unknown too.
   */
  onApplicationBootstrap(): void {
    // Not awaited: start-up does not wait on a metric.
    void this.repository.recentVerifications(1).then(
      ([last]) => {
        // A verification run here since is newer than the stored one read.
        if (!last || this.verifiedHere) return;
        this.metrics.auditChainValid.set(last.valid ? 1 : 0);
        this.metrics.auditEntries.set(last.entries);
      },
      () => undefined,
    );
  }

  /** Queued on demand and hourly: verifies the chain, records the result, and exports it as metrics. */
  @OnJob(JobName.AuditVerify)
  async runVerification(_payload: JobPayload<JobName.AuditVerify>): Promise<AuditVerificationRow> {
    const started = Date.now();
    const result = await this.verify();
    const saved = await this.repository.saveVerification({ ...result, durationMs: Date.now() - started });
    this.verifiedHere = true;
    this.metrics.auditChainValid.set(result.valid ? 1 : 0);
    this.metrics.auditEntries.set(result.entries);
    if (!result.valid) this.logger.error({ firstBrokenId: result.firstBrokenId }, 'audit chain is broken');
    return saved;
  }

  async recentVerifications(limit: number): Promise<AuditVerificationRow[]> {
    return this.repository.recentVerifications(limit);
  }
}
