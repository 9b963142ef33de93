import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { JobRepository } from '../queue/job.repository.js';

const WINDOW_MS = 60_000;
/** One counter per key and minute, gone a minute after its window ends (sent once, then by its hash). */
const COUNT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

type Counting = Redis & { noticeRate(key: string, ttlMs: number): Promise<number> };

/**
 * Counts requests per key (a client address, a looked-up address) and minute: in Redis (`notice-rate:`
 * keys, on the queues' connection) so every node shares the count; in this process when there is no
 * Redis, or while it is not connected. The key is a keyed hash: no address is written anywhere, not even
 * for a minute.
 */
@Injectable()
export class NoticeRateLimiter implements OnApplicationShutdown {
  private readonly logger = new Logger(NoticeRateLimiter.name);
  /** This window's counts (without Redis) and hashed keys (the HMAC once per key and minute). */
  private local = new Map<string, number>();
  private hashed = new Map<string, string>();
  private window = -1;
  private redis?: Counting;

  constructor(
    private readonly jobs: JobRepository,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /** Counts one request; undefined when it is allowed, else the seconds until the next window. */
  async take(
    scope: string,
    key: string,
    limit = this.config.noticePageRateLimit,
  ): Promise<number | undefined> {
    const now = this.clock.now().getTime();
    const window = Math.floor(now / WINDOW_MS);
    if (window !== this.window) {
      this.window = window;
      this.local = new Map();
      this.hashed = new Map();
    }
    const id = this.idOf(scope, key);
    const count = (await this.inRedis(`notice-rate:${scope}:${window}:${id}`)) ?? this.inProcess(id);
    if (count <= limit) return undefined;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }

  private idOf(scope: string, key: string): string {
    const name = `${scope}\u0000${key}`;
    let id = this.hashed.get(name);
    if (id === undefined) {
      id = this.crypto.cipher.keyedHash(`notice-rate:${scope}`, key).subarray(0, 16).toString('base64url');
      this.hashed.set(name, id);
    }
    return id;
  }

  private async inRedis(key: string): Promise<number | undefined> {
    const redis = this.counting();
    // Not connected (no REDIS_URL, or reconnecting): a command would wait for the connection, and the
    // page with it; this process counts alone meanwhile.
    if (redis?.status !== 'ready') return undefined;
    try {
      return Number(await redis.noticeRate(key, 2 * WINDOW_MS));
    } catch (err) {
      this.logger.warn({ err: messageOf(err) }, 'rate counter: Redis failed, counting in this process');
      return undefined;
    }
  }

  private counting(): Counting | undefined {
    if (this.redis) return this.redis;
    // A connection of its own, to the queues' Redis: the counts of a tick's requests go in one write
    // (autopipelining; one write per request was most of the limiter's cost under a rush), and a count
    // fails fast rather than waiting out a reconnect as BullMQ's commands must.
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
    await this.redis?.quit().catch(() => this.redis?.disconnect());
  }

  private inProcess(id: string): number {
    const count = (this.local.get(id) ?? 0) + 1;
    this.local.set(id, count);
    return count;
  }
}
