import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, gt, gte, lt, lte, sql, SQL } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { auditLog, auditVerifications } from '../database/schema.js';
import { AUDIT_CHAIN_LOCK } from '../database/locks.js';

export type AuditRow = typeof auditLog.$inferSelect;
export type NewAuditRow = Omit<typeof auditLog.$inferInsert, 'id'>;
export type AuditVerificationRow = typeof auditVerifications.$inferSelect;

export interface AuditFilter {
  targetType?: string;
  targetId?: string;
  actorKeyId?: string;
  action?: string;
  from?: Date;
  to?: Date;
  /** Entries older than this id (keyset paging, newest first). */
  beforeId?: number;
  limit: number;
}

@Injectable()
export class AuditRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Must run inside a transaction: the lock holds until it commits, so appends cannot fork the chain. */
  async lockChain(): Promise<void> {
    await this.database.db.execute(sql`select pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`);
  }

  async lastHash(): Promise<string | undefined> {
    const [row] = await this.database.db
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    return row?.hash;
  }

  async insert(row: NewAuditRow): Promise<AuditRow> {
    const [inserted] = await this.database.db.insert(auditLog).values(row).returning();
    return inserted;
  }

  async find(filter: AuditFilter): Promise<AuditRow[]> {
    const conditions: SQL[] = [];
    if (filter.targetType) conditions.push(eq(auditLog.targetType, filter.targetType));
    if (filter.targetId) conditions.push(eq(auditLog.targetId, filter.targetId));
    if (filter.actorKeyId) conditions.push(eq(auditLog.actorKeyId, filter.actorKeyId));
    if (filter.action) conditions.push(eq(auditLog.action, filter.action));
    if (filter.from) conditions.push(gte(auditLog.at, filter.from));
    if (filter.to) conditions.push(lte(auditLog.at, filter.to));
    if (filter.beforeId !== undefined) conditions.push(lt(auditLog.id, filter.beforeId));
    return this.database.db
      .select()
      .from(auditLog)
      .where(and(...conditions))
      .orderBy(desc(auditLog.id))
      .limit(filter.limit);
  }

  /** The chain in order, a page at a time, so verification never holds the whole log in memory. */
  async pageAfter(afterId: number, size: number): Promise<AuditRow[]> {
    return this.database.db
      .select()
      .from(auditLog)
      .where(gt(auditLog.id, afterId))
      .orderBy(asc(auditLog.id))
      .limit(size);
  }

  async saveVerification(row: Omit<AuditVerificationRow, 'id' | 'at'>): Promise<AuditVerificationRow> {
    const [inserted] = await this.database.db.insert(auditVerifications).values(row).returning();
    return inserted;
  }

  async recentVerifications(limit: number): Promise<AuditVerificationRow[]> {
    return this.database.db
      .select()
      .from(auditVerifications)
      .orderBy(desc(auditVerifications.id))
      .limit(limit);
  }
}
