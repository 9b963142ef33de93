import { Injectable } from '@nestjs/common';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { apiKeys } from '../database/schema.js';

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

  async touch(id: string, at: Date): Promise<void> {
    await this.database.db.update(apiKeys).set({ lastUsedAt: at }).where(eq(apiKeys.id, id));
  }
}
