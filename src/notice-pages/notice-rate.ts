import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { JobRepository } from '../queue/job.repository.js';

const WINDOW_MS = 60_000;
/** How often a process adds its page counts to Redis (a key's count goes sooner when it nears its share). */
const FLUSH_MS = 50;
/** One counter per key and minute, gone a minute after its window ends (sent once, then by its hash). */
const COUNT = `local n = redis.call('INCRBY', KEYS[1], ARGV[2])
if n == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

type Counting = Redis & { noticeRate(key: string, ttlMs: number, by: number): Promise<number> };

/** A key's count in this window, as this process knows it. */
interface Tally {
  key: string;
  /** Every node's count as Redis last answered (or this process's alone, without Redis). */
  shared: number;
  /** Sent to Redis, answer awaited. */
  sending: number;
  /** Counted here, not sent yet. */
  unsent: number;
}

/**
 * Counts requests per key (a client address, a looked-up address) and minute: in Redis (`notice-rate:`
 * keys, on a connection of its own) so every node shares the count; in this process when there is no
 * Redis, or while it is not connected. The key is a keyed hash: no address is written anywhere, not even
 * for a minute.
 *
 * Two ways to count. `take` asks Redis on every call (the lookups: a second message must not go out).
 * `count` (the personal pages, which a rush or an attacker calls thousands of times a second) answers at
 * once from what this process knows, and adds its counts to Redis in one INCRBY per key every FLUSH_MS, or
 * as soon as a key's unsent count reaches a tenth of the limit. The limit still holds across processes,
 * approximately: each process sees the others' counts as of its last flush, so a client may get up to
 * what the other processes counted and had not sent yet beyond the limit: at most, per other process,
 * a tenth of the limit plus what arrives during one round trip to Redis. One process alone is exact.
 */
@Injectable()
export class NoticeRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(NoticeRateLimiter.name);
  /** This window's tallies and hashed keys (the HMAC once per key and minute). */
  private tallies = new Map<string, Tally>();
  private hashed = new Map<string, string>();
  private window = -1;
  private redis?: Counting;
  private flushing?: NodeJS.Timeout;

  constructor(
    private readonly jobs: JobRepository,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Counts one request, asking Redis now; undefined when it is allowed, else the seconds until the next window. */
  async take(
    scope: string,
    key: string,
    limit = this.config.noticePageRateLimit,
  ): Promise<number | undefined> {
    const now = this.clock.now().getTime();
    const tally = this.tallyOf(scope, key, now);
    tally.sending += 1;
    await this.send(tally, 1);
    return this.verdict(tally, limit, now);
  }

  /** Counts one request from what this process knows (see the class); the same answer as `take`. */
  count(scope: string, key: string, limit = this.config.noticePageRateLimit): number | undefined {
    const now = this.clock.now().getTime();
    const tally = this.tallyOf(scope, key, now);
    tally.unsent += 1;
    if (tally.unsent >= Math.max(1, Math.floor(limit / 10))) this.flushOne(tally);
    else this.flushing ??= setTimeout(() => this.flush(), FLUSH_MS).unref();
    return this.verdict(tally, limit, now);
  }

  private verdict(tally: Tally, limit: number, now: number): number | undefined {
    if (tally.shared + tally.sending + tally.unsent <= limit) return undefined;
    return Math.max(1, Math.ceil(((this.window + 1) * WINDOW_MS - now) / 1000));
  }

  private tallyOf(scope: string, key: string, now: number): Tally {
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      // A new minute: the last one's counts are over (what was not sent of them never will be).
      this.window = window;
      this.tallies = new Map();
      this.hashed = new Map();
    }
    const name = `${scope}\u0000${key}`;
    let tally = this.tallies.get(name);
    if (tally === undefined) {
      tally = {
        key: `notice-rate:${scope}:${window}:${this.idOf(scope, key, name)}`,
        shared: 0,
        sending: 0,
        unsent: 0,
      };
      this.tallies.set(name, tally);
    }
    return tally;
  }

  private idOf(scope: string, key: string, name: string): string {
    let id = this.hashed.get(name);
    if (id === undefined) {
      id = this.crypto.cipher.keyedHash(`notice-rate:${scope}`, key).subarray(0, 16).toString('base64url');
      this.hashed.set(name, id);
    }
    return id;
  }

  private flush(): void {
    this.flushing = undefined;
    for (const tally of this.tallies.values()) if (tally.unsent > 0) this.flushOne(tally);
  }

  private flushOne(tally: Tally): void {
    const by = tally.unsent;
    tally.unsent = 0;
    tally.sending += by;
    void this.send(tally, by);
  }

  /** Adds `by` (already counted as sending) to the key's count in Redis, or in this process without it. */
  private async send(tally: Tally, by: number): Promise<void> {
    const shared = await this.inRedis(tally.key, by);
    tally.sending -= by;
    // Redis's count holds this process's too; without it, the process counts alone.
    tally.shared = shared ?? tally.shared + by;
  }

  private async inRedis(key: string, by: number): Promise<number | undefined> {
    const redis = this.counting();
    // Not connected (no REDIS_URL, or reconnecting): a command would wait for the connection, and the
    // page with it; this process counts alone meanwhile.
    if (redis?.status !== 'ready') return undefined;
    try {
      return Number(await redis.noticeRate(key, 2 * WINDOW_MS, by));
    } catch (err) {
      this.logger.warn({ err: messageOf(err) }, 'rate counter: Redis failed, counting in this process');
      return undefined;
    }
  }

  private counting(): Counting | undefined {
    if (this.redis) return this.redis;
    // A connection of its own, to the queues' Redis: the counts of a tick go in one write
    // (autopipelining), and a count fails fast rather than waiting out a reconnect as BullMQ's must.
    const redis = this.jobs.redis()?.duplicate({ enableAutoPipelining: true, maxRetriesPerRequest: 1 }) as
      Counting | undefined;
    if (!redis) return undefined;
    redis.on('error', (err: Error) => this.logger.warn({ err: err.message }, 'rate counter: Redis'));
    // EVALSHA after the first call: the script's text is not sent with every request.
    redis.defineCommand('noticeRate', { numberOfKeys: 1, lua: COUNT });
    this.redis = redis;
    return redis;
  }

  async onApplicationShutdown(): Promise<void> {
    clearTimeout(this.flushing);
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }
}
