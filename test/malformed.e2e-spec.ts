import { generateKeyPairSync, sign } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { ADMIN_KEY, bearer, eventually, startApp, TestApp, validIncident } from './support/app.js';
import { createScratchDatabase, dropScratchDatabase } from './support/global-setup.js';

type Case = {
  name: string;
  body: unknown;
  raw?: string;
  contentType?: string;
  field?: string;
  rule?: string;
  status?: number;
  /** The error code expected in the answer. */
  code?: string;
};

const long = (n: number) => 'x'.repeat(n);

/** Bodies that must be refused by the incident write routes, with the field and rule they must name. */
const INCIDENT_CASES: Case[] = [
  { name: 'invalid JSON', body: undefined, raw: '{"title": "a",', status: 400, code: 'invalid_json' },
  { name: 'JSON array', body: [validIncident()], field: 'body', rule: 'isObject' },
  { name: 'JSON string', body: undefined, raw: '"just a string"', status: 400 },
  { name: 'JSON null', body: undefined, raw: 'null', status: 400 },
  {
    name: 'not JSON at all',
    body: undefined,
    raw: 'title=x',
    contentType: 'application/x-www-form-urlencoded',
    field: 'body',
    rule: 'isObject',
  },
  { name: 'title of the wrong type', body: { title: 42 }, field: 'title', rule: 'isString' },
  { name: 'huge title', body: { title: long(201) }, field: 'title', rule: 'maxLength' },
  { name: 'huge description', body: { description: long(10_001) }, field: 'description', rule: 'maxLength' },
  {
    name: 'body over the size limit',
    body: { description: long(2 * 1024 * 1024) },
    status: 413,
    code: 'payload_too_large',
  },
  {
    name: 'date that is not a date',
    body: { discoveredAt: 'yesterday' },
    field: 'discoveredAt',
    rule: 'isDateTime',
  },
  {
    name: 'impossible date',
    body: { occurredFrom: '2026-02-30T00:00:00Z' },
    field: 'occurredFrom',
    rule: 'isDateTime',
  },
  {
    name: 'date in the future',
    body: { discoveredAt: '2999-01-01T00:00:00Z' },
    field: 'discoveredAt',
    rule: 'notInFuture',
  },
  {
    name: 'occurredTo before occurredFrom',
    body: { occurredFrom: '2026-11-03T00:00:00Z', occurredTo: '2026-11-01T00:00:00Z' },
    field: 'occurredTo',
    rule: 'notBefore:occurredFrom',
  },
  {
    name: 'aware before it happened',
    body: {
      occurredFrom: '2026-11-05T00:00:00Z',
      occurredTo: null,
      containedAt: null,
      discoveredAt: '2026-11-04T00:00:00Z',
    },
    field: 'discoveredAt',
    rule: 'notBefore:occurredFrom',
  },
  {
    name: 'a NUL character (PostgreSQL text cannot hold it)',
    body: { remedies: 'Call Jane Doe at +1 415 555 2671\u0000' },
    field: 'remedies',
    rule: 'noNulCharacter',
  },
  {
    name: 'a lone surrogate (stored, it would turn into U+FFFD)',
    body: { measuresTaken: 'a\ud800b' },
    field: 'measuresTaken',
    rule: 'wellFormedUnicode',
  },
  {
    name: 'unknown data category',
    body: { dataCategories: ['camera_data', 'dna'] },
    field: 'dataCategories.1',
    rule: 'isKnownCategory',
  },
  {
    name: 'categories not an array',
    body: { dataCategories: 'camera_data' },
    field: 'dataCategories',
    rule: 'isArray',
  },
  { name: 'unknown nature', body: { nature: ['secrecy'] }, field: 'nature', rule: 'isIn' },
  { name: 'duplicate systems', body: { systems: ['a', 'a'] }, field: 'systems', rule: 'arrayUnique' },
  { name: 'negative records', body: { approximateRecords: -1 }, field: 'approximateRecords', rule: 'min' },
  {
    name: 'fractional records',
    body: { approximateRecords: 1.5 },
    field: 'approximateRecords',
    rule: 'isInt',
  },
  {
    name: 'records beyond int range',
    body: { approximateRecords: 1e12 },
    field: 'approximateRecords',
    rule: 'max',
  },
  { name: 'encrypted as a string', body: { encrypted: 'yes' }, field: 'encrypted', rule: 'isBoolean' },
  { name: 'unknown risk level', body: { riskLevel: 'extreme' }, field: 'riskLevel', rule: 'isIn' },
  { name: 'unknown field', body: { severity: 'high' }, field: 'severity', rule: 'unknownField' },
  {
    name: 'prototype pollution attempt',
    body: JSON.parse('{"__proto__": {"admin": true}, "constructor": {"x": 1}}'),
    field: '__proto__',
    rule: 'unknownField',
  },
  // class-transformer left out any key of Object.prototype's: each was dropped silently, never refused.
  ...['toString', 'valueOf', 'hasOwnProperty', 'toLocaleString', '__defineGetter__', 'isPrototypeOf'].map(
    (key): Case => ({
      name: `a key named after Object.prototype's ${key}`,
      body: { [key]: 'x' },
      field: key,
      rule: 'unknownField',
    }),
  ),
  {
    name: "a chronology entry's key named after Object.prototype's valueOf",
    body: {
      chronology: [{ at: '2026-11-04T09:15:00Z', kind: 'detection', text: 'Found', valueOf: 1 }],
    },
    field: 'chronology.0.valueOf',
    rule: 'unknownField',
  },
  {
    // Stored as {} without a word.
    name: 'a language of translations named toString',
    body: { translations: { toString: { description: 'x' } } },
    field: 'translations.toString',
    rule: 'unknownField',
  },
  {
    name: 'guardianWords with a key named hasOwnProperty',
    body: { guardianWords: { hasOwnProperty: 'x' } },
    field: 'guardianWords.hasOwnProperty',
    rule: 'unknownField',
  },
  { name: 'a title of spaces', body: { title: '   ' }, field: 'title', rule: 'hasText' },
  { name: 'a title of a zero-width space', body: { title: '\u200b\u2060' }, field: 'title', rule: 'hasText' },
  {
    name: 'a language tag Intl cannot read',
    body: { language: 'en-12' },
    field: 'language',
    rule: 'isLocale',
  },
  { name: 'a language tag of no language', body: { language: 'xx' }, field: 'language', rule: 'isLocale' },
  {
    name: 'translations under a language tag Intl cannot read',
    body: { translations: { 'en-12': { description: 'x' } } },
    field: 'translations',
    rule: 'isNoticeTranslations',
  },
  {
    name: 'a chronology entry whose text is spaces',
    body: { chronology: [{ at: '2026-11-04T09:15:00Z', kind: 'detection', text: '   ' }] },
    field: 'chronology.0.text',
    rule: 'hasText',
  },
  {
    name: 'a bidirectional override in the title',
    body: { title: 'Exposed \u202eetalpmet' },
    field: 'title',
    rule: 'noControlCharacters',
  },
  {
    name: 'a control character in the description',
    body: { description: 'Line one\nline\u0007two' },
    field: 'description',
    rule: 'noControlCharacters',
  },
  {
    name: 'a bidirectional override in a translation',
    body: { translations: { de: { remedies: 'Rufen Sie \u202eus an' } } },
    field: 'translations',
    rule: 'noControlCharacters',
  },
  {
    name: 'a bidirectional override in guardianWords',
    body: { guardianWords: { description: 'x\u202dy' } },
    field: 'guardianWords',
    rule: 'noControlCharacters',
  },
  {
    name: 'a bidirectional override in massachusettsWords.guardian',
    body: { massachusettsWords: { guardian: { remedies: 'x\u202ey' } } },
    field: 'massachusettsWords',
    rule: 'noControlCharacters',
  },
  { name: 'an empty system', body: { systems: [''] }, field: 'systems', rule: 'hasText' },
  { name: 'a system of spaces', body: { systems: ['media-store', '  '] }, field: 'systems', rule: 'hasText' },
  {
    // Nested validation found nothing wrong in an empty list, and the incident's story failed on its date.
    name: 'a chronology entry that is a list',
    body: { chronology: [[]] },
    field: 'chronology',
    rule: 'isObject',
  },
  {
    name: 'nested object where text is expected',
    body: { cause: { a: 1 } },
    field: 'cause',
    rule: 'isString',
  },
];

