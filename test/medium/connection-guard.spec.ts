import pg from 'pg';
import { listenOnEveryClient } from '../../src/database/connection-errors.js';

// A client whose owner listens for 'error' too late (BullMQ's LISTEN client attaches its listener only
// after connect() resolved) must not end the process when its connection is cut: without the guard the
// terminate below is an unhandled 'error' event, which fails this suite as an uncaught exception.
describe('every node-postgres client listens from its start', () => {
  const url = process.env.E2E_DATABASE_URL!;
  const warnings: string[] = [];
  const logger = { warn: (message: string) => void warnings.push(message) };

  beforeAll(() => listenOnEveryClient(pg, logger, 'test'));
  beforeEach(() => (warnings.length = 0));

  async function cut(name: string): Promise<void> {
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      const { rowCount } = await admin.query(
        'select pg_terminate_backend(pid) from pg_stat_activity where application_name = $1',
        [name],
      );
      expect(rowCount).toBe(1);
    } finally {
      await admin.end();
    }
  }

  async function connected(name: string): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: url, application_name: name });
    await client.connect();
    return client;
  }

  it('a client nobody listens to survives a terminated connection, and the loss is logged', async () => {
    const client = await connected('guard-unheard');
    const ended = new Promise((resolve) => client.once('end', resolve));
    await cut('guard-unheard');
    await ended;
    // The server's FATAL first, then the socket's close: each would have been an unhandled 'error'.
    expect(warnings[0]).toContain('test: a connection was lost before its owner listened (57P01)');
  });

  it("an owner's listener decides: the guard stays silent", async () => {
    const client = await connected('guard-owned');
    const heard = new Promise<Error>((resolve) => client.on('error', resolve));
    await cut('guard-owned');
    expect((await heard).message).toMatch(/terminating connection/);
    expect(warnings).toEqual([]);
  });
});
