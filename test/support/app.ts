import type { NestExpressApplication } from '@nestjs/platform-express';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { createServer } from 'node:net';
import request from 'supertest';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { createApp, startRole } from '../../src/bootstrap.js';
import { SYSTEM_ACTOR } from '../../src/common/actor.js';
import { Role } from '../../src/common/permissions.js';
import { loadConfig } from '../../src/config/config.js';
import { DatabaseService } from '../../src/database/database.service.js';

export const ADMIN_KEY = 'e2e-admin-key-0123456789-abcdefghijklmnopqrstuvwxyz';
/** Fixed test keys: two encryption keys (k1 current) and the hash key. */
export const TEST_KEYS = {
  k1: Buffer.alloc(32, 1).toString('base64'),
  k2: Buffer.alloc(32, 2).toString('base64'),
  hash: Buffer.alloc(32, 3).toString('base64'),
};
export const ENCRYPTION_ENV = {
  ENCRYPTION_KEYS: `k1:${TEST_KEYS.k1}`,
  HASH_KEY: TEST_KEYS.hash,
};

/** The run's own Redis server (see global-setup); tests use its databases 1-15, never 0. */
export const REDIS_BASE = process.env.E2E_REDIS_URL ?? 'redis://127.0.0.1:0';

export interface TestApp {
  app: NestExpressApplication;
  http: ReturnType<typeof request>;
  /** An API key secret per role, created at start. */
  keys: Record<Role, string>;
  database: DatabaseService;
  /** Raw SQL against the test PostgreSQL, to look under the API (tampering, raw-table checks). */
  query<R = Record<string, any>>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/**
 * The real application on the test PostgreSQL (or as configured), with workers, through real HTTP.
 * `redisDb` picks a Redis logical database so test files never share queues.
 */
export async function startApp(
  env: Record<string, string | undefined> = {},
  redisDb?: number,
): Promise<TestApp> {
  if (redisDb !== undefined) {
    const redis = new Redis(`${REDIS_BASE}/${redisDb}`);
    await redis.flushdb();
    redis.disconnect();
  }
  const config = loadConfig({
    DATABASE_URL: process.env.E2E_DATABASE_URL,
    REDIS_URL: redisDb === undefined ? undefined : `${REDIS_BASE}/${redisDb}`,
    ADMIN_API_KEY: ADMIN_KEY,
    LOG_LEVEL: 'silent',
    SHUTDOWN_TIMEOUT_MS: '5000',
    ...(process.env.E2E_DATABASE_URL ? ENCRYPTION_ENV : {}),
    ...env,
  });
  const app = await createApp(config);
  await startRole(app, config);
  const service = app.get(ApiKeysService);
  const keys = { [Role.Admin]: ADMIN_KEY } as Record<Role, string>;
  for (const role of [Role.Responder, Role.Approver, Role.Auditor]) {
    keys[role] = (
      await service.create(SYSTEM_ACTOR, { name: `e2e ${role}`, role, holder: `${role}@e2e.test` })
    ).secret;
  }
  return {
    app,
    http: request(app.getHttpServer()),
    keys,
    database: app.get(DatabaseService),
    query: async (text, params) => {
      const client = (app.get(DatabaseService).db as unknown as { $client: pg.Pool }).$client;
      return (await client.query(text, params)).rows;
    },
    close: () => app.close(),
  };
}

export const bearer = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];

/**
 * Asks for a report (`POST /v1/incidents/:id/reports`, 202 `generating`) and waits for its job: the
 * report as `GET /v1/reports/:id` shows it once it is no longer generating (draft, or failed with why).
 */
export async function generatedReport(
  t: Pick<TestApp, 'http'>,
  auth: readonly [string, string],
  incidentId: string,
  body: object,
  timeoutMs = 20_000,
): Promise<{ body: any }> {
  const asked = await t.http
    .post(`/v1/incidents/${incidentId}/reports`)
    .set(...auth)
    .send(body)
    .expect(202);
  expect(asked.body.status).toBe('generating');
  return eventually(async () => {
    const report = await t.http
      .get(`/v1/reports/${asked.body.id}`)
      .set(...auth)
      .expect(200);
    return report.body.status === 'generating' ? undefined : report;
  }, timeoutMs);
}

/** Polls until `check` returns a value, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const validIncident = (overrides: Record<string, unknown> = {}) => ({
  title: 'Object storage bucket exposed',
  description: 'A misconfigured bucket exposed generated images and account e-mails.',
  nature: ['confidentiality'],
  cause: 'Misconfiguration',
  occurredFrom: '2026-11-01T08:00:00Z',
  occurredTo: '2026-11-03T17:30:00Z',
  discoveredAt: '2026-11-04T09:15:00Z',
  containedAt: '2026-11-04T12:00:00Z',
  systems: ['media-store'],
  dataCategories: ['camera_data', 'personal_identifiers'],
  encrypted: false,
  approximateRecords: 120_000,
  likelyConsequences: 'Phishing using the exposed e-mail addresses.',
  measuresTaken: 'Bucket made private; access keys rotated.',
  measuresPlanned: 'Configuration scanning on every deploy.',
  // Brazil's notice must say how the data were protected (LGPD Art. 48 §1 III): a campaign waits for it.
  securityMeasuresBefore: 'The bucket was reachable only with staff keys; passwords are stored hashed.',
  // Discovered weeks before the tests run, past Brazil's 3 business days: its notices say why they are late
  // (LGPD Art. 48 §1 V), and a campaign waits for it.
  noticeDelayReasons: 'The analysis of what was exposed took weeks.',
  adviceToIndividuals: 'Be wary of e-mails asking for your password.',
  remedies: 'A support line and a year of identity monitoring.',
  // A guardian's notice says these in place of the words above (campaigns with guardians need them).
  guardianWords: {
    description: "A misconfigured bucket exposed images and e-mails of accounts, your child's among them.",
    likelyConsequences: 'Phishing using the exposed e-mail addresses, aimed at your child.',
    measuresTaken: 'Bucket made private; access keys rotated.',
    measuresPlanned: 'Configuration scanning on every deploy.',
    adviceToIndividuals: 'Help your child be wary of e-mails asking for their password.',
    remedies: 'A support line and a year of identity monitoring for your child.',
  },
  ...overrides,
});

/** A port nothing listens on now, for a service started as a separate process. */
export function freePort(): Promise<number> {
  return new Promise((done) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
  });
}

