import { spawn } from 'node:child_process';
import { existsSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { PGlite } from '@electric-sql/pglite';
import { PROJECT_ROOT } from '../paths.js';

/**
 * Opens an embedded PGlite database (the app's data, or the queues'), for a long-running process whose
 * resident memory at idle counts. WebAssembly memory grows and is never given back, so what the database
 * once touched stays resident for the life of the process:
 * - PostgreSQL's shared buffers, 128 MB by default, are all resident from the start: `sharedBuffers`
 *   sets them. Reads past them come from the operating system's cache of the files (measured: a 200,000-
 *   row insert, update and scan took the same time at 16, 32 and 128 MB).
 * - Creating a database (initdb) runs a second PostgreSQL in the same memory and left ~650 MB resident
 *   per database. A new database is created by a short-lived process of its own, in a folder beside the
 *   target renamed into place once complete (a creation cut short leaves no half-made database behind),
 *   and this process opens it as it would an existing one.
 * `memory://` databases live in this process: they are created here.
 */
export async function openPglite(path: string, sharedBuffers: string): Promise<PGlite> {
  const { PGlite } = await import('@electric-sql/pglite');
  if (!path.startsWith('memory://') && !existsSync(join(path, 'PG_VERSION'))) await createApart(path);
  return PGlite.create(path, {
    startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${sharedBuffers}`],
  });
}

/** What the creating process runs: PGlite's own creation of the folder given, then a clean close. */
const CREATE = `
const [entry, dir] = process.argv.slice(1);
const { PGlite } = await import(entry);
const db = await PGlite.create(dir);
await db.close();
`;

async function createApart(path: string): Promise<void> {
  const entry = pathToFileURL(
    createRequire(join(PROJECT_ROOT, 'package.json')).resolve('@electric-sql/pglite'),
  );
  const building = `${path}.creating`;
  rmSync(building, { recursive: true, force: true });
  const child = spawn(process.execPath, ['--input-type=module', '-e', CREATE, entry.href, building], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2_000)));
  const code = await new Promise<number | null>((done, fail) => {
    child.once('error', fail);
    child.once('exit', done);
  });
  if (code !== 0 || !existsSync(join(building, 'PG_VERSION'))) {
    rmSync(building, { recursive: true, force: true });
    throw new Error(`creating the embedded database in ${path} failed (exit ${code}): ${stderr.trim()}`);
  }
  // An empty folder left where the database goes (made ahead of it) gives way; one with files does not.
  if (existsSync(path)) rmdirSync(path);
  renameSync(building, path);
}
