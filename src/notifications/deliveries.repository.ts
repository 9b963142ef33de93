import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Channel } from '../channels/channel.port.js';
import { DatabaseService } from '../database/database.service.js';
import { TALLY_FOLD_LOCK } from '../database/locks.js';
import { messageBatches } from '../database/schema.js';
import { rowsOf, toBuffer } from '../database/rows.js';
import type { BatchRow } from './campaigns.repository.js';

/** What a send job needs of each message it claimed. Contact data stays sealed until it is sent. */
export interface ClaimedMessage {
  id: number;
  deliveryId: number;
  /** Provider calls tried for it so far (transient failures). */
  attempts: number;
  recipient: 'person' | 'guardian';
  timeZone: string | null;
  jurisdiction: string | null;
  exposed: string[];
  subjectId: number | null;
  externalId: string | null;
  sealed: Buffer | null;
  affectedId: number;
}

export interface QueuedBatch {
  id: number;
  channel: Channel;
  queuings: number;
}

export interface Progress {
  deliveries: Record<string, number>;
  messages: Record<string, Record<string, number>>;
  sentLastMinute: number;
  remaining: number;
}

@Injectable()
export class DeliveriesRepository {
  constructor(private readonly database: DatabaseService) {}

  async batch(id: number): Promise<BatchRow | undefined> {
    const [row] = await this.database.db.select().from(messageBatches).where(eq(messageBatches.id, id));
    return row;
  }

