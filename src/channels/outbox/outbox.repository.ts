import { Injectable } from '@nestjs/common';
import { and, desc, eq, lt, sql } from 'drizzle-orm';
import { DatabaseService } from '../../database/database.service.js';
import { outboxMessages } from '../../database/schema.js';
import { rowsOf } from '../../database/rows.js';

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

  /**
   * Deletes up to `limit` of the messages stored before `before`, oldest first; how many. Ids grow with
   * time, so the primary key finds them without an index on the time.
   */
  async deleteBefore(before: Date, limit: number): Promise<number> {
    const [row] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with gone as (
          delete from outbox_messages where id in (
            select id from outbox_messages where created_at < ${before} order by id limit ${limit})
          returning 1)
        select count(*)::int as n from gone`),
    );
    return row?.n ?? 0;
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
