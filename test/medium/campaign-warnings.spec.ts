import { plainToInstance } from 'class-transformer';
import { Clock } from '../../src/common/clock.js';
import type { AppError } from '../../src/common/errors.js';
import { ObligationsService } from '../../src/jurisdictions/obligations.service.js';
import { CampaignsService } from '../../src/notifications/campaigns.service.js';
import { DeliveryEventsService } from '../../src/notifications/delivery-events.service.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { ScopeCriteriaDto } from '../../src/scoping/scoping.dto.js';
import { ScopingService } from '../../src/scoping/scoping.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A campaign's language-mixing warnings read its readers' languages by a join of the whole affected set
// (1.3-2.8 s at a million people): a draft's view and previews reuse them while the set is the same, for
// a minute at most. Whatever changes the set shows in the next view; the approval always reads afresh.

/** The system's time, moved on when a case says: how long the readers are kept is measured by it. */
class MovableClock extends Clock {
  offsetMs = 0;
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

describe('campaign warnings between views of a draft (medium: real repositories, scripted queue)', () => {
  const clock = new MovableClock();
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext({}, clock);
  });
  afterAll(() => m.close());

  const campaigns = () => m.get(CampaignsService);
  const draft = async (incidentId: string) =>
    campaigns().create(m.responder, incidentId, {
      template: 'breach-notice',
      channels: ['email'],
      mode: 'escalate',
      includeGuardians: false,
    });
  /** The locales a warning names (the responders' words are in English only). */
  const locales = (warnings: Array<{ locales: string[] }> | undefined) =>
    (warnings ?? []).flatMap((w) => w.locales);
  const viewed = async (campaignId: string) => locales((await campaigns().view(campaignId)).warnings);
  const previewed = async (campaignId: string) =>
    locales((await campaigns().preview(campaignId, {})).warnings);

  it('a new scope adding a Japanese reader shows the ja warning in the next view and preview', async () => {
    const system = `warn-scope-${Date.now()}`;
    await m.newPeople(system, [{ externalId: `${system}-gb`, email: 'warn-gb@example.com' }]);
    const incidentId = await m.newIncident(system);
    const drafted = await draft(incidentId);
    expect(drafted.warnings).toEqual([]);
    expect(await viewed(drafted.id)).toEqual([]);
    expect(await previewed(drafted.id)).toEqual([]);

    await m.newPeople(system, [
      { externalId: `${system}-jp`, email: 'warn-jp@example.com', jurisdiction: 'JP', locale: 'ja' },
    ]);
    await m
      .get(ScopingService)
      .freeze(m.responder, incidentId, plainToInstance(ScopeCriteriaDto, { systems: [system] }));
    await m.queue.run(JobName.ScopeFreeze);
    expect(await viewed(drafted.id)).toEqual(['ja']);
    expect(await previewed(drafted.id)).toEqual(['ja']);
  });

