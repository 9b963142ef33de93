import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eventually, freePort, validIncident } from './support/app.js';
import { spawnTracked, stopChild } from './support/processes.js';

const ROOT = resolve(__dirname, '..');

/** The built service as a newcomer starts it: no configuration at all, embedded database in DATA_DIR. */
class Service {
  log = '';
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;

  constructor(
    dataDir: string,
    readonly base: string,
  ) {
    this.child = spawnTracked(process.execPath, [join(ROOT, 'dist/main.js')], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, PORT: new URL(base).port },
    });
    this.child.stdout!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child.stderr!.on('data', (d: Buffer) => (this.log += d.toString()));
    this.exited = new Promise((done) => this.child.once('exit', (code) => done(code)));
  }

  get pid(): number {
    return this.child.pid!;
  }

  async ready(): Promise<void> {
    await eventually(async () => {
      if (this.child.exitCode !== null) throw new Error(`the service exited:\n${this.log}`);
      return (await fetch(`${this.base}/health/ready`).catch(() => undefined))?.ok ? true : undefined;
    }, 180_000);
  }

  /** SIGTERM, and SIGKILL if it has not exited after a while: a stop never waits for good. */
  async stop(): Promise<number | null> {
    await stopChild(this.child, 'SIGTERM', 60_000);
    return this.exited;
  }
}

function cli(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = spawnTracked(process.execPath, [join(ROOT, 'dist/cli.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => done({ code: code ?? -1, stdout, stderr }));
  });
}

const FIRST_KEY = /one-time admin setup key[^]*?key: (bnk_[\w-]+)/;

/**
 * Issue 19, the first hour: the README's `npm start` with nothing configured must leave a newcomer with a
 * key (shown once in the log), and a second process on the same embedded data folder (the CLI while the
 * service runs) must be refused, not write over the service's database.
 */
describe('a first start on the embedded database', () => {
  jest.setTimeout(600_000);
  let work: string;
  let dataDir: string;
  let base: string;
  let service: Service | undefined;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'breach-first-'));
    dataDir = join(work, 'data');
    base = `http://127.0.0.1:${await freePort()}`;
  });

  afterAll(async () => {
    await service?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const get = (path: string, key: string) =>
    fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${key}` } });

  it('prints a one-time admin key with where the docs are, refuses the CLI while running, and keeps the audit chain whole', async () => {
    service = new Service(dataDir, base);
    await service.ready();
    const first = FIRST_KEY.exec(service.log)?.[1];
    expect(first).toBeDefined();
    expect(service.log).toMatch(/API docs: http:\/\/localhost:\d+\/docs/);
    expect(service.log.match(/one-time admin setup key/g)).toHaveLength(1);
    expect((await get('/v1/api-keys', first!)).status).toBe(200);
    // A log a person can read: no line per module and per route mapped.
    expect(service.log).not.toContain('Mapped {');
    expect(service.log).not.toContain('dependencies initialized');
    // The address itself says where to go.
    const root = await fetch(`${base}/`);
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({
      docs: '/docs',
      publicPages: { securityNotices: '/security-notices' },
    });

    // The CLI on the same folder while the service runs: refused (EX_TEMPFAIL) with what to do.
    const refused = await cli(['keys:create', '--name', 'me', '--role', 'admin'], dataDir);
    expect(refused.code).toBe(75);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`in use by process ${service.pid}`);
    expect(refused.stderr).toContain('Stop that process first');
    // ... and the service, untouched, goes on.
    const incident = await fetch(`${base}/v1/incidents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(validIncident()),
    });
    expect(incident.status).toBe(201);

    // SIGTERM: it says it drains, then that it stopped; a clean stop leaves no lock behind.
    expect(await service.stop()).toBe(0);
    expect(service.log).toMatch(/SIGTERM: draining[^]*"msg":"stopped"/);
    expect(existsSync(join(dataDir, 'lock.json'))).toBe(false);

    // Stopped, the CLI may: its key is valid, and the chain holds all three entries' writers.
    const made = await cli(['keys:create', '--name', 'me', '--role', 'admin'], dataDir);
    expect(made.code).toBe(0);
    const key = (JSON.parse(made.stdout) as { key: string }).key;
    service = new Service(dataDir, base);
    await service.ready();
    expect(service.log).not.toContain('one-time admin setup key'); // keys exist: never again
    const verify = await get('/v1/audit/verify', key);
    expect(verify.status).toBe(200);
    expect(await verify.json()).toMatchObject({ valid: true, firstBrokenId: null });
    const audit = (await (await get('/v1/audit?targetType=api_key', key)).json()) as {
      items: Array<{ action: string }>;
    };
    expect(audit.items.filter((e) => e.action === 'api_key.create')).toHaveLength(2);
    expect((await get('/v1/api-keys', first!)).status).toBe(200);
    // After a restart the chain's metric says what the last verification found, never a bare 0.
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^audit_chain_valid (1|NaN)$/m);
  });

  it('--help prints the usage and exits 0; an unknown command or option is a usage error (64)', async () => {
    const help = await cli(['--help'], dataDir);
    expect(help.code).toBe(0);
    for (const command of [
      'keys:create',
      'openapi',
      'secrets:generate',
      'subjects:import',
      'subjects:reencrypt',
      'subjects:age-check',
    ]) {
      expect(help.stdout).toContain(command);
    }
    expect((await cli(['keys:create', '--help'], dataDir)).code).toBe(0);
    const unknown = await cli(['keys:make'], dataDir);
    expect(unknown.code).toBe(64);
    expect(unknown.stderr).toContain('unknown command: keys:make');
    const option = await cli(['keys:create', '--nme', 'x'], dataDir);
    expect(option.code).toBe(64);
    expect(option.stderr).toContain("Unknown option '--nme'");
  });
});
