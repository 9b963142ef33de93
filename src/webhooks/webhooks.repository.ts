import { Injectable } from '@nestjs/common';
import { and, asc, isNull, lte, or, sql } from 'drizzle-orm';
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

  /** Events not applied yet, in arrival order; not those waiting for their send to be recorded. */
  async pending(limit: number, now: Date): Promise<WebhookEventRow[]> {
    return this.database.db
      .select()
      .from(webhookEvents)
      .where(
        and(
          isNull(webhookEvents.processedAt),
          or(isNull(webhookEvents.notBefore), lte(webhookEvents.notBefore, now)),
        ),
      )
      .orderBy(asc(webhookEvents.id))
      .limit(limit);
  }

  /** Events that came before their send was recorded: looked at again after `until`. */
  async wait(ids: number[], until: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db.execute(sql`
      update webhook_events set not_before = ${until} where id = any(${sql.param(ids)}::bigint[])`);
  }

  /** One statement for a chunk of events (a burst is applied 500 at a time). */
  async done(outcomes: Array<{ id: number; outcome: string }>, now: Date): Promise<void> {
    if (outcomes.length === 0) return;
    await this.database.db.execute(sql`
      update webhook_events e set processed_at = ${now}, outcome = x.outcome
      from unnest(${sql.param(outcomes.map((o) => o.id))}::bigint[], ${sql.param(outcomes.map((o) => o.outcome))}::text[])
        as x(id, outcome)
      where e.id = x.id`);
  }
}
