import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from './config/config.js';
import { createApp, startRole } from './bootstrap.js';

async function main(): Promise<void> {
  // A bad value stops the start naming the variable: its format here, what it means to a feature when
  // that feature's module starts (the English SMS length, an EEA country).
  const config = loadConfig(process.env);
  const app = await createApp(config);
  await startRole(app, config);
  await app.listen(config.port);
  app.get(Logger).log(`listening on :${config.port} as ROLE=${config.role}`, 'Main');
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(78); // EX_CONFIG
  }
  process.stderr.write(
    `start-up failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
