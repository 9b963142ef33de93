import { hostname } from 'node:os';
import { linkSync, mkdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';

/**
 * The embedded databases (PGlite) take one process at a time: a second process opening the same files
 * (the CLI's `keys:create` while the service runs) writes over the first's pages. Its key was never valid
 * and the audit chain broke (issue 19). So DATA_DIR holds a lock file naming its owner, and a second
 * process is refused with what to do.
 */
export const DATA_DIR_LOCK_FILE = 'lock.json';

/** EX_TEMPFAIL: try again once the other process has stopped. */
export const DATA_DIR_LOCKED_EXIT = 75;

interface Owner {
  pid: number;
  host: string;
  command: string;
  since: string;
}

const UNKNOWN_OWNER: Owner = { pid: 0, host: 'this host', command: 'unknown', since: 'just now' };

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: Owner,
  ) {
    super(
      `DATA_DIR ${dataDir} is in use by process ${owner.pid} (${owner.command}, since ${owner.since}): ` +
        'the embedded database takes one process at a time. Stop that process first, or, while the ' +
        'service runs, do it through its API (an API key: POST /v1/api-keys with an admin key; see /docs). ' +
        `If no such process runs on ${owner.host}, delete ${resolve(dataDir, DATA_DIR_LOCK_FILE)}.`,
    );
    this.name = 'DataDirLockedError';
  }
}

/** Locks held by this process, by folder: the database and the queue database share one. */
const held = new Map<string, { count: number; file: string }>();

/**
 * Takes DATA_DIR's lock for this process (again, if it holds it already: each call needs its release).
 * Refuses with {@link DataDirLockedError} while another live process on this host holds it; a lock left
 * by a process that is gone (killed) is taken over. `memory://` needs none.
 */
export function acquireDataDirLock(dataDir: string): () => void {
  if (dataDir.startsWith('memory://')) return () => undefined;
  const dir = resolve(dataDir);
  const mine = held.get(dir);
  if (mine) {
    mine.count += 1;
    return releaser(dir);
  }
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, DATA_DIR_LOCK_FILE);
  const owner: Owner = {
    pid: process.pid,
    host: hostname(),
    command: `${basename(process.argv[1] ?? 'node')} ${process.argv[2] ?? ''}`.trim(),
    since: new Date().toISOString(),
  };
  // Written whole under another name, then linked: a link fails when the name exists, so of two
  // processes starting at once exactly one gets the lock, and nobody ever reads a half-written file.
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, `${JSON.stringify(owner)}\n`, { mode: 0o600 });
  try {
    for (let attempt = 0; ; attempt += 1) {
      try {
        linkSync(draft, file);
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        const current = readOwner(file);
        // A second EEXIST means another process took it over just now.
        if (attempt > 0 || (current && alive(current)))
          throw new DataDirLockedError(dataDir, current ?? UNKNOWN_OWNER);
        // Its owner is gone (killed): take it over, once.
        rmSync(file, { force: true });
      }
    }
  } finally {
    unlinkSync(draft);
  }
  held.set(dir, { count: 1, file });
  process.once('exit', () => {
    if (held.get(dir)?.file === file) rmSync(file, { force: true });
  });
  return releaser(dir);
}

function releaser(dir: string): () => void {
  let released = false;
  return () => {
    const lock = held.get(dir);
    if (released || !lock) return;
    released = true;
    lock.count -= 1;
    if (lock.count > 0) return;
    held.delete(dir);
    rmSync(lock.file, { force: true });
  };
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, 'utf8')) as Owner;
    return typeof owner.pid === 'number' ? owner : undefined;
  } catch {
    return undefined; // unreadable or gone meanwhile: treated as stale
  }
}

/** Whether the lock's owner still runs. A lock from another host is taken as alive: we cannot tell. */
function alive(owner: Owner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return false; // a lock this process left behind (it was released)
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