/** Waits until a campaign is completed, through the API as `key`; the error shows where it stood. */
/**
 * A campaign drafted on the incident by the responder, approved by the approver, and run to completion:
 * its id and its final view.
 */
export async function completedCampaign(
  t: TestApp,
  incident: string,
  draft: object,
): Promise<{ id: string; done: Record<string, any> }> {
  const created = await t.http
    .post(`/v1/incidents/${incident}/campaigns`)
    .set(...bearer(t.keys.responder))
    .send({ template: 'breach-notice', ...draft })
    .expect(201);
  const id = created.body.id as string;
  await t.http
    .post(`/v1/campaigns/${id}/approve`)
    .set(...bearer(t.keys.approver))
    .expect(200);
  return { id, done: await campaignCompleted(t, t.keys.responder, id) };
}

export async function campaignCompleted(
  t: TestApp,
  key: string,
  id: string,
  timeoutMs = 60_000,
): Promise<Record<string, any>> {
  const campaign = async () =>
    (
      await t.http
        .get(`/v1/campaigns/${id}`)
        .set(...bearer(key))
        .expect(200)
    ).body as Record<string, any>;
  const done = await eventually(async () => {
    const c = await campaign();
    return c.status === 'completed' ? c : undefined;
  }, timeoutMs).catch(async (err: Error) => {
    throw new Error(`${err.message}: ${JSON.stringify(await campaign())}`);
  });
  // Every campaign a test completes checks the triggers' tallies against a count of its rows.
  const differ = await talliesDiffer(t, id);
  if (differ.length > 0) throw new Error(`tallies differ from the rows: ${JSON.stringify(differ)}`);
  return done;
}

/**
 * Where the tallies (progress's source, kept by triggers) differ from a count of the deliveries and
 * messages, for one campaign or (`id` null) every one: one statement, so both sides are read in one
 * snapshot.
 */
export function talliesDiffer(
  t: Pick<TestApp, 'query'>,
  id: string | null,
): Promise<
  Array<{
    campaign_id: string;
    kind: string;
    channel: string;
    status: string;
    tallied: number;
    counted: number;
  }>
> {
  return t.query(
    `with tallied as (
       select campaign_id, kind, channel, status, sum(n)::int as n from campaign_tallies
       where $1::uuid is null or campaign_id = $1 group by 1, 2, 3, 4),
     counted as (
       select campaign_id, 'delivery' as kind, '' as channel, status, count(*)::int as n from deliveries
       where $1::uuid is null or campaign_id = $1 group by 1, 4
       union all
       select campaign_id, 'message', channel, status, count(*)::int from messages
       where $1::uuid is null or campaign_id = $1 group by 1, 3, 4
       union all
       select campaign_id, 'acknowledgement', '', 'acknowledged', count(*)::int from deliveries
       where ($1::uuid is null or campaign_id = $1) and acknowledged_at is not null group by 1)
     select campaign_id, kind, channel, status, coalesce(t.n, 0) as tallied, coalesce(c.n, 0) as counted
     from tallied t full join counted c using (campaign_id, kind, channel, status)
     where coalesce(t.n, 0) <> coalesce(c.n, 0)`,
    [id],
  );
}

/**
 * An incident (`validIncident(overrides)`) whose affected set is frozen from `criteria`, through the API
 * as `key`; resolves with its id once the freeze completed.
 */
export async function scopedIncident(
  t: TestApp,
  key: string,
  criteria: object = { everyone: true },
  overrides: Record<string, unknown> = {},
  timeoutMs = 20_000,
): Promise<string> {
  const incident = await t.http
    .post('/v1/incidents')
    .set(...bearer(key))
    .send(validIncident(overrides))
    .expect(201);
  const id = incident.body.id as string;
  await t.http
    .post(`/v1/incidents/${id}/scope`)
    .set(...bearer(key))
    .send({ criteria })
    .expect(202);
  await eventually(async () => {
    const run = await t.http
      .get(`/v1/incidents/${id}/scope`)
      .set(...bearer(key))
      .expect(200);
    return run.body.status === 'completed' ? run.body : undefined;
  }, timeoutMs);
  return id;
}

/**
 * A public Security Notice of the incident drafted (with `draft`) by the responder, approved by `approver`
 * (another holder) and published; resolves with its slug.
 */
export async function publishedNotice(
  t: TestApp,
  incidentId: string,
  draft: object = {},
  approver: string = t.keys.approver,
): Promise<string> {
  const created = await t.http
    .post(`/v1/incidents/${incidentId}/public-notices`)
    .set(...bearer(t.keys.responder))
    .send(draft)
    .expect(201);
  await t.http
    .post(`/v1/public-notices/${created.body.id}/approve`)
    .set(...bearer(approver))
    .expect(200);
  await t.http
    .post(`/v1/public-notices/${created.body.id}/publish`)
    .set(...bearer(t.keys.responder))
    .expect(200);
  return created.body.slug as string;
}
