import { bearer, eventually, startApp, TestApp, validIncident } from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

const person = (externalId: string, fields: Record<string, unknown>) => ({
  externalId,
  lastActiveAt: '2026-11-01T00:00:00Z',
  ...fields,
});
const PEOPLE = [
  person('p1', {
    jurisdiction: 'BR',
    dataCategories: ['camera_data', 'app_usage'],
    email: 'p1@example.com',
    phone: '+5511912345678',
    pushTokens: [{ token: 't-p1', platform: 'ios' }],
  }),
  person('p2', { jurisdiction: 'BR', dataCategories: ['camera_data'], email: 'p2@example.com' }),
  person('p3', {
    jurisdiction: 'DE',
    dataCategories: ['camera_data', 'personal_identifiers'],
    phone: '+4915112345678',
  }),
  person('p4', { jurisdiction: 'US-CA', dataCategories: ['camera_data'], email: 'p4@example.com' }),
  person('p5', { jurisdiction: 'FR', dataCategories: ['app_usage'], email: 'p5@example.com' }),
  person('p6', {
    jurisdiction: 'BR',
    birthDate: '2016-01-01',
    guardian: { email: 'parent6@example.com' },
    dataCategories: ['camera_data'],
    email: 'p6@example.com',
  }),
  person('p7', {
    jurisdiction: 'DE',
    birthDate: '2012-01-01',
    dataCategories: ['camera_data'],
    pushTokens: [{ token: 't-p7', platform: 'android' }],
  }),
  person('p8', { jurisdiction: 'JP', dataCategories: ['camera_data'] }),
  person('p9', { dataCategories: ['personal_identifiers'], email: 'p9@example.com' }),
];

/** Counts of criteria A (camera data, not California), worked out by hand from PEOPLE. */
const COUNTS_A = {
  total: 6,
  byJurisdiction: { BR: 3, DE: 2, JP: 1 },
  byDataCategory: { camera_data: 6, personal_identifiers: 1 },
  byChannel: { email: 3, sms: 2, push: 2, none: 1 },
  minors: { total: 2, withGuardianContact: 1, withoutGuardianContact: 1 },
};
const CRITERIA_A = { dataCategories: ['camera_data'], exclude: { jurisdictions: ['US-CA'] } };

