import { Injectable } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import type { Redis } from 'ioredis';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf } from '../database/rows.js';
import { JobRepository } from './job.repository.js';

/**
 * Slots are spaced this much wider than the rate asks: a message reaches the provider some milliseconds
 * after its slot, by a delay that varies (a timer that fires late on a loaded machine, a request that waits
 * for a socket), and messages the jitter brings together must not make one second hold more than the rate.
 * 5% was not enough: the fault harness saw 51 in one second against 50 on a loaded machine; at 20% a
 * second holds about 42 slots at 50/s, so 9 late messages would have to land in one second to exceed it.
 */
const MARGIN = 1.2;

/**
 * A slot woken up later than this is given up for the next free one. A timer fires late when the event
 * loop was busy, and every timer due meanwhile fires with it: those messages would leave together, and the
 * margin alone does not absorb a stall (the fault harness's baseline saw 51 in one second against 50 on a
 * loaded machine, CI 2026-12-07). With at most 100 ms of lateness, one second holds the slots of 1.1 s:
 * about 46 at 50/s.
 */
const LATE_MS = 100;
/**
 * Late slots a message gives up at most before it goes on the next one, late or not: a process whose
 * event loop is always late (or a store that always answers late) still sends, at a third of the rate
 * at worst, never not at all.
 */
const LATE_RETRIES = 2;

/**
 * How far ahead a slot end this process saw may be and still restart a flushed key (TAKE_SLOT): past the
 * slots that many waiting messages hold (64 SMS of 23 segments at 10 a second reach about 3 minutes), not
 * past what a clock that jumped would leave.
 */
const SEEN_HORIZON_US = 5 * 60 * 1_000_000;

/**
 * Takes the next slot and answers when it is, in microseconds since the epoch: a slot lasts `ARGV[1]`
 * microseconds (the message's segments at the rate), the next one starts where it ends, from Redis's
 * clock. The key expires once its slot is past, so a flushed or restarted Redis only forgets a slot that
 * no longer matters, but for the slots already handed out and not yet reached: `ARGV[2]` is where the
 * caller last saw the slots end, so that a flushed key starts again after them rather than beside them;
 * ignored when further ahead than `ARGV[3]` (SEEN_HORIZON_US): a Redis clock that jumped forward and back
 * must not hold every worker's SMS back by the jump (a DEL of the key then clears it, as before).
 */
const TAKE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local seen = tonumber(ARGV[2])
if seen > now + tonumber(ARGV[3]) then seen = 0 end
local slot = math.max(now, tonumber(redis.call('GET', KEYS[1]) or '0'), seen)
local after = slot + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%.0f', after), 'PX', math.ceil((after - now) / 1000) + 1000)
return string.format('%.0f', slot)`;

/**
 * A provider's rate, held per message across every process (issue 20: the SMS limiter spaced jobs, and
 * Twilio saw 81 messages in one second against a limit of 50): each message takes the next slot of its
 * channel before it leaves, as long as its cost at the rate (Twilio counts segments: an SMS of nine
 * segments takes nine), kept where every process sees them: a Redis key when the queues run on Redis (a
 * Lua script, on Redis's clock), a row of `send_slots` when they run on PostgreSQL, the process itself
 * when embedded (one process). The queue's job limiter still spaces jobs, so that jobs do not pile up
 * waiting for slots while they hold their leases.
 */
@Injectable()
export class SendRate {
  /** The embedded mode's slots: one process, so its memory is the only place. */
  private readonly local = new Map<string, number>();
  /** Where this process last saw each channel's slots end on Redis, for a key that a flush has emptied. */
  private readonly seenEnd = new Map<string, number>();

  constructor(
    private readonly jobs: JobRepository,
    private readonly database: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  /** Units (SMS segments) per second the channel's provider takes; undefined when it has no limit of ours. */
  rateOf(channel: string): number | undefined {
    return channel === 'sms' ? this.config.smsMaxPerSecond : undefined;
  }

  /**
   * Waits for the channel's next send slot, `cost` units long (an SMS's segments; at once for a channel
   * with no rate). Throws when the slots cannot be reached (Redis or PostgreSQL away): the message must
   * not go unlimited; it stays for later.
   */
  async takeSendSlot(channel: string, cost = 1): Promise<void> {
    const rate = this.rateOf(channel);
    if (rate === undefined) return;
    const intervalUs = Math.ceil((1_000_000 * MARGIN * Math.max(1, cost)) / rate);
    for (let retries = 0; ; retries += 1) {
      const slotMs = (await this.take(channel, intervalUs)) / 1000;
      // Waited for by this host's clock, to the slot's moment, not for a span counted from the answer: the
      // answers of the store come back after varying delays (a busy pool, a busy event loop), and spans
      // counted from them brought messages together. The hosts' clocks are kept in time (NTP), as the
      // batches' leases already need.
      const wait = Math.ceil(slotMs - Date.now());
      if (wait > 0) await sleep(wait);
      // Late (the store answered late, or the timer fired late): the next free slot instead; a long
      // slot (an SMS of many segments) may be as late as its margin, which holds the rate all the same.
      const lateMs = Math.max(LATE_MS, (intervalUs / 1000) * (1 - 1 / MARGIN));
      if (Date.now() - slotMs <= lateMs || retries >= LATE_RETRIES) return;
    }
  }

  /** The slot's moment, in microseconds since the epoch. */
  private async take(channel: string, intervalUs: number): Promise<number> {
    const redis = this.jobs.redis();
    if (redis) {
      const slot = Number(
        await takeOnRedis(redis, `send-rate:${channel}`, intervalUs, this.seenEnd.get(channel)),
      );
      // The latest end seen, unless what was kept is beyond the horizon (a clock that jumped): then this one.
      const kept = this.seenEnd.get(channel) ?? 0;
      this.seenEnd.set(
        channel,
        kept - slot > SEEN_HORIZON_US ? slot + intervalUs : Math.max(kept, slot + intervalUs),
      );
      return slot;
    }
    if (this.database.kind === 'postgres') return this.takeOnPostgres(channel, intervalUs);
    const now = Date.now() * 1000;
    const slot = Math.max(now, this.local.get(channel) ?? 0);
    this.local.set(channel, slot + intervalUs);
    return slot;
  }

  /** One upsert: the row's lock orders the processes; slots from PostgreSQL's clock. */
  private async takeOnPostgres(channel: string, intervalUs: number): Promise<number> {
    const [row] = rowsOf<{ slot: string }>(
      await this.database.db.execute(sql`
        with now as (select (extract(epoch from clock_timestamp()) * 1000000)::bigint as us)
        insert into send_slots as s (channel, next_at)
        select ${channel}, us + ${intervalUs}::bigint from now
        on conflict (channel) do update
          set next_at = greatest(s.next_at, (select us from now)) + ${intervalUs}::bigint
        returning next_at - ${intervalUs}::bigint as slot`),
    );
    return Number(row.slot);
  }
}

function takeOnRedis(redis: Redis, key: string, intervalUs: number, seenEnd = 0): Promise<string> {
  return redis.eval(
    TAKE_SLOT,
    1,
    key,
    String(intervalUs),
    String(seenEnd),
    String(SEEN_HORIZON_US),
  ) as Promise<string>;
}
