import pg from 'pg';
import { createScratchDatabase } from './support/global-setup.js';
import { bearer, startApp, TestApp, validIncident } from './support/app.js';

// A request whose statement PostgreSQL cancels at PG_STATEMENT_TIMEOUT_MS (here: waiting behind a lock
// another session holds) is answered 503 with Retry-After, in the one error format: the database did
// not answer in time, which is neither the caller's mistake (4xx) nor a defect (500). Once the lock is
// gone the same request succeeds, and nothing it was refused for was written.

describe('the database not answering in time', () => {
  let t: TestApp;
  let url: string;

  beforeAll(async () => {
    url = await createScratchDatabase('busy');
    t = await startApp({ DATABASE_URL: url, PG_STATEMENT_TIMEOUT_MS: '500' });
  });
  afterAll(() => t.close());

  /** Runs `during` while another session holds `table` locked. */
  const whileLocked = async <T>(table: string, during: () => Promise<T>): Promise<T> => {
    const holder = new pg.Client({ connectionString: url });
    await holder.connect();
    try {
      await holder.query('begin');
      await holder.query(`lock table ${table} in access exclusive mode`);
      return await during();
    } finally {
      await holder.query('rollback');
      await holder.end();
    }
  };

  it('answers 503 with Retry-After when a statement waits past the limit, and 2xx once it can run', async () => {
    const responder = bearer(t.keys.responder);
    const before = await t.query<{ n: number }>('select count(*)::int as n from incidents');

    const refused = await whileLocked('incidents', () =>
      t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(validIncident()),
    );
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect(refused.body).toEqual({
      statusCode: 503,
      error: 'unavailable',
      message: expect.stringMatching(
        /^the database did not answer in time; try again shortly \(errorId [0-9a-f-]{36}\)$/,
      ),
      errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    // Nothing of the statement or the driver's words in the answer.
    expect(JSON.stringify(refused.body)).not.toMatch(/insert|incidents|statement|cancel/i);
    expect(await t.query('select count(*)::int as n from incidents')).toEqual(before);

    const read = await whileLocked('incidents', () => t.http.get('/v1/incidents').set(...responder));
    expect(read.status).toBe(503);

    await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    await t.http
      .get('/v1/incidents')
      .set(...responder)
      .expect(200);
  });
});
