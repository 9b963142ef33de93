import { DeliveryEventsService } from '../src/notifications/delivery-events.service.js';
import { GuardianHashes } from '../src/subjects/guardian-hashes.js';
import {
  bearer,
  completedCampaign,
  eventually,
  publishedNotice,
  scopedIncident,
  startApp,
  TestApp,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

// "Was I affected?" on a published Security Notice, for each kind of address the directory holds: a
// person's own (their notice again), a guardian's (their notice about each child), a person outside the
// affected set (a short note: not involved), a person of an incident whose notices have not gone out
// (a short note: involved, the public notice's address), and an address the directory does not hold
// (nothing). The page answers the same to all.

const REDIS_DB = 13;

const PEOPLE = [
  {
    externalId: 'lk-ann',
    name: 'Ann Lookup',
    email: 'ann.lookup@example.com',
    phone: '+14155550170',
    locale: 'en-US',
    jurisdiction: 'US-CA',
  },
  {
    externalId: 'lk-kid',
    name: 'Kit Lookup',
    locale: 'en-US',
    jurisdiction: 'DE',
    birthDate: '2016-04-05',
    guardian: {
      name: 'Gwen Guardian',
      email: 'gwen.guardian@example.com',
      phone: '+14155550171',
      locale: 'en-US',
    },
  },
  {
    externalId: 'lk-kid2',
    name: 'Kai Lookup',
    locale: 'en-US',
    jurisdiction: 'DE',
    birthDate: '2018-01-02',
    guardian: { name: 'Gwen Guardian', email: 'gwen.guardian@example.com', locale: 'en-US' },
  },
  {
    externalId: 'lk-bob',
    name: 'Bob Outside',
    email: 'bob.outside@example.com',
    locale: 'de-DE',
    jurisdiction: 'DE',
  },
].map((p) => ({ ...p, dataCategories: ['camera_data'], channelPreferences: ['email'] }));

type OutboxItem = { content: { to: string; subject?: string; text?: string; body?: string } };

describe('"Was I affected?": what each kind of address receives', () => {
  let t: TestApp;
  let slug: string;
  let laterSlug: string;

  const outbox = async (channel: 'email' | 'sms') =>
    (
      await t.http
        .get(`/v1/outbox?channel=${channel}&limit=500`)
        .set(...bearer(t.keys.admin))
        .expect(200)
    ).body.items as OutboxItem[];
  /** What arrives after `act`, on `channel`, once `count` new messages are there. */
  const arrivals = async (channel: 'email' | 'sms', count: number, act: () => Promise<unknown>) => {
    const before = (await outbox(channel)).length;
    await act();
    return eventually(async () => {
      const now = await outbox(channel);
      return now.length >= before + count ? now.slice(0, now.length - before) : undefined;
    });
  };
  const ask = (at: string, contact: string) =>
    t.http.post(`/security-notices/${at}/lookup`).type('form').send({ contact, lang: 'en' }).expect(200);
  const publish = (incidentId: string) => publishedNotice(t, incidentId);
  jest.setTimeout(120_000);

  beforeAll(async () => {
    t = await startApp(
      {
        DATABASE_URL: await createScratchDatabase('lookup'),
        ORGANIZATION_NAME: 'Ai Art',
        PUBLIC_BASE_URL: 'https://notice.example.org',
      },
      REDIS_DB,
    );
    await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(t.keys.responder))
      .send({ subjects: PEOPLE })
      .expect(200);
    // Bob is outside the set; Kai (Gwen's second child) too.
    const incidentId = await scopedIncident(t, t.keys.responder, { externalIds: ['lk-ann', 'lk-kid'] });
    await completedCampaign(t, incidentId, { channels: ['email'], mode: 'escalate', includeGuardians: true });
    slug = await publish(incidentId);
    // A second incident with Ann in its set and no campaign yet.
    laterSlug = await publish(await scopedIncident(t, t.keys.responder, { externalIds: ['lk-ann'] }));
  });
  afterAll(() => t.close());

  it("sends a guardian their notice about the child, by the guardian's own address", async () => {
    const got = await arrivals('email', 1, () => ask(slug, ' Gwen.Guardian@example.com'));
    expect(got.map((m) => m.content.to)).toEqual(['gwen.guardian@example.com']);
    expect(got[0].content.text).toContain('Gwen Guardian');
    expect(got[0].content.text).toContain('Kit Lookup');
    expect(got[0].content.text).not.toContain('Kai Lookup');
    expect(got[0].content.text).toMatch(/https:\/\/notice\.example\.org\/n\/[A-Za-z0-9_-]{22}/);
  });

  it('a re-sent notice that bounces after the campaign completed leaves the person notified, and sends nothing more', async () => {
    const [resent] = await t.query<{ id: number; campaign_id: string; delivery_id: number }>(
      `select m.id::int, m.campaign_id, m.delivery_id::int from messages m
       join deliveries d on d.id = m.delivery_id
       where d.recipient = 'guardian' and m.channel = 'email' and m.status = 'sent' order by m.id desc limit 1`,
    );
    const [{ n: before }] = await t.query<{ n: number }>('select count(*)::int as n from messages');
    await t.app
      .get(DeliveryEventsService)
      .applyEvents([
        { messageId: resent.id, campaignId: resent.campaign_id, kind: 'failed', code: 'bounce' },
      ]);
    const [message] = await t.query('select status, error from messages where id = $1', [resent.id]);
    expect(message).toEqual({ status: 'failed', error: 'bounce' });
    // The first notice reached the guardian: the delivery stays notified, nothing falls back, the
    // campaign stays completed.
    const [delivery] = await t.query<{ status: string; notified: boolean }>(
      'select status, notified_at is not null as notified from deliveries where id = $1',
      [resent.delivery_id],
    );
    expect(delivery).toEqual({ status: 'notified', notified: true });
    const [{ n: after }] = await t.query<{ n: number }>('select count(*)::int as n from messages');
    expect(after).toBe(before);
    const campaign = await t.http
      .get(`/v1/campaigns/${resent.campaign_id}`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    expect(campaign.body.status).toBe('completed');
  });

  it('sends a guardian by number their notice about the child as an SMS', async () => {
    const got = await arrivals('sms', 1, () => ask(slug, '+1 415 555 0171'));
    expect(got.map((m) => m.content.to)).toEqual(['+14155550171']);
    expect(got[0].content.body).toMatch(/https:\/\/notice\.example\.org\/n\/[A-Za-z0-9_-]{22}/);
  });

  it('tells a person of the directory outside the affected set that their data was not involved', async () => {
    const got = await arrivals('email', 1, () => ask(slug, 'bob.outside@example.com'));
    expect(got.map((m) => m.content.to)).toEqual(['bob.outside@example.com']);
    // In Bob's language (German), with no notice link.
    expect(got[0].content.subject).toBe(
      'Ai Art: Ihre Daten waren von dem Sicherheitsvorfall nicht betroffen',
    );
    expect(got[0].content.text).toContain('nicht betroffen');
    expect(got[0].content.text).not.toContain('/n/');
  });

  it('tells an affected person whose notice has not gone out that it was, with the public notice', async () => {
    const got = await arrivals('email', 1, () => ask(laterSlug, 'ann.lookup@example.com'));
    expect(got.map((m) => m.content.to)).toEqual(['ann.lookup@example.com']);
    expect(got[0].content.subject).toBe('Ai Art: your data was involved in the security incident');
    expect(got[0].content.text).toContain(`https://notice.example.org/security-notices/${laterSlug}`);
  });

  it('sends nothing to an address the directory does not hold, and answers every one alike', async () => {
    const emails = (await outbox('email')).length;
    let stranger: { text: string } | undefined;
    // Ann by number (her notice again, as an SMS; each address is answered once a minute) and a stranger.
    const got = await arrivals('sms', 1, async () => {
      stranger = await ask(slug, 'nobody.here@example.com');
      const known = await ask(slug, '+14155550170');
      expect(stranger.text).toBe(known.text);
    });
    expect(stranger!.text).not.toMatch(/nobody\.here|4155550170/i);
    expect(got.map((m) => m.content.to)).toEqual(['+14155550170']);
    // The stranger's job ran too (jobs run in order); nothing went to any email address.
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await outbox('email')).length).toBe(emails);
  });

  it('fills the guardian hashes of people imported before they existed, so the lookup finds them', async () => {
    await t.query(
      "update subjects set guardian_email_hash = null, guardian_phone_hash = null where external_id like 'lk-kid%'",
    );
    const filled = await t.app.get(GuardianHashes).backfill();
    expect(filled).toBe(2);
    const rows = await t.query<{ email: boolean; phone: boolean }>(
      `select guardian_email_hash is not null as email, guardian_phone_hash is not null as phone
       from subjects where external_id like 'lk-kid%' order by external_id`,
    );
    expect(rows).toEqual([
      { email: true, phone: true },
      { email: true, phone: false },
    ]);
    expect(await t.app.get(GuardianHashes).backfill()).toBe(0);
  });
});
