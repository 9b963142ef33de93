import { bearer, eventually, startApp, TestApp, validIncident } from './support/app.js';

describe('incidents through HTTP (PostgreSQL + Redis)', () => {
  let t: TestApp;
  let responder: [string, string];

  beforeAll(async () => {
    t = await startApp({}, 1);
    responder = bearer(t.keys.responder);
  });
  afterAll(() => t.close());

  it('runs the whole lifecycle: detected -> assessing -> confirmed -> notifying -> monitoring -> closed', async () => {
    const created = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    expect(created.body).toMatchObject({
      state: 'detected',
      version: 1,
      title: 'Object storage bucket exposed',
      dataCategories: ['camera_data', 'personal_identifiers'],
      discoveredAt: '2026-11-04T09:15:00.000Z',
      allowedTransitions: ['assessing', 'dismissed'],
    });
    expect(created.body.reference).toMatch(/^INC-\d{4}-\d{4}$/);
    expect(created.headers.etag).toBe('"1"');
    const id: string = created.body.id;

    await t.http
      .post(`/v1/incidents/${id}/transitions`)
      .set(...responder)
      .send({ to: 'assessing' })
      .expect(200);
    // Confirming needs a risk assessment first.
    const early = await t.http
      .post(`/v1/incidents/${id}/transitions`)
      .set(...responder)
      .send({ to: 'confirmed' })
      .expect(409);
    expect(early.body).toMatchObject({ error: 'invalid_transition', details: { missing: ['riskLevel'] } });

    const current = await t.http
      .get(`/v1/incidents/${id}`)
      .set(...responder)
      .expect(200);
    await t.http
      .patch(`/v1/incidents/${id}`)
      .set(...responder)
      .set('If-Match', current.headers.etag)
      .send({ riskLevel: 'high', riskReasoning: 'E-mails and images of minors' })
      .expect(200);
    for (const to of ['confirmed', 'notifying', 'monitoring', 'closed']) {
      const moved = await t.http
        .post(`/v1/incidents/${id}/transitions`)
        .set(...responder)
        .send({ to, note: `to ${to}` });
      expect(moved.status).toBe(200);
      expect(moved.body.state).toBe(to);
    }

    const timeline = await t.http
      .get(`/v1/incidents/${id}/timeline`)
      .set(...responder)
      .expect(200);
    expect(
      timeline.body.items.map(
        (e: { kind: string; toState: string | null }) => `${e.kind}:${e.toState ?? ''}`,
      ),
    ).toEqual([
      'created:detected',
      'transition:assessing',
      'updated:',
      'transition:confirmed',
      'transition:notifying',
      'transition:monitoring',
      'transition:closed',
    ]);
    expect(timeline.body.items[2].details.fields).toEqual(['riskLevel', 'riskReasoning']);
    expect(timeline.body.items[6].note).toBe('to closed');
    expect(timeline.body.nextCursor).toBeNull();

    // The same seven events, three at a time.
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { kind: string }[]; nextCursor: string | null } } = await t.http
        .get(`/v1/incidents/${id}/timeline`)
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(...responder)
        .expect(200);
      paged.push(...page.body.items.map((e) => e.kind));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(paged).toEqual(timeline.body.items.map((e: { kind: string }) => e.kind));
  });

  it('refuses a forbidden transition with 409 naming the allowed ones, and changes nothing', async () => {
    const { body } = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    const refused = await t.http
      .post(`/v1/incidents/${body.id}/transitions`)
      .set(...responder)
      .send({ to: 'closed' })
      .expect(409);
    expect(refused.body.error).toBe('invalid_transition');
    expect(refused.body.message).toContain('allowed: assessing, dismissed');
    expect(refused.body.details.allowed).toEqual(['assessing', 'dismissed']);
    const after = await t.http
      .get(`/v1/incidents/${body.id}`)
      .set(...responder)
      .expect(200);
    expect(after.body).toMatchObject({ state: 'detected', version: 1 });
  });

  it('needs a note to dismiss', async () => {
    const { body } = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    const refused = await t.http
      .post(`/v1/incidents/${body.id}/transitions`)
      .set(...responder)
      .send({ to: 'dismissed' })
      .expect(400);
    expect(refused.body.details.problems[0]).toMatchObject({ field: 'note', rule: 'requiredToDismiss' });
    await t.http
      .post(`/v1/incidents/${body.id}/transitions`)
      .set(...responder)
      .send({ to: 'dismissed', note: 'False positive: test data only' })
      .expect(200);
  });

  it('keeps where it happened and whether law enforcement delayed the notices, for the notices to say', async () => {
    const created = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(
        validIncident({ location: 'Our image storage in the cloud (EU region)', lawEnforcementDelay: false }),
      )
      .expect(201);
    expect(created.body).toMatchObject({
      location: 'Our image storage in the cloud (EU region)',
      lawEnforcementDelay: false,
    });
    const cleared = await t.http
      .patch(`/v1/incidents/${created.body.id}`)
      .set(...responder)
      .set('If-Match', '"1"')
      .send({ location: null, lawEnforcementDelay: true })
      .expect(200);
    expect(cleared.body).toMatchObject({ location: null, lawEnforcementDelay: true });
    const bad = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident({ lawEnforcementDelay: 'maybe' }))
      .expect(400);
    expect(bad.body.details.problems.map((p: { field: string }) => p.field)).toEqual(['lawEnforcementDelay']);
  });

  it("keeps the notice's words in other languages, and refuses what is not a language or a notice's fact", async () => {
    const translations = {
      de: { description: 'Ein Speicher war lesbar.' },
      'pt-BR': { remedies: 'Suporte.' },
    };
    const created = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident({ translations }))
      .expect(201);
    expect(created.body.translations).toEqual(translations);
    const cleared = await t.http
      .patch(`/v1/incidents/${created.body.id}`)
      .set(...responder)
      .set('If-Match', '"1"')
      .send({ translations: null })
      .expect(200);
    expect(cleared.body.translations).toEqual({});
    for (const wrong of [
      { english: { description: 'x' } },
      { de: { title: 'x' } },
      { de: { description: 42 } },
      { de: 'x' },
      ['de'],
      { de: { description: 'x' }, DE: { remedies: 'y' } },
    ]) {
      const bad = await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(validIncident({ translations: wrong }))
        .expect(400);
      expect(bad.body.details.problems).toEqual([
        expect.objectContaining({ field: 'translations', rule: 'isNoticeTranslations' }),
      ]);
      // What was sent is not quoted back.
      expect(bad.body.message).not.toMatch(/english|title/);
    }
  });

  it('catches concurrent edits: missing If-Match is 428, a stale one is 412', async () => {
    const { body } = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    await t.http
      .patch(`/v1/incidents/${body.id}`)
      .set(...responder)
      .send({ title: 'x' })
      .expect(428);
    const first = await t.http
      .patch(`/v1/incidents/${body.id}`)
      .set(...responder)
      .set('If-Match', '"1"')
      .send({ title: 'First editor' })
      .expect(200);
    expect(first.headers.etag).toBe('"2"');
    const second = await t.http
      .patch(`/v1/incidents/${body.id}`)
      .set(...responder)
      .set('If-Match', '"1"')
      .send({ title: 'Second editor' })
      .expect(412);
    expect(second.body).toMatchObject({ error: 'precondition_failed', details: { currentVersion: 2 } });
    const now = await t.http
      .get(`/v1/incidents/${body.id}`)
      .set(...responder)
      .expect(200);
    expect(now.body.title).toBe('First editor');
  });

  it('two simultaneous edits of one version: exactly one wins', async () => {
    const { body } = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    const results = await Promise.all(
      ['A', 'B', 'C'].map((title) =>
        t.http
          .patch(`/v1/incidents/${body.id}`)
          .set(...responder)
          .set('If-Match', '"1"')
          .send({ title }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412, 412]);
  });

  it('checks the facts against each other on update too', async () => {
    const { body } = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    const bad = await t.http
      .patch(`/v1/incidents/${body.id}`)
      .set(...responder)
      .set('If-Match', '"1"')
      .send({ occurredTo: '2026-10-01T00:00:00Z' })
      .expect(400);
    expect(bad.body.details.problems).toEqual([
      expect.objectContaining({ field: 'occurredTo', rule: 'notBefore:occurredFrom' }),
    ]);
    const cleared = await t.http
      .patch(`/v1/incidents/${body.id}`)
      .set(...responder)
      .set('If-Match', '"1"')
      .send({ occurredTo: null, systems: null })
      .expect(200);
    expect(cleared.body).toMatchObject({ occurredTo: null, systems: [], version: 2 });
  });

  it('lists with filters and keyset paging', async () => {
    const marker = `paging-${Date.now()}`;
    for (let i = 0; i < 5; i += 1) {
      await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(validIncident({ title: `${marker} ${i}`, riskLevel: i % 2 ? 'low' : 'high' }))
        .expect(201);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { title: string }[]; nextCursor: string | null } } = await t.http
        .get('/v1/incidents')
        .query({ q: marker, limit: 2, ...(cursor ? { cursor } : {}) })
        .set(...responder)
        .expect(200);
      seen.push(...page.body.items.map((i) => i.title));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `${marker} ${i}`));
    const high = await t.http
      .get('/v1/incidents')
      .query({ q: marker, riskLevel: 'high' })
      .set(...responder)
      .expect(200);
    expect(high.body.items).toHaveLength(3);
    await t.http
      .get('/v1/incidents')
      .query({ cursor: 'not-a-cursor' })
      .set(...responder)
      .expect(400);
  });

  it('answers 404 for an unknown id and 400 for an id that is neither a UUID nor a reference', async () => {
    const missing = await t.http
      .get('/v1/incidents/00000000-0000-4000-8000-000000000000')
      .set(...responder)
      .expect(404);
    expect(missing.body.error).toBe('not_found');
    const bad = await t.http
      .get('/v1/incidents/42')
      .set(...responder)
      .expect(400);
    expect(bad.body.details.problems[0]).toMatchObject({ field: 'id', rule: 'isIncidentId' });
  });

  it('is addressed by its reference as well as its id, in any case, on the routes under it (issue 19)', async () => {
    const created = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    const { id, reference } = created.body as { id: string; reference: string };
    const read = await t.http
      .get(`/v1/incidents/${reference}`)
      .set(...responder)
      .expect(200);
    expect(read.body).toMatchObject({ id, reference });
    expect(read.headers.etag).toBe('"1"');
    const lower = await t.http
      .get(`/v1/incidents/${reference.toLowerCase()}`)
      .set(...responder)
      .expect(200);
    expect(lower.body.id).toBe(id);

    // POSTs: a scope preview and a freeze, then a campaign drafted over the frozen (empty) set.
    await t.http
      .post(`/v1/incidents/${reference}/scope/preview`)
      .set(...responder)
      .send({ criteria: { externalIds: ['nobody-by-reference'] } })
      .expect(200);
    const run = await t.http
      .post(`/v1/incidents/${reference}/scope`)
      .set(...responder)
      .send({ criteria: { externalIds: ['nobody-by-reference'] } })
      .expect(202);
    expect(run.body.incidentId).toBe(id);
    await eventually(async () => {
      const latest = await t.http
        .get(`/v1/incidents/${reference.toLowerCase()}/scope`)
        .set(...responder)
        .expect(200);
      return latest.body.status === 'completed' ? true : undefined;
    });
    const campaign = await t.http
      .post(`/v1/incidents/${reference}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
      .expect(201);
    expect(campaign.body.incidentId).toBe(id);

    // Reads under it: the obligations and the timeline say the same as by id.
    const obligations = (path: string) =>
      t.http
        .get(`/v1/incidents/${path}/obligations`)
        .set(...responder)
        .expect(200);
    const [byReference, byId] = [await obligations(reference), await obligations(id)];
    expect(byReference.body.items.map((o: { key: string }) => o.key)).toEqual(
      byId.body.items.map((o: { key: string }) => o.key),
    );
    const timeline = await t.http
      .get(`/v1/incidents/${reference}/timeline`)
      .set(...responder)
      .expect(200);
    expect(timeline.body.items.map((e: { kind: string }) => e.kind)).toContain('campaign.created');

    // A reference no incident has is the same 404 as an id no incident has.
    const [unknownReference, unknownId] = [
      await t.http
        .get('/v1/incidents/INC-1999-9999/obligations')
        .set(...responder)
        .expect(404),
      await t.http
        .get('/v1/incidents/00000000-0000-4000-8000-000000000000/obligations')
        .set(...responder)
        .expect(404),
    ];
    expect(unknownReference.body.error).toBe(unknownId.body.error);
    expect(Object.keys(unknownReference.body).sort()).toEqual(Object.keys(unknownId.body).sort());
  });
});