describe('malformed input: always a clear 4xx, never a 500, nothing half-written', () => {
  let t: TestApp;
  let incidentId: string;
  let counts: () => Promise<Record<string, number>>;

  beforeAll(async () => {
    // An api node: no worker (the minute-ly deadline watch) writes timeline events or audit records between
    // two counts of a case, which made the counts differ under load.
    t = await startApp({ ROLE: 'api' }, 4);
    const created = await t.http
      .post('/v1/incidents')
      .set(...bearer(t.keys.responder))
      .send(validIncident())
      .expect(201);
    incidentId = created.body.id;
    counts = async () => {
      const rows = await t.query(
        `select (select count(*) from incidents)::int as incidents, (select count(*) from incident_events)::int as events,
                (select count(*) from audit_log)::int as audit, (select count(*) from api_keys)::int as keys,
                (select max(version) from incidents where id = $1)::int as version`,
        [incidentId],
      );
      return rows[0];
    };
  });
  afterAll(() => t.close());

  async function send(method: 'post' | 'patch' | 'put', path: string, c: Case, base: object) {
    let req = t.http[method](path)
      .set(...bearer(ADMIN_KEY))
      .set('If-Match', '"1"');
    if (c.raw !== undefined) {
      req = req.set('Content-Type', c.contentType ?? 'application/json').send(c.raw);
    } else if (Array.isArray(c.body) || typeof c.body !== 'object' || c.body === null) {
      req = req.send(c.body as object);
    } else {
      req = req.send({ ...base, ...c.body });
    }
    return req;
  }

  function expectRefused(res: { status: number; body: Record<string, any> }, c: Case) {
    expect(res.status).toBeGreaterThanOrEqual(400);
    expect(res.status).toBeLessThan(500);
    if (c.status) expect(res.status).toBe(c.status);
    if (c.code) expect(res.body.error).toBe(c.code);
    expect(res.body).toEqual(
      expect.objectContaining({
        statusCode: res.status,
        error: expect.any(String),
        message: expect.any(String),
      }),
    );
    expect(res.body).not.toHaveProperty('stack');
    if (c.field) {
      expect(res.body.details.problems).toEqual(
        expect.arrayContaining([expect.objectContaining({ field: c.field, rule: c.rule })]),
      );
    }
  }

  it.each(INCIDENT_CASES)('POST /v1/incidents: $name', async (c) => {
    const before = await counts();
    const res = await send('post', '/v1/incidents', c, validIncident());
    expectRefused(res, c);
    expect(await counts()).toEqual(before);
  });

  it.each(INCIDENT_CASES)('PATCH /v1/incidents/:id: $name', async (c) => {
    const before = await counts();
    const res = await send('patch', `/v1/incidents/${incidentId}`, c, {});
    expectRefused(res, c);
    expect(await counts()).toEqual(before);
  });

  const TRANSITION_CASES: Case[] = [
    { name: 'invalid JSON', body: undefined, raw: '{"to":', status: 400 },
    { name: 'unknown state', body: { to: 'solved' }, field: 'to', rule: 'isEnum' },
    { name: 'missing state', body: {}, field: 'to', rule: 'isDefined' },
    { name: 'huge note', body: { to: 'assessing', note: long(2001) }, field: 'note', rule: 'maxLength' },
    { name: 'a note of spaces', body: { to: 'assessing', note: ' \t ' }, field: 'note', rule: 'hasText' },
    { name: 'unknown field', body: { to: 'assessing', force: true }, field: 'force', rule: 'unknownField' },
    { name: 'array body', body: [{ to: 'assessing' }], field: 'body', rule: 'isObject' },
  ];
  it.each(TRANSITION_CASES)('POST /v1/incidents/:id/transitions: $name', async (c) => {
    const before = await counts();
    expectRefused(await send('post', `/v1/incidents/${incidentId}/transitions`, c, {}), c);
    expect(await counts()).toEqual(before);
  });

  const SUBSTITUTE_FACTS_CASES: Case[] = [
    {
      // An integer to JavaScript, not one the column (bigint) holds.
      name: 'a cost beyond what a number keeps exactly',
      body: { estimatedCostUsd: 1e308 },
      field: 'estimatedCostUsd',
      rule: 'max',
    },
    { name: 'a negative cost', body: { estimatedCostUsd: -1 }, field: 'estimatedCostUsd', rule: 'min' },
    { name: 'a fractional cost', body: { estimatedCostUsd: 0.5 }, field: 'estimatedCostUsd', rule: 'isInt' },
    {
      name: 'a reason of a zero-width space',
      body: { disproportionateEffort: true, reason: '\u200b' },
      field: 'reason',
      rule: 'hasText',
    },
    {
      name: 'a reason of spaces',
      body: { disproportionateEffort: false, reason: '   ' },
      field: 'reason',
      rule: 'hasText',
    },
  ];
  it.each(SUBSTITUTE_FACTS_CASES)('PUT /v1/incidents/:id/substitute-facts: $name', async (c) => {
    const before = await counts();
    expectRefused(await send('put', `/v1/incidents/${incidentId}/substitute-facts`, c, {}), c);
    expect(await counts()).toEqual(before);
  });

  const KEY_CASES: Case[] = [
    { name: 'invalid JSON', body: undefined, raw: '{', status: 400 },
    { name: 'missing name', body: { role: 'admin' }, field: 'name', rule: 'isDefined' },
    { name: 'empty name', body: { name: '', role: 'admin' }, field: 'name', rule: 'isNotEmpty' },
    { name: 'huge name', body: { name: long(101), role: 'admin' }, field: 'name', rule: 'maxLength' },
    { name: 'unknown role', body: { name: 'x', role: 'root' }, field: 'role', rule: 'isEnum' },
    {
      name: 'bad expiry',
      body: { name: 'x', role: 'admin', expiresAt: 'soon' },
      field: 'expiresAt',
      rule: 'isDateTime',
    },
    {
      name: 'past expiry',
      body: { name: 'x', role: 'admin', expiresAt: '2001-01-01T00:00:00Z' },
      field: 'expiresAt',
      rule: 'isFuture',
    },
    {
      name: 'a holder with a zero-width space (another holder to four eyes, reading the same)',
      body: { name: 'x', role: 'admin', holder: 'resp@example.com\u200b' },
      field: 'holder',
      rule: 'noInvisibleCharacters',
    },
    {
      name: 'a holder of dots',
      body: { name: 'x', role: 'admin', holder: ' .. ' },
      field: 'holder',
      rule: 'hasText',
    },
    {
      name: 'secret smuggled in',
      body: { name: 'x', role: 'admin', key: 'chosen' },
      field: 'key',
      rule: 'unknownField',
    },
  ];
  it.each(KEY_CASES)('POST /v1/api-keys: $name', async (c) => {
    const before = await counts();
    expectRefused(await send('post', '/v1/api-keys', c, {}), c);
    expect(await counts()).toEqual(before);
  });

  it('DELETE /v1/api-keys/:id with a bad or unknown id', async () => {
    const before = await counts();
    const bad = await t.http.delete('/v1/api-keys/not-a-uuid').set(...bearer(ADMIN_KEY));
    expectRefused(bad, { name: '', body: {}, field: 'id', rule: 'isUuid' });
    const unknown = await t.http
      .delete('/v1/api-keys/00000000-0000-4000-8000-000000000000')
      .set(...bearer(ADMIN_KEY));
    expectRefused(unknown, { name: '', body: {}, status: 404 });
    expect(await counts()).toEqual(before);
  });

  it('a bulk upsert refuses a person with a NUL or half a surrogate pair alone, and stores the others', async () => {
    const res = await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(ADMIN_KEY))
      .send({
        subjects: [
          { externalId: 'nul-0', name: 'Ana\u0000', jurisdiction: 'DE' },
          { externalId: 'nul-1', name: 'Bea', jurisdiction: 'DE' },
          { externalId: 'nul-2', name: 'C\ud800', jurisdiction: 'DE' },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, rejected: 2 });
    expect(
      (res.body.rejections as Array<{ index: number; field: string; rule: string }>).map(
        (r) => `${r.index} ${r.field} ${r.rule}`,
      ),
    ).toEqual(['0 name noControlCharacters', '2 name wellFormedUnicode']);
  });

  it('a body that is not UTF-8 (Latin-1 "José") is a 400 on body/isUtf8, not stored with U+FFFD', async () => {
    const before = await counts();
    for (const [path, json] of [
      ['/v1/subjects/bulk', '{"subjects":[{"externalId":"latin-1","name":"Jos\xe9"}]}'],
      [
        '/v1/incidents',
        '{"title":"T\xe9st","discoveredAt":"2026-11-04T09:15:00Z","dataCategories":["camera_data"]}',
      ],
    ]) {
      const res = await t.http
        .post(path)
        .set(...bearer(ADMIN_KEY))
        .set('Content-Type', 'application/json')
        // As the bytes are: superagent would otherwise write the Buffer as JSON.
        .serialize((body: Buffer) => body as unknown as string)
        .send(Buffer.from(json, 'latin1'))
        .expect(400);
      expect(res.body.details.problems).toEqual([expect.objectContaining({ field: 'body', rule: 'isUtf8' })]);
    }
    expect(await counts()).toEqual(before);
    await t.http
      .get('/v1/subjects/latin-1')
      .set(...bearer(ADMIN_KEY))
      .expect(404);
  });

  it('a date-time PostgreSQL cannot keep (its UTC year outside 1 to 9999) is a 400 naming it, never a 500', async () => {
    const yearZero = '0001-01-01T00:00:00+05:00'; // 31 December of year 0 in UTC
    const year10000 = '9999-12-31T23:59:00-01:00'; // 1 January 10000 in UTC
    const admin = bearer(ADMIN_KEY);
    const cases: Array<[string, () => PromiseLike<{ status: number; body: any }>, string]> = [
      [
        'POST /v1/incidents',
        () =>
          t.http
            .post('/v1/incidents')
            .set(...admin)
            .send({ title: 'Year zero', discoveredAt: yearZero, dataCategories: ['camera_data'] }),
        'discoveredAt',
      ],
      [
        'GET /v1/audit from',
        () =>
          t.http
            .get('/v1/audit')
            .query({ from: '0000-01-01T00:00:00Z' })
            .set(...admin),
        'from',
      ],
      [
        'GET /v1/audit to',
        () =>
          t.http
            .get('/v1/audit')
            .query({ to: year10000 })
            .set(...admin),
        'to',
      ],
      [
        'GET /v1/register from',
        () =>
          t.http
            .get('/v1/register')
            .query({ from: yearZero })
            .set(...admin),
        'from',
      ],
      [
        'scope preview activeFrom',
        () =>
          t.http
            .post(`/v1/incidents/${incidentId}/scope/preview`)
            .set(...admin)
            .send({ criteria: { everyone: true, activeFrom: yearZero } }),
        'criteria.activeFrom',
      ],
      [
        'scope preview signedUpBefore',
        () =>
          t.http
            .post(`/v1/incidents/${incidentId}/scope/preview`)
            .set(...admin)
            .send({ criteria: { everyone: true, signedUpBefore: year10000 } }),
        'criteria.signedUpBefore',
      ],
      [
        'POST /v1/obligations/:id/met',
        () =>
          t.http
            .post('/v1/obligations/00000000-0000-4000-8000-000000000000/met')
            .set(...admin)
            .send({ at: yearZero, note: 'Filed by post' }),
        'at',
      ],
    ];
    for (const [label, call, field] of cases) {
      const res = await call();
      expect({ label, status: res.status, problems: res.body.details?.problems }).toEqual({
        label,
        status: 400,
        problems: [
          {
            field,
            rule: 'isDateTime',
            // A nested field's message names it within its object, as every rule's message does.
            message: `${field.split('.').at(-1)} must be an ISO 8601 date-time with a zone, in the years 1 to 9999 UTC, e.g. 2026-01-02T03:04:05Z`,
          },
        ],
      });
    }
  });

  it('a forged cursor whose date is out of range, without a zone or off the calendar is a 400 on cursor', async () => {
    for (const createdAt of [
      '0000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
      '9999-12-31T23:59:00-01:00',
      '2026-12-07T19:49:53.846',
      '2026-02-30T10:00:00.000Z',
    ]) {
      const cursor = Buffer.from(
        JSON.stringify({ createdAt, id: '3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }),
      ).toString('base64url');
      const res = await t.http
        .get('/v1/incidents')
        .query({ cursor })
        .set(...bearer(ADMIN_KEY));
      expect({ createdAt, status: res.status, problems: res.body.details?.problems }).toEqual({
        createdAt,
        status: 400,
        problems: [
          { field: 'cursor', rule: 'isCursor', message: 'cursor is not a cursor this API returned' },
        ],
      });
    }
  });

  it('a bulk upsert refuses a person whose date-time is out of range alone, and stores the others', async () => {
    const res = await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(ADMIN_KEY))
      .send({
        subjects: [
          { externalId: 'year-0', lastActiveAt: '0001-01-01T00:00:00+05:00', jurisdiction: 'DE' },
          { externalId: 'year-1', lastActiveAt: '0001-01-01T00:00:00Z', jurisdiction: 'DE' },
        ],
      })
      .expect(200);
    expect(res.body).toMatchObject({ created: 1, rejected: 1 });
    expect(
      (res.body.rejections as Array<{ index: number; field: string; rule: string }>).map(
        (r) => `${r.index} ${r.field} ${r.rule}`,
      ),
    ).toEqual(['0 lastActiveAt isDateTime']);
  });

  it('a required field left out is one problem, isDefined, naming it (a missing scope criteria was a 500)', async () => {
    const incident = await t.http
      .post('/v1/incidents')
      .set(...bearer(ADMIN_KEY))
      .send(validIncident())
      .expect(201);
    for (const path of [
      `/v1/incidents/${incident.body.id}/scope/preview`,
      `/v1/incidents/${incident.body.id}/scope`,
    ]) {
      const res = await t.http
        .post(path)
        .set(...bearer(ADMIN_KEY))
        .send({});
      expect(res.status).toBe(400);
      expect(res.body.details.problems).toEqual([
        { field: 'criteria', rule: 'isDefined', message: 'criteria is required' },
      ]);
    }
    const key = await t.http
      .post('/v1/api-keys')
      .set(...bearer(ADMIN_KEY))
      .send({ role: 'auditor' })
      .expect(400);
    expect(key.body.details.problems).toEqual([
      { field: 'name', rule: 'isDefined', message: 'name is required' },
    ]);
  });

  it('bad query parameters are 400s naming the parameter', async () => {
    const cases: [string, Record<string, string>, string][] = [
      ['/v1/incidents', { limit: '0' }, 'limit'],
      ['/v1/incidents', { limit: 'many' }, 'limit'],
      ['/v1/incidents', { state: 'open' }, 'state'],
      ['/v1/incidents', { discoveredFrom: 'last week' }, 'discoveredFrom'],
      ['/v1/incidents', { unknown: '1' }, 'unknown'],
      // Keys class-transformer left out: 200, where any other unknown parameter is a 400.
      ['/v1/incidents', { toString: '1' }, 'toString'],
      ['/v1/incidents', { valueOf: '1' }, 'valueOf'],
      ['/v1/audit', { hasOwnProperty: '1' }, 'hasOwnProperty'],
      // Number() read each as a number: an integer parameter is digits only.
      ['/v1/incidents', { limit: '1e2' }, 'limit'],
      ['/v1/incidents', { limit: '0x10' }, 'limit'],
      ['/v1/incidents', { limit: '  5' }, 'limit'],
      ['/v1/incidents', { limit: '5.0' }, 'limit'],
      ['/v1/audit', { limit: '+5' }, 'limit'],
      ['/v1/audit', { actor: 'me' }, 'actor'],
      ['/v1/audit', { cursor: 'abc' }, 'cursor'],
      ['/v1/audit', { cursor: Buffer.from('{"id":"1; drop"}').toString('base64url') }, 'cursor'],
    ];
    for (const [path, query, field] of cases) {
      const res = await t.http
        .get(path)
        .query(query)
        .set(...bearer(ADMIN_KEY));
      expect(res.status).toBe(400);
      expect(res.body.details.problems.map((p: { field: string }) => p.field)).toContain(field);
    }
  });

  it('an unexpected failure is a 500 with an errorId and no internals', async () => {
    const { IncidentsService } = await import('../src/incidents/incidents.service.js');
    const service = t.app.get(IncidentsService);
    const spy = jest
      .spyOn(service, 'find')
      .mockRejectedValue(new Error('connection to 10.0.0.5 refused for user app'));
    try {
      const res = await t.http
        .get('/v1/incidents')
        .set(...bearer(ADMIN_KEY))
        .expect(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'internal_error',
        message: expect.stringContaining(res.body.errorId),
        errorId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(JSON.stringify(res.body)).not.toContain('10.0.0.5');
    } finally {
      spy.mockRestore();
    }
  });
});

/**
 * What arrives with a worker and the providers' webhooks: an import's line and a signed provider event
 * that PostgreSQL cannot keep as given.
 */
describe('input PostgreSQL cannot keep, past the API: imports and provider webhooks', () => {
  const PUBLIC_BASE_URL = 'https://notices.example.org';
  const TWILIO_TOKEN = 'malformed-e2e-twilio-token';
  const sendgridKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  let t: TestApp;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createScratchDatabase('malformed');
    // No Redis: the queues on the scratch database, so that no other file's jobs are in them.
    t = await startApp({
      DATABASE_URL: databaseUrl,
      PUBLIC_BASE_URL,
      SENDGRID_WEBHOOK_PUBLIC_KEY: sendgridKeys.publicKey
        .export({ type: 'spki', format: 'der' })
        .toString('base64'),
      TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
      TWILIO_AUTH_TOKEN: TWILIO_TOKEN,
      TWILIO_FROM: '+14155550000',
      TWILIO_BASE_URL: 'http://127.0.0.1:9',
    });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await dropScratchDatabase(databaseUrl);
  });

  it('an NDJSON import refuses a line whose date-time is out of range alone, and imports the others', async () => {
    const lines = [
      JSON.stringify({ externalId: 'imp-1', jurisdiction: 'FR' }),
      JSON.stringify({ externalId: 'imp-2', jurisdiction: 'FR', createdAt: '0001-01-01T00:00:00+05:00' }),
      JSON.stringify({ externalId: 'imp-3', jurisdiction: 'FR', lastActiveAt: '9999-12-31T23:59:00-01:00' }),
      JSON.stringify({ externalId: 'imp-4', jurisdiction: 'FR', createdAt: '0001-01-01T00:00:00Z' }),
    ];
    const started = await t.http
      .post('/v1/subjects/imports')
      .set(...bearer(ADMIN_KEY))
      .set('Content-Type', 'application/x-ndjson')
      .send(lines.join('\n'))
      .expect(202);
    const done = await eventually(async () => {
      const res = await t.http
        .get(`/v1/subjects/imports/${started.body.id}`)
        .set(...bearer(ADMIN_KEY))
        .expect(200);
      return ['completed', 'failed'].includes(res.body.status) ? res.body : undefined;
    }, 60_000);
    expect(done).toMatchObject({ status: 'completed', created: 2, rejected: 2, lines: 4 });
    expect(
      done.rejections.map(
        (r: { line: number; field: string; rule: string }) => `${r.line} ${r.field} ${r.rule}`,
      ),
    ).toEqual(['2 createdAt isDateTime', '3 lastActiveAt isDateTime']);
  }, 90_000);

  it('a signed SendGrid batch with odd events is stored whole, each odd field read as absent (never a 500)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const events = [
      { event: 'delivered', sg_event_id: 'odd-far', message_id: '1', timestamp: 1e300 },
      { event: 'delivered', sg_event_id: 'odd-before', message_id: '2', timestamp: -99_999_999_999_999 },
      { event: 'delivered', sg_event_id: 'odd-10000', message_id: '3', timestamp: 253_402_300_800 },
      { event: 'bounce', sg_event_id: 'odd-\u0000', message_id: '4', type: 'bounce\u0000', timestamp: now },
      {
        event: 'bounce',
        sg_event_id: 'odd-good',
        message_id: '5',
        type: 'bounce',
        status: '5.1.1',
        timestamp: now,
      },
    ];
    const body = JSON.stringify(events);
    const signature = sign('sha256', Buffer.from(`${now}${body}`), sendgridKeys.privateKey).toString(
      'base64',
    );
    const res = await t.http
      .post('/v1/webhooks/sendgrid')
      .set('Content-Type', 'application/json')
      .set('X-Twilio-Email-Event-Webhook-Signature', signature)
      .set('X-Twilio-Email-Event-Webhook-Timestamp', String(now))
      .send(body);
    expect({ status: res.status, body: res.body }).toEqual({ status: 200, body: { stored: 5 } });
    const rows = await t.query<{
      message_id: number;
      event_key: string;
      code: string | null;
      occurred: boolean;
    }>(
      `select message_id::int, event_key, code, occurred_at is not null as occurred from webhook_events
       where provider = 'sendgrid' order by message_id`,
    );
    expect(rows.map((r) => [r.message_id, r.occurred, r.code])).toEqual([
      [1, false, null],
      [2, false, null],
      [3, false, null],
      [4, true, null],
      [5, true, 'bounce 5.1.1'],
    ]);
    expect(rows[3].event_key).toMatch(/^[\w-]{43}$/);
  });

  it('a signed Twilio callback with a NUL in a field is a 400 naming it, and stores nothing', async () => {
    const path = '/v1/webhooks/twilio?message=7';
    const params = { MessageSid: 'SMn\u0000', MessageStatus: 'delivered' };
    const res = await t.http
      .post(path)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .set(
        'X-Twilio-Signature',
        getExpectedTwilioSignature(TWILIO_TOKEN, `${PUBLIC_BASE_URL}${path}`, params),
      )
      .send(new URLSearchParams(params).toString());
    expect({ status: res.status, problems: res.body.details?.problems }).toEqual({
      status: 400,
      problems: [
        {
          field: 'MessageSid',
          rule: 'noNulCharacter',
          message: 'MessageSid must not contain the NUL character (U+0000)',
        },
      ],
    });
    expect(await t.query("select 1 from webhook_events where provider = 'twilio'")).toEqual([]);
  });
});
