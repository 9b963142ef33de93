import 'reflect-metadata';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from './logging.js';
import { AppConfig, ConfigError, loadConfig } from './config/config.js';
import { createApp, startRole } from './bootstrap.js';
import { acquireDataDirLock, DATA_DIR_LOCKED_EXIT, DataDirLockedError } from './database/data-dir-lock.js';

async function main(): Promise<void> {
  // A bad value stops the start naming the variable: its format here, what it means to a feature when
  // that feature's module starts (the English SMS length, an EEA country).
  const config = loadConfig(process.env);
  // One process per embedded data folder, checked before anything opens it; held until the process exits.
  if (config.database.kind === 'pglite') acquireDataDirLock(config.database.dataDir);
  const app = await createApp(config, { shutdownHooks: false });
  stopOnSignals(app, config);
  await startRole(app, config);
  await app.listen(config.port);
  app.get(Logger).log(`listening on :${config.port} as ROLE=${config.role}`, 'Main');
}

/**
 * SIGTERM (or Ctrl-C): says that it drains and when it has stopped, so an operator watching the log knows
 * whether the process ended cleanly. A clean stop exits 0 with process.exit, which runs the exit handlers
 * (the data folder's lock is removed); ending by the signal would skip them.
 */
function stopOnSignals(app: NestExpressApplication, config: AppConfig): void {
  const logger = app.get(Logger);
  const stop = (signal: NodeJS.Signals) => {
    for (const s of SIGNALS) process.removeListener(s, stop);
    // A second signal while draining ends the process at once, by the signal's default action.
    logger.log(
      `${signal}: draining: no new requests or jobs; running jobs get up to ${config.shutdownTimeoutMs} ms, ` +
        'then the queues and the database close',
      'Main',
    );
    app.close().then(
      () => {
        logger.log('stopped', 'Main');
        process.exit(0);
      },
      (err: unknown) => {
        logger.error(`shutdown failed: ${err instanceof Error ? err.message : String(err)}`, 'Main');
        process.exit(1);
      },
    );
  };
  for (const signal of SIGNALS) process.on(signal, stop);
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  if (err instanceof DataDirLockedError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(DATA_DIR_LOCKED_EXIT);
  }
  process.stderr.write(
    `start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
