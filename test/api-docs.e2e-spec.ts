import { bearer, scopedIncident, startApp, TestApp } from './support/app.js';

/** Issue 19, API docs: what /docs-json promises a caller, and the answers it describes. */
describe('the API document', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let document: {
    paths: Record<string, Record<string, { responses: Record<string, { content?: object }> }>>;
    components: {
      securitySchemes: Record<string, { bearerFormat?: string; description?: string }>;
      schemas: object;
    };
  };

  beforeAll(async () => {
    t = await startApp();
    document = (await t.http.get('/docs-json').expect(200)).body as typeof document;
  });
  afterAll(() => t.close());

  it('documents 400, 401, 403, 404 and 409 with the error format on every /v1 operation', () => {
    expect(document.components.schemas).toHaveProperty('Error');
    const missing: string[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      if (!path.startsWith('/v1/') || path.startsWith('/v1/webhooks/')) continue;
      for (const [method, operation] of Object.entries(item)) {
        for (const status of ['400', '401', '403', '404', '409']) {
          if (!operation.responses[status]) missing.push(`${method} ${path} ${status}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('describes the key as an opaque bearer key, not a JWT', () => {
    const [scheme] = Object.values(document.components.securitySchemes);
    expect(scheme.bearerFormat).toBe('opaque API key');
    expect(scheme.description).toContain('not a JWT');
  });

  it('answers a second approval with "already approved"', async () => {
    const incident = await scopedIncident(t, t.keys.responder, { externalIds: ['nobody-at-all'] });
    const campaign = await t.http
      .post(`/v1/incidents/${incident}/campaigns`)
      .set(...bearer(t.keys.responder))
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
      .expect(201);
    const approve = () =>
      t.http.post(`/v1/campaigns/${campaign.body.id as string}/approve`).set(...bearer(t.keys.approver));
    await approve().expect(200);
    const again = await approve().expect(409);
    expect(again.body.message).toContain('already approved');
  });
});
