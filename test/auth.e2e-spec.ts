import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants';
import { PERMISSION_KEY, PUBLIC_KEY } from '../src/common/authorize.decorator.js';
import { Clock } from '../src/common/clock.js';
import { hasPermission, Permission, Role } from '../src/common/permissions.js';
import { createScratchDatabase } from './support/global-setup.js';
import { ADMIN_KEY, bearer, startApp, TestApp, validIncident } from './support/app.js';

const UNKNOWN = '00000000-0000-4000-8000-000000000000';

/** Every /v1 route with the permission it must demand. A route missing here fails the coverage test. */
const ROUTES: ReadonlyArray<{
  method: 'get' | 'post' | 'put' | 'patch' | 'delete';
  path: string;
  permission: Permission;
  body?: object;
}> = [
  {
    method: 'post',
    path: '/v1/api-keys',
    permission: Permission.ApiKeyCreate,
    body: { name: 'matrix', role: 'auditor' },
  },
  { method: 'get', path: '/v1/api-keys', permission: Permission.ApiKeyRead },
  { method: 'delete', path: `/v1/api-keys/${UNKNOWN}`, permission: Permission.ApiKeyRevoke },
  { method: 'get', path: '/v1/audit', permission: Permission.AuditRead },
  { method: 'get', path: '/v1/audit/verify', permission: Permission.AuditRead },
  { method: 'post', path: '/v1/audit/verifications', permission: Permission.AuditRead },
  { method: 'get', path: '/v1/audit/verifications', permission: Permission.AuditRead },
  { method: 'get', path: '/v1/audit/verifications/jobs/1', permission: Permission.AuditRead },
  { method: 'post', path: '/v1/incidents', permission: Permission.IncidentCreate, body: validIncident() },
  { method: 'get', path: '/v1/incidents', permission: Permission.IncidentRead },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}`, permission: Permission.IncidentRead },
  {
    method: 'patch',
    path: `/v1/incidents/${UNKNOWN}`,
    permission: Permission.IncidentUpdate,
    body: { title: 'x' },
  },
  {
    method: 'post',
    path: `/v1/incidents/${UNKNOWN}/transitions`,
    permission: Permission.IncidentTransition,
    body: { to: 'assessing' },
  },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/timeline`, permission: Permission.IncidentRead },
  {
    method: 'post',
    path: `/v1/incidents/${UNKNOWN}/scope/preview`,
    permission: Permission.ScopeWrite,
    body: { criteria: { everyone: true } },
  },
  {
    method: 'post',
    path: `/v1/incidents/${UNKNOWN}/scope`,
    permission: Permission.ScopeWrite,
    body: { criteria: { everyone: true } },
  },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/scope`, permission: Permission.ScopeRead },
  { method: 'post', path: `/v1/incidents/${UNKNOWN}/id-lists`, permission: Permission.ScopeWrite },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/affected`, permission: Permission.AffectedRead },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/affected/export`, permission: Permission.AffectedRead },
  {
    method: 'post',
    path: `/v1/incidents/${UNKNOWN}/campaigns`,
    permission: Permission.CampaignWrite,
    body: { template: 'breach-notice', channels: ['email'], mode: 'escalate' },
  },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/campaigns`, permission: Permission.CampaignRead },
  { method: 'get', path: `/v1/campaigns/${UNKNOWN}`, permission: Permission.CampaignRead },
  { method: 'get', path: `/v1/campaigns/${UNKNOWN}/preview`, permission: Permission.CampaignRead },
  { method: 'post', path: `/v1/campaigns/${UNKNOWN}/approve`, permission: Permission.CampaignApprove },
  { method: 'post', path: `/v1/campaigns/${UNKNOWN}/pause`, permission: Permission.CampaignWrite },
  { method: 'post', path: `/v1/campaigns/${UNKNOWN}/resume`, permission: Permission.CampaignWrite },
  { method: 'post', path: `/v1/campaigns/${UNKNOWN}/cancel`, permission: Permission.CampaignWrite },
  { method: 'get', path: '/v1/outbox', permission: Permission.OutboxRead },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/obligations`, permission: Permission.ObligationRead },
  {
    method: 'post',
    path: `/v1/obligations/${UNKNOWN}/met`,
    permission: Permission.ObligationMeet,
    body: { at: '2026-11-01T00:00:00Z', note: 'by phone' },
  },
  {
    method: 'post',
    path: `/v1/obligations/${UNKNOWN}/waive`,
    permission: Permission.ObligationWaive,
    body: { reason: 'not a breach of personal data' },
  },
  {
    method: 'post',
    path: `/v1/incidents/${UNKNOWN}/reports`,
    permission: Permission.ReportWrite,
    body: { regulator: 'ico', phase: 'initial' },
  },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/reports`, permission: Permission.ReportRead },
  { method: 'get', path: `/v1/reports/${UNKNOWN}`, permission: Permission.ReportRead },
  { method: 'get', path: '/v1/register', permission: Permission.RegisterRead },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/substitute-facts`, permission: Permission.ObligationRead },
  {
    method: 'put',
    path: `/v1/incidents/${UNKNOWN}/substitute-facts`,
    permission: Permission.ObligationMeet,
    body: { estimatedCostUsd: 300000, disproportionateEffort: false },
  },
  {
    method: 'post',
    path: `/v1/incidents/${UNKNOWN}/public-notices`,
    permission: Permission.PublicNoticeWrite,
  },
  { method: 'get', path: `/v1/incidents/${UNKNOWN}/public-notices`, permission: Permission.PublicNoticeRead },
  { method: 'get', path: `/v1/public-notices/${UNKNOWN}`, permission: Permission.PublicNoticeRead },
  { method: 'get', path: `/v1/public-notices/${UNKNOWN}/preview`, permission: Permission.PublicNoticeRead },
  { method: 'get', path: `/v1/public-notices/${UNKNOWN}/export`, permission: Permission.PublicNoticeRead },
  { method: 'patch', path: `/v1/public-notices/${UNKNOWN}`, permission: Permission.PublicNoticeWrite },
  {
    method: 'post',
    path: `/v1/public-notices/${UNKNOWN}/approve`,
    permission: Permission.PublicNoticeApprove,
  },
  { method: 'post', path: `/v1/public-notices/${UNKNOWN}/publish`, permission: Permission.PublicNoticeWrite },
  {
    method: 'post',
    path: `/v1/public-notices/${UNKNOWN}/withdraw`,
    permission: Permission.PublicNoticeWrite,
    body: { reason: 'over' },
  },
  { method: 'post', path: `/v1/reports/${UNKNOWN}/approve`, permission: Permission.ReportApprove },
  {
    method: 'post',
    path: `/v1/reports/${UNKNOWN}/submitted`,
    permission: Permission.ReportWrite,
    body: { at: '2026-11-01T00:00:00Z', reference: 'REF-1' },
  },
  {
    method: 'post',
    path: '/v1/subjects/bulk',
    permission: Permission.SubjectWrite,
    body: { subjects: [{ externalId: 'auth-matrix' }] },
  },
  { method: 'post', path: '/v1/subjects/imports', permission: Permission.SubjectWrite },
  { method: 'get', path: `/v1/subjects/imports/${UNKNOWN}`, permission: Permission.ImportRead },
  { method: 'get', path: `/v1/subjects/imports/${UNKNOWN}/rejections`, permission: Permission.ImportRead },
  {
    method: 'post',
    path: '/v1/subjects/lookup',
    permission: Permission.SubjectRead,
    body: { email: 'nobody@example.com' },
  },
  { method: 'get', path: '/v1/subjects/nobody-here', permission: Permission.SubjectRead },
  { method: 'delete', path: '/v1/subjects/nobody-here', permission: Permission.SubjectErase },
];

/** `/v1/incidents/{id}` form, as the OpenAPI document writes paths. */
const templated = (path: string) =>
  path
    .replace(UNKNOWN, '{id}')
    .replace('/jobs/1', '/jobs/{jobId}')
    .replace('/subjects/nobody-here', '/subjects/{externalId}');

describe('API keys, roles and permissions', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startApp({}, 2);
  });
  afterAll(() => t.close());

  it('every route handler declares a permission or is public', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const reflector = t.app.get(Reflector);
    const undeclared: string[] = [];
    let routes = 0;
    for (const wrapper of discovery.getControllers()) {
      const instance = wrapper.instance as Record<string, unknown>;
      for (const method of scanner.getAllMethodNames(Object.getPrototypeOf(instance))) {
        const handler = instance[method] as () => unknown;
        if (Reflect.getMetadata(PATH_METADATA, handler) === undefined) continue;
        routes += 1;
        const declared =
          reflector.getAllAndOverride(PERMISSION_KEY, [handler, wrapper.metatype as () => unknown]) ??
          reflector.getAllAndOverride(PUBLIC_KEY, [handler, wrapper.metatype as () => unknown]);
        if (!declared) undeclared.push(`${wrapper.name}.${method}`);
      }
    }
    expect(routes).toBeGreaterThan(10);
    expect(undeclared).toEqual([]);
  });

  it('the matrix below covers every /v1 route of the OpenAPI document', async () => {
    const doc = await t.http.get('/docs-json').expect(200);
    const documented = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`))
      .sort();
    expect(ROUTES.map((r) => `${r.method} ${templated(r.path)}`).sort()).toEqual(documented);
  });

  describe.each(Object.values(Role))('role %s', (role) => {
    it.each(ROUTES)('$method $path', async ({ method, path, permission, body }) => {
      const res = await t.http[method](path)
        .set(...bearer(t.keys[role]))
        .set('If-Match', '"1"')
        .send(body);
      if (hasPermission(role, permission)) {
        expect([401, 403]).not.toContain(res.status);
        expect(res.status).toBeLessThan(500);
      } else {
        expect(res.status).toBe(403);
        expect(res.body).toMatchObject({ statusCode: 403, error: 'forbidden' });
        expect(res.body.message).toContain(permission);
      }
    });
  });

  it('refuses a missing, malformed or unknown key with 401, on every /v1 route', async () => {
    for (const { method, path } of ROUTES) {
      await t.http[method](path).expect(401);
      await t.http[method](path).set('Authorization', 'Basic abc').expect(401);
      const unknown = await t.http[method](path).set(...bearer('bnk_not-a-real-key'));
      expect(unknown.status).toBe(401);
      expect(unknown.body).toMatchObject({ error: 'unauthenticated' });
    }
  });

  it('creates a key shown once, lists it without the secret, and revokes it', async () => {
    const created = await t.http
      .post('/v1/api-keys')
      .set(...bearer(ADMIN_KEY))
      .send({ name: 'ci', role: 'responder' })
      .expect(201);
    expect(created.body.key).toMatch(/^bnk_[\w-]{43}$/);
    const key: string = created.body.key;
    await t.http
      .get('/v1/incidents')
      .set(...bearer(key))
      .expect(200);

    const list = await t.http
      .get('/v1/api-keys')
      .set(...bearer(ADMIN_KEY))
      .expect(200);
    const listed = list.body.find((k: { id: string }) => k.id === created.body.id);
    expect(listed).toMatchObject({ name: 'ci', role: 'responder', holder: null, revokedAt: null });
    expect(JSON.stringify(list.body)).not.toContain(key);
    expect(key.startsWith(listed.prefix)).toBe(true);

    const rows = await t.query('select key_hash from api_keys where id = $1', [created.body.id]);
    expect(rows[0].key_hash).not.toContain(key);

    await t.http
      .delete(`/v1/api-keys/${created.body.id}`)
      .set(...bearer(ADMIN_KEY))
      .expect(204);
    await t.http
      .delete(`/v1/api-keys/${created.body.id}`)
      .set(...bearer(ADMIN_KEY))
      .expect(204);
    await t.http
      .get('/v1/incidents')
      .set(...bearer(key))
      .expect(401);
  });

  it('stops accepting a key once it expires (fake clock)', async () => {
    const expiresAt = new Date(Date.now() + 60 * 60 * 1000).toISOString();
    const created = await t.http
      .post('/v1/api-keys')
      .set(...bearer(ADMIN_KEY))
      .send({ name: 'temp', role: 'auditor', expiresAt })
      .expect(201);
    await t.http
      .get('/v1/incidents')
      .set(...bearer(created.body.key))
      .expect(200);
    const clock = t.app.get(Clock);
    const spy = jest.spyOn(clock, 'now').mockReturnValue(new Date(Date.now() + 2 * 60 * 60 * 1000));
    try {
      await t.http
        .get('/v1/incidents')
        .set(...bearer(created.body.key))
        .expect(401);
    } finally {
      spy.mockRestore();
    }
    const past = await t.http
      .post('/v1/api-keys')
      .set(...bearer(ADMIN_KEY))
      .send({ name: 'past', role: 'auditor', expiresAt: '2020-01-01T00:00:00Z' })
      .expect(400);
    expect(past.body.details.problems[0]).toMatchObject({ field: 'expiresAt', rule: 'isFuture' });
    const long = await t.http
      .post('/v1/api-keys')
      .set(...bearer(ADMIN_KEY))
      .send({ name: 'long', role: 'auditor', holder: 'x'.repeat(201) })
      .expect(400);
    expect(long.body.details.problems[0]).toMatchObject({ field: 'holder', rule: 'maxLength' });
  });

  it('ADMIN_API_KEY is idempotent: a second start with the same secret keeps one key', async () => {
    const second = await startApp({ ROLE: 'api' });
    try {
      const rows = await t.query("select count(*)::int as n from api_keys where name = 'ADMIN_API_KEY'");
      expect(rows[0].n).toBe(1);
    } finally {
      await second.close();
    }
  });

  it('several nodes starting at once on an empty database: one migrates, one admin key', async () => {
    const url = await createScratchDatabase('race');
    const nodes = await Promise.all([
      startApp({ DATABASE_URL: url, ROLE: 'api' }),
      startApp({ DATABASE_URL: url, ROLE: 'worker' }),
    ]);
    try {
      const rows = await nodes[0].query(
        "select count(*)::int as n from api_keys where name = 'ADMIN_API_KEY'",
      );
      expect(rows[0].n).toBe(1);
      await nodes[0].http
        .get('/v1/incidents')
        .set(...bearer(ADMIN_KEY))
        .expect(200);
    } finally {
      await Promise.all(nodes.map((n) => n.close()));
    }
  });

  it('guards the queue dashboard: admin by Bearer or Basic, others refused', async () => {
    const anonymous = await t.http.get('/queues/').expect(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="queues"');
    expect(anonymous.body).toMatchObject({ statusCode: 401, error: 'unauthenticated' });
    await t.http
      .get('/queues/')
      .set(...bearer(t.keys.responder))
      .expect(403);
    await t.http.get('/queues/').auth('admin', ADMIN_KEY).expect(200);
    const api = await t.http
      .get('/queues/api/queues')
      .set(...bearer(ADMIN_KEY))
      .expect(200);
    expect(JSON.stringify(api.body)).toContain('maintenance');
  });

  it('leaves /health and /metrics open', async () => {
    await t.http.get('/health').expect(200, { status: 'ok' });
    const ready = await t.http.get('/health/ready').expect(200);
    expect(ready.body.checks).toEqual({ database: { status: 'up' }, queue: { status: 'up' } });
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toContain('http_request_duration_seconds');
  });
});
