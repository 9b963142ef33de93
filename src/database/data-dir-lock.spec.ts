import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireDataDirLock, DATA_DIR_LOCK_FILE, DataDirLockedError } from './data-dir-lock.js';

describe('the embedded data folder lock', () => {
  let dir: string;
  const lockFile = () => join(dir, DATA_DIR_LOCK_FILE);
  const owner = (pid: number, host = hostname()) =>
    writeFileSync(
      lockFile(),
      JSON.stringify({ pid, host, command: 'main.js', since: '2026-12-06T10:00:00Z' }),
    );

  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'data-dir-lock-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names this process as the owner and is removed when its last holder releases it', () => {
    const database = acquireDataDirLock(dir);
    const queue = acquireDataDirLock(dir); // the queue database of the same process
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({
      pid: process.pid,
      host: hostname(),
    });
    database();
    database(); // twice is once
    expect(existsSync(lockFile())).toBe(true);
    queue();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('refuses while another live process holds it, saying who and what to do', () => {
    owner(process.ppid);
    let refused: unknown;
    try {
      acquireDataDirLock(dir);
    } catch (err) {
      refused = err;
    }
    expect(refused).toBeInstanceOf(DataDirLockedError);
    const message = (refused as Error).message;
    expect(message).toContain(`in use by process ${process.ppid} (main.js`);
    expect(message).toContain('Stop that process first');
    expect(message).toContain('POST /v1/api-keys');
    // The other process's lock is left as it was.
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.ppid });
  });

  it('refuses a lock from another host, whose process it cannot see', () => {
    owner(1, 'another-host');
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
  });

  it('takes over a lock whose process is gone (killed), and an unreadable one', () => {
    owner(2 ** 22 + 12_345); // above Linux's largest pid
    const release = acquireDataDirLock(dir);
    expect(JSON.parse(readFileSync(lockFile(), 'utf8'))).toMatchObject({ pid: process.pid });
    release();
    writeFileSync(lockFile(), '{"pid":');
    acquireDataDirLock(dir)();
    expect(existsSync(lockFile())).toBe(false);
  });

  it('needs no lock in memory', () => {
    expect(() => acquireDataDirLock('memory://')()).not.toThrow();
  });
});