  it('a notice that bounces after it left makes its reader one again in the next view', async () => {
    const system = `warn-bounce-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-gb`, email: 'warn-bounce-gb@example.com' },
      { externalId: `${system}-jp`, email: 'warn-bounce-jp@example.com', jurisdiction: 'JP', locale: 'ja' },
    ]);
    const incidentId = await m.newIncident(system);
    const first = await m.newCampaign(incidentId, {});
    await m.queue.run();
    // Everyone notified: a second campaign would reach nobody, and warns of nothing.
    const second = await draft(incidentId);
    expect(second.warnings).toEqual([]);
    expect(await viewed(second.id)).toEqual([]);

    const [jp] = await m.query<{ id: string }>(
      `select m.id from messages m join deliveries d on d.id = m.delivery_id join subjects s on s.id = d.subject_id
        where m.campaign_id = $1 and s.external_id = $2`,
      [first, `${system}-jp`],
    );
    await m
      .get(DeliveryEventsService)
      .applyEvents([{ messageId: Number(jp.id), campaignId: first, kind: 'failed', code: 'bounce' }]);
    const [after] = await m.query<{ notified_at: Date | null }>(
      `select a.notified_at from affected_subjects a join subjects s on s.id = a.subject_id
        where a.incident_id = $1 and s.external_id = $2`,
      [incidentId, `${system}-jp`],
    );
    expect(after.notified_at).toBeNull();
    expect(await viewed(second.id)).toEqual(['ja']);
  });

  it("reads a guardian with no language of their own in the child's, as the planner sends them", async () => {
    const system = `warn-guardian-${Date.now()}`;
    await m.newPeople(system, [
      {
        externalId: `${system}-minor`,
        locale: 'ja',
        birthDate: '2016-05-01',
        guardian: { email: 'warn-guardian-parent@example.com' },
      },
    ]);
    const incidentId = await m.newIncident(system); // the responders' words in English only
    const drafted = await campaigns().create(m.responder, incidentId, {
      template: 'breach-notice',
      channels: ['email'],
      mode: 'escalate',
      includeGuardians: true,
    });
    expect(drafted.warnings).toEqual([
      expect.objectContaining({
        locales: ['ja'],
        fields: expect.arrayContaining(['guardianWords.description', 'guardianWords.remedies']),
      }),
    ]);
    // What the plan then says: the guardian's notice, in Japanese.
    await campaigns().approve(m.approver, drafted.id);
    await m.queue.run(JobName.CampaignPlan);
    const deliveries = await m.query('select recipient, locale from deliveries where campaign_id = $1', [
      drafted.id,
    ]);
    expect(deliveries).toEqual([{ recipient: 'guardian', locale: 'ja' }]);
  });

  it("keeps a directory edit of a reader's language out of views for a minute, never out of the approval", async () => {
    const system = `warn-kept-${Date.now()}`;
    const reader = (locale: string) => ({
      externalId: `${system}-fr`,
      email: 'warn-kept-fr@example.com',
      jurisdiction: 'FR',
      locale,
    });
    await m.newPeople(system, [
      { externalId: `${system}-gb`, email: 'warn-kept-gb@example.com' },
      reader('fr'),
    ]);
    const incidentId = await m.newIncident(system);
    const drafted = await draft(incidentId);
    expect(locales(drafted.warnings)).toEqual(['fr']);

    await m.newPeople(system, [reader('ja')]);
    expect(await viewed(drafted.id)).toEqual(['fr']);
    clock.offsetMs += 61_000;
    expect(await viewed(drafted.id)).toEqual(['ja']);

    await m.newPeople(system, [reader('fr')]);
    expect(await viewed(drafted.id)).toEqual(['ja']);
    const approved = await campaigns().approve(m.approver, drafted.id);
    expect(locales(approved.warnings)).toEqual(['fr']);
  });

  it('refuses a draft, and an approval, whose Chinese notices would leave out the cause (PIPL Art. 57)', async () => {
    const system = `warn-cause-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-gb`, email: 'cause-gb@example.com' },
      { externalId: `${system}-cn`, email: 'cause-cn@example.com', jurisdiction: 'CN', locale: 'zh-Hans' },
    ]);
    const refusal = (err: unknown) => {
      const e = err as AppError;
      return { status: e.status, details: e.details, message: e.message };
    };
    const without = await m.newIncident(system, { cause: null });
    const refused = await draft(without).then(() => undefined, refusal);
    expect(refused).toMatchObject({ status: 409, details: { missing: ['cause'], jurisdictions: ['CN'] } });
    expect(refused!.message).toContain("must say the incident's cause");

    // With the cause the draft goes; cleared before the approval, the approval is refused too.
    const withCause = await m.newIncident(`${system}-b`, { cause: 'A storage bucket left public.' });
    await m.newPeople(`${system}-b`, [
      {
        externalId: `${system}-b-cn`,
        email: 'cause-cn-b@example.com',
        jurisdiction: 'CN',
        locale: 'zh-Hans',
      },
    ]);
    await m
      .get(ScopingService)
      .freeze(m.responder, withCause, plainToInstance(ScopeCriteriaDto, { systems: [`${system}-b`] }));
    await m.queue.run(JobName.ScopeFreeze);
    const drafted = await draft(withCause);
    await m.updateIncident(withCause, { cause: '' });
    const notApproved = await campaigns()
      .approve(m.approver, drafted.id)
      .then(() => undefined, refusal);
    expect(notApproved).toMatchObject({
      status: 409,
      details: { missing: ['cause'], jurisdictions: ['CN'] },
    });
    expect((await campaigns().view(drafted.id)).status).toBe('draft');
  });

  it('refuses a draft whose Canadian notices could not say when the breach happened (SOR/2018-64 s 3(b))', async () => {
    const system = `warn-date-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-ca`, email: 'date-ca@example.com', jurisdiction: 'CA-ON', locale: 'en-CA' },
      { externalId: `${system}-qc`, email: 'date-qc@example.com', jurisdiction: 'CA-QC', locale: 'fr-CA' },
    ]);
    const refused = await draft(
      await m.newIncident(system, { occurredFrom: undefined, occurredTo: undefined }),
    ).then(
      () => undefined,
      (err: AppError) => ({ status: err.status, details: err.details }),
    );
    expect(refused).toEqual({
      status: 409,
      details: { missing: ['occurredFrom'], jurisdictions: ['CA-ON', 'CA-QC'] },
    });
    // An approximate start is enough (the Regulations accept the approximate period).
    const dated = await m.newIncident(`${system}-b`, {
      occurredFrom: '2026-10-01T00:00:00Z',
      occurredTo: undefined,
    });
    await m.newPeople(`${system}-b`, [
      { externalId: `${system}-b-ca`, email: 'date-ca-b@example.com', jurisdiction: 'CA-ON' },
    ]);
    await m
      .get(ScopingService)
      .freeze(m.responder, dated, plainToInstance(ScopeCriteriaDto, { systems: [`${system}-b`] }));
    await m.queue.run(JobName.ScopeFreeze);
    expect((await draft(dated)).status).toBe('draft');
  });
  it("refuses a Brazilian campaign drafted after the individuals' due date without the reasons for the delay (LGPD Art. 48 §1 V)", async () => {
    const system = `warn-late-${Date.now()}`;
    const brazilian = (id: string) => ({
      externalId: id,
      email: `${id}@example.com`,
      jurisdiction: 'BR',
      locale: 'pt-BR',
    });
    const refusal = (err: unknown) => {
      const e = err as AppError;
      return { status: e.status, details: e.details, message: e.message };
    };
    const incidentOn = async (
      suffix: string,
      discoveredAt: Date,
      overrides: Record<string, unknown> = {},
    ) => {
      await m.newPeople(`${system}-${suffix}`, [brazilian(`${system}-${suffix}-br`)]);
      const id = await m.newIncident(`${system}-${suffix}`, {
        noticeDelayReasons: null,
        occurredFrom: new Date(discoveredAt.getTime() - 86_400_000).toISOString(),
        occurredTo: undefined,
        containedAt: undefined,
        discoveredAt: discoveredAt.toISOString(),
        riskLevel: 'high',
        ...overrides,
      });
      await m.get(ObligationsService).recompute(id);
      return id;
    };
    const now = clock.now().getTime();

    // Discovered ten days ago: 3 business days (Resolution CD/ANPD 15/2024) are past.
    const late = await incidentOn('late', new Date(now - 10 * 86_400_000));
    const owed = (await m.get(ObligationsService).stored(late)).find((o) => o.key === 'BR/anpd/individuals');
    expect(owed).toMatchObject({ applicable: true });
    expect(owed!.dueAt!.getTime()).toBeLessThan(now);
    const refused = await draft(late).then(() => undefined, refusal);
    expect(refused).toMatchObject({
      status: 409,
      details: { missing: ['noticeDelayReasons'], jurisdictions: ['BR'] },
    });
    expect(refused!.message).toContain("after the individuals' due date");

    // Before the obligations were first computed (the deadline watch computes them within a minute of a
    // freeze): judged by the rule's own due date, as if it applied.
    await m.newPeople(`${system}-fresh`, [brazilian(`${system}-fresh-br`)]);
    const uncomputed = await m.newIncident(`${system}-fresh`, {
      noticeDelayReasons: null,
      discoveredAt: new Date(now - 10 * 86_400_000).toISOString(),
      occurredFrom: new Date(now - 11 * 86_400_000).toISOString(),
      occurredTo: undefined,
      containedAt: undefined,
      riskLevel: 'high',
    });
    expect(await m.get(ObligationsService).stored(uncomputed)).toEqual([]);
    expect(await draft(uncomputed).then(() => undefined, refusal)).toMatchObject({
      status: 409,
      details: { missing: ['noticeDelayReasons'], jurisdictions: ['BR'] },
    });

    // With the reasons, it goes.
    const explained = await incidentOn('explained', new Date(now - 10 * 86_400_000), {
      noticeDelayReasons: 'The forensic analysis took nine days.',
    });
    expect((await draft(explained)).status).toBe('draft');

    // Approved on time and still sending after the due date: its batches then stop for the reasons.
    const sending = await incidentOn('sending', new Date(now - 3_600_000));
    const approvedOnTime = await draft(sending);
    await campaigns().approve(m.approver, approvedOnTime.id);
    await m.queue.run(JobName.CampaignPlan);
    clock.offsetMs += 8 * 86_400_000;
    try {
      await m.drain();
    } finally {
      clock.offsetMs -= 8 * 86_400_000;
    }
    expect((await campaigns().view(approvedOnTime.id)).status).toBe('paused');
    const paused = await m.query<{ details: Record<string, unknown> }>(
      "select details from incident_events where kind = 'campaign.paused' and details->>'campaignId' = $1",
      [approvedOnTime.id],
    );
    expect(paused.map((p) => [p.details.reason, p.details.missing])).toEqual([
      ['incident_missing_facts', ['noticeDelayReasons']],
    ]);

    // Discovered an hour ago: on time, nothing to explain; drafted on time and approved late, refused then.
    const onTime = await incidentOn('on-time', new Date(now - 3_600_000));
    const drafted = await draft(onTime);
    expect(drafted.status).toBe('draft');
    clock.offsetMs += 8 * 86_400_000;
    try {
      const notApproved = await campaigns()
        .approve(m.approver, drafted.id)
        .then(() => undefined, refusal);
      expect(notApproved).toMatchObject({
        status: 409,
        details: { missing: ['noticeDelayReasons'], jurisdictions: ['BR'] },
      });
    } finally {
      clock.offsetMs -= 8 * 86_400_000;
    }
  });
});
