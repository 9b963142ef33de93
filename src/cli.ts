import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SYSTEM_ACTOR } from './common/actor.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { AppModule } from './app.module.js';
import { buildOpenApi } from './bootstrap.js';
import { Role } from './common/permissions.js';
import { AppConfig, ConfigError, loadConfig } from './config/config.js';
import { acquireDataDirLock, DATA_DIR_LOCKED_EXIT, DataDirLockedError } from './database/data-dir-lock.js';
import { PROJECT_ROOT } from './paths.js';
import { formatCount, ProgressBar } from './common/progress.js';
import { importFile } from './subjects/import.cli.js';
import { SubjectsService } from './subjects/subjects.service.js';

const USAGE = `Usage: breach-notify <command>

  keys:create --name NAME --role admin|responder|approver|auditor [--holder WHO] [--expires ISO-DATE]
      Create an API key (uses DATABASE_URL / DATA_DIR); prints the secret once. WHO: the person who
      holds it (their work email, say); four eyes refuse approvals by another key of the author's holder.
      On the embedded database, stop the service first: DATA_DIR takes one process at a time (exit 75).
  openapi [--check]
      Write openapi.json from the DTOs, or with --check fail if the committed file is stale.
  secrets:generate
      Print a new ENCRYPTION_KEYS entry and HASH_KEY (for DATABASE_URL set-ups).
  subjects:import FILE [--url URL] [--key KEY] [--format ndjson|csv]
      Stream a file of people to a running service (default http://localhost:$PORT, key from
      BREACH_API_KEY) and follow the import with a progress bar.
  subjects:reencrypt
      Re-encrypt every person's contact data under the first key of ENCRYPTION_KEYS (after a rotation).
  subjects:age-check [--all]
      Recompute who is a minor now: the flagged minors, or with --all everyone (after MINOR_AGES changed).
`;

const HELP = new Set(['--help', '-h', 'help']);

type Command = (args: string[], config: AppConfig, name: string) => Promise<number>;

const COMMANDS: Readonly<Record<string, Command>> = {
  'keys:create': createKey,
  openapi: writeOpenApi,
  'secrets:generate': generateSecrets,
  'subjects:import': importSubjects,
  'subjects:reencrypt': maintainSubjects,
  'subjects:age-check': maintainSubjects,
};

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  // Asked for: the usage on stdout and success. Not asked for (no command, or an unknown one): on stderr.
  if (name === undefined || HELP.has(name) || rest.some((arg) => HELP.has(arg) && arg !== 'help')) {
    (name ? process.stdout : process.stderr).write(USAGE);
    return 0;
  }
  // Own keys only: `toString` is no command.
  const command = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!command) {
    process.stderr.write(`unknown command: ${name}\n\n${USAGE}`);
    return 64; // EX_USAGE
  }
  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn', ROLE: 'api' });
  return command(rest, config, name);
}

/** The application's providers without HTTP, for one piece of work, closed after it. */
async function withApp<T>(config: AppConfig, work: (app: INestApplicationContext) => Promise<T>): Promise<T> {
  // Before Nest: a service running on the same DATA_DIR refuses us with what to do, not a stack trace.
  const release =
    config.database.kind === 'pglite' ? acquireDataDirLock(config.database.dataDir) : () => undefined;
  try {
    const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), { logger: ['error'] });
    try {
      return await work(app);
    } finally {
      await app.close();
    }
  } finally {
    release();
  }
}

async function createKey(args: string[], config: AppConfig): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      name: { type: 'string' },
      role: { type: 'string' },
      holder: { type: 'string' },
      expires: { type: 'string' },
    },
  });
  const role = values.role as Role | undefined;
  if (!values.name || !role || !Object.values(Role).includes(role)) {
    process.stderr.write(USAGE);
    return 64;
  }
  const expiresAt = values.expires ? new Date(values.expires) : undefined;
  if (expiresAt && Number.isNaN(expiresAt.getTime())) {
    process.stderr.write('--expires must be an ISO 8601 date\n');
    return 64;
  }
  const name = values.name;
  const { key, secret } = await withApp(config, (app) =>
    app.get(ApiKeysService).create(SYSTEM_ACTOR, { name, role, holder: values.holder, expiresAt }),
  );
  process.stdout.write(
    `${JSON.stringify({ id: key.id, name: key.name, role: key.role, holder: key.holder, key: secret })}\n`,
  );
  return 0;
}

async function writeOpenApi(args: string[], config: AppConfig): Promise<number> {
  const { values } = parseArgs({ args, options: { check: { type: 'boolean' } } });
  // Preview mode builds the route table without instantiating providers: no database needed.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    preview: true,
    logger: false,
  });
  const text = `${JSON.stringify(buildOpenApi(app), null, 2)}\n`;
  const file = resolve(PROJECT_ROOT, 'openapi.json');
  if (values.check) {
    let committed = '';
    try {
      committed = readFileSync(file, 'utf8');
    } catch {
      committed = '';
    }
    if (committed !== text) {
      process.stderr.write('openapi.json is stale: run `npm run openapi` and commit the result\n');
      return 1;
    }
    process.stdout.write('openapi.json is up to date\n');
    return 0;
  }
  writeFileSync(file, text);
  process.stdout.write(`wrote ${file}\n`);
  return 0;
}

function generateSecrets(): Promise<number> {
  const id = `k${new Date().toISOString().slice(0, 10).replace(/-/g, '')}`;
  process.stdout.write(
    `ENCRYPTION_KEYS=${id}:${randomBytes(32).toString('base64')}\nHASH_KEY=${randomBytes(32).toString('base64')}\n` +
      '# Put a new key first in ENCRYPTION_KEYS and keep the old ones after it; HASH_KEY never changes.\n',
  );
  return Promise.resolve(0);
}

async function importSubjects(args: string[], config: AppConfig): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { url: { type: 'string' }, key: { type: 'string' }, format: { type: 'string' } },
  });
  const key = values.key ?? process.env.BREACH_API_KEY;
  const format = values.format as 'ndjson' | 'csv' | undefined;
  if (positionals.length !== 1 || !key || (format && format !== 'ndjson' && format !== 'csv')) {
    process.stderr.write(USAGE);
    return 64;
  }
  return importFile(
    { file: positionals[0], url: values.url ?? `http://localhost:${config.port}`, key, format },
    process.stderr,
  );
}

/** `subjects:age-check` and `subjects:reencrypt`: work over the whole directory, in this process. */
async function maintainSubjects(args: string[], config: AppConfig, name: string): Promise<number> {
  const { values } = parseArgs({ args, options: { all: { type: 'boolean' } } });
  const result = await withApp(config, async (app) => {
    const subjects = app.get(SubjectsService);
    if (name === 'subjects:age-check') return subjects.refreshMinors({ all: values.all ?? false });
    const bar = new ProgressBar(process.stderr, 'reencrypt');
    const reencrypted = await subjects.reencrypt((n, total) =>
      bar.update(total ? n / total : 1, `${formatCount(n)} / ${formatCount(total)}`),
    );
    bar.done();
    return { reencrypted };
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    // A bad option (node:util parseArgs): what was wrong, then the usage.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n\n${USAGE}`);
      process.exit(64);
    }
    const known = err instanceof ConfigError || err instanceof DataDirLockedError;
    process.stderr.write(
      `${known ? err.message : err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(err instanceof DataDirLockedError ? DATA_DIR_LOCKED_EXIT : 1);
  },
);
