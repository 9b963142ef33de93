import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import {
  ADMIN_KEY,
  ENCRYPTION_ENV,
  eventually,
  freePort,
  REDIS_BASE,
  startApp,
  TEST_KEYS,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';
import { spawnTracked, stopChild } from './support/processes.js';

const ROOT = resolve(__dirname, '..');
const REDIS_DB = 10;

function run(
  args: string[],
  env: Record<string, string>,
  script = 'dist/cli.js',
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawnTracked(process.execPath, [join(ROOT, script), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

/** Personal data of the file: none of it may appear in the service's log. */
const row = (i: number) => ({
  externalId: `cli-${i}`,
  name: `Person Number${i} Lastname`,
  email: `person.${i}@mail.example.com`,
  phone: `+4915${String(112345600 + i).padStart(9, '0')}`,
  jurisdiction: 'DE',
  birthDate: '1980-02-03',
  dataCategories: ['app_usage'],
});

/**
 * The built service as a separate process, as an operator runs it: the CLI imports a file into it with a
 * progress bar, and its log (at debug level) holds no personal data after imports, reads and errors.
 */
describe('the CLI and the log, against the built service (PostgreSQL + Redis)', () => {
  jest.setTimeout(60_000);
  let service: ChildProcess | undefined;
  let log = '';
  let base = '';
  let databaseUrl = '';
  let work = '';
  const env = () => ({ DATABASE_URL: databaseUrl, ...ENCRYPTION_ENV });

  beforeAll(async () => {
    databaseUrl = await createScratchDatabase('cli');
    work = mkdtempSync(join(tmpdir(), 'breach-cli-'));
    const redis = new Redis(`${REDIS_BASE}/${REDIS_DB}`);
    await redis.flushdb();
    redis.disconnect();
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    service = spawnTracked(process.execPath, [join(ROOT, 'dist/main.js')], {
      env: {
        PATH: process.env.PATH ?? '',
        ...env(),
        REDIS_URL: `${REDIS_BASE}/${REDIS_DB}`,
        ADMIN_API_KEY: ADMIN_KEY,
        PORT: String(port),
        LOG_LEVEL: 'debug',
      },
    });
    service.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    service.stderr!.on('data', (d: Buffer) => (log += d.toString()));
    await eventually(async () =>
      (await fetch(`${base}/health/ready`).catch(() => undefined))?.ok ? true : undefined,
    );
  });

  afterAll(async () => {
    // SIGTERM lets it drain; one that hangs is killed after the grace, so the stop never waits for good.
    if (service) await stopChild(service);
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('imports a file with a progress bar and prints the counts and rejected lines', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => JSON.stringify(row(i)));
    lines[10] = JSON.stringify({ ...row(10), email: 'person.10@' });
    lines[20] = '{broken';
    const file = join(work, 'people.ndjson');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const result = await run(['subjects:import', file, '--url', base], {
      ...env(),
      BREACH_API_KEY: ADMIN_KEY,
    });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/upload\s+\[#+\] 100%/);
    expect(result.stderr).toMatch(/process\s+\[#+\] 100% 3,000 lines/);
    expect(result.stderr).toContain('completed: 2,998 created, 0 updated, 2 rejected');
    expect(result.stderr).toContain('line 11: email (isEmail)');
    expect(result.stderr).toContain('line 21: line (isJson)');

    const usage = await run(['subjects:import'], env());
    expect(usage.code).toBe(64);
    expect(usage.stderr).toContain('subjects:import FILE');
  });

  it('logs no personal data, at debug level, after imports, reads, lookups and refusals', async () => {
    const auth = { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' };
    const bulk = await fetch(`${base}/v1/subjects/bulk`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ subjects: [row(5000), { ...row(5001), phone: '+4900' }] }),
    });
    expect(bulk.status).toBe(200);
    expect((await fetch(`${base}/v1/subjects/cli-5000`, { headers: auth })).status).toBe(200);
    const lookup = await fetch(`${base}/v1/subjects/lookup`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ email: row(7).email }),
    });
    expect(lookup.status).toBe(200);
    await fetch(`${base}/v1/subjects/bulk`, {
      method: 'POST',
      headers: auth,
      body: `{"subjects": [${JSON.stringify(row(9))}`,
    });
    // An external id that is an email address (some directories use them): not in the log.
    const byEmail = await fetch(`${base}/v1/subjects/someone.else@mail.example.com`, { headers: auth });
    expect(byEmail.status).toBe(404);
    await new Promise((r) => setTimeout(r, 300));
    expect(log).toContain('"path":"/v1/subjects/lookup"');
    expect(log).toContain('"path":"/v1/subjects/:externalId"');
    expect(log).not.toContain('someone.else');
    for (const i of [0, 7, 10, 5000, 5001]) {
      const person = row(i);
      for (const value of [
        person.name,
        person.email,
        person.phone,
        person.phone.slice(1),
        person.birthDate,
      ]) {
        expect(log).not.toContain(value);
      }
    }
  });

  it('creates a key with its holder, which the service then lists', async () => {
    const result = await run(
      ['keys:create', '--name', 'on call', '--role', 'approver', '--holder', 'Ana.Lima@AIART.example'],
      env(),
    );
    expect(result.code).toBe(0);
    const created = JSON.parse(result.stdout) as { id: string; holder: string; key: string };
    expect(created).toMatchObject({ role: 'approver', holder: 'ana.lima@aiart.example' });
    const listed = (await (
      await fetch(`${base}/v1/api-keys`, { headers: { Authorization: `Bearer ${ADMIN_KEY}` } })
    ).json()) as Array<{ id: string; holder: string | null }>;
    expect(listed.find((k) => k.id === created.id)?.holder).toBe('ana.lima@aiart.example');
  });

  it('re-encrypts everyone under a new key, which the service then reads with', async () => {
    await stopChild(service!);
    const rotated = { ENCRYPTION_KEYS: `k2:${TEST_KEYS.k2},k1:${TEST_KEYS.k1}`, HASH_KEY: TEST_KEYS.hash };
    const result = await run(['subjects:reencrypt'], { DATABASE_URL: databaseUrl, ...rotated });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ reencrypted: 2999 });
    const t = await startApp({ DATABASE_URL: databaseUrl, ...rotated }, REDIS_DB);
    try {
      expect(await t.query('select key_id, count(*)::int as n from subjects group by 1')).toEqual([
        { key_id: 'k2', n: 2999 },
      ]);
      const res = await t.http
        .get('/v1/subjects/cli-42')
        .set('Authorization', `Bearer ${ADMIN_KEY}`)
        .expect(200);
      expect(res.body).toMatchObject({ keyId: 'k2', email: row(42).email });
      const again = await run(['subjects:reencrypt'], { DATABASE_URL: databaseUrl, ...rotated });
      expect(JSON.parse(again.stdout)).toEqual({ reencrypted: 0 });
    } finally {
      await t.close();
    }
  });
});

