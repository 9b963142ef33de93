import { ConfigError, DEFAULT_DATA_CATEGORIES, loadConfig } from './config.js';

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
    });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://u@db:5432/app' });
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

  it('adds extra data categories to the built-in ones', () => {
    expect(loadConfig({ EXTRA_DATA_CATEGORIES: 'biometrics, payment_data' }).dataCategories).toEqual([
      ...DEFAULT_DATA_CATEGORIES,
      'biometrics',
      'payment_data',
    ]);
  });
});
