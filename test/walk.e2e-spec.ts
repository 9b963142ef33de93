import { createScratchDatabase } from './support/global-setup.js';
import {
  ADMIN_KEY,
  bearer,
  eventually,
  generatedReport,
  startApp,
  TestApp,
  validIncident,
} from './support/app.js';
import { tryItOut, type OpenApiDocument } from './support/openapi.js';

/**
 * Walks every operation of the OpenAPI document the app serves (and the routes it leaves out: the
 * providers' webhooks, the dashboard, the scrape) with hostile shapes, with and without a valid key:
 * deep JSON, NUL and lone surrogates in bodies, query strings, path ids and headers, huge strings, wrong
 * content types, wrong JSON types, and odd values of the right type in every field of the document's
 * example bodies (which found a 500 in a chronology entry that was a list, and one in a cost of 1e308,
 * that hand-written bodies had never reached). Whatever the answer, it is never a 5xx, it carries the security
 * headers, an error has the one error shape, and a refused request changes nothing (the main tables'
 * rows and the audit log, counted before and after).
 *
 * The walk runs on a node with ROLE=api: no worker runs, so nothing changes the tables but the requests
 * themselves (a job an accepted request queued, or the deadline watch, would change them between two
 * counts). The data it walks over (an incident with a frozen set, a campaign, a report...) is made first
 * by a node that runs everything, on a database of the walk's own.
 */

const REDIS_DB = 15;
const UNKNOWN = '00000000-0000-4000-8000-000000000000';
const deepJson = (depth: number): string => '{"a":['.repeat(depth / 2) + '1' + ']}'.repeat(depth / 2);

interface Operation {
  method: string;
  /** The OpenAPI path, with {name} for its parameters. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Media types of its request body; empty for none. */
  consumes: string[];
  public: boolean;
  /** A JSON body it takes: the document's, as "Try it out" fills it in (test/api-examples proves each). */
  example?: Json;
}

interface Variant {
  label: string;
  /** The URL, when the variant changes it (a path or query variant). */
  url?: string;
  headers?: Record<string, string>;
  body?: string;
  contentType?: string;
  /** It brings its own Authorization: sent once, as it is. */
  ownKey?: boolean;
}

interface Fixture {
  incidentId: string;
  campaignId: string;
  reportId: string;
  obligationId: string;
  importId: string;
  keyId: string;
  jobId: string;
  publicNoticeId: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every string of a body changed by `change`, the rest as it is. */
function mapStrings(value: Json, change: (s: string) => string): Json {
  if (typeof value === 'string') return change(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, change));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, change)]));
  }
  return value;
}

/** A value of another JSON type than `value`'s. */
function wrongType(value: Json): Json {
  if (typeof value === 'string') return 12345;
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return 'true';
  if (Array.isArray(value)) return { '0': value[0] ?? 'x' };
  if (value === null) return { x: 1 };
  return [value];
}

/**
 * Values of the right JSON type that no field takes as they are: the edges of numbers (1e308 is an
 * integer to JavaScript, not one a bigint column holds), empty and nested lists (nested validation
 * checks a list's elements, of which an empty one has none), a date-time without its zone.
 */
const ODD_VALUES: Json[] = [-1, 1.5, 1e308, '', ' ', '2026-01-01T00:00:00', [], [[]], [null], {}, null];

/**
 * For each field up to 3 levels (a list's first element standing for the rest), the body with that field
 * replaced by each of `replacements(value)`: the field's path, the value put there, and the body.
 */
function eachField(
  body: Json,
  replacements: (value: Json) => Json[],
  depth = 0,
  path: string[] = [],
): Array<[string, Json, Json]> {
  if (depth >= 3 || body === null || typeof body !== 'object') return [];
  const entries: Array<[string, Json]> = Array.isArray(body)
    ? body.slice(0, 1).map((v, i) => [String(i), v])
    : Object.entries(body);
  return entries.flatMap(([key, value]) => {
    const replaced = (v: Json): Json =>
      Array.isArray(body) ? [v, ...body.slice(1)] : { ...(body as Record<string, Json>), [key]: v };
    const field = [...path, key];
    const here = replacements(value).map((v): [string, Json, Json] => [field.join('.'), v, replaced(v)]);
    const inner = eachField(value, replacements, depth + 1, field).map(([p, v, b]): [string, Json, Json] => [
      p,
      v,
      replaced(b),
    ]);
    return [...here, ...inner];
  });
}

