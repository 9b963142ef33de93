import type { AppConfig } from '../config/config.js';
import type { CryptoService } from '../crypto/crypto.service.js';
import { FieldCipher } from '../crypto/field-cipher.js';
import type { JobRepository } from '../queue/job.repository.js';
import { addressOf } from './lookup.service.js';
import { negotiate, NoticePageView } from './notice-page.view.js';
import { NoticeRateLimiter } from './notice-rate.js';

describe('the notice page view', () => {
  const view = new NoticePageView();

  it('has the words of every notice locale, and a CSP that allows its style by hash and no script', () => {
    expect(view.locales).toEqual(['de', 'en', 'es', 'fr', 'hi', 'ja', 'ko', 'pt', 'pt-BR', 'zh-Hans']);
    expect(view.contentSecurityPolicy).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(view.contentSecurityPolicy).not.toContain('script');
  });

  it('answers in the first language asked that it has, by q, along each chain; English otherwise', () => {
    const has = (tag: string) => view.locales.includes(tag);
    expect(negotiate('fr-CA,fr;q=0.9,en;q=0.8', has)).toBe('fr');
    expect(negotiate('it-IT,de;q=0.5', has)).toBe('de');
    expect(negotiate('en;q=0.2,ja;q=0.9', has)).toBe('ja');
    expect(negotiate('pt-BR', has)).toBe('pt-BR');
    expect(negotiate('zh-CN', has)).toBe('zh-Hans');
    expect(negotiate('it-IT', has)).toBe('en');
    expect(negotiate('', has)).toBe('en');
    expect(negotiate('*;q=1, xx-!!;q=x', has)).toBe('en');
  });

  it('says the same for a wrong and an expired link, in the language asked', () => {
    const values = { org: 'Ai Art', contact: 'privacy@example.com' };
    const page = view.renderMessage('gone', 'ja', values);
    expect(page).toContain('<html lang="ja">');
    expect(page).toContain('このリンクでは通知を開けません');
    expect(page).toContain('privacy@example.com');
  });
});

describe('addressOf (the "Was I affected?" form)', () => {
  it('takes an email or an E.164 number as people write them, normalized as the directory hashes them', () => {
    expect(addressOf({ contact: '  Alice@Example.COM ' })).toEqual({
      kind: 'email',
      normalized: 'alice@example.com',
    });
    expect(addressOf({ contact: '+1 (415) 555-0199' })).toEqual({
      kind: 'phone',
      normalized: '+14155550199',
    });
    expect(addressOf({ contact: '+49 151.2345.6789' })).toEqual({
      kind: 'phone',
      normalized: '+4915123456789',
    });
  });

  it('refuses what is neither', () => {
    for (const contact of ['', 'hello', 'a@b', '0151 2345678', '+0123456789', `${'a'.repeat(250)}@x.com`, 42])
      expect(addressOf({ contact })).toBeUndefined();
    expect(addressOf(undefined)).toBeUndefined();
  });
});

describe('NoticeRateLimiter without Redis', () => {
  let now = Date.UTC(2026, 11, 6, 12, 0, 15);
  const limiter = new NoticeRateLimiter(
    { redis: () => undefined } as unknown as JobRepository,
    {
      cipher: new FieldCipher({
        keys: [{ id: 'k', key: Buffer.alloc(32, 1) }],
        hashKey: Buffer.alloc(32, 2),
      }),
    } as CryptoService,
    { now: () => new Date(now) },
    { noticePageRateLimit: 3 } as AppConfig,
  );

  it('counts per key and minute in the process, and says when the next minute begins', async () => {
    for (let i = 0; i < 3; i += 1) expect(limiter.count('page', '203.0.113.7')).toBeUndefined();
    expect(limiter.count('page', '203.0.113.7')).toBe(45);
    expect(await limiter.take('page', '203.0.113.7')).toBe(45);
    // Another address, or another scope, has its own count.
    expect(await limiter.take('page', '203.0.113.8')).toBeUndefined();
    expect(await limiter.take('lookup', '203.0.113.7')).toBeUndefined();
    now += 45_000;
    expect(await limiter.take('page', '203.0.113.7')).toBeUndefined();
    await limiter.onApplicationShutdown();
  });
});

describe('NoticeRateLimiter counting pages in batches', () => {
  /** One Redis for two processes: INCRBY per key, as the script does. */
  const store = new Map<string, number>();
  const redis = {
    status: 'ready',
    on: () => undefined,
    defineCommand: () => undefined,
    quit: () => Promise.resolve(),
    noticeRate: (key: string, _ttl: number, by: number) => {
      store.set(key, (store.get(key) ?? 0) + by);
      return Promise.resolve(store.get(key));
    },
  };
  const now = Date.UTC(2026, 11, 6, 12, 0, 15);
  const limiterOf = () =>
    new NoticeRateLimiter(
      { redis: () => ({ duplicate: () => redis }) } as unknown as JobRepository,
      {
        cipher: new FieldCipher({
          keys: [{ id: 'k', key: Buffer.alloc(32, 1) }],
          hashKey: Buffer.alloc(32, 2),
        }),
      } as CryptoService,
      { now: () => new Date(now) },
      { noticePageRateLimit: 10 } as AppConfig,
    );
  const settled = () => new Promise((done) => setImmediate(done));

  it("refuses a client over the limit in one process, and in another once the first one's counts are sent", async () => {
    const [a, b] = [limiterOf(), limiterOf()];
    for (let i = 0; i < 10; i += 1) expect(a.count('page', '203.0.113.7')).toBeUndefined();
    expect(a.count('page', '203.0.113.7')).toBe(45);
    await settled();
    // The other process has counted nothing of this client, and learns the shared count from Redis.
    expect(b.count('page', '203.0.113.7')).toBeUndefined();
    await settled();
    expect(b.count('page', '203.0.113.7')).toBe(45);
    expect(b.count('page', '203.0.113.8')).toBeUndefined();
    expect([...store.keys()].join(' ')).not.toContain('203.0.113');
    await Promise.all([a.onApplicationShutdown(), b.onApplicationShutdown()]);
  });
});
