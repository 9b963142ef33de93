import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  ADMIN_KEY,
  bearer,
  eventually,
  generatedReport,
  scopedIncident,
  startApp,
  TestApp,
} from './support/app.js';

/** JSON nested `depth` levels: arrays and objects in turn, as a caller would craft it by hand. */
const deepJson = (depth: number): string => '{"a":['.repeat(depth / 2) + '1' + ']}'.repeat(depth / 2);
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

type Answer = { status: number; headers: Record<string, string>; body: any; text: string };

/** The problems of a 400, as `field rule`. */
const problemsOf = (res: Answer): string[] =>
  ((res.body?.details?.problems ?? []) as Array<{ field: string; rule: string }>).map(
    (p) => `${p.field} ${p.rule}`,
  );

/**
 * The defects a session found by hand with hostile requests (issue 19), each as it was reproduced: a
 * 500, a row stored that should not be, a header missing, a count under the wrong status.
 */
describe('hostile requests (issue 19)', () => {
  let t: TestApp;
  let incidentId: string;

  beforeAll(async () => {
    t = await startApp({}, 14);
    await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(ADMIN_KEY))
      .send({
        subjects: [
          { externalId: 'h-1', name: 'Ana', email: 'ana@example.com', jurisdiction: 'GB' },
          { externalId: 'h-2', name: 'Bo', email: 'bo@example.com', jurisdiction: 'DE' },
        ],
      })
      .expect(200);
    incidentId = await scopedIncident(t, ADMIN_KEY, { externalIds: ['h-1', 'h-2'] });
  }, 60_000);
  afterAll(() => t.close());

  // Audit entries of requests only: the workers' own (the deadline watch, the hourly verification) may land
  // between two counts of a case, and are no request's doing.
  const tables = async () =>
    (
      await t.query(
        `select (select count(*) from incidents)::int as incidents,
                (select count(*) from audit_log where actor_role <> 'system')::int as audit,
                (select count(*) from subjects)::int as subjects, (select count(*) from scope_runs)::int as runs,
                (select count(*) from scope_id_lists)::int as lists, (select count(*) from scope_id_list_items)::int as items`,
      )
    )[0];

  describe('1. deeply nested JSON is a 400 naming the rule, on every JSON route, with or without a key', () => {
    const routes: Array<[string, string, boolean]> = [
      ['post', '/v1/incidents', true],
      ['post', '/v1/incidents', false],
      ['patch', `/v1/incidents/${UNKNOWN}`, true],
      ['post', '/v1/subjects/bulk', true],
      ['post', '/v1/subjects/lookup', true],
      ['post', '/v1/api-keys', false],
      ['post', '/v1/webhooks/twilio', false],
      ['post', '/v1/webhooks/sendgrid', false],
    ];
    it.each(routes)('%s %s (key: %s)', async (method, path, withKey) => {
      const before = await tables();
      let req = (t.http as any)[method](path).set('Content-Type', 'application/json');
      if (withKey) req = req.set(...bearer(ADMIN_KEY));
      const res: Answer = await req.send(deepJson(2_000));
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toEqual(['body maxDepth']);
      expect(res.body.message).toContain('32');
      expect(await tables()).toEqual(before);
    });

    it('a form post to the Twilio webhook nests nothing: brackets are part of a flat key', async () => {
      const res = await t.http
        .post('/v1/webhooks/twilio')
        .set('Content-Type', 'application/x-www-form-urlencoded')
        .send(`${'a'}${'[x]'.repeat(2_000)}=1`);
      expect(res.status).toBe(403);
    });

    it('bodies as deep as the API needs still pass', async () => {
      await t.http
        .post(`/v1/incidents/${incidentId}/scope/preview`)
        .set(...bearer(ADMIN_KEY))
        .send({ criteria: { everyone: true, exclude: { externalIds: ['h-2'] } } })
        .expect(200);
    });
  });

  describe('2. NUL in query strings and path parameters is a 400 naming the parameter', () => {
    const cases: Array<[string, string]> = [
      ['/v1/incidents?q=%00', 'q'],
      ['/v1/incidents?q=a%00b&state=detected', 'q'],
      ['/v1/audit?action=x%00', 'action'],
      ['/v1/audit?targetType=%00', 'targetType'],
      ['/v1/audit?targetId=%00', 'targetId'],
      [`/v1/incidents/${UNKNOWN}/affected?category=%00`, 'category'],
      [`/v1/incidents/${UNKNOWN}/affected/export?category=%00`, 'category'],
      ['/v1/audit/verifications/jobs/a%00b', 'jobId'],
      [`/v1/outbox?channel=%00`, 'channel'],
    ];
    it.each(cases)('GET %s', async (path, field) => {
      const res: Answer = await t.http.get(path).set(...bearer(ADMIN_KEY));
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toEqual([`${field} noNulCharacter`]);
    });

    it('POST id-lists?name=%00 stores no list', async () => {
      const before = await tables();
      const res: Answer = await t.http
        .post(`/v1/incidents/${incidentId}/id-lists?name=x%00`)
        .set(...bearer(ADMIN_KEY))
        .set('Content-Type', 'text/plain')
        .send('h-1\n');
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toEqual(['name noNulCharacter']);
      expect(await tables()).toEqual(before);
    });

    it('POST id-lists?name=a&name=b (a repeated parameter read as one) stores no list', async () => {
      const before = await tables();
      const res: Answer = await t.http
        .post(`/v1/incidents/${incidentId}/id-lists?name=a&name=b`)
        .set(...bearer(ADMIN_KEY))
        .set('Content-Type', 'text/plain')
        .send('h-1\n');
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toEqual(['name notRepeated']);
      expect(await tables()).toEqual(before);
    });

    it("a NUL in a header never reaches the service: Node's parser answers 400", async () => {
      // A server of its own over the same app: supertest's stays as it is.
      const server = createServer(t.app.getHttpAdapter().getInstance());
      await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
      try {
        const { port } = server.address() as AddressInfo;
        const answer = await new Promise<string>((done, fail) => {
          const socket = connect(port, '127.0.0.1', () =>
            socket.write(`GET /v1/incidents HTTP/1.1\r\nHost: x\r\nX-Note: a\u0000b\r\n\r\n`),
          );
          let text = '';
          socket.on('data', (d) => (text += d.toString('latin1')));
          socket.on('end', () => done(text));
          socket.on('error', fail);
        });
        expect(answer).toMatch(/^HTTP\/1\.1 400/);
      } finally {
        await new Promise((done) => server.close(done));
      }
    });
  });

  describe('3. an import always ends, and its messages are storable', () => {
    async function finished(id: string): Promise<Record<string, any>> {
      return eventually(async () => {
        const res = await t.http.get(`/v1/subjects/imports/${id}`).set(...bearer(ADMIN_KEY));
        return ['completed', 'failed'].includes(res.body.status) ? res.body : undefined;
      }, 30_000);
    }
    const upload = async (type: string, body: string) =>
      (
        await t.http
          .post('/v1/subjects/imports')
          .set(...bearer(ADMIN_KEY))
          .set('Content-Type', type)
          .send(body)
          .expect(202)
      ).body.id as string;

    it('a CSV header with a NUL fails the import (it stayed running), naming the column by its place', async () => {
      const done = await finished(await upload('text/csv', 'externalId,sh\u0000oe\nq-1,42\n'));
      expect(done.status).toBe('failed');
      expect(done.error).toContain('unknown CSV column(s) column 2;');
    }, 40_000);

    it('an NDJSON line with a NUL or a lone surrogate in a key is refused alone, the key named by its place', async () => {
      const lines = [
        '{"externalId":"nd-1","\\u0000x":1}',
        '{"externalId":"nd-2","name":"Ana"}',
        '{"externalId":"nd-3","\\ud800":1}',
        `{"externalId":"nd-4","name":${deepJson(400)}}`,
      ];
      const done = await finished(await upload('application/x-ndjson', lines.join('\n')));
      expect(done).toMatchObject({ status: 'completed', created: 1, rejected: 3 });
      expect(done.rejections.map((r: any) => `${r.line} ${r.field} ${r.rule}`)).toEqual([
        // A key that is no field name may be personal data typed as a key: never quoted, as CSV headers.
        '1 (key 2) unknownField',
        '3 (key 2) unknownField',
        '4 name isString',
      ]);
    }, 40_000);

    it('a CSV with an unclosed quote names the line where it broke and goes on with the next line', async () => {
      const csv = [
        'externalId,name,jurisdiction',
        'u-2,Two,DE',
        'u-3,"Three,DE',
        'u-4,Four,DE',
        'u-5,Five,DE',
        'u-6,"Six ""6""",DE',
        'u-7,Seven,DE',
        'u-8,Eight,DE',
      ].join('\n');
      const done = await finished(await upload('text/csv', csv));
      expect(done).toMatchObject({ status: 'completed', created: 6, rejected: 1, lines: 8 });
      expect(done.rejections).toEqual([
        expect.objectContaining({ line: 3, field: 'line', rule: 'quoteNotClosed' }),
      ]);
      const six = await t.http
        .get('/v1/subjects/u-6')
        .set(...bearer(ADMIN_KEY))
        .expect(200);
      expect(six.body.name).toBe('Six "6"');
    }, 40_000);
  });

  describe('4. every criteria field has one accepted shape', () => {
    const wrong: Array<[string, Record<string, unknown>, string]> = [
      [
        'exclude as an array',
        { everyone: true, exclude: [{ externalIds: ['h-1'] }] },
        'criteria.exclude isObject',
      ],
      ['exclude as a string', { everyone: true, exclude: 'h-1' }, 'criteria.exclude isObject'],
      ['a list as a string', { jurisdictions: 'DE' }, 'criteria.jurisdictions isArray'],
      ['a list as null', { jurisdictions: null }, 'criteria.jurisdictions notNull'],
      ['exclude as null', { everyone: true, exclude: null }, 'criteria.exclude notNull'],
      ['everyone as a string', { everyone: 'true' }, 'criteria.everyone isBoolean'],
      ['ids as numbers', { externalIds: [1, 2] }, 'criteria.externalIds matches'],
      ['nested lists', { systems: [['media-store']] }, 'criteria.systems isString'],
      [
        'match as a list',
        { everyone: true, dataCategoriesMatch: ['all'] },
        'criteria.dataCategoriesMatch isIn',
      ],
      ['a date as a number', { activeFrom: 1_700_000_000 }, 'criteria.activeFrom isDateTime'],
      // Keys of Object.prototype's were left out silently: `everyone` alone scoped everyone.
      ['a key named toString', { everyone: true, toString: 1 }, 'criteria.toString unknownField'],
      [
        'an exclusion key named valueOf',
        { everyone: true, exclude: { valueOf: ['DE'] } },
        'criteria.exclude.valueOf unknownField',
      ],
      ['an id list as a list', { idListId: [UNKNOWN] }, 'criteria.idListId isUuid'],
      [
        'exclusions as a list of lists',
        { everyone: true, exclude: { jurisdictions: [['DE']] } },
        'criteria.exclude.jurisdictions matches',
      ],
    ];
    it.each(wrong)('%s', async (_name, criteria, problem) => {
      const before = await tables();
      for (const path of ['scope/preview', 'scope']) {
        const res: Answer = await t.http
          .post(`/v1/incidents/${incidentId}/${path}`)
          .set(...bearer(ADMIN_KEY))
          .send({ criteria });
        expect({ path, status: res.status }).toEqual({ path, status: 400 });
        expect(problemsOf(res)).toContain(problem);
      }
      expect(await tables()).toEqual(before);
    });
  });

  describe('5. email addresses are refused as ids, as the directory refuses them', () => {
    it.each([
      [{ externalIds: ['h-1', 'jane@example.com'] }, 'criteria.externalIds notContactData'],
      [
        { everyone: true, exclude: { externalIds: ['jane@example.com'] } },
        'criteria.exclude.externalIds notContactData',
      ],
    ])('criteria %j', async (criteria, problem) => {
      const before = await tables();
      for (const path of ['scope/preview', 'scope']) {
        const res: Answer = await t.http
          .post(`/v1/incidents/${incidentId}/${path}`)
          .set(...bearer(ADMIN_KEY))
          .send({ criteria });
        expect(res.status).toBe(400);
        expect(problemsOf(res)).toEqual([problem]);
        expect(res.text).not.toContain('jane@example.com');
      }
      expect(await tables()).toEqual(before);
    });

    it('an id list holding an email address is refused whole, naming its line, and nothing is stored', async () => {
      const before = await tables();
      const res: Answer = await t.http
        .post(`/v1/incidents/${incidentId}/id-lists`)
        .set(...bearer(ADMIN_KEY))
        .set('Content-Type', 'text/plain')
        .send('h-1\nh-2\njane@example.com\n');
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toEqual(['body notContactData']);
      expect(res.body.message).toContain('line 3');
      expect(res.text).not.toContain('jane@example.com');
      expect(await tables()).toEqual(before);
    });
  });

  it('6. a 404 never echoes the id or the address asked for', async () => {
    for (const method of ['get', 'delete'] as const) {
      const res: Answer = await (t.http as any)
        [method]('/v1/subjects/jane.doe@example.com')
        .set(...bearer(ADMIN_KEY));
      expect(res.status).toBe(404);
      expect(res.text).not.toContain('jane');
    }
    const noRoute: Answer = await t.http
      .get('/v1/nowhere/jane.doe@example.com?email=jane.doe@example.com')
      .set(...bearer(ADMIN_KEY));
    expect(noRoute.status).toBe(404);
    expect(noRoute.text).not.toContain('jane');
    const badPath: Answer = await t.http.get('/v1/subjects/jane%ZZ').set(...bearer(ADMIN_KEY));
    expect(badPath.status).toBe(400);
    expect(badPath.text).not.toContain('jane');
  });

  describe('7-10. security headers', () => {
    const framed = (res: Answer) => {
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    };
    const common = (res: Answer) => {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['x-powered-by']).toBeUndefined();
      framed(res);
    };

    it('every kind of answer carries nosniff and no X-Powered-By, and cannot be framed', async () => {
      const answers: Answer[] = [
        await t.http.get('/health'),
        await t.http.get('/metrics'),
        await t.http.get('/docs/'),
        await t.http.get('/docs-json'),
        await t.http.get('/queues'),
        await t.http.get('/queues').set(...bearer(ADMIN_KEY)),
        await t.http.get('/queues/api/queues').set(...bearer(ADMIN_KEY)),
        await t.http.get('/v1/incidents'),
        await t.http.get('/v1/incidents').set(...bearer(ADMIN_KEY)),
        await t.http.get('/v1/nowhere'),
        await t.http.post('/v1/incidents').set('Content-Type', 'application/json').send('{'),
      ];
      for (const res of answers) common(res);
    });

    it('a report as HTML cannot be framed either', async () => {
      const created = await generatedReport(t, bearer(ADMIN_KEY), incidentId, {
        regulator: 'ico',
        phase: 'initial',
        delayReasons: 'Still establishing the scope.',
      });
      const html: Answer = await t.http
        .get(`/v1/reports/${created.body.id}.html`)
        .set(...bearer(ADMIN_KEY))
        .expect(200);
      common(html);
    });

    it('9. answers that hold personal data are not stored by caches', async () => {
      const reads: Answer[] = [
        await t.http.get('/v1/subjects/h-1').set(...bearer(ADMIN_KEY)),
        await t.http
          .post('/v1/subjects/lookup')
          .set(...bearer(ADMIN_KEY))
          .send({ email: 'ana@example.com' }),
        await t.http.get('/v1/outbox').set(...bearer(ADMIN_KEY)),
        await t.http.get(`/v1/incidents/${incidentId}/affected`).set(...bearer(ADMIN_KEY)),
        await t.http.get(`/v1/incidents/${incidentId}/affected/export`).set(...bearer(ADMIN_KEY)),
        await t.http.get('/v1/audit').set(...bearer(ADMIN_KEY)),
      ];
      for (const res of reads) {
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });
  });

  it('11. /metrics counts answers under their real status: 400, 401, 403, 404 and 500 too', async () => {
    const count = async (method: string, route: string, status: number): Promise<number> => {
      const text = (await t.http.get('/metrics')).text;
      const prefix = `http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`;
      const line = text.split('\n').find((l) => l.startsWith(prefix));
      return line ? Number(line.split(' ').pop()) : 0;
    };
    const route = '/v1/incidents/:id';
    const counts = async () => ({
      400: await count('GET', route, 400),
      401: await count('GET', route, 401),
      403: await count('PATCH', route, 403),
      404: await count('GET', route, 404),
      500: await count('GET', route, 500),
    });
    const before = await counts();
    await t.http
      .get('/v1/incidents/nope')
      .set(...bearer(ADMIN_KEY))
      .expect(400);
    await t.http.get(`/v1/incidents/${UNKNOWN}`).expect(401);
    await t.http
      .get(`/v1/incidents/${UNKNOWN}`)
      .set(...bearer('not-a-key'))
      .expect(401);
    await t.http
      .patch(`/v1/incidents/${UNKNOWN}`)
      .set(...bearer(t.keys.auditor))
      .send({ title: 'x' })
      .expect(403);
    await t.http
      .get(`/v1/incidents/${UNKNOWN}`)
      .set(...bearer(ADMIN_KEY))
      .expect(404);
    const { IncidentsService } = await import('../src/incidents/incidents.service.js');
    const spy = jest.spyOn(t.app.get(IncidentsService), 'get').mockRejectedValue(new Error('boom'));
    try {
      await t.http
        .get(`/v1/incidents/${UNKNOWN}`)
        .set(...bearer(ADMIN_KEY))
        .expect(500);
    } finally {
      spy.mockRestore();
    }
    expect(await counts()).toEqual({
      400: before[400] + 1,
      401: before[401] + 2,
      403: before[403] + 1,
      404: before[404] + 1,
      500: before[500] + 1,
    });
  });

  describe('"UK" is refused with a hint (GB), wherever a jurisdiction is accepted', () => {
    it('in the directory', async () => {
      const res = await t.http
        .post('/v1/subjects/bulk')
        .set(...bearer(ADMIN_KEY))
        .send({
          subjects: [
            { externalId: 'uk-1', jurisdiction: 'UK' },
            { externalId: 'uk-2', jurisdiction: 'uk' },
          ],
        })
        .expect(200);
      expect(res.body).toMatchObject({ created: 0, rejected: 2 });
      for (const r of res.body.rejections) {
        expect(r).toMatchObject({ field: 'jurisdiction', rule: 'isJurisdiction' });
        expect(r.message).toContain('GB');
      }
    });

    it.each([
      [`/v1/incidents/${'ID'}/scope/preview`, { jurisdictions: ['DE', 'UK'] }, 'criteria.jurisdictions.1'],
      [
        `/v1/incidents/${'ID'}/scope`,
        { everyone: true, exclude: { jurisdictions: ['UK'] } },
        'criteria.exclude.jurisdictions.0',
      ],
    ])('in scoping criteria (%s)', async (path, criteria, field) => {
      const res: Answer = await t.http
        .post(path.replace('ID', incidentId))
        .set(...bearer(ADMIN_KEY))
        .send({ criteria });
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toEqual([`${field} isJurisdiction`]);
      expect(res.body.details.problems[0].message).toContain('GB');
    });

    it.each([
      [`/v1/campaigns/${UNKNOWN}/preview?jurisdiction=UK`],
      [`/v1/incidents/${UNKNOWN}/affected?jurisdiction=uk`],
      [`/v1/incidents/${UNKNOWN}/affected/export?jurisdiction=UK`],
    ])('in %s', async (path) => {
      const res: Answer = await t.http.get(path).set(...bearer(ADMIN_KEY));
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toEqual(['jurisdiction isJurisdiction']);
      expect(res.body.details.problems[0].message).toContain('GB');
    });
  });
  describe('second review: keys class-transformer drops, text that says nothing', () => {
    it('a bulk upsert with a key named after an Object.prototype member in a row is refused whole, naming it', async () => {
      const before = await tables();
      const res: Answer = await t.http
        .post('/v1/subjects/bulk')
        .set(...bearer(ADMIN_KEY))
        .send(
          JSON.parse(
            '{"subjects":[{"externalId":"proto-1","guardian":{"name":"Carla","valueOf":"x"}},{"externalId":"proto-2","toString":"x"}]}',
          ),
        );
      expect(res.status).toBe(400);
      expect(problemsOf(res).sort()).toEqual([
        'subjects.0.guardian.valueOf unknownField',
        'subjects.1.toString unknownField',
      ]);
      expect(await tables()).toEqual(before);
    });

    it.each([
      ['met', { at: '2026-11-05T10:00:00Z', note: ' ' }, 'note hasText'],
      ['met', { at: '2026-11-05T10:00:00Z', note: '\u200b' }, 'note hasText'],
      ['waive', { reason: ' \n ' }, 'reason hasText'],
    ])('POST /v1/obligations/:id/%s with text that says nothing is a 400', async (action, body, problem) => {
      const res: Answer = await t.http
        .post(`/v1/obligations/${UNKNOWN}/${action}`)
        .set(...bearer(ADMIN_KEY))
        .send(body);
      expect(res.status).toBe(400);
      expect(problemsOf(res)).toContain(problem);
    });
  });
});
