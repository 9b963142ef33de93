import { plainToInstance } from 'class-transformer';
import type { AppError } from '../../src/common/errors.js';
import { UpdateIncidentDto } from '../../src/incidents/incidents.dto.js';
import { IncidentsService } from '../../src/incidents/incidents.service.js';
import { CampaignsService } from '../../src/notifications/campaigns.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// An SMS carries the core of the notice (SMS_NOTICE, the stricter reading of GDPR Art. 34(2) and the
// privacy policy's section III): the incident's words go in it. One SMS carries at
// most 1,600 characters: a campaign whose SMS would be longer is refused at the draft and the approval,
// and one whose incident grew past it since pauses before anything goes.

/** Words that take an English SMS past 1,600 characters. */
const LONG = 'The bucket held uploaded photos and the generated images made from them. '.repeat(24);

describe('the SMS as the notice (medium: real repositories, scripted providers)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  const campaigns = () => m.get(CampaignsService);
  const setWords = async (incidentId: string, words: Record<string, string>) => {
    const incidents = m.get(IncidentsService);
    const { version } = await incidents.get(incidentId);
    await incidents.update(m.responder, incidentId, version, plainToInstance(UpdateIncidentDto, words));
  };
  const sentTo = (phone: string) => m.sms.calls.filter((c) => c.to === phone).map((c) => c.body);

  it("sends the notice's sections in the SMS, in the reader's language, and counts it as the notice", async () => {
    const system = `sms-notice-${Date.now()}`;
    const phone = '+4915112345601';
    await m.newPeople(system, [{ externalId: `${system}-de`, phone, jurisdiction: 'DE', locale: 'de' }]);
    const incidentId = await m.newIncident(system, {
      translations: { de: { description: 'Ein falsch eingestellter Speicher war öffentlich.' } },
    });
    const campaignId = await m.newCampaign(incidentId, { channels: ['sms'] });
    await m.drain();

    const [body] = sentTo(phone);
    expect(body).toMatch(/^Ai Art: Ein Sicherheitsvorfall|: Ein Sicherheitsvorfall betraf/);
    for (const said of [
      'Was ist passiert: Ein falsch eingestellter Speicher war öffentlich.',
      'Was das für Sie bedeuten kann: Phishing using the exposed e-mail addresses.',
      'Was wir unternehmen: Bucket made private; access keys rotated.',
      'Was Sie tun können: Be wary of e-mails asking for your password.',
      'Was wir Ihnen anbieten: A support line and a year of identity monitoring.',
    ]) {
      expect([said, body.includes(said)]).toEqual([said, true]);
    }
    // The dates and where to complain are on the page behind the link, as in the email.
    expect(body).not.toContain('beschweren');
    const [delivery] = await m.query<{ status: string }>(
      'select status from deliveries where campaign_id = $1',
      [campaignId],
    );
    expect(delivery.status).toBe('notified');
    // The kept copy says nobody's data, and filled for a reader gives what such a reader is sent.
    const preview = await campaigns().preview(campaignId, {
      locale: 'de',
      jurisdiction: 'DE',
      channel: 'sms',
    });
    expect(preview.sms?.body).toContain(
      'Was ist passiert: Ein falsch eingestellter Speicher war öffentlich.',
    );
    expect(preview.sms?.body).not.toContain('%');
  });

  it('refuses a draft, and an approval, whose SMS would be longer than one SMS carries', async () => {
    const system = `sms-long-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-gb`, phone: '+447911123401' },
      { externalId: `${system}-jp`, phone: '+819012345601', jurisdiction: 'JP', locale: 'ja' },
    ]);
    const incidentId = await m.newIncident(system, { description: LONG });
    const draft = (channels: Array<'email' | 'sms'>) =>
      campaigns().create(m.responder, incidentId, {
        template: 'breach-notice',
        channels,
        mode: 'escalate',
        includeGuardians: false,
      });
    const refused = (await draft(['email', 'sms']).catch((e: unknown) => e)) as AppError;
    expect(refused).toMatchObject({ status: 409, details: { locales: ['en', 'ja'], limit: 1600 } });
    expect(refused.message).toMatch(/shorten the incident's words/);
    expect(JSON.stringify(refused.details)).not.toContain('+44');

    // Without SMS the words may be as long as they are; and a draft made while they were short is
    // refused at its approval once they are not.
    const email = await draft(['email']);
    expect(email.status).toBe('draft');
    await campaigns().cancel(m.responder, email.id);
    await setWords(incidentId, { description: 'A bucket was public.' });
    const drafted = await draft(['sms']);
    await setWords(incidentId, { description: LONG });
    await expect(campaigns().approve(m.approver, drafted.id)).rejects.toMatchObject({ status: 409 });
  });

  it('pauses a campaign whose words grew past one SMS after its approval; shortened and resumed, it sends', async () => {
    const system = `sms-grew-${Date.now()}`;
    const phone = '+447911123402';
    await m.newPeople(system, [{ externalId: `${system}-gb`, phone }]);
    const incidentId = await m.newIncident(system);
    const campaignId = await m.newCampaign(incidentId, { channels: ['sms'] });
    await setWords(incidentId, { likelyConsequences: LONG });
    await m.drain();

    expect((await campaigns().view(campaignId)).status).toBe('paused');
    expect(sentTo(phone)).toEqual([]);
    const paused = await m.query<{ details: Record<string, unknown> }>(
      "select details from incident_events where kind = 'campaign.paused' and details->>'campaignId' = $1",
      [campaignId],
    );
    expect(paused.map((p) => [p.details.reason, p.details.locale])).toEqual([['sms_too_long', 'en']]);
    expect(Number(paused[0].details.characters)).toBeGreaterThan(1600);

    await setWords(incidentId, { likelyConsequences: 'Phishing.' });
    await campaigns().resume(m.responder, campaignId);
    await m.drain();
    expect(sentTo(phone)).toHaveLength(1);
    expect(sentTo(phone)[0]).toContain('What this may mean for you: Phishing.');
    expect((await campaigns().view(campaignId)).status).toBe('completed');
  });
});
