import { spawnTracked } from './support/processes.js';
import { resolve } from 'node:path';

// A SIGKILLed process (an OOM kill, a container stopped hard) lost the lines it had just logged: pino's
// default destination buffered them for an asynchronous write. The service's logger, as built (dist/),
// in a process that logs and kills itself at once: every line it logged is on its stdout.

const ROOT = resolve(__dirname, '..');
const LINES = 200;

/** Logs LINES lines through the service's logger, the last an error, then SIGKILLs itself. */
const SCRIPT = `
const { Logger, loggerOptions } = await import(${JSON.stringify(`${ROOT}/dist/logging.js`)});
const { pinoHttp } = await import('pino-http');
const { options, stream } = loggerOptions({ logLevel: 'info' });
const logger = new Logger(pinoHttp(options, stream).logger);
for (let i = 1; i < ${LINES}; i += 1) logger.log({ line: i }, 'working', 'Kill');
logger.error({ line: ${LINES} }, 'about to be killed', 'Kill');
process.kill(process.pid, 'SIGKILL');
`;

describe('log lines and a SIGKILL', () => {
  it('keeps every line logged before the kill, the error last', async () => {
    const child = spawnTracked(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const signal = await new Promise<NodeJS.Signals | null>((done) =>
      child.on('close', (_code, sig) => done(sig)),
    );
    expect(stderr).toBe('');
    expect(signal).toBe('SIGKILL');
    const lines = stdout
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { line: number; level: number; msg: string });
    expect(lines.map((l) => l.line)).toEqual(Array.from({ length: LINES }, (_, i) => i + 1));
    expect(lines.at(-1)).toMatchObject({ level: 50, msg: 'about to be killed', context: 'Kill' });
  });
});
