import { Injectable } from '@nestjs/common';
import { SYSTEM_ACTOR, type Actor } from '../../common/actor.js';
import { AuditService } from '../../audit/audit.service.js';
import { Clock } from '../../common/clock.js';
import { AppConfig } from '../../config/config.js';
import { CryptoService } from '../../crypto/crypto.service.js';
import { DatabaseService } from '../../database/database.service.js';
import type { OutboxPageDto } from './outbox.dto.js';
import { outboxAad } from './outbox.adapter.js';
import { OnJob } from '../../queue/on-job.decorator.js';
import { JobName } from '../../queue/queue.catalogue.js';
import { OutboxRepository } from './outbox.repository.js';

const PRUNE_CHUNK = 10_000;

@Injectable()
export class OutboxService {
  constructor(
    private readonly database: DatabaseService,
    private readonly repository: OutboxRepository,
    private readonly crypto: CryptoService,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * The outbox keeps what it would have sent for OUTBOX_RETENTION_DAYS, no longer: names and addresses
   * are not kept for nothing. Hourly; the deletion is audited.
   */
  @OnJob(JobName.OutboxPrune)
  async prune(): Promise<{ deleted: number }> {
    if (this.config.outboxRetentionMs === 0) return { deleted: 0 };
    const before = new Date(this.clock.now().getTime() - this.config.outboxRetentionMs);
    // In chunks, each its own statement: a million-recipient campaign's outbox is not one transaction.
    let deleted = 0;
    for (let chunk = PRUNE_CHUNK; chunk === PRUNE_CHUNK; deleted += chunk) {
      chunk = await this.repository.deleteBefore(before, PRUNE_CHUNK);
    }
    if (deleted > 0) {
      await this.audit.record(SYSTEM_ACTOR, {
        action: 'outbox.prune',
        targetType: 'outbox',
        targetId: 'all',
        summary: { deleted, before: before.toISOString() },
      });
    }
    return { deleted };
  }

  /** Outbox messages hold addresses and names: opened here only, and the read is audited. */
  async page(
    actor: Actor,
    channel: string | undefined,
    before: number | undefined,
    limit: number,
  ): Promise<OutboxPageDto> {
    return this.database.transaction(async () => {
      const rows = await this.repository.page(channel, before, limit);
      await this.audit.record(actor, {
        action: 'outbox.read',
        targetType: 'outbox',
        targetId: channel ?? 'all',
        summary: { count: rows.length, before: before ?? null },
      });
      return {
        items: rows.map((row) => ({
          id: row.id,
          channel: row.channel,
          messageId: row.messageId,
          content: this.crypto.cipher.openJson<Record<string, unknown>>(
            Buffer.from(row.sealed),
            outboxAad(row.channel, row.messageId ?? 0),
          ),
          createdAt: row.createdAt.toISOString(),
        })),
        nextBefore: rows.length === limit ? rows[rows.length - 1].id : null,
      };
    });
  }
}
