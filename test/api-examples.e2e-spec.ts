import { ADMIN_KEY, bearer, scopedIncident, startApp, TestApp, validIncident } from './support/app.js';
import { tryItOut, type OpenApiDocument as Document, type Schema } from './support/openapi.js';

/**
 * Issue 19, API docs: the examples are real values. Each JSON request body of /docs-json, as Swagger UI's
 * "Try it out" fills it in (the operation's example, else one built from the schema: each property's
 * example, default or first enum value, else a placeholder such as "string"), is sent as is with a valid
 * key to a route whose prerequisite exists, and must be taken.
 */
/** Every string in a value, with where it is. */
function strings(value: unknown, path = 'body'): Array<[string, string]> {
  if (typeof value === 'string') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${path}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.startsWith('additionalProp') ? ([[`${path}.${k}`, k]] as Array<[string, string]>) : []),
      ...strings(v, `${path}.${k}`),
    ]);
  }
  return [];
}

/** The JSON-body operations, as `METHOD /path`. */
const jsonOperations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(
        ([method, op]) =>
          ['post', 'put', 'patch'].includes(method) && op.requestBody?.content['application/json'],
      )
      .map(([method]) => `${method.toUpperCase()} ${path}`),
  );

describe("the API document's request examples", () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let doc: Document;

  beforeAll(async () => {
    t = await startApp();
    doc = (await t.http.get('/docs-json').expect(200)).body as Document;
    await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(ADMIN_KEY))
      .send({
        subjects: [{ externalId: 'example-gb-1', email: 'example-gb-1@example.com', jurisdiction: 'GB' }],
      })
      .expect(200);
  });
  afterAll(() => t.close());

  const body = (key: string): object => {
    const [method, path] = key.split(' ');
    return tryItOut(doc, doc.paths[path][method.toLowerCase()]) as object;
  };
  const incident = async () =>
    (
      await t.http
        .post('/v1/incidents')
        .set(...bearer(t.keys.responder))
        .send(validIncident())
        .expect(201)
    ).body as { id: string; reference: string };
  /** An incident whose frozen set holds a resident of Great Britain, and its obligations. */
  const withObligations = async () => {
    const id = await scopedIncident(t, t.keys.responder, { externalIds: ['example-gb-1'] });
    const list = await t.http
      .get(`/v1/incidents/${id}/obligations`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    return { id, obligations: list.body.items as Array<{ id: string; key: string; state: string }> };
  };
  /**
   * Each operation with a JSON body: who sends it, the path it is sent to (its prerequisite made first),
   * any header it needs, and the answer; or why it is not sent.
   */
  const CASES: Record<
    string,
    | {
        key: () => string;
        path: () => string | Promise<string>;
        headers?: Record<string, string>;
        status: number;
      }
    | { skip: string }
  > = {
    'POST /v1/api-keys': { key: () => ADMIN_KEY, path: () => '/v1/api-keys', status: 201 },
    'POST /v1/incidents': { key: () => t.keys.responder, path: () => '/v1/incidents', status: 201 },
    'PATCH /v1/incidents/{id}': {
      key: () => t.keys.responder,
      path: async () => `/v1/incidents/${(await incident()).id}`,
      headers: { 'If-Match': '"1"' },
      status: 200,
    },
    'POST /v1/incidents/{id}/transitions': {
      key: () => t.keys.responder,
      path: async () => `/v1/incidents/${(await incident()).id}/transitions`,
      status: 200,
    },
    'POST /v1/subjects/bulk': {
      key: () => t.keys.responder,
      path: () => '/v1/subjects/bulk',
      status: 200,
    },
    'POST /v1/subjects/lookup': {
      key: () => ADMIN_KEY,
      path: () => '/v1/subjects/lookup',
      status: 200,
    },
    'POST /v1/incidents/{id}/scope/preview': {
      key: () => t.keys.responder,
      path: async () => `/v1/incidents/${(await incident()).id}/scope/preview`,
      status: 200,
    },
    'POST /v1/incidents/{id}/scope': {
      key: () => t.keys.responder,
      path: async () => `/v1/incidents/${(await incident()).id}/scope`,
      status: 202,
    },
    'POST /v1/incidents/{id}/campaigns': {
      key: () => t.keys.responder,
      path: async () =>
        `/v1/incidents/${await scopedIncident(t, t.keys.responder, { externalIds: ['nobody-example'] })}/campaigns`,
      status: 201,
    },
    'POST /v1/obligations/{id}/met': {
      key: () => t.keys.responder,
      path: async () => `/v1/obligations/${(await withObligations()).obligations[0].id}/met`,
      status: 200,
    },
    'POST /v1/obligations/{id}/waive': {
      key: () => t.keys.approver,
      path: async () => `/v1/obligations/${(await withObligations()).obligations[0].id}/waive`,
      status: 200,
    },
    'PUT /v1/incidents/{id}/substitute-facts': {
      key: () => t.keys.responder,
      path: async () => `/v1/incidents/${(await incident()).id}/substitute-facts`,
      status: 200,
    },
    'POST /v1/incidents/{id}/reports': {
      key: () => t.keys.responder,
      path: async () => `/v1/incidents/${(await withObligations()).id}/reports`,
      status: 202,
    },
    'POST /v1/reports/{id}/submitted': {
      skip: 'its `at` is after the approval and not in the future: no fixed date is real for a report approved now',
    },
    'POST /v1/incidents/{id}/public-notices': {
      key: () => t.keys.responder,
      path: async () => `/v1/incidents/${(await withObligations()).id}/public-notices`,
      status: 201,
    },
    'PATCH /v1/public-notices/{id}': {
      key: () => t.keys.responder,
      path: async () => {
        const { id } = await withObligations();
        const notice = await t.http
          .post(`/v1/incidents/${id}/public-notices`)
          .set(...bearer(t.keys.responder))
          .send(body('POST /v1/incidents/{id}/public-notices'))
          .expect(201);
        return `/v1/public-notices/${notice.body.id as string}`;
      },
      headers: { 'If-Match': '"1"' },
      status: 200,
    },
    'POST /v1/public-notices/{id}/withdraw': {
      skip: 'a published notice stays up for the longest minimum period of its jurisdictions (409 until then)',
    },
  };

  it('has an example of real values for every JSON request body, its date-times with a zone', () => {
    const problems: string[] = [];
    for (const operation of jsonOperations(doc)) {
      for (const [where, text] of strings(body(operation))) {
        if (text === 'string' || text.startsWith('additionalProp'))
          problems.push(`${operation} ${where}: a placeholder`);
        if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !/(Z|[+-]\d{2}:\d{2})$/.test(text)) {
          problems.push(`${operation} ${where}: a date-time without a zone`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("gives every property's date-time example a zone", () => {
    const problems: string[] = [];
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      for (const [where, text] of strings(
        Object.fromEntries(
          Object.entries((schema.properties ?? {}) as Record<string, Schema>).map(([k, p]) => [k, p.example]),
        ),
        name,
      )) {
        if (/^\d{4}-\d{2}-\d{2}T/.test(text) && !/(Z|[+-]\d{2}:\d{2})$/.test(text)) problems.push(where);
      }
    }
    expect(problems).toEqual([]);
  });

  it('describes externalId by its rule: never an email address, which is refused', () => {
    const externalId = doc.components.schemas.SubjectDto.properties.externalId as Schema;
    expect(externalId.description).toContain('never an email address');
    expect(externalId.maxLength).toBe(128);
  });

  it('says for every JSON request body how its example is tried, or why not', () => {
    expect(jsonOperations(doc).sort()).toEqual(Object.keys(CASES).sort());
  });

  const tried = Object.entries(CASES).flatMap(([operation, c]) =>
    'skip' in c ? [] : [[operation, c] as const],
  );
  it.each(tried)('%s takes its example as is', async (operation, c) => {
    const [method] = operation.split(' ');
    let request = t.http[method.toLowerCase() as 'post' | 'put' | 'patch'](await c.path()).set(
      ...bearer(c.key()),
    );
    for (const [name, value] of Object.entries(c.headers ?? {})) request = request.set(name, value);
    const answer = await request.send(body(operation));
    expect({ status: answer.status, body: answer.status === c.status ? undefined : answer.body }).toEqual({
      status: c.status,
      body: undefined,
    });
    // The bulk upsert answers 200 with rejected rows: the example's row must be stored.
    if (operation === 'POST /v1/subjects/bulk') expect(answer.body.rejected).toBe(0);
  });
});
