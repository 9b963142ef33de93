import { request as httpRequest, type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { Clock } from '../src/common/clock.js';
import { CHUNK_BYTES, ImportsService, UPLOAD_STALL_MS } from '../src/subjects/imports.service.js';
import { SubjectsService } from '../src/subjects/subjects.service.js';
import { bearer, eventually, REDIS_BASE, startApp, TestApp } from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

/** People whose contact data must never appear in clear in the database. */
const ANA = {
  externalId: 'u-ana',
  name: 'Ana Silva',
  email: 'Ana.Silva@Example.com',
  phone: '+5511912345678',
  pushTokens: [{ token: 'fcm:token-ana-0001', platform: 'android' }],
  locale: 'pt-br',
  timeZone: 'America/Sao_Paulo',
  birthDate: '1990-05-01',
  channelPreferences: ['email', 'push', 'sms'],
  dataCategories: ['personal_identifiers', 'camera_data', 'app_usage'],
  systems: ['auth-db', 'media-store'],
  createdAt: '2024-01-02T03:04:05Z',
  lastActiveAt: '2026-11-20T10:00:00Z',
};
const CHILD = {
  externalId: 'u-child',
  name: 'Bia Souza',
  email: 'bia.child@example.net',
  jurisdiction: 'BR',
  birthDate: '2016-03-10',
  guardian: {
    name: 'Carla Souza',
    email: 'carla.parent@example.org',
    phone: '+5521987654321',
    locale: 'pt-BR',
  },
  dataCategories: ['camera_data'],
};
const TEEN_DE = {
  externalId: 'u-teen-de',
  email: 'teen.de@example.de',
  jurisdiction: 'DE',
  birthDate: '2011-02-01',
  dataCategories: ['app_usage'],
};
const TEEN_US = {
  externalId: 'u-teen-us',
  email: 'teen.us@example.com',
  jurisdiction: 'US-CA',
  birthDate: '2011-02-01',
};

describe('the directory through HTTP (PostgreSQL + Redis)', () => {
  let t: TestApp;
  let responder: [string, string];
  let admin: [string, string];
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createScratchDatabase('subjects');
    t = await startApp({ DATABASE_URL: databaseUrl }, 8);
    responder = bearer(t.keys.responder);
    admin = bearer(t.keys.admin);
  });
  afterAll(() => t.close());

  /**
   * Uploads a case left open: a case that fails before it ends or destroys one (an assertion midway)
   * would leave the request's socket open, and closing the app waits for it (Node's request timeout,
   * five minutes) while the socket keeps Jest from exiting.
   */
  const openRequests = new Set<ClientRequest>();
  afterEach(() => {
    for (const req of openRequests) req.destroy();
    openRequests.clear();
  });

  /** The import once its status is one of `statuses`. */
  const importIn = (id: string, ...statuses: string[]) =>
    eventually(async () => {
      const res = await t.http
        .get(`/v1/subjects/imports/${id}`)
        .set(...responder)
        .expect(200);
      return statuses.includes(res.body.status) ? res.body : undefined;
    });
  /** How many chunks of an upload are still stored (none once it is processed or given up). */
  const chunksKept = async (id: string) =>
    (
      await t.query<{ n: number }>(
        'select count(*)::int as n from subject_import_chunks where import_id = $1',
        [id],
      )
    )[0].n;

  it('two bulk upserts of the same 5,000 people in opposite orders, at once, both go through (they deadlocked: a 500)', async () => {
    const ids = Array.from({ length: 5_000 }, (_, i) => `u-race-${String(i).padStart(4, '0')}`);
    const people = (order: string[], locale: string) => order.map((externalId) => ({ externalId, locale }));
    const send = (order: string[], locale: string) =>
      t.http
        .post('/v1/subjects/bulk')
        .set(...responder)
        .send({ subjects: people(order, locale) })
        .then((res) => res);
    for (let round = 0; round < 3; round += 1) {
      const [up, down] = await Promise.all([send(ids, 'fr'), send([...ids].reverse(), 'de')]);
      expect([up.status, down.status]).toEqual([200, 200]);
      expect(up.body.created + up.body.updated).toBe(5_000);
      expect(down.body.created + down.body.updated).toBe(5_000);
      // One request's rows all overwrote the other's: every person has the locale of the one that came last.
      const rows = await t.query<{ locale: string; n: number }>(
        "select locale, count(*)::int as n from subjects where external_id like 'u-race-%' group by locale",
      );
      expect(rows).toHaveLength(1);
      expect(rows[0].n).toBe(5_000);
    }
  });

  it('stores the valid rows of a bulk upsert and lists each rejected row with its index, field and rule', async () => {
    const res = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({
        subjects: [
          ANA,
          { externalId: 'u-bad-email', email: 'not-an-email' },
          { externalId: 'u-bad-phone', phone: '+99912345678', locale: 'xx-123456789' },
          { externalId: 'ana@example.com' },
          {
            externalId: 'u-bad-fields',
            dataCategories: ['secrets'],
            timeZone: 'Mars/Base',
            jurisdiction: 'US-ZZ',
          },
          { externalId: 'u-future', birthDate: '2999-01-01', lastActiveAt: '2999-01-01T00:00:00Z', extra: 1 },
          CHILD,
          TEEN_DE,
          TEEN_US,
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ created: 4, updated: 0, rejected: 5 });
    const rules = (res.body.rejections as Array<{ index: number; field: string; rule: string }>).map(
      (r) => `${r.index} ${r.field} ${r.rule}`,
    );
    expect(rules.sort()).toEqual(
      [
        '1 email isEmail',
        '2 phone isPhoneNumber',
        '2 locale isLocale',
        '3 externalId notContactData',
        '4 dataCategories.0 isKnownCategory',
        '4 timeZone isTimeZone',
        '4 jurisdiction isJurisdiction',
        '5 birthDate notInFuture',
        '5 lastActiveAt notInFuture',
        '5 extra unknownField',
      ].sort(),
    );
    // Reasons never quote the value.
    expect(JSON.stringify(res.body)).not.toContain('not-an-email');

    const again = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({
        subjects: [
          { ...ANA, name: 'Ana S. Silva' },
          { externalId: 'u-new' },
          { externalId: 'u-new', locale: 'fr' },
        ],
      })
      .expect(200);
    // Rows apply in order: the repeated id updates what the row before it wrote.
    expect(again.body).toMatchObject({ created: 1, updated: 2, rejected: 0, rejections: [] });
  });

  it('stores a person given by external id alone, every optional column empty', async () => {
    // One row whose every nullable column is null: each travels as an empty column of the joined batch.
    const res = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects: [{ externalId: 'u-bare' }] })
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, rejected: 0 });
    const [row] = await t.query(
      `select locale, time_zone, jurisdiction, signed_up_at, last_active_at, email_hash, phone_hash,
              guardian_locale, has_email, minor, channel_preferences from subjects where external_id = 'u-bare'`,
    );
    expect(row).toEqual({
      locale: null,
      time_zone: null,
      jurisdiction: null,
      signed_up_at: null,
      last_active_at: null,
      email_hash: null,
      phone_hash: null,
      guardian_locale: null,
      has_email: false,
      minor: false,
      channel_preferences: expect.any(Array),
    });
  });

  it('refuses a malformed bulk request whole, naming the rule', async () => {
    const empty = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects: [] })
      .expect(400);
    expect(empty.body.details.problems[0]).toMatchObject({ field: 'subjects', rule: 'arrayMinSize' });
    const tooMany = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects: Array.from({ length: 10_001 }, (_, i) => ({ externalId: `x-${i}` })) })
      .expect(400);
    expect(tooMany.body.details.problems[0]).toMatchObject({ field: 'subjects', rule: 'arrayMaxSize' });
  });

  it('returns a person decrypted and normalised, and audits the read', async () => {
    const res = await t.http
      .get('/v1/subjects/u-ana')
      .set(...responder)
      .expect(200);
    expect(res.body).toMatchObject({
      externalId: 'u-ana',
      name: 'Ana S. Silva',
      email: 'Ana.Silva@Example.com',
      phone: '+5511912345678',
      locale: 'pt-BR',
      jurisdiction: 'BR',
      pushTokens: [{ token: 'fcm:token-ana-0001', platform: 'android' }],
      createdAt: '2024-01-02T03:04:05.000Z',
      derived: { jurisdictionInferred: true, minor: false, reachableBy: ['email', 'sms', 'push'] },
      keyId: 'k1',
    });
    const audit = await t.query(
      "select actor_role, summary from audit_log where action = 'subject.read' and target_id = 'u-ana'",
    );
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_role: 'responder' });
    expect(JSON.stringify(audit[0].summary)).not.toContain('Ana');
    await t.http
      .get('/v1/subjects/u-nobody')
      .set(...responder)
      .expect(404);
    const bad = await t.http
      .get('/v1/subjects/has%20space')
      .set(...responder)
      .expect(400);
    expect(bad.body.details.problems[0]).toMatchObject({ field: 'externalId', rule: 'isExternalId' });
  });

  it('flags minors by their jurisdiction’s age and routes them to their guardian', async () => {
    const child = await t.http
      .get('/v1/subjects/u-child')
      .set(...responder)
      .expect(200);
    expect(child.body.derived).toEqual({
      jurisdictionInferred: false,
      minor: true,
      minorWithoutGuardianContact: false,
      reachableBy: ['email', 'sms'],
    });
    // Germany: 16. A 15-year-old without a guardian is kept and flagged.
    const de = await t.http
      .get('/v1/subjects/u-teen-de')
      .set(...responder)
      .expect(200);
    expect(de.body.derived).toMatchObject({
      minor: true,
      minorWithoutGuardianContact: true,
      reachableBy: ['email'],
    });
    // The United States: 13.
    const us = await t.http
      .get('/v1/subjects/u-teen-us')
      .set(...responder)
      .expect(200);
    expect(us.body.derived).toMatchObject({ minor: false });
  });

  it('keeps no contact data in clear in any table, and still finds people by email and phone', async () => {
    const plaintexts = [
      'Ana S. Silva',
      'ana.silva@example.com',
      'Ana.Silva@Example.com',
      '5511912345678',
      'fcm:token-ana-0001',
      '1990-05-01',
      'Carla Souza',
      'carla.parent@example.org',
      '5521987654321',
      'bia.child@example.net',
    ];
    const tables = await t.query<{ table_name: string }>(
      "select table_name from information_schema.tables where table_schema = 'public'",
    );
    const dump = (
      await Promise.all(
        tables.map(({ table_name }) => t.query(`select t::text as row from "${table_name}" t`)),
      )
    )
      .flat()
      .map((r) => r.row as string)
      .join('\n');
    expect(dump).toContain('u-ana');
    for (const value of plaintexts) {
      expect(dump).not.toContain(value);
      // Nor as the hex PostgreSQL prints bytea in.
      expect(dump).not.toContain(Buffer.from(value).toString('hex'));
    }

    // Other test files share this database: only this test's entries count.
    const [{ last }] = await t.query<{ last: number }>(
      'select coalesce(max(id), 0)::int as last from audit_log',
    );
    const byEmail = await t.http
      .post('/v1/subjects/lookup')
      .set(...responder)
      .send({ email: '  ANA.silva@example.COM ' })
      .expect(200);
    expect(byEmail.body.items.map((s: { externalId: string }) => s.externalId)).toEqual(['u-ana']);
    const byPhone = await t.http
      .post('/v1/subjects/lookup')
      .set(...responder)
      .send({ phone: '+5511912345678' })
      .expect(200);
    expect(byPhone.body.items).toHaveLength(1);
    const none = await t.http
      .post('/v1/subjects/lookup')
      .set(...responder)
      .send({})
      .expect(400);
    expect(none.body.details.problems[0]).toMatchObject({ field: 'email', rule: 'oneOf' });
    const audited = await t.query(
      "select summary from audit_log where action = 'subject.lookup' and id > $1 order by id",
      [last],
    );
    expect(audited.map((a) => a.summary)).toEqual([
      { by: ['email'], found: 1 },
      { by: ['phone'], found: 1 },
    ]);
  });

  it('imports NDJSON as a job, reporting bad lines by number and keeping the good ones', async () => {
    const lines = [
      JSON.stringify({ externalId: 'n-1', email: 'n1@example.com', jurisdiction: 'FR' }),
      '{"externalId": "n-2", "email": ',
      JSON.stringify({ externalId: 'n-3', phone: '+33612345678' }),
      JSON.stringify({ externalId: 'n-4', phone: '0612345678' }),
      '',
      JSON.stringify({ externalId: 'n-5', locale: 'ja-JP', timeZone: 'Asia/Tokyo', jurisdiction: 'jp' }),
      JSON.stringify(['not', 'an', 'object']),
    ];
    const started = await t.http
      .post('/v1/subjects/imports')
      .set(...responder)
      .set('Content-Type', 'application/x-ndjson')
      .send(lines.join('\n'))
      .expect(202);
    // The job starts with the first chunk, so by the 202 it may already be running.
    expect(started.body).toMatchObject({
      format: 'ndjson',
      status: expect.stringMatching(/^(queued|running)$/),
    });
    const done = await importIn(started.body.id, 'completed', 'failed');
    expect(done).toMatchObject({
      status: 'completed',
      created: 3,
      updated: 0,
      rejected: 3,
      lines: 7,
      progress: 1,
    });
    expect(done.rejections.map((r: { line: number; rule: string }) => `${r.line} ${r.rule}`)).toEqual([
      '2 isJson',
      '4 isE164',
      '7 isObject',
    ]);
    const n3 = await t.http
      .get('/v1/subjects/n-3')
      .set(...responder)
      .expect(200);
    expect(n3.body).toMatchObject({ jurisdiction: 'FR', derived: { jurisdictionInferred: true } });
    const n5 = await t.http
      .get('/v1/subjects/n-5')
      .set(...responder)
      .expect(200);
    expect(n5.body).toMatchObject({ jurisdiction: 'JP', locale: 'ja-JP' });
    // The upload is not kept once processed.
    expect(await chunksKept(started.body.id)).toBe(0);
  });

  it('imports CSV with quoted fields, lists and guardians; bad lines are numbered as in the file', async () => {
    const csv = [
      'externalId,name,email,phone,jurisdiction,birthDate,guardianName,guardianEmail,dataCategories,pushTokens',
      'c-1,"Silva, Ana",c1@example.com,,BR,,,,camera_data;app_usage,android:abc:def',
      'c-2,Bo,not-an-email,,BR,,,,,',
      'c-3,Too,few,columns',
      'c-4,"Kid ""K""",kid@example.com,,DE,2015-06-01,Parent P,parent@example.com,,',
      'c-5,Eve,eve@example.com,,BR,2016-13-40,,,,',
    ].join('\r\n');
    const started = await t.http
      .post('/v1/subjects/imports')
      .set(...responder)
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(202);
    const done = await importIn(started.body.id, 'completed', 'failed');
    expect(done).toMatchObject({ status: 'completed', created: 2, rejected: 3 });
    expect(
      done.rejections.map(
        (r: { line: number; field: string; rule: string }) => `${r.line} ${r.field} ${r.rule}`,
      ),
    ).toEqual(['3 email isEmail', '4 line columnCount', '6 birthDate isDate']);
    const c1 = await t.http
      .get('/v1/subjects/c-1')
      .set(...responder)
      .expect(200);
    expect(c1.body).toMatchObject({
      name: 'Silva, Ana',
      dataCategories: ['camera_data', 'app_usage'],
      pushTokens: [{ platform: 'android', token: 'abc:def' }],
    });
    const c4 = await t.http
      .get('/v1/subjects/c-4')
      .set(...responder)
      .expect(200);
    expect(c4.body).toMatchObject({
      name: 'Kid "K"',
      guardian: { name: 'Parent P', email: 'parent@example.com' },
      derived: { minor: true, reachableBy: ['email'] },
    });
    const page = await t.http
      .get(`/v1/subjects/imports/${started.body.id}/rejections?limit=2`)
      .set(...responder)
      .expect(200);
    expect(page.body.items).toHaveLength(2);
    const next = await t.http
      .get(`/v1/subjects/imports/${started.body.id}/rejections?limit=2&cursor=${page.body.nextCursor}`)
      .set(...responder)
      .expect(200);
    expect(next.body).toMatchObject({ items: [{ line: 6 }], nextCursor: null });
  });

  it('fails a CSV import whose header names an unknown column, and refuses other content types', async () => {
    const started = await t.http
      .post('/v1/subjects/imports')
      .set(...responder)
      .set('Content-Type', 'text/csv')
      .send('externalId,shoeSize\nq-1,42\n')
      .expect(202);
    const done = await importIn(started.body.id, 'completed', 'failed');
    expect(done.status).toBe('failed');
    expect(done.error).toContain('"shoeSize"');
    const wrong = await t.http
      .post('/v1/subjects/imports')
      .set(...responder)
      .set('Content-Type', 'application/json')
      .send({ subjects: [] })
      .expect(415);
    expect(wrong.body).toMatchObject({ error: 'unsupported_media_type' });
    const empty = await t.http
      .post('/v1/subjects/imports')
      .set(...responder)
      .set('Content-Type', 'application/x-ndjson')
      .send('')
      .expect(400);
    expect(empty.body.details.problems[0]).toMatchObject({ field: 'body', rule: 'isNotEmpty' });
  });

  it('rechecks minors: everyone after MINOR_AGES changed, else only those flagged', async () => {
    // Another node of the same service, configured with California's age raised to 16.
    const raised = await startApp({ DATABASE_URL: databaseUrl, ROLE: 'api', MINOR_AGES: 'US=16' });
    try {
      expect(await raised.app.get(SubjectsService).refreshMinors({ all: true })).toMatchObject({
        changed: 1,
      });
    } finally {
      await raised.close();
    }
    const minor = await t.query("select minor from subjects where external_id = 'u-teen-us'");
    expect(minor).toEqual([{ minor: true }]);
    // Under the default table again, the daily check (minors only) finds a 15-year-old Californian adult.
    expect(await t.app.get(SubjectsService).refreshMinors({ all: false })).toMatchObject({ changed: 1 });
    expect(await t.query("select minor from subjects where external_id = 'u-teen-us'")).toEqual([
      { minor: false },
    ]);
  });

  it('resumes an import after its checkpoint, re-queued by the sweep when its job was lost', async () => {
    // An api-only node takes the upload: the job waits in Redis for a worker.
    const api = await startApp({ DATABASE_URL: databaseUrl, ROLE: 'api' }, 11);
    let importId: string;
    try {
      const lines = [1, 2, 3, 4].map((i) => JSON.stringify({ externalId: `r-${i}`, jurisdiction: 'FR' }));
      const res = await api.http
        .post('/v1/subjects/imports')
        .set(...bearer(api.keys.responder))
        .set('Content-Type', 'application/x-ndjson')
        .send(lines.join('\n'))
        .expect(202);
      importId = res.body.id;
    } finally {
      await api.close();
    }
    // Redis loses the job, and an earlier attempt had committed the first two lines.
    const redis = new Redis(`${REDIS_BASE}/11`);
    await redis.flushdb();
    redis.disconnect();
    await t.query("update subject_imports set lines_done = 2, status = 'running' where id = $1", [importId]);
    expect(await t.app.get(ImportsService).sweep()).toMatchObject({ requeued: 1 });
    const done = await importIn(importId, 'completed');
    expect(done).toMatchObject({ created: 2, lines: 4 });
    const stored = await t.query("select external_id from subjects where external_id like 'r-%' order by 1");
    expect(stored.map((r) => r.external_id)).toEqual(['r-3', 'r-4']);
  });

  /** An import upload as a raw request the test writes into at its own pace, and its answer. */
  async function uploadRequest(contentType: string) {
    const server = t.app.getHttpServer();
    if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/v1/subjects/imports',
      headers: { Authorization: responder[1], 'Content-Type': contentType },
    });
    openRequests.add(req);
    req.once('close', () => openRequests.delete(req));
    const answer = new Promise<{ status: number; body: any }>((resolve, reject) => {
      req.on('response', (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(body) }));
      });
      req.on('error', reject);
    });
    // A request the cleanup destroys after a failed case rejects with nobody waiting for it.
    answer.catch(() => undefined);
    return { req, answer };
  }

  /** An upload left open: the first `lines` are sent (more than a stored chunk), the rest when told. */
  async function openUpload(prefix: string, lines: number) {
    const line = (i: number) =>
      `${JSON.stringify({ externalId: `${prefix}-${i}`, name: `Person ${i} of a file sent slowly`, jurisdiction: 'FR', systems: ['auth-db'] })}\n`;
    const { req, answer } = await uploadRequest('application/x-ndjson');
    const first = Array.from({ length: lines }, (_, i) => line(i)).join('');
    if (Buffer.byteLength(first) <= CHUNK_BYTES) {
      req.destroy();
      throw new Error('the first part must fill a stored chunk');
    }
    req.write(first);
    // The import is found by its first people, stored while the request is still open.
    const importRow = await eventually(async () => {
      const [row] = await t.query<{ id: string; created: number }>(
        "select id, status, created, received_at from subject_imports where created > 0 and status = 'running' and id not in (select id from subject_imports where received_at is not null) order by created_at desc limit 1",
      );
      return row;
    }).catch((err: unknown) => {
      req.destroy();
      throw err;
    });
    return { req, answer, importId: importRow.id, line, imported: importRow.created };
  }

  it('imports the first lines while the file is still arriving', async () => {
    const upload = await openUpload('o', 12_000);
    expect(upload.imported).toBeGreaterThan(0);
    const progress = await t.http
      .get(`/v1/subjects/imports/${upload.importId}`)
      .set(...responder)
      .expect(200);
    expect(progress.body).toMatchObject({ status: 'running', progress: 0 });
    expect(progress.body.created).toBeGreaterThan(0);
    upload.req.end(upload.line(12_000));
    const answer = await upload.answer;
    expect(answer.status).toBe(202);
    expect(answer.body.id).toBe(upload.importId);
    const done = await importIn(upload.importId, 'completed');
    expect(done).toMatchObject({ created: 12_001, rejected: 0, lines: 12_001, progress: 1 });
    expect(await chunksKept(upload.importId)).toBe(0);
  });

  it('fails an import whose upload breaks, keeping the people it had already imported', async () => {
    const upload = await openUpload('x', 12_000);
    upload.req.destroy();
    await upload.answer.catch(() => undefined);
    const failed = await importIn(upload.importId, 'failed');
    expect(failed.error).toBe('the upload was interrupted');
    expect(failed.created).toBeGreaterThanOrEqual(upload.imported);
    // Final once failed: a batch still on its way then is rolled back, not stored after the count.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [stored] = await t.query("select count(*)::int as n from subjects where external_id like 'x-%'");
    expect(stored.n).toBe(failed.created);
    expect((await importIn(upload.importId, 'failed')).created).toBe(failed.created);
    expect(await chunksKept(upload.importId)).toBe(0);
  });

  it('gives up an upload that stalls, and refuses the rest of it', async () => {
    const upload = await openUpload('z', 12_000);
    // Five minutes pass with no more data: the job fails the import (the clock is the only thing faked).
    const clock = t.app.get(Clock);
    const later = new Date(clock.now().getTime() + UPLOAD_STALL_MS + 60_000);
    const spy = jest.spyOn(clock, 'now').mockReturnValue(later);
    try {
      const failed = await importIn(upload.importId, 'failed');
      expect(failed.error).toBe('the upload stopped: no data for 5 minutes');
      upload.req.end(upload.line(12_000));
      const answer = await upload.answer;
      expect(answer.status).toBe(409);
      expect(answer.body).toMatchObject({ error: 'conflict', details: { importId: upload.importId } });
      expect(await chunksKept(upload.importId)).toBe(0);
    } finally {
      spy.mockRestore();
    }
  });

  it('answers an upload its job failed on the content while it arrived with the failed import', async () => {
    const { req, answer } = await uploadRequest('text/csv');
    const rows = Array.from({ length: 120_000 }, (_, i) => `late-${i},${i % 50}\n`).join('');
    expect(Buffer.byteLength(rows)).toBeGreaterThan(CHUNK_BYTES);
    req.write(`externalId,hatSize\n${rows}`);
    // The job reads the first stored chunk and fails the import on its header before the file is whole.
    const failed = await eventually(async () => {
      const [row] = await t.query<{ id: string }>(
        "select id from subject_imports where status = 'failed' and error like '%hatSize%' and received_at is null",
      );
      return row;
    }).catch((err: unknown) => {
      req.destroy();
      throw err;
    });
    req.end(rows);
    const done = await answer;
    expect(done.status).toBe(202);
    expect(done.body).toMatchObject({
      id: failed.id,
      status: 'failed',
      error: expect.stringContaining('"hatSize"'),
    });
    expect(await chunksKept(failed.id)).toBe(0);
    const [stored] = await t.query("select count(*)::int as n from subjects where external_id like 'late-%'");
    expect(stored.n).toBe(0);
  });

  it('refuses a file over IMPORT_MAX_BYTES before importing any of it, when it says its length', async () => {
    const small = await startApp({ DATABASE_URL: databaseUrl, ROLE: 'api', IMPORT_MAX_BYTES: '1024' }, 11);
    try {
      const [before] = await t.query('select count(*)::int as n from subject_imports');
      const lines = Array.from({ length: 80 }, (_, i) => JSON.stringify({ externalId: `big-${i}` })).join(
        '\n',
      );
      const res = await small.http
        .post('/v1/subjects/imports')
        .set(...bearer(small.keys.responder))
        .set('Content-Type', 'application/x-ndjson')
        .send(lines)
        .expect(413);
      expect(res.body.error).toBe('payload_too_large');
      expect(await t.query('select count(*)::int as n from subject_imports')).toEqual([before]);
    } finally {
      await small.close();
    }
  });

  it('erases a person for good; only admins may', async () => {
    await t.http
      .delete('/v1/subjects/u-teen-us')
      .set(...responder)
      .expect(403);
    await t.http
      .delete('/v1/subjects/u-teen-us')
      .set(...admin)
      .expect(204);
    await t.http
      .get('/v1/subjects/u-teen-us')
      .set(...responder)
      .expect(404);
    await t.http
      .delete('/v1/subjects/u-teen-us')
      .set(...admin)
      .expect(404);
    expect(await t.query("select 1 from subjects where external_id = 'u-teen-us'")).toEqual([]);
    const audit = await t.query(
      "select summary from audit_log where action = 'subject.erase' and target_id = 'u-teen-us'",
    );
    expect(audit).toEqual([{ summary: { incidentsKeptAnonymously: 0, outboxCopiesDeleted: 0 } }]);
  });
});
