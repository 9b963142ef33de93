import { Injectable } from '@nestjs/common';
import { and, asc, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { webhookEvents } from '../database/schema.js';

const STORE_CHUNK = 1_000;

export type WebhookEventRow = typeof webhookEvents.$inferSelect;
export type NewWebhookEvent = Omit<typeof webhookEvents.$inferInsert, 'id'>;

@Injectable()
export class WebhooksRepository {
  constructor(private readonly database: DatabaseService) {}

  /** Stores new events; an event seen before (a replay, a provider's retry) is skipped. */
  async store(events: NewWebhookEvent[]): Promise<number> {
    let stored = 0;
    // A statement takes at most 65,535 parameters: 10,000 events of 8 go in chunks.
    for (let from = 0; from < events.length; from += STORE_CHUNK) {
      const rows = await this.database.db
        .insert(webhookEvents)
        .values(events.slice(from, from + STORE_CHUNK))
        .onConflictDoNothing()
        .returning({ id: webhookEvents.id });
      stored += rows.length;
    }
    return stored;
  }

  /**
   * Claims up to `limit` events not applied yet, in arrival order, until `until`, so that no other drain
   * takes them meanwhile (rows another drain is claiming at this moment are skipped, not waited for).
   * Not those waiting for their send to be recorded, nor those another drain holds. A drain that dies
   * leaves its claim to lapse at `until`, and the events to the next drain: applying an event again
   * changes nothing (what it updates is conditional on the message's status).
   */
  async claim(limit: number, now: Date, until: Date): Promise<WebhookEventRow[]> {
    const free = this.database.db
      .select({ id: webhookEvents.id })
      .from(webhookEvents)
      .where(
        and(
          isNull(webhookEvents.processedAt),
          or(isNull(webhookEvents.notBefore), lte(webhookEvents.notBefore, now)),
          or(isNull(webhookEvents.claimedUntil), lte(webhookEvents.claimedUntil, now)),
        ),
      )
      .orderBy(asc(webhookEvents.id))
      .limit(limit)
      .for('update', { skipLocked: true });
    const rows = await this.database.db
      .update(webhookEvents)
      .set({ claimedUntil: until })
      .where(inArray(webhookEvents.id, free))
      .returning();
    return rows.sort((a, b) => a.id - b.id);
  }

  /** Events that came before their send was recorded: given back, to be looked at again after `until`. */
  async wait(ids: number[], until: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db.execute(sql`
      update webhook_events set not_before = ${until}, claimed_until = null
      where id = any(${sql.param(ids)}::bigint[]) and processed_at is null`);
  }

  /**
   * One statement for a chunk of events (a burst is applied 500 at a time). An event already marked keeps
   * its first outcome: a drain that outlived its claim applied it again, to no effect.
   */
  async done(outcomes: Array<{ id: number; outcome: string }>, now: Date): Promise<void> {
    if (outcomes.length === 0) return;
    await this.database.db.execute(sql`
      update webhook_events e set processed_at = ${now}, outcome = x.outcome, claimed_until = null
      from unnest(${sql.param(outcomes.map((o) => o.id))}::bigint[], ${sql.param(outcomes.map((o) => o.outcome))}::text[])
        as x(id, outcome)
      where e.id = x.id and e.processed_at is null`);
  }
}
