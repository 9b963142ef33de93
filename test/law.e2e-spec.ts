import {
  bearer,
  completedCampaign,
  generatedReport,
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
    t = await startApp(
      {
        DATABASE_URL: await createScratchDatabase('law'),
        GERMAN_LAND: 'DE-HH',
        // The people consented to electronic notice: their emails are the notice in California.
        ESIGN_CONSENT: 'all',
      },
      REDIS_DB,
    );
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

  it("the AG's report carries the copy of the notice sent, as it went out", async () => {
    const report = await generatedReport(t, responder, californians, {
      regulator: 'us-ca-ag',
      phase: 'initial',
      delayReasons: 'Worked case.',
    });
    const fields = (report.body.content.sections as { fields: { key: string; value: unknown }[] }[]).flatMap(
      (section) => section.fields,
    );
    const copy = String(fields.find((f) => f.key === 'us.noticeCopy')?.value);
    expect(copy).toContain('Email notice (en, variant US-CA), as sent:');
    expect(copy).toContain('Notice of Data Breach');
    // The words that went out, not the incident as reworded after the campaign.
    expect(copy).toContain('A misconfigured bucket exposed generated images');
    expect(copy).not.toContain('REWORDED');
    expect(copy).toContain("[greeting with the recipient's name]");
    // Nobody's address: only the company's own contact.
    expect(copy).not.toMatch(/ca-\d+@example\.com/);
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

  describe('reports fit to file', () => {
    let incident: string;

    beforeAll(async () => {
      const people = [
        { externalId: 'gb-1', birthDate: '2012-03-01' },
        { externalId: 'gb-2', birthDate: '2010-12-01' },
        { externalId: 'gb-3', birthDate: '1990-06-15' },
        { externalId: 'gb-4' },
      ].map((p) => ({
        ...p,
        email: `${p.externalId}@example.com`,
        jurisdiction: 'GB',
        dataCategories: ['email_address'],
      }));
      const germans = [1, 2].map((n) => ({
        externalId: `de-${n}`,
        email: `de-${n}@example.com`,
        jurisdiction: 'DE',
        dataCategories: ['email_address'],
      }));
      await t.http
        .post('/v1/subjects/bulk')
        .set(...responder)
        .send({ subjects: [...people, ...germans] })
        .expect(200);
      incident = await scopedIncident(
        t,
        t.keys.responder,
        { jurisdictions: ['GB', 'DE'] },
        {
          discoveredAt: '2026-11-05T09:00:00Z',
          dataCategories: ['email_address'],
          riskLevel: 'high',
          cyberAttack: false,
          howDiscovered: 'A customer told us.',
          securityMeasuresBefore: 'Access reviews every quarter.',
          otherOrganisationsTold: 'None.',
          riskReasoning: 'Email addresses of children.',
          regulatorText: { description: 'S3 bucket ACL set to public-read on media-store for 61 hours.' },
          regulatorTranslations: {
            de: {
              description: 'Die Zugriffsliste des Speichers media-store war 61 Stunden öffentlich lesbar.',
            },
          },
          chronology: [
            {
              at: '2026-11-05T09:40:00+01:00',
              kind: 'containment',
              text: 'The bucket was made private.',
              translations: { de: 'Der Speicher wurde gesperrt.' },
            },
          ],
        },
      );
    });

    const generate = async (regulator: string, phase = 'initial') =>
      (
        await generatedReport(t, responder, incident, {
          regulator,
          phase,
          delayReasons: 'Worked case: generated after the deadline.',
        })
      ).body as {
        id: string;
        content: {
          language: string;
          sections: {
            key: string;
            tables?: { rows: string[][] }[];
            fields: { key: string; value: unknown }[];
          }[];
        };
      };
    const value = (report: Awaited<ReturnType<typeof generate>>, key: string) =>
      report.content.sections.flatMap((s) => s.fields).find((f) => f.key === key)?.value;

    it('the ICO counts children under 18 from the birth dates held, and its follow-up carries the case reference', async () => {
      const initial = await generate('ico');
      // gb-1 (14) and gb-2 (15) are children for the ICO, though not minors under the UK's age of 13.
      expect(value(initial, 'ico.2.subjectCategories')).toEqual([
        'Users of our service',
        'Children under 18: 2 (of the 3 people whose birth date we hold)',
      ]);
      // The words for regulators, not those written for the people notified.
      expect(value(initial, 'ico.2.whatHappened')).toBe(
        'S3 bucket ACL set to public-read on media-store for 61 hours.',
      );
      await t.http
        .post(`/v1/reports/${initial.id}/approve`)
        .set(...bearer(t.keys.approver))
        .expect(200);
      await t.http
        .post(`/v1/reports/${initial.id}/submitted`)
        .set(...responder)
        .send({ at: new Date().toISOString(), reference: 'IC-445566-Z9Y8' })
        .expect(200);
      const followUp = await generate('ico', 'follow-up');
      expect(value(followUp, 'ico.1.caseReference')).toBe('IC-445566-Z9Y8');
      // Opening birth dates to count is in the log.
      const audit = await t.http
        .get('/v1/audit?action=report.generate')
        .set(...bearer(t.keys.auditor))
        .expect(200);
      expect(JSON.stringify(audit.body.items)).toContain(
        '"childrenCounted":{"count":2,"under":18,"withBirthDate":3}',
      );
    });

    it("a German Land's authority gets a report in German from the incident's translations, its story not the system's", async () => {
      const report = await generate('de-hh-hmbbfdi');
      expect(report.content.language).toBe('de');
      expect(value(report, 'gdpr.a.description')).toBe(
        'Die Zugriffsliste des Speichers media-store war 61 Stunden öffentlich lesbar.',
      );
      const story = report.content.sections.find((s) => s.key === 'common.timeline')!.tables![0].rows;
      expect(story).toContainEqual(['2026-11-05 08:40 UTC', 'Eindämmung', 'Der Speicher wurde gesperrt.']);
      expect(story.map((row) => row[1])).toContain('Kenntnisnahme');
      const words = JSON.stringify(report.content);
      for (const internal of ['scope.frozen', 'obligation.added', 'report.generated', 'transition']) {
        expect(words).not.toContain(internal);
      }
      // What has no German words yet is said, not passed off.
      expect(value(report, 'common.report.untranslated')).toEqual(
        expect.arrayContaining(['Ergriffene Maßnahmen', 'Wahrscheinliche Folgen']),
      );
    });
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
