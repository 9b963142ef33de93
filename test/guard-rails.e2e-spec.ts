import { bearer, eventually, startApp, TestApp, validIncident } from './support/app.js';

/**
 * Issue 19, guard rails for responders: a campaign needs a frozen affected set, a campaign that starts
 * moves its incident to `notifying`, and an incident is not closed while the law still asks something of it.
 */
describe('guard rails for responders', () => {
  jest.setTimeout(120_000);
  let t: TestApp;
  let responder: [string, string];
  let approver: [string, string];

  beforeAll(async () => {
    t = await startApp();
    responder = bearer(t.keys.responder);
    approver = bearer(t.keys.approver);
    await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({
        subjects: [
          {
            externalId: 'rail-gb-1',
            email: 'rail-gb-1@example.com',
            jurisdiction: 'GB',
            dataCategories: ['camera_data'],
          },
        ],
      })
      .expect(200);
  });
  afterAll(() => t.close());

  const incident = async () =>
    (
      await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(validIncident())
        .expect(201)
    ).body.id as string;
  /** Assessed (high risk) and confirmed, as a responder does before notifying. */
  const confirm = async (id: string) => {
    const current = await t.http
      .get(`/v1/incidents/${id}`)
      .set(...responder)
      .expect(200);
    await t.http
      .patch(`/v1/incidents/${id}`)
      .set(...responder)
      .set('If-Match', current.headers.etag)
      .send({ riskLevel: 'high', riskReasoning: 'Passwords of accounts were exposed.' })
      .expect(200);
    await move(id, 'assessing').expect(200);
    await move(id, 'confirmed').expect(200);
  };
  const freeze = async (id: string) => {
    await t.http
      .post(`/v1/incidents/${id}/scope`)
      .set(...responder)
      .send({ criteria: { externalIds: ['rail-gb-1'] } })
      .expect(202);
    await eventually(async () => {
      const run = await t.http
        .get(`/v1/incidents/${id}/scope`)
        .set(...responder)
        .expect(200);
      return run.body.status === 'completed' ? true : undefined;
    });
  };
  const move = (id: string, to: string, extra: object = {}) =>
    t.http
      .post(`/v1/incidents/${id}/transitions`)
      .set(...responder)
      .send({ to, ...extra });
  const state = async (id: string) =>
    (
      await t.http
        .get(`/v1/incidents/${id}`)
        .set(...responder)
        .expect(200)
    ).body.state as string;
  const draft = (id: string) =>
    t.http
      .post(`/v1/incidents/${id}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' });

  it('refuses a campaign before the affected set is frozen, naming what to do', async () => {
    const id = await incident();
    const refused = await draft(id).expect(409);
    expect(refused.body.message).toContain('no frozen affected set');
    expect(refused.body.message).toContain(`POST /v1/incidents/${id}/scope`);
    expect(await t.query('select count(*)::int as n from campaigns where incident_id = $1', [id])).toEqual([
      { n: 0 },
    ]);
    await freeze(id);
    await draft(id).expect(201);
  });

  it('moves a confirmed incident to notifying when its campaign is approved, on its timeline', async () => {
    const id = await incident();
    await confirm(id);
    await freeze(id);
    const campaign = (await draft(id).expect(201)).body.id as string;
    expect(await state(id)).toBe('confirmed'); // a draft sends nothing: the incident stays
    await t.http
      .post(`/v1/campaigns/${campaign}/approve`)
      .set(...approver)
      .expect(200);
    expect(await state(id)).toBe('notifying');
    const timeline = await t.http
      .get(`/v1/incidents/${id}/timeline`)
      .set(...responder)
      .expect(200);
    const events = timeline.body.items as Array<{
      kind: string;
      toState: string | null;
      note: string | null;
    }>;
    expect(events.find((e) => e.kind === 'transition' && e.toState === 'notifying')).toMatchObject({
      note: `campaign ${campaign} approved`,
    });
  });

  it('refuses to close while obligations are due, listing them, and closes once each is met or waived', async () => {
    const id = await incident();
    await confirm(id);
    await freeze(id);
    await move(id, 'monitoring').expect(200);
    const obligations = (
      await t.http
        .get(`/v1/incidents/${id}/obligations`)
        .set(...responder)
        .expect(200)
    ).body.items as Array<{ id: string; key: string; state: string }>;
    const open = obligations.filter((o) => o.state === 'due' || o.state === 'missed');
    expect(open.map((o) => o.key)).toEqual(expect.arrayContaining(['GB/ico/regulator']));

    const refused = await move(id, 'closed').expect(409);
    expect(refused.body.message).toContain('GB/ico/regulator');
    expect(refused.body.message).toContain('waive');
    expect((refused.body.details.obligations as Array<{ id: string }>).map((o) => o.id).sort()).toEqual(
      open.map((o) => o.id).sort(),
    );
    expect(await state(id)).toBe('monitoring');

    const [first, ...rest] = open;
    await t.http
      .post(`/v1/obligations/${first.id}/met`)
      .set(...responder)
      .send({ at: '2026-11-05T10:00:00Z', note: 'Filed by phone with the ICO.' })
      .expect(200);
    expect(rest.length).toBeGreaterThan(0); // the ICO and the residents, at least
    const still = await move(id, 'closed').expect(409);
    expect((still.body.details.obligations as Array<{ id: string }>).map((o) => o.id)).not.toContain(
      first.id,
    );
    for (const o of rest) {
      await t.http
        .post(`/v1/obligations/${o.id}/waive`)
        .set(...approver)
        .send({ reason: 'Decided by counsel.' })
        .expect(200);
    }
    await move(id, 'closed').expect(200);
    expect(await state(id)).toBe('closed');
  });
});
