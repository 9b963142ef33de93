import { Injectable } from '@nestjs/common';
import { and, eq, sql } from 'drizzle-orm';
import type { Channel } from '../channels/channel.port.js';
import { storable } from '../common/text.js';
import { DatabaseService } from '../database/database.service.js';
import { messageBatches } from '../database/schema.js';
import { rowsOf } from '../database/rows.js';
import { batchNumber, campaignLock, VARIANT } from './batching.sql.js';
import type { BatchRow, ClaimedMessage, EventMessage, QueuedBatch } from './messages.types.js';

/**
 * Each message's own value of a keyed statement, as a JSON object by message id (see `markSent`). The
 * values are a provider's words (an FCM message name, a response header): spelled out where PostgreSQL
 * cannot keep them (a NUL, a lone surrogate, which `jsonb` refuses), or the record of what left fails.
 */
const valuesById = <T extends { id: number }>(rows: readonly T[], value: (row: T) => string): string =>
  JSON.stringify(Object.fromEntries(rows.map((row) => [row.id, storable(value(row))])));

/**
 * The one writer of `messages` and `message_batches`: planning's messages and batches, the claim and its
 * lease, the record of a send, fallback's next messages, delivery events, the reconciler's hand-overs, a
 * cancel. A statement that records a send (or its failure after it left, or a cancel) also moves the
 * message's delivery and affected row in the same statement: one statement a batch is the hot path.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly database: DatabaseService) {}

  async batch(id: number): Promise<BatchRow | undefined> {
    const [row] = await this.database.db.select().from(messageBatches).where(eq(messageBatches.id, id));
    return row;
  }

  /**
   * The first messages, already in their batches: the first notice channel (escalate) or every one
   * (all), and the push alert. Numbered into batches in a temporary table and joined to the batch ids by
   * hash: an UPDATE of a million freshly inserted rows from a CTE got a nested-loop plan that ran for
   * minutes. Must run inside the planning transaction (the temporary tables go with it).
   */
  async planMessages(
    campaignId: string,
    mode: 'escalate' | 'all',
    sizes: Record<Channel, number>,
    now: Date,
    /** Only deliveries after this id: those a release added to a campaign already sending. */
    afterDeliveryId = 0,
  ): Promise<number> {
    const notice = mode === 'all' ? sql`d.plan` : sql`d.plan[1:1]`;
    const db = this.database.db;
    await db.execute(sql`
      create temporary table plan_messages on commit drop as
      select d.id as delivery_id, x.channel, d.template, d.locale,
        ${VARIANT} as variant,
        ${batchNumber(sql`x.channel`, sql`d.id`, sizes)} as n
      from deliveries d
      cross join lateral unnest(${notice} || case when d.alert then array['push'] else array[]::text[] end) as x(channel)
      where d.campaign_id = ${campaignId}::uuid and d.id > ${afterDeliveryId}`);
    // Batch ids (the order the windows take them in) follow the first delivery of each batch, so every
    // locale's batches go through the directory together: the window's people sit in one stretch of the
    // tables and stay in cache. Numbered per locale instead, the claims swept the whole directory once
    // per locale, and at a million people re-read most of it from disk each time.
    await db.execute(sql`
      create temporary table plan_batches on commit drop as
      select channel, template, locale, variant, n, size, nextval('message_batches_id_seq') as id
      from (select channel, template, locale, variant, n, count(*)::int as size, min(delivery_id) as first
            from plan_messages group by channel, template, locale, variant, n
            order by first, channel) g`);
    await db.execute(sql`analyze plan_messages`);
    await db.execute(sql`analyze plan_batches`);
    await db.execute(sql`
      insert into message_batches (id, campaign_id, channel, template, locale, variant, california, size, status,
        created_at)
      select id, ${campaignId}::uuid, channel, template, locale, variant, variant = 'US-CA', size, 'pending', ${now}
      from plan_batches order by id`);
    const [row] = rowsOf<{ n: number }>(
      await db.execute(sql`
        with inserted as (
          insert into messages (campaign_id, delivery_id, channel, status, batch_id, updated_at)
          select ${campaignId}::uuid, m.delivery_id, m.channel, 'queued', b.id, ${now}
          from plan_messages m join plan_batches b using (channel, template, locale, variant, n)
          order by b.id, m.delivery_id
          returning 1)
        select count(*)::int as n from inserted`),
    );
    return row?.n ?? 0;
  }

  /** The next notice channel of a delivery's plan after `failed`, if any, as a new queued message. */
  async escalate(deliveryIds: number[], now: Date): Promise<{ escalated: number[]; exhausted: number[] }> {
    if (deliveryIds.length === 0) return { escalated: [], exhausted: [] };
    const rows = rowsOf<{ delivery_id: string | number; next: string | null }>(
      await this.database.db.execute(sql`
        with tried as (
          select d.id, d.campaign_id, d.plan,
                 array(select m.channel from messages m where m.delivery_id = d.id) as used
          from deliveries d where d.id = any(${sql.param(deliveryIds)}::bigint[]) and d.status = 'pending'),
        nexts as (
          select t.id, t.campaign_id,
                 (select ch from unnest(t.plan) with ordinality o(ch, n)
                   where not (ch = any(t.used)) order by n limit 1) as next
          from tried t),
        added as (
          insert into messages (campaign_id, delivery_id, channel, status, updated_at)
          select campaign_id, id, next, 'queued', ${now} from nexts where next is not null
          returning 1)
        select id as delivery_id, next from nexts`),
    );
    return {
      escalated: rows.filter((r) => r.next).map((r) => Number(r.delivery_id)),
      exhausted: rows.filter((r) => !r.next).map((r) => Number(r.delivery_id)),
    };
  }

  /**
   * Puts every queued message without a batch into batches of one channel, template, locale and
   * jurisdiction rule, at most `sizes[channel]` each. Set-based; serialised per campaign by its lock.
   */
  async assignBatches(campaignId: string, sizes: Record<Channel, number>, now: Date): Promise<number> {
    await this.database.db.execute(sql`select ${campaignLock(campaignId)}`);
    const [row] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with ranked as materialized (
          select m.id, m.channel, d.template, d.locale, ${VARIANT} as variant,
            ${batchNumber(sql`m.channel`, sql`m.id`, sizes)} as n
          from messages m join deliveries d on d.id = m.delivery_id
          where m.campaign_id = ${campaignId}::uuid and m.batch_id is null and m.status = 'queued'),
        groups as materialized (
          select channel, template, locale, variant, n, count(*)::int as size,
                 nextval('message_batches_id_seq') as batch_id
          from ranked group by channel, template, locale, variant, n),
        made as (
          insert into message_batches (id, campaign_id, channel, template, locale, variant, california, size,
            status, created_at)
          select batch_id, ${campaignId}::uuid, channel, template, locale, variant, variant = 'US-CA', size,
            'pending', ${now}
          from groups
          returning 1),
        assigned as (
          update messages msg set batch_id = g.batch_id
          from ranked r join groups g using (channel, template, locale, variant, n)
          where msg.id = r.id
          returning 1)
        select (select count(*)::int from assigned) as n, (select count(*) from made) as batches`),
    );
    return row?.n ?? 0;
  }

  /**
   * Claims a batch under a lease, and with it the messages it holds: a conditional update of the batch
   * row, so two workers holding the same batch (a re-queued job, a stalled one run again) never both send
   * it; the one that finds the lease held gets nothing. A lease that ran out is not taken over here: the
   * reconciler hands its batch on, counting what may have left twice. The messages stay `queued` while they are sent:
   * only the batch row is written before the provider call, not a thousand message rows. Returns what the
   * claim took, joined with what rendering needs; undefined when another worker holds the batch. The
   * categories come as JSON and the sealed contact as base64, parsed natively: node-postgres parses an
   * array and a bytea's hex in JavaScript (7.6 against 6.4 ms of the worker's CPU per 1,000 rows read).
   * A delivery planned by a node older than the column has none (null): its person's come from the
   * affected set.
   */
  async claim(batchId: number, leaseUntil: Date): Promise<ClaimedMessage[] | undefined> {
    const rows = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        with leased as (
          update message_batches set lease_until = ${leaseUntil}
          where id = ${batchId} and status = 'queued' and lease_until is null
          returning id)
        select m.id, m.delivery_id, m.attempts, d.recipient, d.time_zone, d.jurisdiction, d.subject_id,
               'sms' = any(d.lawful) as sms_counts,
               array_to_json(coalesce(d.exposed,
                 (select a.exposed_categories from affected_subjects a where a.id = d.affected_id))) as exposed, s.external_id, encode(s.sealed, 'base64') as sealed
        from (select id from leased) l
        left join messages m on m.batch_id = l.id and m.status = 'queued'
        left join deliveries d on d.id = m.delivery_id
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
        exposed: (r.exposed as string[] | null) ?? [],
        subjectId: r.subject_id === null || r.subject_id === undefined ? null : Number(r.subject_id),
        externalId: (r.external_id as string | null) ?? null,
        sealed: typeof r.sealed === 'string' ? Buffer.from(r.sealed, 'base64') : null,
        smsCounts: r.sms_counts !== false,
      }));
  }

  /**
   * Messages a provider accepted; their deliveries count as notified when the channel is one their law
   * accepts as the notice (`deliveries.lawful`), and are closed as unreachable when it is not and no
   * lawful one is left.
   * What left wins over what was written meanwhile: a cancel, or a failure recorded by the worker that
   * took the batch over when this one's lease ran out.
   * Keyed statements below find their messages by `id = any(ids)` (the primary key) and look each one's
   * own value up in a JSON object by id (`valuesById`), with no join for the planner to get wrong: joined
   * to `unnest(ids, refs)`, it hash-joined a sequential scan of every message of every campaign (100k
   * recipients, no statistics yet: 143k rows read per batch of 1,000) or, once the statistics said few
   * messages are still queued, rescanned the thousand refs for each message (a million comparisons, 230
   * of a batch's 250 ms at 1M).
   */
  async markSent(sent: Array<{ id: number; providerRef: string }>, now: Date): Promise<void> {
    if (sent.length === 0) return;
    await this.database.db.execute(sql`
      with done as (
        update messages m set status = 'sent', provider_ref = ${valuesById(sent, (s) => s.providerRef)}::jsonb ->> m.id::text,
          sent_at = ${now}, attempts = m.attempts + 1, updated_at = ${now}
        where m.id = any(${sql.param(sent.map((s) => s.id))}::bigint[]) and m.status in ('queued', 'cancelled', 'failed')
        returning m.delivery_id, m.channel),
      left_on as (
        select delivery_id, array_agg(channel) as channels from done where channel in ('email', 'sms')
        group by delivery_id),
      -- One update of each delivery, found once by its key: notified when a channel that left is one their
      -- law accepts as the notice. Told only on a channel it does not (an SMS in Florida), with no lawful
      -- one queued: informed, not notified. The plan puts lawful channels first, so nothing lawful is
      -- left to try; they stay unreached, and count for the substitute or public notice.
      moved as (
        update deliveries d
        set status = case when x.channels && d.lawful then 'notified' else 'unreachable' end,
            notified_at = case when x.channels && d.lawful then ${now} else d.notified_at end,
            updated_at = ${now}
        from left_on x
        where d.id = x.delivery_id
          and case when x.channels && d.lawful then d.status <> 'notified'
                   else d.status = 'pending'
                     and not exists (select 1 from messages m where m.delivery_id = d.id and m.channel = any(d.lawful)
                                       and m.status in ('queued', 'sent', 'delivered')) end
        returning d.affected_id, x.channels && d.lawful as notified)
      update affected_subjects a set notified_at = ${now}
      where a.id in (select affected_id from moved where notified) and a.notified_at is null`);
  }

  async markFailed(failed: Array<{ id: number; code: string }>, now: Date): Promise<void> {
    if (failed.length === 0) return;
    await this.database.db.execute(sql`
      update messages m set status = 'failed', error = ${valuesById(failed, (f) => f.code)}::jsonb ->> m.id::text,
        attempts = m.attempts + 1, updated_at = ${now}
      where m.id = any(${sql.param(failed.map((f) => f.id))}::bigint[]) and m.status in ('queued', 'cancelled')`);
  }

  /** The messages delivery events name (our id travels with each message: custom args, the callback address). */
  async eventMessages(ids: number[]): Promise<EventMessage[]> {
    const rows = rowsOf<Record<string, unknown>>(
      await this.database.db.execute(sql`
        select id, provider_ref, channel, status, campaign_id, delivery_id from messages
        where id = any(${sql.param(ids)}::bigint[])`),
    );
    return rows.map((r) => ({
      id: Number(r.id),
      providerRef: (r.provider_ref as string | null) ?? null,
      channel: r.channel as string,
      status: r.status as string,
      campaignId: r.campaign_id as string,
      deliveryId: Number(r.delivery_id),
    }));
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
          update messages m set status = 'failed', error = ${valuesById(failed, (f) => f.code)}::jsonb ->> m.id::text,
            updated_at = ${now}
          where m.id = any(${sql.param(failed.map((f) => f.id))}::bigint[])
            and m.status in ('sent', 'delivered') and m.channel in ('email', 'sms')
          returning m.delivery_id, m.channel),
        reopened as (
          update deliveries d set status = 'pending', notified_at = null, updated_at = ${now}
          where d.id in (select delivery_id from failed)
            and not exists (select 1 from messages m where m.delivery_id = d.id and m.channel = any(d.lawful)
                              and m.status in ('sent', 'delivered') and m.id <> all(${sql.param(failed.map((f) => f.id))}::bigint[]))
            -- A channel that only informed (an SMS in Florida) reopens the delivery only when nothing else
            -- of theirs left: its failure leaves them as unreached as before, told or not.
            and (exists (select 1 from failed f where f.delivery_id = d.id and f.channel = any(d.lawful))
                 or not exists (select 1 from messages m where m.delivery_id = d.id and m.channel in ('email', 'sms')
                                  and m.status in ('sent', 'delivered') and m.id <> all(${sql.param(failed.map((f) => f.id))}::bigint[])))
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

  /** Whether the batch is still open and its campaign still sending (not cancelled, not paused). */
  async stillSending(batchId: number): Promise<boolean> {
    const rows = rowsOf<{ id: unknown }>(
      await this.database.db.execute(sql`
        select b.id from message_batches b join campaigns c on c.id = b.campaign_id
        where b.id = ${batchId} and b.status = 'queued' and c.status = 'sending'`),
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
   * it goes at TWILIO_MAX_PER_SECOND (10 segments a second by default, about one SMS), and alerts would
   * wait for hours behind it.
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
}
