import {
  bearer,
  completedCampaign,
  scopedIncident,
  startApp,
  TestApp,
  validIncident,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

// Issue 18, the rules and the records: worked cases through the real API on PostgreSQL. Thresholds count
// the residents whose personal information (as each law defines it) was exposed, from the frozen set's
// SQL; every date-time of the API carries a zone.

const REDIS_DB = 10;

interface Obligation {
  key: string;
  applicable: boolean;
  reason: string;
  dueAt: string | null;
  facts: { residents: number; meeting?: Record<string, { residents: number }> };
}

describe('issue 18: what the law counts and when its clocks start', () => {
  let t: TestApp;
  let responder: [string, string];
  let californians: string;

  beforeAll(async () => {
    t = await startApp({ DATABASE_URL: await createScratchDatabase('law'), GERMAN_LAND: 'DE-HH' }, REDIS_DB);
    responder = bearer(t.keys.responder);
    // 501 Californians: 117 had their credentials in the breached systems, 384 only their device data.
    const subjects = Array.from({ length: 501 }, (_, i) => ({
      externalId: `ca-${i}`,
      email: `ca-${i}@example.com`,
      jurisdiction: 'US-CA',
      dataCategories: i < 117 ? ['account_credentials', 'device_info'] : ['device_info'],
    }));
    await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects })
      .expect(200);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  it('501 affected Californians of whom 117 had credentials exposed: no AG copy; 30 days from discovery', async () => {
    const id = await scopedIncident(
      t,
      t.keys.responder,
      { jurisdictions: ['US-CA'] },
      {
        discoveredAt: '2026-11-04T09:15:00Z',
        dataCategories: ['account_credentials', 'device_info'],
        riskLevel: 'high',
      },
    );
    californians = id;
    const list: Obligation[] = (
      await t.http
        .get(`/v1/incidents/${id}/obligations`)
        .set(...responder)
        .expect(200)
    ).body.items;
    const copy = list.find((o) => o.key === 'US-CA/us-ca-ag/ag.sample-copy')!;
    expect(copy.facts.residents).toBe(501);
    expect(copy.facts.meeting?.personalInformation?.residents).toBe(117);
    expect(copy.applicable).toBe(false);
    expect(copy.reason).toBe(
      'does not apply: 117 residents whose personal information (Cal. Civ. Code 1798.82(h)) was exposed (not more than 500)',
    );
    // The residents' clock runs from discovery, before the incident is even confirmed.
    const individuals = list.find((o) => o.key === 'US-CA/us-ca-ag/individuals')!;
    expect(individuals).toMatchObject({ applicable: true, dueAt: '2026-12-04T09:15:00.000Z' });
  });

  it("what was sent is kept: a sealed copy per variant, and a finished campaign's preview shows it", async () => {
    const { id } = await completedCampaign(t, californians, { channels: ['email'], mode: 'escalate' });
    const copies = await t.query<{
      channel: string;
      locale: string;
      variant: string;
      sealed: Buffer;
      template: string;
    }>('select channel, locale, variant, sealed, template from notice_copies where campaign_id = $1', [id]);
    expect(copies.map((c) => [c.channel, c.template, c.locale, c.variant])).toEqual([
      ['email', 'breach-notice', 'en', 'US-CA'],
    ]);
    // Sealed: neither the incident's words nor anyone's address are readable in the row.
    const raw = copies[0].sealed.toString('latin1');
    expect(raw).not.toContain('misconfigured bucket');
    expect(raw).not.toContain('@example.com');
    // The incident's words change after the campaign: its preview still shows what went out.
    const current = await t.http
      .get(`/v1/incidents/${californians}`)
      .set(...responder)
      .expect(200);
    await t.http
      .patch(`/v1/incidents/${californians}`)
      .set(...responder)
      .set('If-Match', current.headers.etag)
      .send({ description: 'REWORDED AFTER THE CAMPAIGN.' })
      .expect(200);
    const preview = await t.http
      .get(`/v1/campaigns/${id}/preview?jurisdiction=US-CA&locale=en`)
      .set(...responder)
      .expect(200);
    expect(preview.body.sentAt).toEqual(expect.any(String));
    expect(preview.body.email.text).toContain('A misconfigured bucket exposed generated images');
    expect(preview.body.email.text).not.toContain('REWORDED');
    // The sample person's parts are filled in; nothing of a token is left.
    expect(preview.body.email.text).toContain('Alex Sample');
    expect(preview.body.email.html).not.toMatch(/%[a-z_]+%/);
    // A locale it never sent has no copy to show.
    const none = await t.http
      .get(`/v1/campaigns/${id}/preview?jurisdiction=US-CA&locale=de`)
      .set(...responder)
      .expect(404);
    expect(none.body.message).toContain('it sent: en (US-CA)');
  });

  it('the breach register lists every incident of a jurisdiction and period, notified or not, audited', async () => {
    // An incident dismissed before any scope: no jurisdiction known, listed with the reason.
    const dismissed = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident({ title: 'Suspicious login alert', discoveredAt: '2026-11-05T10:00:00Z' }))
      .expect(201);
    await t.http
      .post(`/v1/incidents/${dismissed.body.id}/transitions`)
      .set(...responder)
      .send({ to: 'dismissed', note: 'A penetration test of our own.' })
      .expect(200);
    const json = await t.http
      .get('/v1/register?jurisdiction=US-CA&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z')
      .set(...bearer(t.keys.auditor))
      .expect(200);
    const references = json.body.items.map((e: { reference: string }) => e.reference);
    expect(json.body.items.length).toBeGreaterThanOrEqual(2);
    const californian = json.body.items.find((e: { jurisdictionsKnown: boolean }) => e.jurisdictionsKnown);
    expect(californian.jurisdictions).toEqual([{ code: 'US-CA', residents: 501, notified: 501 }]);
    expect(californian.decisions).toContainEqual(
      expect.objectContaining({
        key: 'US-CA/us-ca-ag/ag.sample-copy',
        outcome: 'not_applicable',
        reasons: [expect.stringContaining('117 residents whose personal information')],
      }),
    );
    const unscoped = json.body.items.find((e: { title: string }) => e.title === 'Suspicious login alert');
    expect(unscoped).toMatchObject({ state: 'dismissed', jurisdictionsKnown: false });
    expect(unscoped.decisions).toEqual([
      expect.objectContaining({ outcome: 'dismissed', reasons: ['A penetration test of our own.'] }),
    ]);
    // Another period holds neither.
    const before = await t.http
      .get('/v1/register?from=2025-01-01T00:00:00Z&to=2026-01-01T00:00:00Z')
      .set(...bearer(t.keys.auditor))
      .expect(200);
    expect(before.body.items.map((e: { reference: string }) => e.reference)).not.toEqual(
      expect.arrayContaining(references),
    );
    const csv = await t.http
      .get('/v1/register?jurisdiction=US-CA&from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&format=csv')
      .set(...bearer(t.keys.auditor))
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.text.split('\n')[0]).toMatch(/^reference,title,state,discovered_at/);
    expect(csv.text).toContain('A penetration test of our own.');
    // Each export is in the audit log.
    const audit = await t.http
      .get('/v1/audit?action=register.export')
      .set(...bearer(t.keys.auditor))
      .expect(200);
    expect(audit.body.items.length).toBe(3);
    expect(audit.body.items.map((e: { summary: { format: string } }) => e.summary.format).sort()).toEqual([
      'csv',
      'json',
      'json',
    ]);
    await t.http
      .get('/v1/register?from=2026-12-01T00:00:00Z&to=2026-11-01T00:00:00Z')
      .set(...bearer(t.keys.auditor))
      .expect(400);
  });

  describe('every date-time carries a zone: without one, a 400 naming the field', () => {
    const refused = (
      body: { error: string; details: { problems: { field: string; rule: string }[] } },
      field: string,
    ) => {
      expect(body.error).toBe('validation_failed');
      expect(body.details.problems).toContainEqual(expect.objectContaining({ field, rule: 'isDateTime' }));
    };

    it('in an incident (create and update), a scope and a query string', async () => {
      refused(
        (
          await t.http
            .post('/v1/incidents')
            .set(...responder)
            .send(validIncident({ discoveredAt: '2026-11-04T09:15:00' }))
            .expect(400)
        ).body,
        'discoveredAt',
      );
      // A day the calendar lacks is no date either (JavaScript would read it as 2 March).
      refused(
        (
          await t.http
            .post('/v1/incidents')
            .set(...responder)
            .send(validIncident({ occurredFrom: '2026-02-30T10:00:00Z' }))
            .expect(400)
        ).body,
        'occurredFrom',
      );
      const created = await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(validIncident())
        .expect(201);
      refused(
        (
          await t.http
            .patch(`/v1/incidents/${created.body.id}`)
            .set(...responder)
            .set('If-Match', created.headers.etag)
            .send({ containedAt: '2026-11-04' })
            .expect(400)
        ).body,
        'containedAt',
      );
      refused(
        (
          await t.http
            .post(`/v1/incidents/${created.body.id}/scope/preview`)
            .set(...responder)
            .send({ criteria: { activeFrom: '2026-10-01T00:00:00' } })
            .expect(400)
        ).body,
        'criteria.activeFrom',
      );
      refused(
        (
          await t.http
            .get('/v1/incidents?discoveredFrom=2026-11-01T00:00:00')
            .set(...responder)
            .expect(400)
        ).body,
        'discoveredFrom',
      );
      // Nothing was changed by the refused update.
      const after = await t.http
        .get(`/v1/incidents/${created.body.id}`)
        .set(...responder)
        .expect(200);
      expect(after.body.containedAt).toBe('2026-11-04T12:00:00.000Z');
    });
  });
});
