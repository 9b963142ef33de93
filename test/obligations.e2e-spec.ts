import { Clock } from '../src/common/clock.js';
import { ObligationsService } from '../src/jurisdictions/obligations.service.js';
import type { ReportForm } from '../src/jurisdictions/rules/rule.types.js';
import { FORM_CHECKLIST, pdfToText } from './support/report.fixtures.js';
import {
  bearer,
  completedCampaign,
  generatedReport,
  scopedIncident,
  startApp,
  TestApp,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

// The worked case of the obligations issue: one incident affecting people in Germany, France, the UK,
// California (more than 500 residents), Brazil, Japan and Singapore. Its obligations must match the
// rules (who, what, due when, on which calendar); the deadline alerts fire at the right time under a fake
// clock; each regulator's report holds its form's fields, filled or listed as missing; a follow-up shows
// what changed. A second incident, encrypted and low risk, shows the exemptions.

const REDIS_DB = 11;
const ALERTS_TO = 'breach-desk@example.com';
const PLACES: Record<string, number> = { 'US-CA': 505, DE: 6, FR: 5, GB: 5, BR: 5, JP: 5, SG: 5, MX: 2 };
const DISCOVERED = '2026-11-04T09:15:00Z'; // a Wednesday
const CONFIRMED = '2026-11-04T12:00:00Z';
/** One regulator of each kind the worked case reaches, and the language its report must be in. */
const REGULATORS: Record<string, string> = {
  'de-be-blnbdi': 'de',
  'fr-cnil': 'fr',
  ico: 'en',
  'us-ca-ag': 'en',
  anpd: 'pt-BR',
  ppc: 'ja',
  pdpc: 'en',
};

interface Obligation {
  id: string;
  key: string;
  state: string;
  audience: string;
  regulatorId: string | null;
  phase: string | null;
  dueAt: string | null;
  applicable: boolean;
  reason: string;
  ruleVersion: string | null;
  jurisdictions: string[];
  metBy: Record<string, unknown> | null;
  late: boolean;
}

interface Field {
  key: string;
  label: string;
  value: unknown;
  missing: boolean;
}

function people() {
  const list: object[] = [];
  for (const [jurisdiction, count] of Object.entries(PLACES)) {
    for (let i = 0; i < count; i += 1) {
      const minor = jurisdiction === 'DE' && i === 0;
      list.push({
        externalId: `o-${jurisdiction}-${i}`,
        email: `o-${jurisdiction.toLowerCase()}-${i}@example.com`,
        jurisdiction,
        dataCategories: ['account_credentials', 'personal_identifiers', 'camera_data'],
        ...(minor
          ? { birthDate: '2016-02-01', guardian: { name: 'Guardian', email: 'guardian-o@example.com' } }
          : {}),
      });
    }
  }
  return list;
}

describe('obligations, deadline alerts and regulator reports (worked case)', () => {
  let t: TestApp;
  let responder: [string, string];
  let approver: [string, string];
  let now: Date;
  let incidentId: string;
  const at = (iso: string) => {
    now = new Date(iso);
  };

  const obligations = async (id = incidentId): Promise<Obligation[]> =>
    (
      await t.http
        .get(`/v1/incidents/${id}/obligations`)
        .set(...responder)
        .expect(200)
    ).body.items;
  const find = (list: Obligation[], regulatorId: string | null, audience = 'regulator', phase?: string) => {
    const found = list.find(
      (o) =>
        o.audience === audience &&
        (regulatorId === null || o.regulatorId === regulatorId || o.key.includes(`/${regulatorId}/`)) &&
        (phase === undefined || o.phase === phase),
    );
    if (!found)
      throw new Error(`no ${audience} obligation for ${regulatorId}: ${list.map((o) => o.key).join(', ')}`);
    return found;
  };
  const timeline = async (kind: string) => {
    const events: { kind: string; details: Record<string, unknown> }[] = [];
    let cursor = '';
    do {
      const page = await t.http
        .get(`/v1/incidents/${incidentId}/timeline?limit=200${cursor ? `&cursor=${cursor}` : ''}`)
        .set(...responder)
        .expect(200);
      events.push(...page.body.items);
      cursor = page.body.nextCursor ?? '';
    } while (cursor);
    return events.filter((e) => e.kind === kind);
  };

  /** Changes facts of the incident at its current version (If-Match). */
  const updateIncident = async (changes: object) => {
    const current = await t.http
      .get(`/v1/incidents/${incidentId}`)
      .set(...responder)
      .expect(200);
    await t.http
      .patch(`/v1/incidents/${incidentId}`)
      .set(...responder)
      .set('If-Match', current.headers.etag)
      .send(changes)
      .expect(200);
  };

  beforeAll(async () => {
    t = await startApp(
      {
        DATABASE_URL: await createScratchDatabase('obligations'),
        OBLIGATION_ALERT_EMAIL: ALERTS_TO,
        OBLIGATION_ALERT_LEAD_HOURS: '24',
        DPO_CONTACT: 'Data Protection Officer, dpo@example.com',
        GERMAN_LAND: 'DE-BE',
        // The people consented to electronic notice: their emails are the notice in California too (without
        // it, no campaign meets California's obligation: test/medium/reach.spec.ts).
        ESIGN_CONSENT: 'all',
      },
      REDIS_DB,
    );
    responder = bearer(t.keys.responder);
    approver = bearer(t.keys.approver);
    // The fake clock (the only mock here): deadlines are days long.
    at(CONFIRMED);
    jest.spyOn(t.app.get(Clock), 'now').mockImplementation(() => new Date(now));
    await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects: people() })
      .expect(200);
    incidentId = await scopedIncident(
      t,
      t.keys.responder,
      { everyone: true },
      {
        discoveredAt: DISCOVERED,
        dataCategories: ['account_credentials', 'personal_identifiers', 'camera_data'],
        cyberAttack: true,
        howDiscovered: 'An alert from the storage provider about unusual downloads.',
        securityMeasuresBefore: 'Access keys per service; yearly staff training.',
        otherOrganisationsTold: 'The police cybercrime unit.',
        riskLevel: 'high',
        riskReasoning: 'Credentials and photos of users, some of them children.',
      },
      60_000,
    );
    at(CONFIRMED);
    for (const to of ['assessing', 'confirmed']) {
      await t.http
        .post(`/v1/incidents/${incidentId}/transitions`)
        .set(...responder)
        .send({ to })
        .expect(200);
    }
  }, 120_000);

  afterAll(async () => {
    jest.restoreAllMocks();
    await t?.close();
  });

  it('lists who must be told, by when, on which calendar, and why', async () => {
    const list = await obligations();
    const gdprDue = '2026-11-07T09:15:00.000Z'; // 72 hours from awareness
    for (const regulator of ['de-be-blnbdi', 'fr-cnil']) {
      const o = find(list, regulator, 'regulator', 'initial');
      expect(o).toMatchObject({ state: 'due', applicable: true, dueAt: gdprDue, ruleId: 'EU-GDPR' });
      expect(o.reason).toContain('high');
    }
    // No EU establishment: one authority per member state where affected people live.
    expect(find(list, 'de-be-blnbdi').jurisdictions).toEqual(['DE']);
    expect(find(list, 'ico', 'regulator', 'initial')).toMatchObject({ dueAt: gdprDue, applicable: true });
    const individuals = list.filter((o) => o.audience === 'individuals' && o.key.startsWith('EU-GDPR/'));
    expect(individuals.map((o) => o.applicable)).toEqual([true, true]);
    // Brazil: 3 business days from awareness on the Brazilian calendar, to the end of the day in Sao Paulo.
    expect(find(list, 'anpd', 'regulator', 'initial').dueAt).toBe('2026-11-10T02:59:59.999Z');
    // Singapore: 3 days from the assessment (the incident was confirmed at 12:00).
    expect(find(list, 'pdpc', 'regulator', 'initial').dueAt).toBe('2026-11-07T12:00:00.000Z');
    // California: 505 residents is more than 500, so the AG gets a sample copy, 15 days after the first
    // notice to residents: no notice has left yet, so that clock has not started.
    const sample = find(list, 'us-ca-ag');
    expect(sample).toMatchObject({ applicable: true, dueAt: null, state: 'due' });
    expect(sample.reason).toContain('505');
    // Mexico has no rule: a decision by hand, never a silent nothing, due (a placeholder, so the watch
    // alerts) 72 hours after awareness.
    expect(list.find((o) => o.key === 'none/MX/decide')).toMatchObject({
      applicable: true,
      dueAt: '2026-11-07T09:15:00.000Z',
      state: 'due',
    });
    const californians = list.find((o) => o.key.startsWith('US-CA/') && o.audience === 'individuals')!;
    // 30 days from discovery (discoveredAt), not from the confirmation.
    expect(californians).toMatchObject({ ruleVersion: '2026-01-01', dueAt: '2026-12-04T09:15:00.000Z' });
    // Japan: preliminary report to the PPC within 3 days of awareness (the stricter end of "about 3 to 5").
    expect(find(list, 'ppc', 'regulator', 'initial').dueAt).toBe('2026-11-07T09:15:00.000Z');
    // Each obligation is on the timeline with its rule version.
    const added = await timeline('obligation.added');
    expect(added.length).toBe(list.length);
    expect(added.every((e) => e.details.ruleId === null || typeof e.details.ruleVersion === 'string')).toBe(
      true,
    );
  });

  it('alerts when an obligation falls due within the lead time, then when it is missed', async () => {
    const service = t.app.get(ObligationsService);
    at('2026-11-05T09:00:00Z');
    expect((await service.watch()).alerts).toBe(0);
    at('2026-11-06T10:00:00Z'); // GDPR and UK due in under 24 h; Singapore (26 h), Brazil, Japan later
    const first = await service.watch();
    const dueSoon = await timeline('obligation.due_soon');
    const keys = dueSoon.map((e) => e.details.key as string);
    expect(keys.some((k) => k.includes('/ico/'))).toBe(true);
    expect(keys.some((k) => k.includes('/de-be-blnbdi/'))).toBe(true);
    expect(keys.some((k) => k.includes('/pdpc/'))).toBe(false);
    expect(keys.some((k) => k.includes('/anpd/'))).toBe(false);
    // The scheduled watch runs too (every minute, same fake clock): whoever claims an alert sends it, once.
    expect(first.alerts).toBeLessThanOrEqual(keys.length);
    expect(new Set(keys).size).toBe(keys.length);
    // Once only.
    expect((await service.watch()).alerts).toBe(0);
    at('2026-11-07T10:00:00Z'); // past 09:15: GDPR and UK missed; Singapore (12:00) not yet
    await service.watch();
    const missed = (await timeline('obligation.missed')).map((e) => e.details.key as string);
    expect(missed.some((k) => k.includes('/ico/'))).toBe(true);
    expect(missed.some((k) => k.includes('/pdpc/'))).toBe(false);
    const soon = (await timeline('obligation.due_soon')).map((e) => e.details.key as string);
    expect(new Set(soon).size).toBe(soon.length);
    expect(new Set(missed).size).toBe(missed.length);
    expect(soon.some((k) => k.includes('/pdpc/'))).toBe(true);
    expect(find(await obligations(), 'ico', 'regulator', 'initial')).toMatchObject({
      state: 'missed',
      late: true,
    });
    // Audit, metric and an email through the email channel (the outbox here).
    const audit = await t.query("select action from audit_log where action like 'obligation.alert.%'");
    expect(audit.length).toBe(soon.length + missed.length);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/obligation_alerts_total\{kind="missed"\} [1-9]/);
    const outbox = await t.http
      .get('/v1/outbox?channel=email&limit=200')
      .set(...bearer(t.keys.admin))
      .expect(200);
    const alerts = outbox.body.items.filter((m: { content: { to: string } }) => m.content.to === ALERTS_TO);
    expect(alerts.length).toBe(soon.length + missed.length);
    expect(alerts.some((m: { content: { subject: string } }) => m.content.subject.includes('Missed'))).toBe(
      true,
    );
  });

  it('sends the notices, which starts the sample-copy clock and meets the individuals obligations', async () => {
    at('2026-11-07T11:00:00Z');
    const campaign = await completedCampaign(t, incidentId, { channels: ['email'], mode: 'escalate' });
    const list = await obligations();
    expect(find(list, 'us-ca-ag').dueAt).toBe('2026-11-22T11:00:00.000Z');
    const californians = list.find((o) => o.key.startsWith('US-CA/') && o.audience === 'individuals')!;
    expect(californians).toMatchObject({
      state: 'met',
      metBy: { kind: 'campaign', id: campaign.id },
      unreached: 0,
    });
  }, 90_000);

  it("generates each regulator's report with every field of its form, filled or listed as missing", async () => {
    at('2026-11-07T12:30:00Z');
    for (const [regulator, language] of Object.entries(REGULATORS)) {
      const created = await generatedReport(t, responder, incidentId, {
        regulator,
        phase: 'initial',
        delayReasons: 'The scope took two days to establish.',
      });
      const report = created.body;
      expect(report).toMatchObject({
        status: 'draft',
        regulatorId: regulator,
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(report.language).toBe(language);
      const fields: Field[] = report.content.sections.flatMap((s: { fields: Field[] }) => s.fields);
      for (const key of FORM_CHECKLIST[report.form as ReportForm]) {
        const field = fields.find((f) => f.key === key);
        expect({ regulator, key, present: Boolean(field) }).toEqual({ regulator, key, present: true });
      }
      // Never blank silently: a field is filled, or missing and listed.
      for (const field of fields) {
        const empty =
          field.value === null ||
          field.value === '' ||
          (Array.isArray(field.value) && field.value.length === 0);
        expect({ key: field.key, missing: field.missing }).toEqual({ key: field.key, missing: empty });
      }
      const listed = report.content.missing.map((m: { key: string }) => m.key).sort();
      expect(listed).toEqual(
        fields
          .filter((f) => f.missing)
          .map((f) => f.key)
          .sort(),
      );
      // The handling status: every resident covered was planned and sent by email.
      const handling = report.content.sections.find((x: { key: string }) => x.key === 'common.handling');
      const residents = regulator === 'us-ca-ag' ? 505 : PLACES[regulator === 'ico' ? 'GB' : 'x'];
      if (residents) expect(JSON.stringify(handling.tables)).toContain(`${residents}`);
      const text = JSON.stringify(report.content);
      expect(text).not.toMatch(/o-[a-z]{2}(-[a-z]{2})?-\d+@example\.com/); // no person's address
      const audit = await t.query('select summary from audit_log where action = $1 and target_id = $2', [
        'report.generate',
        report.id,
      ]);
      expect(audit[0].summary.sha256).toBe(report.sha256);
    }
  });

  it('refuses a late report without the reasons for the delay, then approves (four eyes) and files it', async () => {
    at('2026-11-07T13:00:00Z');
    // Late, as the obligations already computed show: refused in the request, naming the field and the
    // rule, and no report made.
    const reports = async () =>
      (await t.query('select count(*)::int as n from reports where incident_id = $1', [incidentId]))[0].n;
    const before = await reports();
    const refused = await t.http
      .post(`/v1/incidents/${incidentId}/reports`)
      .set(...responder)
      .send({ regulator: 'ico', phase: 'initial' })
      .expect(400);
    expect(refused.body.details.problems).toEqual([
      expect.objectContaining({ field: 'delayReasons', rule: 'requiredWhenLate' }),
    ]);
    expect(await reports()).toBe(before);
    await t.http
      .post(`/v1/incidents/${incidentId}/reports`)
      .set(...responder)
      .send({ regulator: 'nobody', phase: 'initial' })
      .expect(400);
    const report = (
      await generatedReport(t, responder, incidentId, {
        regulator: 'ico',
        phase: 'initial',
        delayReasons: 'Forensics confirmed the scope only today.',
      })
    ).body;
    expect(report.late).toBe(true);
    await t.http
      .post(`/v1/reports/${report.id}/submitted`)
      .set(...responder)
      .send({ at: '2026-11-07T13:00:00Z', reference: 'x' })
      .expect(409);
    await t.http
      .post(`/v1/reports/${report.id}/approve`)
      .set(...responder)
      .expect(403);
    // Nor another key of the author's holder (the support keys are held by `<role>@e2e.test`).
    const same = await t.http
      .post('/v1/api-keys')
      .set(...bearer(t.keys.admin))
      .send({ name: 'the responder, approving', role: 'approver', holder: 'responder@e2e.test' })
      .expect(201);
    const sameHolder = await t.http
      .post(`/v1/reports/${report.id}/approve`)
      .set(...bearer(same.body.key as string))
      .expect(403);
    expect(sameHolder.body.message).toContain("this key and the author's have the same holder");
    await t.http
      .post(`/v1/reports/${report.id}/approve`)
      .set(...approver)
      .expect(200);
    const filed = await t.http
      .post(`/v1/reports/${report.id}/submitted`)
      .set(...responder)
      .send({ at: '2026-11-07T13:00:00Z', reference: 'ICO-2026-123' })
      .expect(200);
    expect(filed.body).toMatchObject({ status: 'submitted', submittedReference: 'ICO-2026-123' });
    const ico = find(await obligations(), 'ico', 'regulator', 'initial');
    expect(ico).toMatchObject({ state: 'met', late: true, metBy: { kind: 'report', id: report.id } });
  });

  it('shows a report as HTML with its chart, and as a PDF whose text holds the fields', async () => {
    const [report] = (
      await t.http
        .get(`/v1/incidents/${incidentId}/reports`)
        .set(...responder)
        .expect(200)
    ).body.items.filter((r: { regulatorId: string }) => r.regulatorId === 'ico');
    const html = await t.http
      .get(`/v1/reports/${report.id}.html`)
      .set(...responder)
      .expect(200);
    expect(html.headers['content-type']).toMatch(/text\/html/);
    expect(html.text).toContain('<svg');
    expect(html.text).toContain('INC-');
    expect(html.headers['x-content-sha256']).toBe(report.sha256);
    const pdf = await t.http
      .get(`/v1/reports/${report.id}`)
      .set(...responder)
      .set('Accept', 'application/pdf')
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(pdf.headers['content-type']).toBe('application/pdf');
    const text = pdfToText(pdf.body as Buffer);
    expect(text).toContain(report.content.incident.reference);
    expect(text).toContain('The police cybercrime unit.');
    expect(text).toMatch(/[Nn]o public notice/);
  });

  it('recomputes when the facts change, and a follow-up report shows what changed', async () => {
    at('2026-11-08T09:00:00Z');
    await updateIncident({ measuresTaken: 'Bucket made private; all sessions revoked; passwords reset.' });
    const followUp = (
      await generatedReport(t, responder, incidentId, { regulator: 'ico', phase: 'follow-up' })
    ).body;
    const changes = followUp.content.changes as { key: string; before: unknown; after: unknown }[];
    const measures = changes.find((c) => String(c.after).includes('sessions revoked'));
    expect(measures?.before).toContain('access keys rotated');
    // Risk goes down: the GDPR individuals obligations stop applying, on the timeline with the rule version.
    await updateIncident({ riskLevel: 'medium' });
    const list = await obligations();
    const individuals = list.filter((o) => o.key.startsWith('EU-GDPR/') && o.audience === 'individuals');
    expect(individuals.every((o) => !o.applicable && o.state === 'not_applicable')).toBe(true);
    const changed = (await timeline('obligation.changed')).filter((e) =>
      String(e.details.key).startsWith('EU-GDPR/'),
    );
    expect(
      changed.some((e) => (e.details.fields as string[]).includes('applicable') && e.details.ruleVersion),
    ).toBe(true);
  });

  it('exempts encrypted data and low risk, and says why', async () => {
    at('2026-11-09T09:00:00Z');
    const other = await scopedIncident(
      t,
      t.keys.responder,
      { jurisdictions: ['DE', 'GB', 'US-CA', 'MX'] },
      {
        discoveredAt: '2026-11-09T08:00:00Z',
        occurredFrom: '2026-11-08T08:00:00Z',
        occurredTo: '2026-11-08T09:00:00Z',
        containedAt: '2026-11-09T08:30:00Z',
        dataCategories: ['account_credentials'],
        encrypted: true,
        riskLevel: 'low',
      },
      60_000,
    );
    const list = await obligations(other);
    expect(find(list, 'de-be-blnbdi')).toMatchObject({ applicable: false, state: 'not_applicable' });
    expect(find(list, 'de-be-blnbdi').reason).toContain('low');
    const eu = list.find((o) => o.key.startsWith('EU-GDPR/') && o.audience === 'individuals')!;
    expect(eu.applicable).toBe(false);
    const ca = list.find((o) => o.key.startsWith('US-CA/') && o.audience === 'individuals')!;
    expect(ca).toMatchObject({ applicable: false });
    expect(ca.reason).toMatch(/encrypt/);
  });
});
