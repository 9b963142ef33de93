import { CampaignsService } from '../../src/notifications/campaigns.service.js';
import { DeliveryEventsService } from '../../src/notifications/delivery-events.service.js';
import { ReportsRepository } from '../../src/reports/reports.repository.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { newMediumContext, type MediumContext } from './medium.js';

// An SMS is the notice where it counts as one (SMS_NOTICE, the stricter reading of GDPR Art. 34(2) and
// the privacy policy's section III): everything the email says goes in it, after its lead. One SMS
// carries at most 1,600 characters: where a reader's notice is longer, the campaign warns, their SMS
// carries its lead alone and counts as informing only; a campaign whose words grew past it since its plan
// pauses before anything goes.

/** Words that take an English SMS past 1,600 characters. */
const LONG = 'The bucket held uploaded photos and the generated images made from them. '.repeat(24);

describe('the SMS as the notice (medium: real repositories, scripted providers)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  const campaigns = () => m.get(CampaignsService);
  const setWords = (incidentId: string, words: Record<string, string>) => m.updateIncident(incidentId, words);
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
    // Where to complain too, as the email says it.
    expect(body).toContain('beschweren');
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

  it('warns where the notice does not fit one SMS, sends its lead alone there and counts it as informing only', async () => {
    const system = `sms-long-${Date.now()}`;
    const [gbPhone, jpPhone] = ['+447911123403', '+819012345601'];
    await m.newPeople(system, [
      { externalId: `${system}-gb`, phone: gbPhone },
      { externalId: `${system}-jp`, phone: jpPhone, jurisdiction: 'JP', locale: 'ja' },
      { externalId: `${system}-both`, email: 'sms-long-both@example.com', phone: '+447911123404' },
    ]);
    const incidentId = await m.newIncident(system, { description: LONG });
    const drafted = await campaigns().create(m.responder, incidentId, {
      template: 'breach-notice',
      channels: ['sms', 'email'],
      mode: 'escalate',
      includeGuardians: false,
    });
    const warning = drafted.warnings?.find((w) => w.code === 'smsLeadOnly');
    expect(warning).toMatchObject({ locales: ['en', 'ja'], jurisdictions: ['GB', 'JP'] });
    expect(warning?.message).not.toContain('+44');
    await campaigns().approve(m.approver, drafted.id);
    await m.queue.run(JobName.CampaignPlan);
    await m.drain();

    // The SMS went with its lead alone (the link to the notice), and informs: nobody is notified by it.
    for (const phone of [gbPhone, jpPhone]) {
      const [body, ...more] = sentTo(phone);
      expect(more).toEqual([]);
      expect(body).toContain('/n/');
      expect(body).not.toContain('The bucket held uploaded photos');
    }
    const rows = await m.query<{ external_id: string; status: string; lawful: string[] }>(
      `select s.external_id, d.status, d.lawful from deliveries d join subjects s on s.id = d.subject_id
        where d.campaign_id = $1 order by s.external_id`,
      [drafted.id],
    );
    expect(rows.map((r) => [r.external_id.slice(system.length), r.status, r.lawful])).toEqual([
      ['-both', 'notified', ['email']],
      ['-gb', 'unreachable', ['email']],
      ['-jp', 'unreachable', ['email']],
    ]);
    // The one with an email was notified by it, and sent no SMS.
    expect(sentTo('+447911123404')).toEqual([]);

    // Twilio says the lead-only SMS were delivered: a regulator's report still counts nobody delivered by
    // them (they only pointed to the notice), only the email that was the notice.
    const messages = await m.query<{ id: string; channel: string }>(
      'select id, channel from messages where campaign_id = $1',
      [drafted.id],
    );
    await m.get(DeliveryEventsService).applyEvents(
      messages.map((x) => ({
        messageId: Number(x.id),
        campaignId: drafted.id,
        kind: 'delivered' as const,
        code: 'delivered',
      })),
    );
    const handling = await m.get(ReportsRepository).handling(incidentId, ['GB', 'JP']);
    expect(handling.total).toMatchObject({ planned: 3, sent: 1, delivered: 1, unreachable: 2 });
  });

  it('pauses a campaign whose words grew after its approval; approved again too long for one SMS, it pauses again; shortened and approved, it sends', async () => {
    const system = `sms-grew-${Date.now()}`;
    const phone = '+447911123402';
    await m.newPeople(system, [{ externalId: `${system}-gb`, phone }]);
    const incidentId = await m.newIncident(system);
    const campaignId = await m.newCampaign(incidentId, { channels: ['sms'] });
    const pauses = async () =>
      m.query<{ details: Record<string, unknown> }>(
        "select details from incident_events where kind = 'campaign.paused' and details->>'campaignId' = $1 order by id",
        [campaignId],
      );
    await setWords(incidentId, { likelyConsequences: LONG });
    await m.drain();
    expect((await campaigns().view(campaignId)).status).toBe('paused');
    expect((await pauses()).map((p) => p.details.reason)).toEqual(['incident_changed']);

    // Approved again as they now read: the SMS would be longer than one carries, and nothing leaves.
    await campaigns().approve(m.approver, campaignId);
    await m.drain();
    expect((await campaigns().view(campaignId)).status).toBe('paused');
    expect(sentTo(phone)).toEqual([]);
    const paused = await pauses();
    expect(paused.map((p) => [p.details.reason, p.details.locale])).toEqual([
      ['incident_changed', undefined],
      ['sms_too_long', 'en'],
    ]);
    expect(Number(paused[1].details.characters)).toBeGreaterThan(1600);

    // Shortened: words nobody approved, so approved again before anything leaves.
    await setWords(incidentId, { likelyConsequences: 'Phishing.' });
    await expect(campaigns().resume(m.responder, campaignId)).rejects.toMatchObject({
      details: { reason: 'incident_changed' },
    });
    await campaigns().approve(m.approver, campaignId);
    await m.drain();
    expect(sentTo(phone)).toHaveLength(1);
    expect(sentTo(phone)[0]).toContain('What this may mean for you: Phishing.');
    expect((await campaigns().view(campaignId)).status).toBe('completed');
  });

  it('a campaign approved again is checked for the facts a notice must say: a cause cleared is refused', async () => {
    const system = `sms-cause-${Date.now()}`;
    const phone = '+8613912345601';
    await m.newPeople(system, [{ externalId: `${system}-cn`, phone, jurisdiction: 'CN', locale: 'zh-Hans' }]);
    const incidentId = await m.newIncident(system);
    const campaignId = await m.newCampaign(incidentId, { channels: ['sms'] });
    await setWords(incidentId, { cause: LONG });
    await m.drain();
    expect((await campaigns().view(campaignId)).status).toBe('paused');

    // The cause cleared, not shortened: a Chinese notice must say it, so it is not approved again.
    await setWords(incidentId, { cause: '' });
    await expect(campaigns().approve(m.approver, campaignId)).rejects.toMatchObject({
      details: { missing: ['cause'], jurisdictions: ['CN'] },
    });
    await m.drain();
    expect(sentTo(phone)).toEqual([]);
    expect((await campaigns().view(campaignId)).status).toBe('paused');
  });
});