describe('the walk: every operation with hostile shapes, with and without a key', () => {
  let t: TestApp;
  let fixture: Fixture;
  let operations: Operation[];
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createScratchDatabase('walk');
    const full = await startApp({ DATABASE_URL: databaseUrl }, REDIS_DB);
    try {
      fixture = await makeFixture(full);
    } finally {
      await full.close();
    }
    t = await startApp({ DATABASE_URL: databaseUrl, ROLE: 'api' }, REDIS_DB);
    const doc = (await t.http.get('/docs-json').expect(200)).body as OpenApiDocument & {
      paths: Record<string, Record<string, Record<string, any>>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => {
        const params = (op.parameters ?? []) as Array<{ in: string; name: string }>;
        return {
          method,
          path,
          pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
          queryParams: params.filter((p) => p.in === 'query').map((p) => p.name),
          consumes: Object.keys(op.requestBody?.content ?? {}),
          public: !op.security,
          example: tryItOut(doc, op) as Json | undefined,
        };
      }),
    );
    // Routes the document leaves out: the providers' webhooks (public, signed), the dashboard, the scrape.
    operations.push(
      {
        method: 'post',
        path: '/v1/webhooks/sendgrid',
        pathParams: [],
        queryParams: [],
        consumes: ['application/json'],
        public: true,
      },
      {
        method: 'post',
        path: '/v1/webhooks/twilio',
        pathParams: [],
        queryParams: [],
        consumes: ['application/x-www-form-urlencoded'],
        public: true,
      },
      { method: 'get', path: '/queues', pathParams: [], queryParams: [], consumes: [], public: false },
      {
        method: 'get',
        path: '/queues/api/queues',
        pathParams: [],
        queryParams: ['page'],
        consumes: [],
        public: false,
      },
      { method: 'get', path: '/metrics', pathParams: [], queryParams: [], consumes: [], public: true },
    );
  }, 120_000);
  afterAll(() => t?.close());

  /** The main tables and the audit log, in one statement (one snapshot). */
  async function fingerprint(): Promise<string> {
    const [row] = await t.query<{ f: unknown }>(`select json_build_object(
      'incidents', (select count(*) from incidents), 'versions', (select coalesce(sum(version), 0) from incidents),
      'states', (select string_agg(state, ',' order by id) from incidents),
      'events', (select count(*) from incident_events), 'audit', (select count(*) from audit_log),
      'keys', (select count(*) from api_keys where revoked_at is null),
      'subjects', (select count(*) from subjects), 'imports', (select count(*) from subject_imports),
      'chunks', (select count(*) from subject_import_chunks),
      'runs', (select count(*) from scope_runs), 'lists', (select count(*) from scope_id_lists),
      'items', (select count(*) from scope_id_list_items), 'affected', (select count(*) from affected_subjects),
      'campaigns', (select string_agg(status, ',' order by id) from campaigns),
      'deliveries', (select count(*) from deliveries),
      'reports', (select string_agg(status, ',' order by id) from reports),
      'obligations', (select count(*) || '/' || count(met_at) || '/' || count(waived_at) from obligations),
      'webhooks', (select count(*) from webhook_events)) as f`);
    return JSON.stringify(row.f);
  }

  function pathValue(op: Operation, name: string): string {
    if (name === 'jobId') return fixture.jobId;
    if (name === 'externalId') return op.method === 'delete' ? 'walk-erase' : 'walk-1';
    const prefixes: Array<[string, string]> = [
      ['/v1/incidents/', fixture.incidentId],
      ['/v1/campaigns/', fixture.campaignId],
      ['/v1/reports/', fixture.reportId],
      ['/v1/obligations/', fixture.obligationId],
      ['/v1/subjects/imports/', fixture.importId],
      ['/v1/api-keys/', fixture.keyId],
      ['/v1/public-notices/', fixture.publicNoticeId],
    ];
    return prefixes.find(([prefix]) => op.path.startsWith(prefix))?.[1] ?? UNKNOWN;
  }

  const url = (op: Operation, given: Record<string, string> = {}, query = ''): string =>
    op.path.replace(
      /\{(\w+)\}/g,
      (_m, name: string) => given[name] ?? encodeURIComponent(pathValue(op, name)),
    ) + (query ? `?${query}` : '');

  /** A body the operation takes, for the variants to break one way at a time. */
  function baseBody(op: Operation): Json {
    // Bodies of the walk's own where the fixture's states need one (a transition it can make, a key's
    // role); elsewhere the document's example, every field of it.
    const key = `${op.method.toUpperCase()} ${op.path}`;
    const bodies: Record<string, Json> = {
      'PATCH /v1/incidents/{id}': { title: 'Walked', riskLevel: 'high' },
      'POST /v1/incidents/{id}/transitions': { to: 'assessing', note: 'walk' },
      'POST /v1/api-keys': { name: 'walk', role: 'auditor', holder: 'walk@example.test' },
      'POST /v1/subjects/bulk': {
        subjects: [{ externalId: 'walk-9', name: 'Nine', email: 'nine@example.com', jurisdiction: 'DE' }],
      },
      'POST /v1/subjects/lookup': { email: 'walk1@example.com' },
      'POST /v1/incidents/{id}/scope/preview': {
        criteria: { jurisdictions: ['DE'], exclude: { externalIds: ['walk-2'] } },
      },
      'POST /v1/incidents/{id}/scope': { criteria: { everyone: true, exclude: { systems: ['x'] } } },
      'POST /v1/incidents/{id}/campaigns': {
        template: 'breach-notice',
        channels: ['email'],
        mode: 'escalate',
      },
      'POST /v1/obligations/{id}/met': { at: '2026-11-05T10:00:00Z', note: 'Called the regulator' },
      'POST /v1/obligations/{id}/waive': { reason: 'Counsel: not reportable' },
      'POST /v1/incidents/{id}/reports': {
        regulator: 'ico',
        phase: 'initial',
        delayReasons: 'Scope unclear',
      },
      'POST /v1/reports/{id}/submitted': { at: '2026-11-05T10:00:00Z', reference: 'ICO-1' },
      'POST /v1/webhooks/sendgrid': [{ event: 'delivered', email: 'a@example.com', sg_event_id: 'e1' }],
    };
    return bodies[key] ?? op.example ?? { note: 'walk' };
  }

  function variants(op: Operation): Variant[] {
    const out: Variant[] = [];
    const json = (label: string, body: string, contentType = 'application/json') =>
      out.push({ label, body, contentType });
    const jsonBody = op.consumes.some((c) => c.includes('json') && !c.includes('ndjson'));
    const base = baseBody(op);
    // Every route gets a deep and a NUL body, a body or not: a hostile client sends them anyway.
    json('deep JSON', deepJson(2_000));
    json('NUL in a JSON body', JSON.stringify(mapStrings(base, (s) => `${s}\u0000`)));
    if (jsonBody || op.consumes.length === 0) {
      json('lone surrogate in a JSON body', JSON.stringify(mapStrings(base, (s) => `${s}\ud800`)));
      json('huge strings', JSON.stringify(mapStrings(base, () => 'x'.repeat(300_000))));
      json('invalid JSON', '{"a":');
      json('an array', JSON.stringify([base]));
      json('a string', '"just text"');
      json('null', 'null');
      json('unknown field', JSON.stringify({ ...(base as object), zzUnknown: 1 }));
      json('prototype keys', '{"__proto__":{"admin":true},"constructor":{"x":1}}');
      for (const [field, , body] of eachField(base, (value) => [wrongType(value)]))
        json(`wrong type at ${field}`, JSON.stringify(body));
      for (const [field, odd, body] of eachField(base, () => ODD_VALUES))
        json(`odd value ${field} = ${JSON.stringify(odd)}`, JSON.stringify(body));
      json('as text/plain', JSON.stringify(base), 'text/plain');
      json('as a form', 'a=1&b[c]=2', 'application/x-www-form-urlencoded');
      json('as XML', '<a>1</a>', 'application/xml');
      json('in UTF-7', JSON.stringify(base), 'application/json; charset=utf-7');
    } else {
      // Uploads: the content types they take, with hostile content, and JSON where a file is due.
      for (const type of op.consumes) {
        json(
          `${type} with a NUL and a lone surrogate`,
          `externalId,name\nwalk-x,A\u0000B\nwalk-y,\ud800\n`,
          type,
        );
        json(`${type} with a deep line`, `${deepJson(2_000)}\n`, type);
        json(`${type} with an unclosed quote`, `externalId,name\n"walk-q,Q\nwalk-r,R\n`, type);
        json(`${type} with an email address`, `walk-1\njane@example.com\n`, type);
      }
      json('a file as JSON', JSON.stringify(base));
    }
    // Query strings: each parameter, and one the route does not know.
    for (const name of [...op.queryParams, 'zzUnknown']) {
      for (const [label, value] of [
        ['NUL', `${name}=%00`],
        ['NUL inside', `${name}=a%00b`],
        ['invalid UTF-8', `${name}=%ED%A0%80%FF`],
        ['huge', `${name}=${'x'.repeat(8_000)}`],
        ['repeated', `${name}=a&${name}=b`],
        ['nested', `${name}[x][y]=1`],
        ['empty', `${name}=`],
      ]) {
        out.push({ label: `query ${name} ${label}`, url: url(op, {}, value) });
      }
    }
    // Path ids.
    for (const name of op.pathParams) {
      for (const [label, value] of [
        ['NUL', '%00'],
        ['NUL inside', 'a%00b'],
        ['lone surrogate', '%ED%A0%80'],
        ['bad percent', '%ZZ'],
        ['huge', 'x'.repeat(5_000)],
        ['an email address', 'jane.doe%40example.com'],
        ['traversal', '..%2F..%2Fetc%2Fpasswd'],
        ['unknown uuid', UNKNOWN],
        ['a space', '%20'],
      ]) {
        out.push({ label: `path ${name} ${label}`, url: url(op, { [name]: value }) });
      }
    }
    // Headers (Node refuses a NUL in a header itself; Latin-1 is what a header can carry).
    const body = jsonBody ? { body: JSON.stringify(base), contentType: 'application/json' } : {};
    out.push(
      { label: 'huge key', headers: { Authorization: `Bearer ${'x'.repeat(8_000)}` }, ownKey: true, ...body },
      {
        label: 'Latin-1 key',
        headers: { Authorization: 'Bearer \u00e9\u00ff\u00a0' },
        ownKey: true,
        ...body,
      },
      { label: 'basic auth', headers: { Authorization: 'Basic d2FsazpcdTAwMDA=' }, ownKey: true, ...body },
      { label: 'If-Match garbage', headers: { 'If-Match': '"\u00ff", W/"x", *' }, ...body },
      {
        label: 'Accept garbage',
        headers: { Accept: 'text/html;q=abc, application/pdf;q=2, */*;q=-1' },
        ...body,
      },
      { label: 'huge request id', headers: { 'X-Request-Id': 'x'.repeat(5_000) }, ...body },
    );
    return out;
  }

  /** What every answer must be, whatever it is; a list of what was wrong. */
  function check(
    label: string,
    res: { status: number; headers: Record<string, string>; body: any },
    path: string,
  ) {
    const wrong: string[] = [];
    if (res.status >= 500) wrong.push(`${res.status} ${JSON.stringify(res.body)}`);
    if (res.headers['x-content-type-options'] !== 'nosniff') wrong.push('no nosniff');
    if (res.headers['x-frame-options'] !== 'DENY') wrong.push('no X-Frame-Options');
    if (!String(res.headers['content-security-policy']).includes("frame-ancestors 'none'"))
      wrong.push('no CSP');
    if (res.headers['x-powered-by']) wrong.push('X-Powered-By');
    if (/^\/(v1|queues)\//.test(path) && res.headers['cache-control'] !== 'no-store') wrong.push('cacheable');
    // The dashboard's API (Bull Board's own app) answers its errors in its own shape.
    if (
      res.status >= 400 &&
      !path.startsWith('/queues') &&
      String(res.headers['content-type']).includes('json')
    ) {
      const body = res.body as Record<string, unknown>;
      if (
        body.statusCode !== res.status ||
        typeof body.error !== 'string' ||
        typeof body.message !== 'string'
      ) {
        wrong.push(`error shape ${JSON.stringify(body).slice(0, 200)}`);
      }
      if ('stack' in body) wrong.push('a stack');
    }
    return wrong.map((w) => `${label}: ${w}`);
  }

  it('answers every hostile request with no 5xx, with the headers, and changes nothing it refused', async () => {
    const problems: string[] = [];
    // Operations walked, and those a request with the key got past the guard on (its ids are real).
    const walked = new Set<string>();
    const reached = new Set<string>();
    let before = await fingerprint();
    for (const op of operations) {
      for (const variant of variants(op)) {
        for (const key of variant.ownKey ? [undefined] : [undefined, ADMIN_KEY]) {
          const target = variant.url ?? url(op);
          let req = (t.http as any)[op.method](target);
          if (key) req = req.set(...bearer(key));
          for (const [name, value] of Object.entries(variant.headers ?? {})) req = req.set(name, value);
          if (variant.body !== undefined)
            req = req.set('Content-Type', variant.contentType).send(variant.body);
          const res = await req;
          if (key && res.status !== 401 && res.status !== 403) reached.add(`${op.method} ${op.path}`);
          walked.add(`${op.method} ${op.path}`);
          const label = `${op.method.toUpperCase()} ${op.path} [${variant.label}${key ? ', key' : ''}] ${res.status}`;
          problems.push(...check(label, res, target.split('?')[0]));
          const after = await fingerprint();
          if (res.status >= 400 && after !== before)
            problems.push(`${label}: refused, but changed ${before} -> ${after}`);
          before = after;
        }
      }
    }
    expect(problems).toEqual([]);
    expect(walked.size).toBe(operations.length);
    const guarded = operations.filter((op) => !op.public).map((op) => `${op.method} ${op.path}`);
    expect(guarded.filter((op) => !reached.has(op))).toEqual([]);
    // ~20-30 s alone on two cores; its time is not asserted (a loaded machine took over 150 s), only bounded.
  }, 600_000);

  /** The data the walk goes over, made through the API on a node that runs everything. */
  async function makeFixture(full: TestApp): Promise<Fixture> {
    const admin = bearer(ADMIN_KEY);
    const responder = bearer(full.keys.responder);
    await full.http
      .post('/v1/subjects/bulk')
      .set(...admin)
      .send({
        subjects: [
          { externalId: 'walk-1', name: 'Ana', email: 'walk1@example.com', jurisdiction: 'GB' },
          { externalId: 'walk-2', name: 'Bo', phone: '+4915123456789', jurisdiction: 'DE' },
          { externalId: 'walk-erase', name: 'Cy', email: 'walk3@example.com', jurisdiction: 'DE' },
        ],
      })
      .expect(200);
    const incident = await full.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    const incidentId = incident.body.id as string;
    await full.http
      .post(`/v1/incidents/${incidentId}/id-lists`)
      .set(...responder)
      .set('Content-Type', 'text/plain')
      .send('walk-1\nwalk-2\n')
      .expect(201);
    await full.http
      .post(`/v1/incidents/${incidentId}/scope`)
      .set(...responder)
      .send({ criteria: { externalIds: ['walk-1', 'walk-2'] } })
      .expect(202);
    await eventually(async () => {
      const run = await full.http.get(`/v1/incidents/${incidentId}/scope`).set(...responder);
      return run.body.status === 'completed' ? run.body : undefined;
    });
    const campaign = await full.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
      .expect(201);
    const report = await generatedReport(full, responder, incidentId, {
      regulator: 'ico',
      phase: 'initial',
      delayReasons: 'Scope unclear',
    });
    const obligations = await full.http
      .get(`/v1/incidents/${incidentId}/obligations`)
      .set(...responder)
      .expect(200);
    const imported = await full.http
      .post('/v1/subjects/imports')
      .set(...admin)
      .set('Content-Type', 'application/x-ndjson')
      .send('{"externalId":"walk-4","jurisdiction":"DE"}\n')
      .expect(202);
    await eventually(async () => {
      const row = await full.http.get(`/v1/subjects/imports/${imported.body.id}`).set(...admin);
      return row.body.status === 'completed' ? row.body : undefined;
    });
    const key = await full.http
      .post('/v1/api-keys')
      .set(...admin)
      .send({ name: 'to revoke', role: 'auditor' })
      .expect(201);
    const notice = await full.http
      .post(`/v1/incidents/${incidentId}/public-notices`)
      .set(...responder)
      .send({})
      .expect(201);
    const job = await full.http
      .post('/v1/audit/verifications')
      .set(...admin)
      .expect((res) => expect(res.status).toBeLessThan(300));
    return {
      incidentId,
      campaignId: campaign.body.id,
      reportId: report.body.id,
      obligationId: (obligations.body.items as Array<{ id: string }>)[0]?.id ?? UNKNOWN,
      importId: imported.body.id,
      keyId: key.body.id,
      jobId: String(job.body.jobId ?? job.body.id ?? 'none'),
      publicNoticeId: notice.body.id,
    };
  }
});