  /**
   * Claims a batch under a lease, and with it the messages it holds: a conditional update of the batch
   * row, so two workers holding the same batch (a re-queued job, a stalled one run again) never both send
   * it; the one that finds the lease held gets nothing. A lease that ran out is not taken over here: the
   * reconciler hands its batch on, counting what may have left twice. The messages stay `queued` while they are sent:
   * only the batch row is written before the provider call, not a thousand message rows. Returns what the
   * claim took, joined with what rendering needs; undefined when another worker holds the batch.
   */
  async claim(batchId: number, leaseUntil: Date): Promise<ClaimedMessage[] | undefined> {
    const rows = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        with leased as (
          update message_batches set lease_until = ${leaseUntil}
          where id = ${batchId} and status = 'queued' and lease_until is null
          returning id)
        select m.id, m.delivery_id, m.attempts, d.recipient, d.time_zone, d.jurisdiction, d.subject_id,
               a.id as affected_id, a.exposed_categories, s.external_id, s.sealed
        from (select id from leased) l
        left join messages m on m.batch_id = l.id and m.status = 'queued'
        left join deliveries d on d.id = m.delivery_id
        left join affected_subjects a on a.id = d.affected_id
        left join subjects s on s.id = d.subject_id
        order by m.id`),
    );
    // No row: the lease is someone else's. One row without a message: ours, with nothing left in it.
    if (rows.length === 0) return undefined;
    return rows
      .filter((r) => r.id !== null && r.id !== undefined)
      .map((r) => ({
        id: Number(r.id),
        deliveryId: Number(r.delivery_id),
        attempts: Number(r.attempts),
        recipient: r.recipient as 'person' | 'guardian',
        timeZone: (r.time_zone as string | null) ?? null,
        jurisdiction: (r.jurisdiction as string | null) ?? null,
        exposed: (r.exposed_categories as string[] | null) ?? [],
        subjectId: r.subject_id === null || r.subject_id === undefined ? null : Number(r.subject_id),
        externalId: (r.external_id as string | null) ?? null,
        sealed: r.sealed ? toBuffer(r.sealed as Uint8Array) : null,
        affectedId: Number(r.affected_id),
      }));
  }

  /**
   * Messages a provider accepted; their deliveries count as notified when the channel carries notices.
   * What left wins over what was written meanwhile: a cancel, or a failure recorded by the worker that
   * took the batch over when this one's lease ran out.
   * Keyed statements below also say `id = any(ids)`: joined to `unnest` alone, the planner guesses the
   * array's size and may hash-join it against a sequential scan of every message of every campaign
   * (seen at 100k recipients with no statistics on the table: 143k rows read per batch of 1,000).
   */
  async markSent(sent: Array<{ id: number; providerRef: string }>, now: Date): Promise<void> {
    if (sent.length === 0) return;
    await this.database.db.execute(sql`
      with done as (
        update messages m set status = 'sent', provider_ref = x.ref, sent_at = ${now},
          attempts = m.attempts + 1, updated_at = ${now}
        from unnest(${sql.param(sent.map((s) => s.id))}::bigint[], ${sql.param(sent.map((s) => s.providerRef))}::text[])
          as x(id, ref)
        where m.id = x.id and m.id = any(${sql.param(sent.map((s) => s.id))}::bigint[])
          and m.status in ('queued', 'cancelled', 'failed')
        returning m.delivery_id, m.channel),
      notified as (
        update deliveries d set status = 'notified', notified_at = ${now}, updated_at = ${now}
        where d.id in (select delivery_id from done where channel in ('email', 'sms')) and d.status <> 'notified'
        returning d.affected_id)
      update affected_subjects a set notified_at = ${now}
      where a.id in (select affected_id from notified) and a.notified_at is null`);
  }

  async markFailed(failed: Array<{ id: number; code: string }>, now: Date): Promise<void> {
    if (failed.length === 0) return;
    await this.database.db.execute(sql`
      update messages m set status = 'failed', error = x.code, attempts = m.attempts + 1, updated_at = ${now}
      from unnest(${sql.param(failed.map((f) => f.id))}::bigint[], ${sql.param(failed.map((f) => f.code))}::text[])
        as x(id, code)
      where m.id = x.id and m.id = any(${sql.param(failed.map((f) => f.id))}::bigint[])
        and m.status in ('queued', 'cancelled')`);
  }

  /** Provider events: the message reached the device or inbox. */
  async markDelivered(ids: number[], now: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const rows = rowsOf<{ id: unknown }>(
      await this.database.db.execute(sql`
        update messages set status = 'delivered', updated_at = ${now}
        where id = any(${sql.param(ids)}::bigint[]) and status = 'sent'
        returning id`),
    );
    return rows.length;
  }

  /**
   * Provider events: a message that had left failed after all (bounce, undelivered). Returns the
   * deliveries that no longer have a notice message sent or delivered: they are pending again, and no
   * longer count as notified.
   */
  async failAfterSend(failed: Array<{ id: number; code: string }>, now: Date): Promise<number[]> {
    if (failed.length === 0) return [];
    const rows = rowsOf<{ delivery_id: string | number }>(
      await this.database.db.execute(sql`
        with failed as (
          update messages m set status = 'failed', error = x.code, updated_at = ${now}
          from unnest(${sql.param(failed.map((f) => f.id))}::bigint[], ${sql.param(failed.map((f) => f.code))}::text[])
            as x(id, code)
          where m.id = x.id and m.id = any(${sql.param(failed.map((f) => f.id))}::bigint[])
            and m.status in ('sent', 'delivered') and m.channel in ('email', 'sms')
          returning m.delivery_id),
        reopened as (
          update deliveries d set status = 'pending', notified_at = null, updated_at = ${now}
          where d.id in (select delivery_id from failed)
            and not exists (select 1 from messages m where m.delivery_id = d.id and m.channel in ('email', 'sms')
                              and m.status in ('sent', 'delivered') and m.id <> all(${sql.param(failed.map((f) => f.id))}::bigint[]))
          returning d.id, d.affected_id),
        unnotified as (
          update affected_subjects a set notified_at = null
          where a.id in (select affected_id from reopened)
          returning 1)
        select id as delivery_id from reopened`),
    );
    return rows.map((r) => Number(r.delivery_id));
  }

  /** Tried and left queued for the job's next attempt (they never left it): only the attempt counts. */
  async release(ids: number[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db.execute(sql`
      update messages set attempts = attempts + 1, updated_at = ${now}
      where id = any(${sql.param(ids)}::bigint[]) and status = 'queued'`);
  }

  /** Deliveries among these still pending, closed as cancelled (their campaign sends nothing more). */
  async markCancelled(deliveryIds: number[], now: Date): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.database.db.execute(sql`
      update deliveries set status = 'cancelled', updated_at = ${now}
      where id = any(${sql.param(deliveryIds)}::bigint[]) and status = 'pending'`);
  }

  /** Locks these deliveries until the transaction ends (in id order: two lockers never deadlock). */
  async lock(deliveryIds: number[]): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.database.db.execute(sql`
      select 1 from deliveries where id = any(${sql.param(deliveryIds)}::bigint[]) order by id for update`);
  }

  /**
   * Pending deliveries of an idle campaign, which nothing queued can settle any more: notified when a
   * notice message of theirs left, unreachable when none did. A safety net under the campaign's row lock.
   */
  async settleStranded(campaignId: string, now: Date): Promise<{ notified: number; unreachable: number }> {
    const [row] = rowsOf<{ notified: number; unreachable: number }>(
      await this.database.db.execute(sql`
        with stranded as (
          select d.id, d.affected_id,
                 (select min(m.sent_at) from messages m where m.delivery_id = d.id
                    and m.channel in ('email', 'sms') and m.status in ('sent', 'delivered')) as sent_at
          from deliveries d
          where d.campaign_id = ${campaignId}::uuid and d.status = 'pending'
            and not exists (select 1 from messages m where m.delivery_id = d.id and m.status = 'queued')
          for update of d),
        settled as (
          update deliveries d
          set status = case when s.sent_at is null then 'unreachable' else 'notified' end,
              notified_at = s.sent_at, updated_at = ${now}
          from stranded s where d.id = s.id
          returning d.status, d.affected_id, d.notified_at),
        affected as (
          update affected_subjects a set notified_at = s.notified_at
          from settled s where a.id = s.affected_id and s.status = 'notified' and a.notified_at is null
          returning 1)
        select count(*) filter (where status = 'notified')::int as notified,
               count(*) filter (where status = 'unreachable')::int as unreachable
        from settled`),
    );
    return { notified: row?.notified ?? 0, unreachable: row?.unreachable ?? 0 };
  }

  /** Deliveries among these whose every notice message failed and that have none left to try. */
  async markUnreachable(deliveryIds: number[], now: Date): Promise<void> {
    if (deliveryIds.length === 0) return;
    await this.database.db.execute(sql`
      update deliveries d set status = 'unreachable', updated_at = ${now}
      where d.id = any(${sql.param(deliveryIds)}::bigint[]) and d.status = 'pending'
        and not exists (select 1 from messages m where m.delivery_id = d.id and m.channel in ('email', 'sms')
                          and m.status in ('queued', 'sent', 'delivered'))`);
  }

  /**
   * The claim's end: done when none of its messages is queued any more, else its lease is given back for
   * the job's next attempt. Only the holder's own lease: a worker that outlived its lease (the reconciler
   * gave the batch to another) leaves the other's alone.
   */
  async releaseBatch(batchId: number, lease: Date, now: Date): Promise<boolean> {
    const [row] = rowsOf<{ done: boolean }>(
      await this.database.db.execute(sql`
        update message_batches b
        set status = case when x.waiting then b.status else 'done' end,
            done_at = case when x.waiting then b.done_at else ${now} end,
            lease_until = null
        from (select exists (select 1 from messages m where m.batch_id = ${batchId} and m.status = 'queued')
                as waiting) x
        where b.id = ${batchId} and b.lease_until = ${lease}
        returning b.status = 'done' as done`),
    );
    return row?.done ?? false;
  }

  /**
   * Out of the queue, to be queued again on resume: a batch of a paused campaign (`lease` null: only if
   * nobody holds it, the holder gives it back itself), or one whose provider refused our account (`lease`:
   * the holder's own). Never a batch another worker holds, nor one a cancel closed.
   */
  async returnBatch(batchId: number, lease: Date | null): Promise<void> {
    await this.database.db.execute(sql`
      update message_batches set status = 'pending', lease_until = null
      where id = ${batchId} and status = 'queued'
        and ${lease ? sql`lease_until = ${lease}` : sql`lease_until is null`}`);
  }

  /** Moves the holder's lease on (its job still works); false when the lease is no longer the holder's. */
  async renewLease(batchId: number, lease: Date, next: Date): Promise<boolean> {
    const rows = rowsOf<{ id: unknown }>(
      await this.database.db.execute(sql`
        update message_batches set lease_until = ${next}
        where id = ${batchId} and lease_until = ${lease} and status = 'queued'
        returning id`),
    );
    return rows.length > 0;
  }

  /** A batch's messages the provider took (sent or delivered), of all it holds. */
  async batchSends(batchId: number): Promise<{ sent: number; total: number }> {
    const [row] = rowsOf<{ sent: number; total: number }>(
      await this.database.db.execute(sql`
        select count(*) filter (where status in ('sent', 'delivered'))::int as sent, count(*)::int as total
        from messages where batch_id = ${batchId}`),
    );
    return { sent: row?.sent ?? 0, total: row?.total ?? 0 };
  }

  /**
   * Whether the lease is still this worker's, locking the batch row until the caller's transaction ends:
   * a worker that outlived its lease (the reconciler gave the batch to another) records only what left.
   */
  async holds(batchId: number, lease: Date): Promise<boolean> {
    const rows = rowsOf<{ id: unknown }>(
      await this.database.db.execute(sql`
        select id from message_batches where id = ${batchId} and lease_until = ${lease} for update`),
    );
    return rows.length > 0;
  }

  /**
   * Picks pending batches of a sending campaign, up to the window per channel, and marks them queued; the
   * caller enqueues them. One statement, no lock: every finished batch calls it, and concurrent callers
   * skip each other's rows (the window may be exceeded by a batch or two, never a batch taken twice).
   * Notices go before alerts: push batches wait while email batches are pending, so the machine's time
   * goes first to what the law counts, and an alert tends to find its notice already there. Not for SMS:
   * it goes at TWILIO_MAX_PER_SECOND (10/s by default), and alerts would wait for hours behind it.
   */
  async takePending(campaignId: string, window: Record<Channel, number>, now: Date): Promise<QueuedBatch[]> {
    const rows = rowsOf<{ id: string | number; channel: Channel; queuings: number }>(
      await this.database.db.execute(sql`
        with room as (
          select c.channel, ${sql.param([window.email, window.sms, window.push])}::int[] as w,
                 (select count(*) from message_batches b
                   where b.campaign_id = ${campaignId}::uuid and b.channel = c.channel and b.status = 'queued') as busy,
                 c.channel = 'push' and exists (
                   select 1 from message_batches b
                   where b.campaign_id = ${campaignId}::uuid and b.channel = 'email' and b.status = 'pending') as held
          from unnest(array['email', 'sms', 'push']) as c(channel)),
        picked as (
          select b.id from room r
          cross join lateral (
            select b.id from message_batches b
            where b.campaign_id = ${campaignId}::uuid and b.channel = r.channel and b.status = 'pending'
            order by b.id
            limit case when r.held then 0
                       else greatest(0, r.w[array_position(array['email', 'sms', 'push'], r.channel)] - r.busy) end
            for update skip locked) b
          where exists (select 1 from campaigns c where c.id = ${campaignId}::uuid and c.status = 'sending'))
        update message_batches b set status = 'queued', queued_at = ${now}, queuings = b.queuings + 1
        where b.id in (select id from picked) and b.status = 'pending'
        returning b.id, b.channel, b.queuings`),
    );
    return rows.map((r) => ({ id: Number(r.id), channel: r.channel, queuings: Number(r.queuings) }));
  }

  async queuedBatches(campaignId: string): Promise<QueuedBatch[]> {
    const rows = await this.database.db
      .select({ id: messageBatches.id, channel: messageBatches.channel, queuings: messageBatches.queuings })
      .from(messageBatches)
      .where(and(eq(messageBatches.campaignId, campaignId), eq(messageBatches.status, 'queued')));
    return rows.map((r) => ({ id: r.id, channel: r.channel as Channel, queuings: r.queuings }));
  }

  /**
   * Batches whose job is gone, back to pending for the window to queue again. Not one whose lease is
   * live: its job still works (its queue entry lost in a Redis flush), and gives it back itself.
   */
  async requeueBatches(ids: number[], now: Date): Promise<void> {
    if (ids.length === 0) return;
    await this.database.db.execute(sql`
      update message_batches set status = 'pending'
      where id = any(${sql.param(ids)}::bigint[]) and status = 'queued'
        and (lease_until is null or lease_until < ${now})`);
  }

  /**
   * Batches whose lease ran out (their worker died): back to pending, to be queued again. Each message
   * still queued in one may have reached the provider before the worker died: counted as a possible
   * duplicate. (Messages a worker of the previous version marked `sending` go back to queued.)
   */
  async reclaimExpired(now: Date): Promise<Array<{ campaignId: string; count: number }>> {
    // Found through the batches (a few thousand rows), never by scanning the messages.
    const rows = rowsOf<{ campaign_id: string; n: number }>(
      await this.database.db.execute(sql`
        with lapsed as (
          update message_batches set status = 'pending', lease_until = null
          where status = 'queued' and lease_until < ${now}
          returning id),
        legacy as (
          update messages set status = 'queued', updated_at = ${now}
          where batch_id in (select id from lapsed) and status = 'sending'
          returning id),
        expired as (
          select campaign_id from messages where batch_id in (select id from lapsed) and status = 'queued'
          union all
          select campaign_id from messages where id in (select id from legacy)),
        counted as (
          update campaigns c set possible_duplicates = possible_duplicates + e.n
          from (select campaign_id, count(*)::int as n from expired group by 1) e
          where c.id = e.campaign_id
          returning c.id, e.n)
        select id as campaign_id, n from counted`),
    );
    return rows.map((r) => ({ campaignId: r.campaign_id, count: Number(r.n) }));
  }

  /**
   * True when nothing of the campaign waits: no batch pending or queued. Every queued message is in a
   * batch (batches are assigned in the transaction that creates the messages) and a batch stays queued
   * until none of its messages is queued or being sent.
   */
  async idle(campaignId: string): Promise<boolean> {
    const [row] = rowsOf<{ busy: boolean }>(
      await this.database.db.execute(sql`
        select exists (select 1 from message_batches b where b.campaign_id = ${campaignId}::uuid
                         and b.status in ('pending', 'queued')) as busy`),
    );
    return !row?.busy;
  }

  /**
   * Stops what has not left: queued messages, pending deliveries and open batches. A message in a batch
   * a worker holds may be on the wire: it is cancelled too, and its worker records what the provider
   * said: sent wins over cancelled (the delivery is then notified), anything else leaves it cancelled,
   * with no fallback (only pending deliveries fall back).
   */
  async cancel(campaignId: string, now: Date): Promise<void> {
    const closeBatches = () =>
      this.database.db.execute(sql`
        update message_batches set status = 'done', done_at = ${now}
        where campaign_id = ${campaignId}::uuid and status in ('pending', 'queued')`);
    // Batches first: a worker recording an outcome locks its batch row before the messages and
    // deliveries, and taking them in the same order means the two wait for each other, never deadlock.
    await closeBatches();
    await this.database.db.execute(sql`
      update messages set status = 'cancelled', updated_at = ${now}
      where campaign_id = ${campaignId}::uuid and status = 'queued'`);
    await this.database.db.execute(sql`
      update deliveries set status = 'cancelled', updated_at = ${now}
      where campaign_id = ${campaignId}::uuid and status = 'pending'`);
    // Batches a record we waited for made (its fallback's), which the first statement could not see:
    // their messages were just cancelled, and they are closed too.
    await closeBatches();
  }

  /**
   * The campaign's counts, summed from its tallies (a few rows per batch, kept by triggers as rows are
   * written; migration 0012), never by counting its deliveries and messages. The last minute is the
   * database's, whose clock dates the tallies.
   */
  async progress(campaignId: string): Promise<Progress> {
    const tallies = rowsOf<{ kind: string; channel: string; status: string; n: number; recent: number }>(
      await this.database.db.execute(sql`
        select kind, channel, status, sum(n)::int as n,
               coalesce(sum(n) filter (where status = 'sent' and n > 0 and at > now() - interval '1 minute'), 0)::int
                 as recent
        from campaign_tallies where campaign_id = ${campaignId}::uuid
        group by 1, 2, 3 having sum(n) <> 0`),
    );
    const deliveries = tallies.filter((t) => t.kind === 'delivery');
    const messages = tallies.filter((t) => t.kind === 'message');
    // Being sent: the queued messages of the batches workers hold (a few, found through the batches).
    const held = rowsOf<{ channel: string; n: number }>(
      await this.database.db.execute(sql`
        select b.channel, count(*)::int as n
        from message_batches b join messages m on m.batch_id = b.id and m.status = 'queued'
        where b.campaign_id = ${campaignId}::uuid and b.status = 'queued' and b.lease_until is not null
        group by 1`),
    );
    const byChannel: Record<string, Record<string, number>> = {};
    let remaining = 0;
    let sentLastMinute = 0;
    for (const m of messages) {
      (byChannel[m.channel] ??= {})[m.status] = Number(m.n);
      sentLastMinute += Number(m.recent);
      if (m.status === 'queued' || m.status === 'sending') remaining += Number(m.n);
    }
    for (const h of held) {
      const counts = (byChannel[h.channel] ??= {});
      // Counted apart from the tallies, a moment later: never more than the tallies say are queued.
      const sending = Math.min(Number(h.n), counts.queued ?? 0);
      if (sending === 0) continue;
      counts.sending = (counts.sending ?? 0) + sending;
      counts.queued -= sending;
      if (counts.queued === 0) delete counts.queued;
    }
    return {
      deliveries: Object.fromEntries(deliveries.map((d) => [d.status, Number(d.n)])),
      messages: byChannel,
      sentLastMinute,
      remaining,
    };
  }

  /**
   * Folds the tallies of campaigns with more than one row for a status older than `olderThanMs` (by the
   * database's clock, which dates them) into one row per campaign, kind, channel and status, dated with
   * the newest it folds; campaigns already folded are left alone. One statement: a reader sees the rows
   * before or after, never half of each. Serialised: a second fold waits, then sees the first's rows.
   * Returns how many rows it removed.
   */
  async foldTallies(olderThanMs: number): Promise<number> {
    return this.database.transaction(async () => {
      await this.database.db.execute(sql`select pg_advisory_xact_lock(${TALLY_FOLD_LOCK})`);
      const [row] = rowsOf<{ folded: number }>(
        await this.database.db.execute(sql`
          with cutoff as (select now() - make_interval(secs => ${olderThanMs / 1000}) as at),
          crowded as (
            select distinct campaign_id from campaign_tallies, cutoff where campaign_tallies.at < cutoff.at
            group by campaign_id, kind, channel, status having count(*) > 1),
          gone as (
            delete from campaign_tallies t using cutoff
            where t.at < cutoff.at and t.campaign_id in (select campaign_id from crowded)
            returning t.campaign_id, t.kind, t.channel, t.status, t.n, t.at),
          kept as (
            insert into campaign_tallies (campaign_id, kind, channel, status, n, at)
            select campaign_id, kind, channel, status, sum(n)::int, max(at) from gone
            group by 1, 2, 3, 4 having sum(n) <> 0
            returning 1)
          select (select count(*) from gone)::int - (select count(*) from kept)::int as folded`),
      );
      return Number(row?.folded ?? 0);
    });
  }

  /** Drops push tokens the provider says are gone, from the person's sealed contact data. */
  async subjectsSealed(ids: number[]): Promise<Array<{ id: number; externalId: string; sealed: Buffer }>> {
    if (ids.length === 0) return [];
    const rows = rowsOf<{ id: string | number; external_id: string; sealed: Uint8Array }>(
      await this.database.db.execute(sql`
        select id, external_id, sealed from subjects where id = any(${sql.param(ids)}::bigint[]) for update`),
    );
    return rows.map((r) => ({ id: Number(r.id), externalId: r.external_id, sealed: toBuffer(r.sealed) }));
  }

  async replaceTokens(
    rows: Array<{ id: number; keyId: string; sealed: Buffer; tokenCount: number }>,
    now: Date,
  ): Promise<void> {
    for (const row of rows) {
      await this.database.db.execute(sql`
        update subjects set key_id = ${row.keyId}, sealed = ${row.sealed}, push_token_count = ${row.tokenCount},
          updated_at = ${now}
        where id = ${row.id}`);
    }
  }
}
