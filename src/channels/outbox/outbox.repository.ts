import { Injectable } from '@nestjs/common';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { DatabaseService } from '../../database/database.service.js';
import { outboxMessages } from '../../database/schema.js';

export type OutboxRow = typeof outboxMessages.$inferSelect;

@Injectable()
export class OutboxRepository {
  constructor(private readonly database: DatabaseService) {}

  async add(
    rows: Array<{ channel: string; messageId: number; keyId: string; sealed: Buffer }>,
    now: Date,
  ): Promise<number[]> {
    if (rows.length === 0) return [];
    const inserted = await this.database.db
      .insert(outboxMessages)
      .values(rows.map((r) => ({ ...r, createdAt: now })))
      .returning({ id: outboxMessages.id });
    return inserted.map((r) => r.id);
  }

  /** Deletes the messages stored before `before`; how many. */
  async deleteBefore(before: Date): Promise<number> {
    const deleted = await this.database.db
      .delete(outboxMessages)
      .where(lt(outboxMessages.createdAt, before))
      .returning({ id: outboxMessages.id });
    return deleted.length;
  }

  /** Newest first, keyset-paged. */
  async page(channel: string | undefined, beforeId: number | undefined, limit: number): Promise<OutboxRow[]> {
    const conditions = [
      channel ? eq(outboxMessages.channel, channel) : sql`true`,
      beforeId ? lt(outboxMessages.id, beforeId) : sql`true`,
    ];
    return this.database.db
      .select()
      .from(outboxMessages)
      .where(and(...conditions))
      .orderBy(desc(outboxMessages.id))
      .limit(limit);
  }
}
