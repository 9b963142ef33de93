import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, DEFAULT_DATA_CATEGORIES, loadConfig } from './config.js';

const KEY_A = Buffer.alloc(32, 7).toString('base64');
const KEY_B = Buffer.alloc(32, 8).toString('base64');

describe('loadConfig', () => {
  it('starts with no configuration: embedded database, no Redis, role all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      role: 'all',
      port: 3000,
      logLevel: 'info',
      database: { kind: 'pglite', dataDir: './data' },
      redisUrl: undefined,
      adminApiKey: undefined,
    });
    expect(config.dataCategories).toEqual([...DEFAULT_DATA_CATEGORIES]);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('uses PostgreSQL and Redis when given', () => {
    const config = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/app',
      REDIS_URL: 'redis://cache:6379/2',
      ENCRYPTION_KEYS: `new:${KEY_B},old:${KEY_A}`,
      HASH_KEY: KEY_A,
    });
    expect(config.encryption?.keys.map((k) => k.id)).toEqual(['new', 'old']);
    expect(config.database).toEqual({
      kind: 'postgres',
      url: 'postgres://u@db:5432/app',
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 60_000,
      bulkStatementTimeoutMs: 1_800_000,
    });
    expect(config.redisUrl).toBe('redis://cache:6379/2');
  });

  it('names every bad variable at once, and never prints a secret', () => {
    let error: unknown;
    try {
      loadConfig({
        ROLE: 'scheduler',
        PORT: '70000',
        DATABASE_URL: 'mysql://root:hunter2@db/app',
        ADMIN_API_KEY: 'short-secret',
        PRIVACY_CONTACT_EMAIL: 'nobody',
        EXTRA_DATA_CATEGORIES: 'biometrics,Bad Name',
      });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of [
      'ROLE',
      'PORT',
      'DATABASE_URL',
      'ADMIN_API_KEY',
      'PRIVACY_CONTACT_EMAIL',
      'EXTRA_DATA_CATEGORIES',
    ]) {
      expect(message).toContain(`${name}:`);
    }
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('short-secret');
    expect(message).toContain('"Bad Name"');
  });

  it("reads PostgreSQL's timeouts, and refuses a bad one naming it", () => {
    const postgres = { DATABASE_URL: 'postgres://u@db/app', ENCRYPTION_KEYS: `k:${KEY_A}`, HASH_KEY: KEY_B };
    expect(
      loadConfig({
        ...postgres,
        PG_CONNECT_TIMEOUT_MS: '2500',
        PG_STATEMENT_TIMEOUT_MS: '0',
        PG_BULK_STATEMENT_TIMEOUT_MS: '600000',
      }).database,
    ).toMatchObject({ connectTimeoutMs: 2500, statementTimeoutMs: 0, bulkStatementTimeoutMs: 600_000 });
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig({ ...postgres, ...env });
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ PG_STATEMENT_TIMEOUT_MS: '30s', PG_CONNECT_TIMEOUT_MS: '0' })).toEqual([
      'PG_CONNECT_TIMEOUT_MS: must be a whole number from 100 to 600000 (got "0")',
      'PG_STATEMENT_TIMEOUT_MS: must be a whole number from 0 to 86400000 (got "30s")',
    ]);
    // The set-based work's limit is never the shorter one.
    expect(problems({ PG_STATEMENT_TIMEOUT_MS: '60000', PG_BULK_STATEMENT_TIMEOUT_MS: '1000' })).toEqual([
      'PG_BULK_STATEMENT_TIMEOUT_MS: must be 0 or at least PG_STATEMENT_TIMEOUT_MS (60000) (got "1000")',
    ]);
    // Checked in embedded mode too, so a bad value does not wait for the day DATABASE_URL is set.
    expect(() => loadConfig({ PG_STATEMENT_TIMEOUT_MS: '-1' })).toThrow(/PG_STATEMENT_TIMEOUT_MS:/);
  });

  it('adds extra data categories to the built-in ones', () => {
    expect(loadConfig({ EXTRA_DATA_CATEGORIES: 'biometrics, payment_data' }).dataCategories).toEqual([
      ...DEFAULT_DATA_CATEGORIES,
      'biometrics',
      'payment_data',
    ]);
  });

  it('needs encryption keys with PostgreSQL, and reports bad keys without printing them', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://u@db/app' })).toThrow(/ENCRYPTION_KEYS: required/);
    let error: unknown;
    try {
      loadConfig({ ENCRYPTION_KEYS: `k1:${KEY_A},k1:${KEY_B},bad id:short`, HASH_KEY: 'c2hvcnQ=' });
    } catch (err) {
      error = err;
    }
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toContain('key id "k1" appears twice');
    expect(problems).toContain('entry 3 must be id:base64');
    expect(problems).toContain('HASH_KEY: must be base64 of 32 bytes');
    expect(problems).not.toContain(KEY_A);
    expect(problems).not.toContain('short');
  });

  it('reads the ages of digital consent per jurisdiction', () => {
    const config = loadConfig({ MINOR_AGES: 'DE=15, US-CA=16', MINOR_AGE_DEFAULT: '13' });
    expect(config.minorAges).toEqual({ DE: 15, 'US-CA': 16 });
    expect(config.minorAgeDefault).toBe(13);
    expect(() => loadConfig({ MINOR_AGES: 'Germany=16' })).toThrow(/MINOR_AGES: "Germany=16"/);
  });

  it('reads each provider when its credentials are set, and says what is missing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fcm-'));
    const account = { type: 'service_account', project_id: 'p', client_email: 'x@p.iam', private_key: 'k' };
    writeFileSync(join(dir, 'account.json'), JSON.stringify(account));
    try {
      const config = loadConfig({
        SENDGRID_API_KEY: 'SG.key',
        SENDGRID_FROM: 'security@aiart.example',
        SENDGRID_BASE_URL: 'http://127.0.0.1:9000/',
        TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'token',
        TWILIO_MESSAGING_SERVICE_SID: `MG${'b'.repeat(32)}`,
        FCM_PROJECT_ID: 'p',
        FCM_SERVICE_ACCOUNT: join(dir, 'account.json'),
      });
      expect(config.sendgrid).toEqual({
        apiKey: 'SG.key',
        from: 'security@aiart.example',
        baseUrl: 'http://127.0.0.1:9000',
      });
      // A Messaging Service instead of a From number.
      expect(config.twilio).toMatchObject({ from: undefined, messagingServiceSid: `MG${'b'.repeat(32)}` });
      // The service account from a path, or inline.
      expect(config.fcm).toMatchObject({ projectId: 'p', serviceAccount: account });
      expect(
        loadConfig({ FCM_PROJECT_ID: 'p', FCM_SERVICE_ACCOUNT: JSON.stringify(account) }).fcm,
      ).toMatchObject({ serviceAccount: account });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problems({ SENDGRID_API_KEY: 'SG.key' })).toEqual([
      expect.stringMatching(/^SENDGRID_FROM: must be/),
    ]);
    expect(problems({ TWILIO_ACCOUNT_SID: `AC${'a'.repeat(32)}`, TWILIO_AUTH_TOKEN: 't' })).toEqual([
      expect.stringMatching(/^TWILIO_FROM: a sender number, or TWILIO_MESSAGING_SERVICE_SID/),
    ]);
    const secret = '{"private_key": "-----BEGIN SECRET';
    const fcm = problems({ FCM_PROJECT_ID: 'p', FCM_SERVICE_ACCOUNT: secret });
    expect(fcm).toContain(
      'FCM_SERVICE_ACCOUNT: must be a service account JSON, or the path of one (the value is not shown)',
    );
    expect(fcm.join('\n')).not.toContain('SECRET');
  });

  // What a value means to a feature is that feature's check at boot (templates/english-sms.check.ts,
  // jurisdictions/main-establishment.check.ts); the configuration checks the formats.
  it('checks the format of the organisation and its main establishment, not what they mean', () => {
    const config = loadConfig({
      ORGANIZATION_NAME: 'Ai Art Technology Co., Ltd.',
      PUBLIC_BASE_URL: 'https://notices.aiart-privacy.example.com/',
      EU_MAIN_ESTABLISHMENT: 'US',
    });
    expect(config).toMatchObject({
      publicBaseUrl: 'https://notices.aiart-privacy.example.com',
      euMainEstablishment: 'US',
    });
    let error: unknown;
    try {
      loadConfig({
        ORGANIZATION_NAME: 'x'.repeat(201),
        PUBLIC_BASE_URL: 'notices.example',
        EU_MAIN_ESTABLISHMENT: 'Ireland',
      });
    } catch (err) {
      error = err;
    }
    expect((error as ConfigError).problems).toEqual([
      'PUBLIC_BASE_URL: must be an http(s) URL (got "notices.example")',
      'ORGANIZATION_NAME: must be at most 200 characters',
      'EU_MAIN_ESTABLISHMENT: must be a country code of two capital letters such as IE or DE (got "Ireland")',
    ]);
  });
});