/**
 * A value whose format is right but which a feature refuses (checked when its module starts, not by the
 * configuration) still stops the start as a bad variable does: exit 78, the variable named.
 */
describe('the built service refuses to start on a value a feature refuses (embedded)', () => {
  jest.setTimeout(60_000);

  it.each([
    [
      'a name, address and email that take the English SMS past two segments (templates/)',
      {
        ORGANIZATION_NAME: 'Ai Art Technology Co., Ltd.',
        PUBLIC_BASE_URL: 'https://notices.aiart-privacy.example.com',
        PRIVACY_CONTACT_EMAIL: 'data-protection-office@aiart-privacy.example.com',
      },
      /- ORGANIZATION_NAME, PUBLIC_BASE_URL, PRIVACY_CONTACT_EMAIL: the English SMS of breach-notice(-guardian)? is 3\d\d GSM-7/,
    ],
    [
      'a main establishment outside the EU/EEA (jurisdictions/)',
      { EU_MAIN_ESTABLISHMENT: 'US' },
      /- EU_MAIN_ESTABLISHMENT: must be an EU\/EEA country code .*\(got "US"\)/,
    ],
  ])('%s', async (_title, env, message) => {
    const result = await run(
      [],
      { DATA_DIR: 'memory://', PORT: String(await freePort()), LOG_LEVEL: 'silent', ...env },
      'dist/main.js',
    );
    expect(result.code).toBe(78);
    expect(result.stderr).toMatch(/^Invalid configuration:\n/);
    expect(result.stderr).toMatch(message);
  });
});
