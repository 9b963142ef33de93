import { Injectable } from '@nestjs/common';
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { apiKeys } from '../database/schema.js';
import { rowsOf } from '../database/rows.js';
import { FIRST_KEY_LOCK } from '../database/locks.js';

export type ApiKeyRow = typeof apiKeys.$inferSelect;
export type NewApiKeyRow = typeof apiKeys.$inferInsert;

@Injectable()
export class ApiKeyRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: NewApiKeyRow): Promise<ApiKeyRow> {
    const [inserted] = await this.database.db.insert(apiKeys).values(row).returning();
    return inserted;
  }

  /** Inserts unless a key with the same hash exists (several nodes bootstrapping ADMIN_API_KEY at once). */
  async insertIfAbsent(row: NewApiKeyRow): Promise<ApiKeyRow | undefined> {
    const [inserted] = await this.database.db
      .insert(apiKeys)
      .values(row)
      .onConflictDoNothing({ target: apiKeys.keyHash })
      .returning();
    return inserted;
  }

  /** Whether any key was ever made (revoked and expired ones count), under the first key's lock. */
  async anyKeyLocked(): Promise<boolean> {
    await this.database.db.execute(sql`select pg_advisory_xact_lock(${FIRST_KEY_LOCK})`);
    const [row] = await this.database.db.select({ id: apiKeys.id }).from(apiKeys).limit(1);
    return row !== undefined;
  }

  async findByHash(keyHash: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.database.db.select().from(apiKeys).where(eq(apiKeys.keyHash, keyHash)).limit(1);
    return row;
  }

  async findById(id: string): Promise<ApiKeyRow | undefined> {
    const [row] = await this.database.db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
    return row;
  }

  async list(): Promise<ApiKeyRow[]> {
    return this.database.db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt));
  }

  /** Revokes once; answers undefined when the key is unknown or already revoked. */
  async revoke(id: string, at: Date): Promise<ApiKeyRow | undefined> {
    const [row] = await this.database.db
      .update(apiKeys)
      .set({ revokedAt: at })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
      .returning();
    return row;
  }

  /**
   * Why `approver` may not approve what `author` drafted at `draftedAt`, if anything: the two keys have
   * one holder, or the approver key, or a key in the chain of keys that made it, was made by the author
   * after the draft (an author minting approver keys, directly or through another key). Key times are
   * the database's, the draft's the service's clock: within their skew (normally milliseconds) the
   * comparison may go either way.
   */
  async approvalConflict(
    approver: string,
    author: string,
    draftedAt: Date,
  ): Promise<'same_holder' | 'made_by_author' | undefined> {
    const [row] = rowsOf<{ same_holder: boolean; made: boolean }>(
      await this.database.db.execute(sql`
        with recursive chain (id, created_by, created_at, depth) as (
          select id, created_by, created_at, 0 from api_keys where id = ${approver}::uuid
          union all
          select k.id, k.created_by, k.created_at, c.depth + 1
          from api_keys k join chain c on k.id = c.created_by
          where c.depth < 32)
        select
          exists (
            select 1 from api_keys a, api_keys b
            where a.id = ${approver}::uuid and b.id = ${author}::uuid
              -- Holders stored before a trailing dot was dropped (normalizeHolder) compare without it too.
              and rtrim(a.holder, '.') = rtrim(b.holder, '.')
          ) as same_holder,
          exists (
            select 1 from chain c where c.created_by = ${author}::uuid and c.created_at >= ${draftedAt}
          ) as made`),
    );
    if (row?.same_holder) return 'same_holder';
    if (row?.made) return 'made_by_author';
    return undefined;
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.database.db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
  }
}