describe('scoping an incident through HTTP (PostgreSQL + Redis)', () => {
  let t: TestApp;
  let responder: [string, string];
  let incidentId: string;

  const freeze = async (criteria: object) => {
    const queued = await t.http
      .post(`/v1/incidents/${incidentId}/scope`)
      .set(...responder)
      .send({ criteria })
      .expect(202);
    expect(queued.body.status).toBe('queued');
    return eventually(async () => {
      const res = await t.http
        .get(`/v1/incidents/${incidentId}/scope`)
        .set(...responder)
        .expect(200);
      return res.body.id === queued.body.id && ['completed', 'failed'].includes(res.body.status)
        ? res.body
        : undefined;
    });
  };
  const affected = async (query = '') =>
    (
      await t.http
        .get(`/v1/incidents/${incidentId}/affected?limit=200${query}`)
        .set(...responder)
        .expect(200)
    ).body.items as Array<{ externalId: string | null; notifiedAt: string | null }>;

  beforeAll(async () => {
    // A database of its own: counts over the whole directory must not see other files' people.
    t = await startApp({ DATABASE_URL: await createScratchDatabase('scoping') }, 9);
    responder = bearer(t.keys.responder);
    const stored = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects: PEOPLE })
      .expect(200);
    expect(stored.body).toMatchObject({ created: PEOPLE.length, rejected: 0 });
    const incident = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident({ dataCategories: ['camera_data', 'personal_identifiers'] }))
      .expect(201);
    incidentId = incident.body.id;
    // Starting the service and storing the people took over Jest's 5 s on a loaded machine.
  }, 30_000);
  afterAll(() => t.close());

  it('previews counts by jurisdiction, exposed category, channel and minors without writing', async () => {
    const res = await t.http
      .post(`/v1/incidents/${incidentId}/scope/preview`)
      .set(...responder)
      .send({ criteria: CRITERIA_A })
      .expect(200);
    expect(res.body).toEqual({ ...COUNTS_A, unmatchedIds: { count: 0, sample: [] } });
    expect(await t.query('select 1 from affected_subjects where incident_id = $1', [incidentId])).toEqual([]);
    expect(await t.query('select 1 from scope_runs where incident_id = $1', [incidentId])).toEqual([]);
  });

  it('scopes by an uploaded id list and by ids in the body, naming the ids that matched nobody', async () => {
    const list = await t.http
      .post(`/v1/incidents/${incidentId}/id-lists?name=forensics`)
      .set(...responder)
      .set('Content-Type', 'text/plain')
      .send('externalId\np1\np3\nzz-unknown\nbad id\np1\n')
      .expect(201);
    expect(list.body).toMatchObject({ count: 3, invalidLines: 1, invalidLineNumbers: [5] });
    // A list of nothing usable is refused, and leaves no list behind.
    const lists = async () =>
      (
        await t.query<{ n: number }>('select count(*)::int as n from scope_id_lists where incident_id = $1', [
          incidentId,
        ])
      )[0].n;
    const before = await lists();
    for (const body of ['', 'externalId\nbad id\n']) {
      const empty = await t.http
        .post(`/v1/incidents/${incidentId}/id-lists`)
        .set(...responder)
        .set('Content-Type', 'text/plain')
        .send(body)
        .expect(400);
      expect(empty.body.details.problems).toEqual([
        expect.objectContaining({ field: 'body', rule: 'hasExternalIds' }),
      ]);
    }
    expect(await lists()).toBe(before);
    const byList = await t.http
      .post(`/v1/incidents/${incidentId}/scope/preview`)
      .set(...responder)
      .send({ criteria: { idListId: list.body.id } })
      .expect(200);
    expect(byList.body).toMatchObject({
      total: 2,
      byJurisdiction: { BR: 1, DE: 1 },
      unmatchedIds: { count: 1, sample: ['zz-unknown'] },
    });
    const byBody = await t.http
      .post(`/v1/incidents/${incidentId}/scope/preview`)
      .set(...responder)
      .send({ criteria: { externalIds: ['p2', 'ghost'], activeFrom: '2026-10-01T00:00:00Z' } })
      .expect(200);
    expect(byBody.body).toMatchObject({ total: 1, unmatchedIds: { count: 1, sample: ['ghost'] } });
  });

  it('refuses criteria it cannot apply, naming the field and the rule', async () => {
    const post = (criteria: object) =>
      t.http
        .post(`/v1/incidents/${incidentId}/scope/preview`)
        .set(...responder)
        .send({ criteria });
    const unknown = await post({ dataCategories: ['secrets'], jurisdictions: ['XQ'] }).expect(400);
    expect(
      unknown.body.details.problems.map((p: { field: string; rule: string }) => `${p.field} ${p.rule}`),
    ).toEqual(['criteria.dataCategories.0 isKnownCategory', 'criteria.jurisdictions.0 isJurisdiction']);
    const empty = await post({}).expect(400);
    expect(empty.body.details.problems[0]).toMatchObject({ field: 'criteria', rule: 'notEmpty' });
    const foreign = await post({ idListId: '00000000-0000-4000-8000-000000000000' }).expect(400);
    expect(foreign.body.details.problems[0]).toMatchObject({
      field: 'criteria.idListId',
      rule: 'isIdListOfIncident',
    });
    const shape = await post({ externalIds: ['has space'], activeFrom: 'yesterday' }).expect(400);
    expect(shape.body.details.problems.map((p: { field: string }) => p.field).sort()).toEqual([
      'criteria.activeFrom',
      'criteria.externalIds',
    ]);
  });

  it('freezes the set as a job whose counts equal the preview', async () => {
    const run = await freeze(CRITERIA_A);
    expect(run).toMatchObject({ status: 'completed', kind: 'initial', total: 6, added: 6, removed: 0 });
    expect(run.counts).toEqual(COUNTS_A);
    const rows = await t.query<{
      external_id: string;
      exposed_categories: string[];
      minor: boolean;
      channels: string[];
    }>(
      `select s.external_id, a.exposed_categories, a.minor, a.channels
       from affected_subjects a join subjects s on s.id = a.subject_id where a.incident_id = $1 order by 1`,
      [incidentId],
    );
    expect(rows.find((r) => r.external_id === 'p3')).toMatchObject({
      exposed_categories: ['camera_data', 'personal_identifiers'],
      minor: false,
      channels: ['sms'],
    });
    expect(rows.find((r) => r.external_id === 'p6')).toMatchObject({ minor: true, channels: ['email'] });
  });

  it('lists the affected set in pages and filters, and audits each read', async () => {
    const first = await t.http
      .get(`/v1/incidents/${incidentId}/affected?limit=4`)
      .set(...responder)
      .expect(200);
    expect(first.body.items).toHaveLength(4);
    const second = await t.http
      .get(`/v1/incidents/${incidentId}/affected?limit=4&cursor=${first.body.nextCursor}`)
      .set(...responder)
      .expect(200);
    expect(second.body).toMatchObject({ nextCursor: null });
    const ids = [...first.body.items, ...second.body.items].map((i: { externalId: string }) => i.externalId);
    expect(ids.sort()).toEqual(['p1', 'p2', 'p3', 'p6', 'p7', 'p8']);
    expect((await affected('&jurisdiction=br')).length).toBe(3);
    expect((await affected('&minor=true')).map((i) => i.externalId).sort()).toEqual(['p6', 'p7']);
    expect((await affected('&channel=none')).map((i) => i.externalId)).toEqual(['p8']);
    expect((await affected('&category=personal_identifiers')).map((i) => i.externalId)).toEqual(['p3']);
    await t.http
      .get(`/v1/incidents/${incidentId}/affected?minor=maybe`)
      .set(...responder)
      .expect(400);
    const reads = await t.query(
      "select summary from audit_log where action = 'affected.read' and target_id = $1",
      [incidentId],
    );
    expect(reads.length).toBeGreaterThanOrEqual(6);
    expect(reads[2].summary).toEqual({ filters: ['jurisdiction'], rows: 3 });
  });

  it('exports the affected set as CSV, audited', async () => {
    const res = await t.http
      .get(`/v1/incidents/${incidentId}/affected/export?jurisdiction=DE`)
      .set(...responder)
      .expect(200)
      .expect('Content-Type', /text\/csv/);
    const lines = res.text.trim().split('\n');
    expect(lines[0]).toBe(
      'externalId,jurisdiction,minor,guardianContact,exposedCategories,channels,scopeRunId,addedAt,notifiedAt',
    );
    expect(
      lines
        .slice(1)
        .map((l) => l.split(',').slice(0, 6).join(','))
        .sort(),
    ).toEqual([
      'p3,DE,false,false,camera_data;personal_identifiers,sms',
      'p7,DE,true,false,camera_data,push',
    ]);
    const audit = await t.query(
      "select summary from audit_log where action = 'affected.export' and target_id = $1",
      [incidentId],
    );
    expect(audit).toEqual([{ summary: { filters: ['jurisdiction'], format: 'csv' } }]);
    await t.http
      .get(`/v1/incidents/${incidentId}/affected/export`)
      .set(...bearer(t.keys.auditor))
      .expect(403);
  });

  it('replaces the set when re-scoped before any notice, on the timeline', async () => {
    const run = await freeze({ dataCategories: ['camera_data'], jurisdictions: ['BR'] });
    expect(run).toMatchObject({ kind: 'replacement', total: 3, added: 0, removed: 3 });
    expect((await affected()).map((i) => i.externalId).sort()).toEqual(['p1', 'p2', 'p6']);
    const timeline = await t.http
      .get(`/v1/incidents/${incidentId}/timeline`)
      .set(...responder)
      .expect(200);
    const frozen = timeline.body.items.filter((e: { kind: string }) => e.kind === 'scope.frozen');
    expect(frozen.map((e: { details: object }) => e.details)).toEqual([
      expect.objectContaining({ kind: 'initial', total: 6, added: 6 }),
      expect.objectContaining({ kind: 'replacement', total: 3, removed: 3 }),
    ]);
  });

  it('once a campaign is approved, a new scope only adds people, before any notice went out', async () => {
    const [campaign] = await t.query<{ id: string }>(
      `insert into campaigns (incident_id, template, channels, mode, include_guardians, status)
       values ($1, 'breach-notice', '{email}', 'escalate', true, 'approved') returning id`,
      [incidentId],
    );
    try {
      // Matching one of the three: a replacement would drop the other two.
      const run = await freeze({ externalIds: ['p1'] });
      expect(run).toMatchObject({ kind: 'supplementary', added: 0, removed: 0, keptOutsideCriteria: 2 });
      expect((await affected()).map((i) => i.externalId).sort()).toEqual(['p1', 'p2', 'p6']);
    } finally {
      await t.query('delete from campaigns where id = $1', [campaign.id]);
    }
  });

  it('after notices went out, a new scope only adds people and keeps everyone already notified', async () => {
    // The notification pipeline (campaigns) stamps notified_at; it is not built yet, so stamp it here.
    await t.query(
      `update affected_subjects a set notified_at = now() from subjects s
       where s.id = a.subject_id and s.external_id = 'p1' and a.incident_id = $1`,
      [incidentId],
    );
    const run = await freeze({ jurisdictions: ['DE'] });
    expect(run).toMatchObject({
      kind: 'supplementary',
      total: 5,
      added: 2,
      removed: 0,
      keptOutsideCriteria: 3,
    });
    const now = await affected();
    expect(now.map((i) => i.externalId).sort()).toEqual(['p1', 'p2', 'p3', 'p6', 'p7']);
    expect(now.find((i) => i.externalId === 'p1')!.notifiedAt).not.toBeNull();
  });

  it('keeps an erased person in the set without identity', async () => {
    await t.http
      .delete('/v1/subjects/p6')
      .set(...bearer(t.keys.admin))
      .expect(204);
    const rows = await affected();
    expect(rows).toHaveLength(5);
    expect(rows.filter((i) => i.externalId === null)).toHaveLength(1);
    // No foreign key does it: the erasure itself cut the link, and no row points at a deleted person.
    const links = await t.query(
      `select count(*) filter (where a.subject_id is null)::int as anonymous,
              count(*) filter (where a.subject_id is not null and s.id is null)::int as dangling
         from affected_subjects a left join subjects s on s.id = a.subject_id where a.incident_id = $1`,
      [incidentId],
    );
    expect(links).toEqual([{ anonymous: 1, dangling: 0 }]);
    const audit = await t.query(
      "select summary from audit_log where action = 'subject.erase' and target_id = 'p6'",
    );
    expect(audit).toEqual([{ summary: { incidentsKeptAnonymously: 1, outboxCopiesDeleted: 0 } }]);
  });

  it('allows one freeze at a time per incident, and none once the incident is over', async () => {
    await t.query("insert into scope_runs (incident_id, status, criteria) values ($1, 'queued', '{}')", [
      incidentId,
    ]);
    const busy = await t.http
      .post(`/v1/incidents/${incidentId}/scope`)
      .set(...responder)
      .send({ criteria: { everyone: true } })
      .expect(409);
    expect(busy.body.message).toContain('being frozen');
    await t.query("delete from scope_runs where incident_id = $1 and status = 'queued'", [incidentId]);

    const other = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    await t.http
      .post(`/v1/incidents/${other.body.id}/transitions`)
      .set(...responder)
      .send({ to: 'dismissed', note: 'false alarm' })
      .expect(200);
    const over = await t.http
      .post(`/v1/incidents/${other.body.id}/scope`)
      .set(...responder)
      .send({ criteria: { everyone: true } })
      .expect(409);
    expect(over.body.message).toContain('dismissed');
    await t.http
      .get(`/v1/incidents/${other.body.id}/scope`)
      .set(...responder)
      .expect(404);
  });
});
