import type { MinimalJob } from 'bullmq';
import { retryDelay, RetryLater } from './job.repository.js';

const job = { opts: { backoff: { type: 'retry-after', delay: 1_000 } } } as unknown as MinimalJob;
const many = (f: () => number) => Array.from({ length: 2_000 }, f);

describe('retry delay', () => {
  it('never retries before the provider said, and spreads retries over a quarter more', () => {
    const delays = many(() => retryDelay(3, 'retry-after', new RetryLater('429', 7_000), job));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(7_000);
    expect(Math.max(...delays)).toBeLessThanOrEqual(8_750);
    expect(new Set(delays).size).toBeGreaterThan(100);
  });

  it('honours a provider wait of up to an hour, and a zero wait at once', () => {
    expect(retryDelay(1, 'retry-after', new RetryLater('429', 30 * 60_000), job)).toBeGreaterThanOrEqual(
      30 * 60_000,
    );
    const long = many(() => retryDelay(1, 'retry-after', new RetryLater('429', 5 * 3_600_000), job));
    expect(Math.min(...long)).toBeGreaterThanOrEqual(3_600_000);
    expect(Math.max(...long)).toBeLessThanOrEqual(4_500_000);
    expect(retryDelay(1, 'retry-after', new RetryLater('batch_refused', 0), job)).toBe(0);
  });

  it('backs off exponentially from the base delay without a provider wait, ±25%, at most ten minutes', () => {
    for (const [attempt, expected] of [
      [1, 1_000],
      [2, 2_000],
      [5, 16_000],
    ] as const) {
      const delays = many(() => retryDelay(attempt, 'retry-after', new Error('x'), job));
      expect(Math.min(...delays)).toBeGreaterThanOrEqual(expected * 0.75);
      expect(Math.max(...delays)).toBeLessThanOrEqual(expected * 1.25);
    }
    expect(retryDelay(30, 'retry-after', new RetryLater('503'), job)).toBeLessThanOrEqual(12.5 * 60_000);
  });
});
