import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { JobRepository } from '../queue/job.repository.js';

const WINDOW_MS = 60_000;
/** Past this, Redis is taken to be away and the process counts alone (its queued command still runs). */
const REDIS_WAIT_MS = 250;
/** One counter per key and minute, gone a minute after its window ends. */
const COUNT = `local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n`;

/**
 * Counts requests per key (a client address, a looked-up address) and minute: in Redis (`notice-rate:`
 * keys, on the queues' connection) so every node shares the count, else in this process. The key is a
 * keyed hash: no address is written anywhere, not even for a minute.
 */
@Injectable()
export class NoticeRateLimiter {
  private readonly logger = new Logger(NoticeRateLimiter.name);
  private local = new Map<string, number>();
  private localWindow = -1;

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
    const id = this.crypto.cipher
      .keyedHash(`notice-rate:${scope}`, key)
      .subarray(0, 16)
      .toString('base64url');
    const count = (await this.inRedis(`notice-rate:${scope}:${window}:${id}`)) ?? this.inProcess(window, id);
    if (count <= limit) return undefined;
    return Math.max(1, Math.ceil(((window + 1) * WINDOW_MS - now) / 1000));
  }

  private async inRedis(key: string): Promise<number | undefined> {
    const redis = this.jobs.redis();
    if (!redis) return undefined;
    let timer: NodeJS.Timeout | undefined;
    const away = new Promise<undefined>((done) => {
      timer = setTimeout(() => done(undefined), REDIS_WAIT_MS);
    });
    try {
      const counted = redis.eval(COUNT, 1, key, 2 * WINDOW_MS).then(Number);
      return await Promise.race([counted, away]);
    } catch (err) {
      this.logger.warn({ err: messageOf(err) }, 'rate counter: Redis failed, counting in this process');
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private inProcess(window: number, id: string): number {
    if (window !== this.localWindow) {
      this.local = new Map();
      this.localWindow = window;
    }
    const count = (this.local.get(id) ?? 0) + 1;
    this.local.set(id, count);
    return count;
  }
}
