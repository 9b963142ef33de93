import { bearer, eventually, startApp, TestApp, validIncident } from './support/app.js';

/**
 * Issue 19, guard rails for responders: a campaign needs a frozen affected set, a campaign that starts
 * moves its incident to `notifying`, an incident is not closed while the law still asks something of it,
 * and a campaign whose notices would mix languages says so at draft and preview.
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
          // Readers of other languages, for the language-mixing warnings.
          { externalId: 'rail-jp-1', email: 'rail-jp-1@example.com', jurisdiction: 'JP', locale: 'ja' },
          { externalId: 'rail-fr-1', email: 'rail-fr-1@example.com', jurisdiction: 'FR', locale: 'fr' },
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
  const freeze = async (id: string, externalIds = ['rail-gb-1']) => {
    await t.http
      .post(`/v1/incidents/${id}/scope`)
      .set(...responder)
      .send({ criteria: { externalIds } })
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
    // Not met before the breach was known: a missed obligation is not made one met on time.
    const early = await t.http
      .post(`/v1/obligations/${first.id}/met`)
      .set(...responder)
      .send({ at: '1970-01-01T00:00:00Z', note: 'Backdated.' })
      .expect(400);
    expect(early.body.details.problems).toEqual([
      expect.objectContaining({ field: 'at', rule: 'notBeforeDiscovery' }),
    ]);
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

  describe('a campaign whose notices would mix languages', () => {
    const readers = ['rail-gb-1', 'rail-jp-1', 'rail-fr-1'];
    /** The responders' words of validIncident() in a language (the Japanese notice says the cause too). */
    const words = (lang: string) => ({
      description: `[${lang}] A misconfigured bucket exposed images and e-mail addresses.`,
      cause: `[${lang}] Misconfiguration`,
      likelyConsequences: `[${lang}] Phishing using the exposed e-mail addresses.`,
      measuresTaken: `[${lang}] Bucket made private; access keys rotated.`,
      measuresPlanned: `[${lang}] Configuration scanning on every deploy.`,
      adviceToIndividuals: `[${lang}] Be wary of e-mails asking for your password.`,
      remedies: `[${lang}] A support line and a year of identity monitoring.`,
    });
    type Warning = { code: string; locales: string[]; fields: string[]; message: string };
    const preview = async (campaign: string) =>
      (
        await t.http
          .get(`/v1/campaigns/${campaign}/preview`)
          .query({ locale: 'ja', jurisdiction: 'JP' })
          .set(...responder)
          .expect(200)
      ).body as { locale: string; warnings: Warning[] };

    it('is warned about at draft and preview, naming the locales and the words; approving proceeds and records it', async () => {
      const id = await incident(); // the responders' words in English only
      await freeze(id, readers);
      const drafted = await draft(id).expect(201);
      const warnings = drafted.body.warnings as Warning[];
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ code: 'mixedLanguages', locales: ['fr', 'ja'] });
      expect(warnings[0].fields).toEqual(
        expect.arrayContaining(['description', 'likelyConsequences', 'remedies', 'cause']),
      );
      expect(warnings[0].message).toContain('fr, ja');
      // No person in it: neither their ids nor their addresses.
      expect(JSON.stringify(warnings)).not.toMatch(/rail-|example\.com/);
      const campaign = drafted.body.id as string;
      const shown = await preview(campaign);
      expect(shown.locale).toBe('ja');
      expect(shown.warnings).toEqual(warnings);
      const read = await t.http
        .get(`/v1/campaigns/${campaign}`)
        .set(...responder)
        .expect(200);
      expect(read.body.warnings).toEqual(warnings);

      // A warning, not a refusal: the approval goes through, and says what it went out with.
      const approved = await t.http
        .post(`/v1/campaigns/${campaign}/approve`)
        .set(...approver)
        .expect(200);
      expect(approved.body.warnings).toEqual(warnings);
      const timeline = await t.http
        .get(`/v1/incidents/${id}/timeline`)
        .set(...responder)
        .expect(200);
      const event = (timeline.body.items as Array<{ kind: string; details: Record<string, unknown> }>).find(
        (e) => e.kind === 'campaign.approved',
      );
      expect(event?.details.warnings).toEqual([
        { code: 'mixedLanguages', locales: ['fr', 'ja'], fields: warnings[0].fields },
      ]);
      const [audit] = await t.query<{ summary: { warnings: unknown } }>(
        `select summary from audit_log where action = 'campaign.approved' and target_id = $1`,
        [campaign],
      );
      expect(audit.summary.warnings).toEqual(event?.details.warnings);
    });

    it('warns of nothing once their words are given in their languages', async () => {
      const created = await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(validIncident({ translations: { ja: words('ja'), 'fr-FR': words('fr') } }))
        .expect(201);
      const id = created.body.id as string;
      await freeze(id, readers);
      const drafted = await draft(id).expect(201);
      expect(drafted.body.warnings).toEqual([]);
      expect((await preview(drafted.body.id as string)).warnings).toEqual([]);
    });
  });
});
