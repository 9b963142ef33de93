import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CampaignWarnings } from '../../src/notifications/campaign.warnings.js';
import { CampaignsService } from '../../src/notifications/campaigns.service.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { NoticeRenderer, TEMPLATES_DIR } from '../../src/templates/notice.renderer.js';
import { newMediumContext, type MediumContext, type Person } from './medium.js';

// The planner writes each notice in a locale, for a jurisdiction, to a person or a guardian; the
// campaign's warnings say beforehand which of those notices would mix languages. Both must see the same
// notices: a warning that misses one lets a notice mix languages unannounced, one that names a notice
// nobody reads asks the responders for translations no one needs.

/** A notice as read: its locale, the jurisdiction it is read in, and whether a guardian reads it. */
const key = (n: { locale: string; jurisdiction: string | null; guardian: boolean }) =>
  `${n.locale}|${n.jurisdiction ?? ''}|${n.guardian ? 'guardian' : 'person'}`;
const distinct = (keys: string[]) => [...new Set(keys)].sort();

describe("the planner's notices and the warnings' readers (medium: real repositories, scripted queue)", () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  const child = '2016-05-01';
  const people = (system: string): Person[] => [
    { externalId: `${system}-en`, email: `${system}-en@example.com` },
    // No language: their jurisdiction's (Japan's), and English where it has none of its own.
    {
      externalId: `${system}-none-jp`,
      email: `${system}-none-jp@example.com`,
      locale: null,
      jurisdiction: 'JP',
    },
    { externalId: `${system}-none`, email: `${system}-none@example.com`, locale: null, jurisdiction: null },
    // A jurisdiction whose law fixes another language: French with the reader's English alongside.
    { externalId: `${system}-qc`, email: `${system}-qc@example.com`, locale: 'en-CA', jurisdiction: 'CA-QC' },
    // Languages no template has: their jurisdiction's (German), else English.
    {
      externalId: `${system}-sv-de`,
      email: `${system}-sv-de@example.com`,
      locale: 'sv-SE',
      jurisdiction: 'DE',
    },
    { externalId: `${system}-it-gb`, email: `${system}-it-gb@example.com`, locale: 'it-IT' },
    // A minor reached only through a guardian with a language of their own.
    {
      externalId: `${system}-kid-ja`,
      locale: 'ja',
      birthDate: child,
      guardian: { email: `${system}-g1@example.com`, locale: 'fr' },
    },
    // A minor whose guardian has no language: the guardian reads the child's.
    { externalId: `${system}-kid-ko`, locale: 'ko', birthDate: child, guardian: { phone: '+447911123457' } },
    // A minor with an address of their own and a guardian too, in Germany.
    {
      externalId: `${system}-kid-de`,
      email: `${system}-kid-de@example.com`,
      locale: 'hi',
      jurisdiction: 'DE',
      birthDate: child,
      guardian: { email: `${system}-g3@example.com`, locale: 'es' },
    },
    // A minor with no guardian's contact: reached themselves.
    {
      externalId: `${system}-kid-alone`,
      email: `${system}-kid-alone@example.com`,
      locale: 'pt-BR',
      jurisdiction: 'BR',
      birthDate: child,
    },
  ];

  for (const includeGuardians of [true, false]) {
    it(`name the same notices in a campaign ${includeGuardians ? 'with' : 'without'} guardians`, async () => {
      const system = `readers-${includeGuardians ? 'g' : 'p'}-${Date.now()}`;
      await m.newPeople(system, people(system));
      const incidentId = await m.newIncident(system);
      const campaigns = m.get(CampaignsService);
      const drafted = await campaigns.create(m.responder, incidentId, {
        template: 'breach-notice',
        channels: ['email', 'sms'],
        mode: 'escalate',
        includeGuardians,
      });
      const warned = distinct(
        (await m.get(CampaignWarnings).notices(drafted, incidentId, { fresh: true })).map(key),
      );

      await campaigns.approve(m.approver, drafted.id);
      await m.queue.run(JobName.CampaignPlan);
      const planned = await m.query<{ locale: string; jurisdiction: string | null; guardian: boolean }>(
        `select distinct locale, jurisdiction, recipient = 'guardian' as guardian from deliveries
          where campaign_id = $1`,
        [drafted.id],
      );
      expect(planned.length).toBeGreaterThan(0);
      expect(warned).toEqual(distinct(planned.map(key)));
    });
  }
});

describe("a guardian's version without a language the person's has (medium)", () => {
  let m: MediumContext;
  let root: string;
  beforeAll(async () => {
    // The guardian's version has no Hindi (a translation not done yet): a guardian who reads Hindi gets
    // the guardian's notice in the language it resolves to without it, English in the UK.
    root = mkdtempSync(join(tmpdir(), 'templates-'));
    cpSync(TEMPLATES_DIR, root, { recursive: true });
    rmSync(join(root, 'breach-notice-guardian', 'locales', 'hi.json'));
    m = await newMediumContext({}, undefined, [
      { provide: NoticeRenderer, useValue: new NoticeRenderer(root) },
    ]);
  });
  afterAll(async () => {
    await m.close();
    rmSync(root, { recursive: true, force: true });
  });

  it("the planner and the warnings resolve it with the guardian's version", async () => {
    const system = `readers-hi-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-hi`, email: `${system}-hi@example.com`, locale: 'hi' },
      {
        externalId: `${system}-kid`,
        locale: 'en-GB',
        birthDate: '2016-05-01',
        guardian: { email: `${system}-g@example.com`, locale: 'hi' },
      },
    ]);
    const incidentId = await m.newIncident(system);
    const campaigns = m.get(CampaignsService);
    const drafted = await campaigns.create(m.responder, incidentId, {
      template: 'breach-notice',
      channels: ['email'],
      mode: 'escalate',
      includeGuardians: true,
    });
    const warned = distinct(
      (await m.get(CampaignWarnings).notices(drafted, incidentId, { fresh: true })).map(key),
    );
    await campaigns.approve(m.approver, drafted.id);
    await m.queue.run(JobName.CampaignPlan);
    const planned = await m.query<{ locale: string; jurisdiction: string | null; guardian: boolean }>(
      `select distinct locale, jurisdiction, recipient = 'guardian' as guardian from deliveries where campaign_id = $1`,
      [drafted.id],
    );
    expect(distinct(planned.map(key))).toEqual(['en|GB|guardian', 'hi|GB|person']);
    expect(warned).toEqual(distinct(planned.map(key)));
  });
});
