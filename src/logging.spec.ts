import pino from 'pino';
import type { AppConfig } from './config/config.js';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pinoHttp } from 'pino-http';
import { Logger, loggedPath, loggerOptions, withoutStartupChatter } from './logging.js';

describe('loggedPath', () => {
  it('logs no query string, no external id and no notice-page token', () => {
    expect(loggedPath('/v1/subjects?email=a@b.c')).toBe('/v1/subjects');
    expect(loggedPath('/v1/subjects/alice@example.com')).toBe('/v1/subjects/:externalId');
    expect(loggedPath('/v1/subjects/bulk')).toBe('/v1/subjects/bulk');
    // The token opens a person's notice: a key, never written to a log.
    expect(loggedPath('/n/AbCdEfGhIjKlMnOpQrStUv')).toBe('/n/:token');
    expect(loggedPath('/n/AbCdEfGhIjKlMnOpQrStUv?x=1')).toBe('/n/:token');
    expect(loggedPath('/n/%E0%A4%A')).toBe('/n/:token');
    // However a client spells the path.
    for (const path of ['/N/AbCdEf', '//n/AbCdEf', '/%6e/AbCdEf', '/%6E//AbCdEf']) {
      expect(loggedPath(path)).toBe('/n/:token');
    }
    expect(loggedPath('/V1//Subjects/alice%40example.com')).toBe('/V1/Subjects/:externalId');
    // An external id with a slash, and a malformed escape beside a token.
    expect(loggedPath('/v1/subjects/hr%2F12345')).toBe('/v1/subjects/:externalId');
    expect(loggedPath('/v1/subjects/hr/12345')).toBe('/v1/subjects/:externalId');
    expect(loggedPath('/%6e/AbCdEf%zz')).toBe('/n/:token');
    expect(loggedPath('/v1/subjects/imports/abc/rejections')).toBe('/v1/subjects/imports/abc/rejections');
    expect(loggedPath('/notices')).toBe('/notices');
  });
});

// Issue 19, the first hour: start-up logs a person can read on a terminal.
describe('the log on a terminal', () => {
  const config = { logLevel: 'info' } as AppConfig;
  const tty = Object.getOwnPropertyDescriptor(process.stdout, 'isTTY');
  const setTty = (value: boolean) =>
    Object.defineProperty(process.stdout, 'isTTY', { value, configurable: true, writable: true });
  afterEach(() => {
    if (tty) Object.defineProperty(process.stdout, 'isTTY', tty);
    else delete (process.stdout as { isTTY?: boolean }).isTTY;
  });

  it('is pretty on a terminal and JSON lines elsewhere, written synchronously', () => {
    setTty(true);
    expect(loggerOptions(config).stream).toHaveProperty('write');
    setTty(false);
    // A SonicBoom on stdout in sync mode (pino's default is asynchronous: a SIGKILL lost its buffer).
    expect(loggerOptions(config).stream).toMatchObject({ fd: 1, sync: true });
  });

  it("leaves out Nest's line per module and per route mapped, and nothing else", () => {
    const lines: unknown[][] = [];
    const record =
      (level: string) =>
      (message: unknown, ...params: unknown[]) => {
        lines.push([level, message, ...params]);
      };
    const logger = withoutStartupChatter({
      log: record('log'),
      error: record('error'),
      warn: record('warn'),
    });
    logger.log('AppModule dependencies initialized', 'InstanceLoader');
    logger.log('Mapped {/v1/incidents, POST} route', 'RouterExplorer');
    logger.log('IncidentsController {/v1/incidents}:', 'RoutesResolver');
    logger.log('listening on :3000', 'Bootstrap');
    logger.warn('one-time admin setup key', 'FirstStart');
    logger.error('refused', 'RouterExplorer');
    expect(lines).toEqual([
      ['log', 'listening on :3000', 'Bootstrap'],
      ['warn', 'one-time admin setup key', 'FirstStart'],
      ['error', 'refused', 'RouterExplorer'],
    ]);
  });
});

describe('Logger (Nest calls, pino lines)', () => {
  function capture(): { logger: Logger; lines: () => Array<Record<string, unknown>> } {
    const written: string[] = [];
    const root = pino(
      { level: 'trace', base: undefined, timestamp: false },
      {
        write: (line: string) => written.push(line),
      },
    );
    return { logger: new Logger(root), lines: () => written.map((l) => JSON.parse(l)) };
  }

  it('puts the context (the last argument) in `context`, and an object first as fields', () => {
    const { logger, lines } = capture();
    logger.log('ready', 'Main');
    logger.warn({ queue: 'send-sms', jobId: '7' }, 'job failed', 'JobRepository');
    logger.debug('no context');
    expect(lines()).toEqual([
      { level: 30, context: 'Main', msg: 'ready' },
      { level: 40, context: 'JobRepository', queue: 'send-sms', jobId: '7', msg: 'job failed' },
      { level: 20, msg: 'no context' },
    ]);
  });

  it("keeps the stack of Nest's error(message, stack, context) and of an Error", () => {
    const { logger, lines } = capture();
    logger.error('boom', 'Error: boom\n    at somewhere (file.js:1:1)', 'ExceptionsHandler');
    logger.error(new Error('bang'), 'Main');
    const [first, second] = lines();
    expect(first).toMatchObject({ level: 50, context: 'ExceptionsHandler', msg: 'boom' });
    expect((first.err as { stack: string }).stack).toContain('at somewhere');
    expect(second).toMatchObject({ level: 50, context: 'Main', err: { message: 'bang' } });
  });
});

describe('the access log', () => {
  it("writes a response's status, never its headers (a notice page's Location is its token)", async () => {
    const lines: string[] = [];
    const { options } = loggerOptions({ logLevel: 'info' } as AppConfig);
    const http = pinoHttp(options, { write: (line: string) => lines.push(line) });
    const server = createServer((req, res) => {
      http(req, res);
      // As Express's redirect does: set, then sent.
      res.setHeader('Location', '/n/AbCdEfGhIjKlMnOpQrStUv');
      res.statusCode = 303;
      res.end();
    });
    await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/n/AbCdEfGhIjKlMnOpQrStUv`, { method: 'POST', redirect: 'manual' });
    await new Promise((closed) => server.close(closed));
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0])).toMatchObject({ req: { path: '/n/:token' }, res: { statusCode: 303 } });
    expect(lines[0]).not.toContain('AbCdEfGhIjKlMnOpQrStUv');
  });
});
