import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { REDIS_BASE } from './support/app.js';

/**
 * Issue 19, the first hour: `npm test` never wipes a user's Redis. The run has a Redis server of its own
 * (test/support/global-setup.ts), or the server TEST_REDIS_URL names, and no test uses database 0 or
 * flushes a whole server.
 */
describe("the tests' Redis", () => {
  it('is a server the run started, unless TEST_REDIS_URL names one', async () => {
    if (process.env.TEST_REDIS_URL) {
      expect(new URL(REDIS_BASE).host).toBe(new URL(process.env.TEST_REDIS_URL).host);
      return;
    }
    const pid = Number(process.env.E2E_REDIS_PID);
    expect(pid).toBeGreaterThan(0);
    expect(readFileSync(`/proc/${pid}/cmdline`, 'utf8')).toContain('redis-server');
    // The server at REDIS_BASE is that process.
    const redis = new Redis(`${REDIS_BASE}/1`, { lazyConnect: true });
    try {
      await redis.connect();
      expect(await redis.info('server')).toContain(`process_id:${pid}`);
    } finally {
      redis.disconnect();
    }
  });

  it('is never database 0 of it, and no test flushes a whole server', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? files(join(dir, entry.name))
          : entry.name.endsWith('.ts') && entry.name !== 'redis-isolation.e2e-spec.ts'
            ? [join(dir, entry.name)]
            : [],
      );
    // How the tests name a database: a REDIS_DB constant, startApp's second argument, REDIS_BASE/<n>.
    const zero = [/REDIS_DB = 0\b/, /startApp\([^;]*?,\s*0\)/, /REDIS_BASE\}\/0\b/, /\bflushall\(/];
    const found = files(__dirname).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return zero.filter((pattern) => pattern.test(text)).map((pattern) => `${file}: ${String(pattern)}`);
    });
    expect(found).toEqual([]);
  });
});
