import { lawfulMethods } from '../src/jurisdictions/rules/notice-methods.js';
import {
  bearer,
  campaignCompleted,
  completedCampaign,
  eventually,
  scopedIncident,
  startApp,
  TestApp,
  validIncident,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';
import { FcmAdapter } from '../src/channels/fcm/fcm.adapter.js';
import { DeliveryEventsService } from '../src/notifications/delivery-events.service.js';
import { NoticeTokens } from '../src/notifications/notice-token.js';
import { SmsFit } from '../src/notifications/sms-fit.js';
import { IncidentsService } from '../src/incidents/incidents.service.js';
import { NoticeRenderer } from '../src/templates/notice.renderer.js';
import { FcmFake } from './fakes/fcm.fake.js';
import { SendGridFake } from './fakes/sendgrid.fake.js';
import { TwilioFake, type SentSms } from './fakes/twilio.fake.js';

// The real SendGrid, Twilio and Firebase SDKs against wire-level fakes on 127.0.0.1, with faults: every
// person ends with the outcome their plan and the providers' answers say; webhooks move deliveries on.

const REDIS_DB = 13;
const PUBLIC_BASE_URL = 'https://notices.example.org';

interface Person {
  externalId: string;
  email?: string;
  phone?: string;
  token?: string;
  /** A minor (every ninth), notified through this guardian address when there is one. */
  minor: boolean;
  guardianEmail?: string;
  jurisdiction: string;
  locale: string;
  prefersSms: boolean;
}

const LOCALES = [
  ['US-CA', 'en-US'],
  ['US-NY', 'en-US'],
  ['US-MA', 'en-US'],
  ['BR', 'pt-BR'],
  ['DE', 'de-DE'],
  ['JP', 'ja-JP'],
  ['FR', 'fr-FR'],
] as const;

function people(count: number): Person[] {
  return Array.from({ length: count }, (_, i) => {
    const [jurisdiction, locale] = LOCALES[i % LOCALES.length];
    const shape = i % 4; // 0: email+sms+push, 1: email+push, 2: sms, 3: email+sms
    return {
      externalId: `f-${i}`,
      jurisdiction,
      locale,
      email: shape !== 2 ? `f${i}@example.com` : undefined,
      phone: shape === 0 || shape === 2 || shape === 3 ? `+1415555${String(2000 + i)}` : undefined,
      token: shape <= 1 ? `fcm-token-${i}` : undefined,
      // Every fifth: across the jurisdictions (every seventh was always Californian, where the lawful
      // email now goes first, so nobody's SMS went before their email).
      prefersSms: i % 5 === 0,
      minor: i % 9 === 8,
      guardianEmail: i % 9 === 8 && i % 2 === 0 ? `guardian${i}@example.com` : undefined,
    };
  });
}

describe('fan-out through the real provider SDKs (fakes at the wire)', () => {
  let t: TestApp;
  let responder: [string, string];
  let approver: [string, string];
  let incidentId: string;
  let campaignId: string;
  const sendgrid = new SendGridFake();
  const twilio = new TwilioFake();
  const fcm = new FcmFake();
  const everyone = people(300);
  // Refused for good by the providers: an email address, a number that sent STOP, a dead token.
  const invalidEmail = everyone[3].email!; // f-3: email + sms -> falls back to SMS
  const invalidOnlyEmail = everyone[5].email!; // f-5: email + push -> no notice channel left
  const stoppedPhone = everyone[6].phone!; // f-6: sms only -> unreachable
  const deadToken = everyone[4].token!; // f-4
  // Registered by another Firebase project: that alert fails, the campaign goes on, the token stays.
  const foreignToken = everyone[9].token!; // f-9: email + push
  jest.setTimeout(120_000);
  /** Jurisdictions whose notice fits one SMS: there an SMS counts as the notice where the law says so. */
  const smsFits = new Set<string>();
  /** The incident's words beyond validIncident's, for every incident whose outcomes follow `smsFits`. */
  const INCIDENT_WORDS = { location: 'Our image storage in the cloud', lawEnforcementDelay: false };
  /** The channels that count as the person's notice (ESIGN_CONSENT=all): SMS only where the notice fits one. */
  const lawfulFor = (p: Person): string[] =>
    lawfulMethods(p.jurisdiction, new Date().toISOString().slice(0, 10), 'all').filter(
      (c) => c !== 'sms' || smsFits.has(p.jurisdiction),
    );

  /**
   * Outcome by the plan: the channels the person's law accepts as the notice first (ESIGN_CONSENT=all:
   * email everywhere here, SMS not in California or New York), then their preference, the next on a
   * permanent refusal; notified only by a lawful channel.
   */
  const expected = (p: Person) => {
    const lawful = lawfulFor(p);
    // A minor with a guardian's address: the guardian's version, by email, and no push to the child.
    if (p.guardianEmail)
      return { status: lawful.includes('email') ? 'notified' : 'unreachable', sent: ['email'] };
    const order = (p.prefersSms ? ['sms', 'email'] : ['email', 'sms'])
      .filter((c) => (c === 'email' ? p.email : p.phone))
      .sort((a, b) => Number(lawful.includes(b)) - Number(lawful.includes(a)));
    const refused = (c: string) =>
      c === 'email' ? [invalidEmail, invalidOnlyEmail].includes(p.email!) : p.phone === stoppedPhone;
    const accepted = order.find((c) => !refused(c));
    return {
      status: accepted && lawful.includes(accepted) ? 'notified' : 'unreachable',
      sent: [
        ...(accepted ? [accepted] : []),
        ...(p.token && p.token !== deadToken && p.token !== foreignToken ? ['push'] : []),
      ].sort(),
    };
  };
  /** Adults notified by email in their own name (for content checks). */
  const adultByEmail = (p: Person) => !p.minor && expected(p).sent.includes('email');

  beforeAll(async () => {
    await Promise.all([sendgrid.start(), twilio.start(), fcm.start()]);
    sendgrid.invalid.add(invalidEmail);
    sendgrid.invalid.add(invalidOnlyEmail);
    twilio.stopped.add(stoppedPhone);
    fcm.unregistered.add(deadToken);
    fcm.otherProject.add(foreignToken);
    // Transient faults on the way: each is retried, none changes an outcome.
    sendgrid.faults.rateLimited = 1;
    sendgrid.faults.retryAfterSeconds = 1;
    twilio.faults.serverErrors = 2;
    twilio.faults.rateLimited = 1;
    twilio.faults.retryAfterSeconds = 1;
    fcm.faults.serverErrors = 1;
    // Connections dropped without an answer, 5xx, answers that do not parse, FCM's 429.
    sendgrid.faults.dropped = 1;
    sendgrid.faults.serverErrors = 1;
    twilio.faults.dropped = 1;
    twilio.faults.malformed = 1;
    fcm.faults.malformed = 1;
    fcm.faults.rateLimited = 1;
    fcm.faults.retryAfterSeconds = 1;
    fcm.faults.dropped = 1;
    t = await startApp(
      {
        DATABASE_URL: await createScratchDatabase('fanout'),
        ESIGN_CONSENT: 'all',
        PUBLIC_BASE_URL,
        ORGANIZATION_NAME: 'Ai Art',
        SENDGRID_API_KEY: sendgrid.apiKey,
        SENDGRID_FROM: 'security@aiart.example',
        SENDGRID_BASE_URL: sendgrid.url,
        SENDGRID_WEBHOOK_PUBLIC_KEY: sendgrid.publicKey,
        TWILIO_ACCOUNT_SID: twilio.accountSid,
        TWILIO_AUTH_TOKEN: twilio.authToken,
        TWILIO_FROM: '+14155550000',
        TWILIO_BASE_URL: twilio.url,
        TWILIO_MAX_PER_SECOND: '500', // segments: about fifty SMS a second
        FCM_PROJECT_ID: fcm.projectId,
        FCM_ACCESS_TOKEN: fcm.accessToken,
        FCM_BASE_URL: fcm.url,
      },
      REDIS_DB,
    );
    responder = bearer(t.keys.responder);
    approver = bearer(t.keys.approver);
    const subjects = everyone.map((p) => ({
      externalId: p.externalId,
      name: `Name ${p.externalId}`,
      jurisdiction: p.jurisdiction,
      locale: p.locale,
      timeZone: 'UTC',
      ...(p.email ? { email: p.email } : {}),
      ...(p.phone ? { phone: p.phone } : {}),
      ...(p.token ? { pushTokens: [{ token: p.token, platform: 'android' }] } : {}),
      birthDate: p.minor ? '2015-06-01' : '1990-06-01',
      ...(p.guardianEmail
        ? { guardian: { name: `Guardian of ${p.externalId}`, email: p.guardianEmail } }
        : {}),
      channelPreferences: p.prefersSms ? ['sms', 'email', 'push'] : ['email', 'sms', 'push'],
      dataCategories: ['camera_data'],
    }));
    const stored = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects })
      .expect(200);
    expect(stored.body.rejections).toEqual([]);
    incidentId = await scopedIncident(t, t.keys.responder, { everyone: true }, INCIDENT_WORDS);
    // Where the notice fits one SMS, as the planner measures it (elsewhere SMS only informs: SMS_NOTICE).
    const incident = await t.app.get(IncidentsService).get(incidentId);
    const renderer = t.app.get(NoticeRenderer);
    for (const [jurisdiction, locale] of LOCALES) {
      const notice = renderer.resolveLocale('breach-notice', locale, jurisdiction);
      if (t.app.get(SmsFit).fits('breach-notice', notice, jurisdiction, incident, new Date())) {
        smsFits.add(jurisdiction);
      }
    }
    // Massachusetts' and New York's notices say more than one SMS carries (their statutes' paragraphs), and
    // so does Brazil's once it says why it is late (the incident was discovered weeks ago: LGPD 48 §1 V).
    expect([...smsFits].sort()).toEqual(['DE', 'FR', 'JP', 'US-CA']);
  });
  afterAll(async () => {
    await t?.close();
    await Promise.all([sendgrid.stop(), twilio.stop(), fcm.stop()]);
  });

  const outcomes = async (campaign = campaignId) => {
    const rows = await t.query<{ external_id: string; status: string; sent: string[] }>(
      `select s.external_id, d.status,
              coalesce(array_agg(m.channel order by m.channel) filter (where m.status in ('sent', 'delivered')), '{}') as sent
         from deliveries d join subjects s on s.id = d.subject_id left join messages m on m.delivery_id = d.id
        where d.campaign_id = $1 group by 1, 2`,
      [campaign],
    );
    return Object.fromEntries(rows.map((r) => [r.external_id, { status: r.status, sent: r.sent }]));
  };
  const completed = () => campaignCompleted(t, t.keys.responder, campaignId);
  /** Twilio's status callback for an SMS it took, signed for the address it was given, posted there. */
  const callback = (sms: SentSms, status: string, extra: Record<string, string> = {}) => {
    const signed = twilio.signCallback(sms.statusCallback!, {
      MessageSid: sms.sid,
      MessageStatus: status,
      AccountSid: twilio.accountSid,
      ...extra,
    });
    return t.http
      .post(sms.statusCallback!.slice(PUBLIC_BASE_URL.length))
      .set(signed.headers)
      .send(signed.body);
  };
  /** Our message id, from the callback address an SMS was given. */
  const messageIdOf = (sms: SentSms) => Number(/message=(\d+)$/.exec(sms.statusCallback!)![1]);

  it('sends through SendGrid, Twilio and FCM; refusals fall back along the plan; faults are retried', async () => {
    const draft = await t.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email', 'sms', 'push'], mode: 'escalate' })
      .expect(201);
    campaignId = draft.body.id;
    await t.http
      .post(`/v1/campaigns/${campaignId}/approve`)
      .set(...approver)
      .expect(200);
    const done = await completed();
    expect(done.recipients).toBe(everyone.length);
    // The calls whose connection was dropped got no answer, and were made again: they count as possible
    // duplicates, since the service cannot know a cut request was not taken. (These fakes cut before
    // taking anything, so here it is an over-count: nothing went twice, checked below.)
    expect(done.possibleDuplicates).toBeGreaterThanOrEqual(2);

    expect(await outcomes()).toEqual(Object.fromEntries(everyone.map((p) => [p.externalId, expected(p)])));

    // Each provider got exactly one accepted message per recipient and channel: no duplicates.
    const emails = everyone.filter((p) => expected(p).sent.includes('email'));
    expect(
      sendgrid.sent
        .map((m) => m.to)
        .filter((to) => !sendgrid.invalid.has(to))
        .sort(),
    ).toEqual(emails.map((p) => p.guardianEmail ?? p.email).sort());
    expect(twilio.sent.map((m) => m.to).sort()).toEqual(
      everyone
        .filter((p) => expected(p).sent.includes('sms'))
        .map((p) => p.phone)
        .sort(),
    );
    expect(fcm.sent.map((m) => m.token).sort()).toEqual(
      everyone
        .filter((p) => expected(p).sent.includes('push'))
        .map((p) => p.token)
        .sort(),
    );
    // From the configured sender (SENDGRID_FROM).
    expect(new Set(sendgrid.sent.map((m) => m.from))).toEqual(new Set(['security@aiart.example']));
    // Batches: SendGrid requests carry many recipients of one locale each.
    const mailSends = sendgrid.requests.filter((r) => r.path === '/v3/mail/send');
    expect(mailSends.length).toBeLessThan(emails.length);

    // Each recipient's email is theirs: their name, their language, their own link, their data.
    const br = everyone.find((p) => p.locale === 'pt-BR' && adultByEmail(p))!;
    const mail = sendgrid.sent.find((m) => m.to === br.email)!;
    expect(mail.text).toContain(`Olá, Name ${br.externalId},`);
    expect(mail.text).toContain('fotos e imagens');
    // The link names the delivery of this person (enciphered: the id itself is not in it).
    const link = new RegExp(`${PUBLIC_BASE_URL}/n/([A-Za-z0-9_-]{22})\\b`).exec(mail.html);
    const deliveryId = t.app.get(NoticeTokens).verify(link![1]);
    const [linked] = await t.query<{ external_id: string }>(
      'select s.external_id from deliveries d join subjects s on s.id = d.subject_id where d.id = $1',
      [deliveryId],
    );
    expect(linked.external_id).toBe(br.externalId);
    const ca = everyone.find((p) => p.jurisdiction === 'US-CA' && adultByEmail(p))!;
    expect(sendgrid.sent.find((m) => m.to === ca.email)!.subject).toMatch(/^Notice of Data Breach/);
    // What each jurisdiction adds (or leaves out), in batches of their own though all speak English: New
    // York's agencies, Massachusetts' police report and free freeze without the nature of the breach, and
    // for every state the FTC instead of a data protection authority.
    const mailOf = (jurisdiction: string) =>
      sendgrid.sent.find(
        (m) => m.to === everyone.find((p) => p.jurisdiction === jurisdiction && adultByEmail(p))!.email,
      )!;
    const [{ description }] = await t.query<{ description: string }>(
      'select description from incidents where id = $1',
      [incidentId],
    );
    const ny = mailOf('US-NY');
    const ma = mailOf('US-MA');
    expect(ny.text).toContain('New York Attorney General (1-800-771-7755, ag.ny.gov)');
    expect(ny.text).toContain(description);
    expect(ma.text).toContain('You have the right to obtain a police report about this incident.');
    expect(ma.html).toContain('security freeze on your credit report, free of charge');
    expect(ma.text).not.toContain(description);
    expect(ma.text).not.toContain('1-800-771-7755');
    // Where it happened, for everyone; whether law enforcement delayed it, for Californians.
    expect(ny.text).toContain('Where it happened: Our image storage in the cloud');
    expect(ma.text).not.toContain('Our image storage in the cloud');
    const caMail = sendgrid.sent.find((m) => m.to === ca.email)!;
    expect(caMail.text).toContain('This notice was not delayed by a law enforcement investigation.');
    expect(ny.text).not.toContain('law enforcement investigation');
    for (const mail of [ny, ma, sendgrid.sent.find((m) => m.to === ca.email)!]) {
      expect(mail.text).toContain('IdentityTheft.gov');
      expect(mail.text).not.toContain('data protection authority');
    }
    expect(mail.text).not.toContain('IdentityTheft.gov');
    const variants = await t.query<{ variant: string }>(
      "select distinct variant from message_batches where campaign_id = $1 and channel = 'email' order by 1",
      [campaignId],
    );
    expect(variants.map((v) => v.variant)).toEqual(['', 'BR', 'JP', 'US-CA', 'US-MA', 'US-NY']);
    // A guardian gets the guardian's version, about the child.
    const minor = everyone.find((p) => p.guardianEmail)!;
    const toGuardian = sendgrid.sent.find((m) => m.to === minor.guardianEmail)!;
    expect(toGuardian.text).toContain(`Guardian of ${minor.externalId}`);
    expect(toGuardian.subject).not.toBe('');
    // SMS from the configured sender with a status callback to our public address.
    expect(twilio.sent[0]).toMatchObject({
      from: '+14155550000',
      statusCallback: expect.stringMatching(/\/v1\/webhooks\/twilio\?message=\d+$/),
    });
    // Each SMS, as the real SDK put it on the wire, carries the notice's core after its lead (SMS_NOTICE).
    // (Massachusetts' notice says only its own version of the words, which this incident does not give.)
    const incidentWords = validIncident();
    const byPhone = new Map(everyone.map((p) => [p.phone, p]));
    const outsideMassachusetts = twilio.sent.filter((m) => byPhone.get(m.to)?.jurisdiction !== 'US-MA');
    expect(outsideMassachusetts.length).toBeGreaterThan(0);
    for (const sms of outsideMassachusetts) {
      expect(sms.body).toContain(`${PUBLIC_BASE_URL}/n/`);
      for (const words of [
        incidentWords.likelyConsequences,
        incidentWords.measuresTaken,
        incidentWords.remedies,
      ]) {
        expect(sms.body).toContain(words);
      }
    }

    // The dead token left the directory.
    const owner = everyone.find((p) => p.token === deadToken)!;
    const subject = await t.http
      .get(`/v1/subjects/${owner.externalId}`)
      .set(...responder)
      .expect(200);
    expect(subject.body.pushTokens).toEqual([]);
    const foreign = await t.http
      .get(`/v1/subjects/${everyone.find((p) => p.token === foreignToken)!.externalId}`)
      .set(...responder)
      .expect(200);
    expect(foreign.body.pushTokens).toEqual([expect.objectContaining({ token: foreignToken })]);

    // The transient faults happened and were retried.
    for (const fake of [sendgrid, twilio, fcm]) {
      const { serverErrors, rateLimited, dropped, malformed } = fake.faults;
      expect({ serverErrors, rateLimited, dropped, malformed }).toEqual({
        serverErrors: 0,
        rateLimited: 0,
        dropped: 0,
        malformed: 0,
      });
    }
  });

  it('accepts signed SendGrid events, refuses forged, stale and unsigned ones, and ignores replays', async () => {
    // f-0 got an email; a bounce moves them to SMS.
    // Someone whose SMS is a lawful notice too (not in California or New York), so the fallback notifies.
    const person = everyone.find(
      (p) => p.email && p.phone && adultByEmail(p) && !p.prefersSms && lawfulFor(p).includes('sms'),
    )!;
    const mail = sendgrid.sent.find((m) => m.to === person.email)!;
    const bounce = {
      email: person.email,
      event: 'bounce',
      type: 'bounce',
      status: '5.1.1',
      // A remote server's words, never stored: a NUL or half a surrogate pair in them refuses nothing.
      reason: `550 5.1.1 ${person.email} does not exist\u0000\ud800`,
      sg_event_id: 'evt-bounce-1',
      sg_message_id: `${mail.messageId}.filter0001`,
      message_id: mail.customArgs.message_id,
      timestamp: Math.floor(Date.now() / 1000),
    };
    const post = (signed: { headers: Record<string, string>; body: string }) =>
      t.http.post('/v1/webhooks/sendgrid').set(signed.headers).send(signed.body);

    const forged = sendgrid.signEvents([bounce]);
    forged.body = forged.body.replace('bounce', 'delivered');
    expect((await post(forged)).status).toBe(403);
    expect((await post(sendgrid.signEvents([bounce], Math.floor(Date.now() / 1000) - 3600))).status).toBe(
      403,
    );
    const unsigned = await t.http
      .post('/v1/webhooks/sendgrid')
      .set('Content-Type', 'application/json')
      .send([bounce]);
    expect(unsigned.status).toBe(403);
    expect(await t.query('select 1 from webhook_events')).toEqual([]);

    const accepted = await post(sendgrid.signEvents([bounce]));
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual({ stored: 1 });
    const replay = await post(sendgrid.signEvents([bounce]));
    expect(replay.body).toEqual({ stored: 0 });

    await eventually(async () => {
      const now = await outcomes();
      return now[person.externalId].sent.includes('sms') ? now : undefined;
    }, 30_000);
    const after = (await outcomes())[person.externalId];
    expect(after.status).toBe('notified');
    expect(twilio.sent.filter((m) => m.to === person.phone)).toHaveLength(1);
    // No address or free text was kept from the event.
    const stored = await t.query('select * from webhook_events');
    expect(JSON.stringify(stored)).not.toContain(person.email);
    expect(stored[0]).toMatchObject({ event: 'bounce', code: 'bounce 5.1.1', outcome: 'failed' });
    // The completed campaign sent again for the fallback: on its timeline and in the audit log.
    const reopened = await t.query<{ summary: object }>(
      "select summary from audit_log where action = 'campaign.reopened' and target_id = $1",
      [campaignId],
    );
    expect(reopened).toEqual([
      { summary: expect.objectContaining({ reason: 'failed_after_send', deliveries: 1 }) },
    ]);

    // A signed post of 9,000 events (72,000 values: more than one statement takes), with things in the
    // array that are not events: stored, the rest skipped, never a 500.
    const many = Array.from({ length: 9_000 }, (_, i) => ({ event: 'processed', sg_event_id: `m${i}` }));
    const burst = await post(sendgrid.signEvents([null, 42, 'x', ...many] as never[]));
    expect(burst.status).toBe(200);
    expect(burst.body).toEqual({ stored: 9_000 });
    await completed();
  });

  it('accepts signed Twilio status callbacks and refuses forged ones', async () => {
    const sms = twilio.sent[0];
    // The callback address Twilio was given names our message; the signature covers all of it.
    const url = sms.statusCallback!;
    expect(url).toMatch(/^https:\/\/notices\.example\.org\/v1\/webhooks\/twilio\?message=\d+$/);
    const path = url.slice(PUBLIC_BASE_URL.length);
    const params = {
      MessageSid: sms.sid,
      MessageStatus: 'delivered',
      AccountSid: twilio.accountSid,
      To: sms.to,
    };
    const forged = twilio.signCallback(url, { ...params, MessageStatus: 'sent' });
    const refused = await t.http.post(path).set(forged.headers).send(new URLSearchParams(params).toString());
    expect(refused.status).toBe(403);
    // Signed for another message's address: refused too.
    const elsewhere = twilio.signCallback(url.replace(/\d+$/, '1'), params);
    expect((await t.http.post(path).set(elsewhere.headers).send(elsewhere.body)).status).toBe(403);
    // Not a form (JSON with an object the SDK cannot make a string of): refused, never a 500; its key
    // named after Object.prototype's is refused by name before the signature is read.
    const json = await t.http
      .post(path)
      .set('X-Twilio-Signature', twilio.signCallback(url, params).headers['X-Twilio-Signature'])
      .send({ ...params, AccountSid: { toString: 1 } });
    expect(json.status).toBe(400);
    expect(JSON.stringify(json.body)).toContain('toString');
    // Unsigned: refused.
    const unsigned = await t.http
      .post(path)
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(new URLSearchParams(params).toString());
    expect(unsigned.status).toBe(403);
    const signed = twilio.signCallback(url, params);
    const ok = await t.http.post(path).set(signed.headers).send(signed.body);
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ stored: 1 });
    // Twilio's retry of the same callback changes nothing.
    const again = await t.http.post(path).set(signed.headers).send(signed.body);
    expect(again.body).toEqual({ stored: 0 });
    await eventually(async () => {
      const [row] = await t.query<{ status: string }>('select status from messages where provider_ref = $1', [
        sms.sid,
      ]);
      return row?.status === 'delivered' ? row : undefined;
    });

    // An SMS that comes back undelivered moves its person to the next channel of their plan: email.
    const index = twilio.sent.findIndex(
      (m, i) =>
        i >= 5 &&
        everyone.some(
          (p) => p.phone === m.to && p.email && p.prefersSms && !p.minor && expected(p).sent.includes('sms'),
        ),
    );
    const lost = twilio.sent[index];
    const person = everyone.find((p) => p.phone === lost.to)!;
    await callback(lost, 'undelivered', { ErrorCode: '30003' }).expect(200);
    await eventually(
      () => Promise.resolve(sendgrid.sent.some((m) => m.to === person.email) ? true : undefined),
      30_000,
    );
    await completed();
    const after = (await outcomes())[person.externalId];
    expect(after).toMatchObject({ status: 'notified', sent: ['email', ...(person.token ? ['push'] : [])] });
    const [failed] = await t.query<{ status: string; error: string }>(
      'select status, error from messages where provider_ref = $1',
      [lost.sid],
    );
    expect(failed).toEqual({ status: 'failed', error: 'twilio_30003' });

    // Stored first, applied from the queue: with the applying held up, Twilio still gets its answer and
    // the event waits, stored; it is applied once the worker goes on.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const deliveries = t.app.get(DeliveryEventsService);
    const apply = deliveries.applyEvents.bind(deliveries);
    const stall = jest.spyOn(deliveries, 'applyEvents').mockImplementation(async (events) => {
      await held;
      return apply(events);
    });
    try {
      const next = twilio.sent[index + 1];
      const answer = await callback(next, 'delivered').expect(200);
      expect(answer.body).toEqual({ stored: 1 });
      await eventually(() => Promise.resolve(stall.mock.calls.length > 0 ? true : undefined));
      const waiting = await t.query<{ processed_at: Date | null }>(
        'select processed_at from webhook_events where event_key = $1',
        [`${next.sid}:delivered`],
      );
      expect(waiting).toEqual([{ processed_at: null }]);
      release();
      await eventually(async () => {
        const [row] = await t.query<{ status: string }>(
          'select status from messages where provider_ref = $1',
          [next.sid],
        );
        return row?.status === 'delivered' ? row : undefined;
      });
    } finally {
      release();
      stall.mockRestore();
    }
  });

  it('keeps a status callback that comes before its send is recorded, and applies it once it is', async () => {
    const [sms, other, cancelled] = twilio.sent.slice(1, 4);
    const messageId = messageIdOf(sms);
    const cancelledId = messageIdOf(cancelled);
    // As while its job still sends the rest of its batch: queued, no provider id yet; or cancelled while
    // it was on the wire.
    await t.query("update messages set status = 'queued', provider_ref = null where id = $1", [messageId]);
    await t.query("update messages set status = 'cancelled', provider_ref = null where id = $1", [
      cancelledId,
    ]);
    await callback(sms, 'delivered').expect(200);
    await callback(cancelled, 'delivered').expect(200);
    const event = (sid = sms.sid) =>
      t.query<{ processed_at: Date | null; not_before: Date | null }>(
        'select processed_at, not_before from webhook_events where event_key = $1',
        [`${sid}:delivered`],
      );
    await eventually(async () => ((await event())[0]?.not_before ? true : undefined));
    await eventually(async () => ((await event(cancelled.sid))[0]?.not_before ? true : undefined));
    expect((await event())[0].processed_at).toBeNull();
    expect((await event(cancelled.sid))[0].processed_at).toBeNull();

    // The job records the send; the wait is over (the clock's part, done here by hand).
    await t.query("update messages set status = 'sent', provider_ref = $2 where id = $1", [
      messageId,
      sms.sid,
    ]);
    await t.query("update messages set status = 'sent', provider_ref = $2 where id = $1", [
      cancelledId,
      cancelled.sid,
    ]);
    await t.query(
      "update webhook_events set not_before = now() - interval '1 second' where not_before is not null",
    );
    // Any callback queues the processing (a status that changes nothing: `sent`).
    await callback(other, 'sent');
    await eventually(async () => {
      const [row] = await t.query<{ status: string }>('select status from messages where id = $1', [
        messageId,
      ]);
      return row?.status === 'delivered' ? row : undefined;
    });
    expect((await event())[0].processed_at).not.toBeNull();

    // A send never recorded (its worker died; the batch went out again under another SID): the event
    // waits an hour after it came, then is closed as naming no message we sent.
    const [late] = twilio.sent.slice(4, 5);
    const lateId = messageIdOf(late);
    await t.query("update messages set status = 'queued', provider_ref = null where id = $1", [lateId]);
    try {
      await callback(late, 'delivered').expect(200);
      await eventually(async () => ((await event(late.sid))[0]?.not_before ? true : undefined));
      await t.query(
        "update webhook_events set received_at = now() - interval '61 minutes', not_before = now() where event_key = $1",
        [`${late.sid}:delivered`],
      );
      await callback(other, 'sent');
      const outcome = async () =>
        (
          await t.query<{ outcome: string | null }>(
            'select outcome from webhook_events where event_key = $1',
            [`${late.sid}:delivered`],
          )
        )[0].outcome;
      await eventually(async () => ((await outcome()) ? true : undefined));
      expect(await outcome()).toBe('unknown_message');
    } finally {
      await t.query("update messages set status = 'sent', provider_ref = $2 where id = $1", [
        lateId,
        late.sid,
      ]);
    }
  });

  it('in mode all sends every notice channel; a person is unreachable only when every one failed', async () => {
    // The incident whose SMS fits were measured (its words decide them).
    const id = await scopedIncident(t, t.keys.responder, { everyone: true }, INCIDENT_WORDS);
    const { id: everyChannel } = await completedCampaign(t, id, { channels: ['email', 'sms'], mode: 'all' });
    // Notified only when a channel their law accepts (ESIGN_CONSENT=all: no SMS in California or New
    // York) took the notice; an SMS that only informs leaves them unreachable.
    const all = (p: Person) => {
      const lawful = lawfulFor(p);
      if (p.guardianEmail)
        return { status: lawful.includes('email') ? 'notified' : 'unreachable', sent: ['email'] };
      const sent = [
        ...(p.email && ![invalidEmail, invalidOnlyEmail].includes(p.email) ? ['email'] : []),
        ...(p.phone && p.phone !== stoppedPhone ? ['sms'] : []),
      ];
      return { status: sent.some((c) => lawful.includes(c)) ? 'notified' : 'unreachable', sent };
    };
    expect(await outcomes(everyChannel)).toEqual(
      Object.fromEntries(everyone.map((p) => [p.externalId, all(p)])),
    );
    // Both channels failed nobody over: f-3's email was refused and its SMS sent all the same; in Brazil
    // the late notice, with its reasons for the delay, does not fit one SMS, so the SMS only informed.
    expect(all(everyone[3])).toEqual({ status: 'unreachable', sent: ['sms'] });
    expect(all(everyone[5]).status).toBe('unreachable');
  });

  it('fails each token of another Firebase project alone, however many there are', async () => {
    const adapter = new FcmAdapter({
      projectId: fcm.projectId,
      serviceAccount: undefined,
      accessToken: fcm.accessToken,
      baseUrl: fcm.url,
    });
    const alert = (messageId: number, token: string) => ({
      messageId,
      token,
      title: 't',
      body: 'b',
      data: {},
    });
    const foreign = Array.from({ length: 10 }, (_, i) => `foreign-${i}`);
    const mismatched = { kind: 'permanent', code: 'messaging/mismatched-credential', unregistered: false };
    try {
      for (const token of foreign) fcm.otherProject.add(token);
      const mixed = await adapter.send([alert(1, foreign[0]), alert(2, 'ours-1')]);
      expect(mixed).toEqual([mismatched, { kind: 'sent', providerRef: expect.any(String) }]);
      // A call of nothing but old-build tokens (a campaign's last call may be one) pauses nothing.
      expect(await adapter.send(foreign.map((token, i) => alert(i, token)))).toEqual(
        foreign.map(() => mismatched),
      );
    } finally {
      for (const token of foreign) fcm.otherProject.delete(token);
      await adapter.close();
    }
  });

  it('pauses when the provider refuses the account, fails nobody over, and finishes once resumed', async () => {
    const id = await scopedIncident(t, t.keys.responder);
    const draft = await t.http
      .post(`/v1/incidents/${id}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
      .expect(201);
    const campaign = draft.body.id as string;
    const key = sendgrid.apiKey;
    sendgrid.apiKey = 'SG.revoked-key'; // the service's key is refused from now on
    await t.http
      .post(`/v1/campaigns/${campaign}/approve`)
      .set(...approver)
      .expect(200);
    await eventually(async () => {
      const c = (
        await t.http
          .get(`/v1/campaigns/${campaign}`)
          .set(...responder)
          .expect(200)
      ).body;
      return c.status === 'paused' ? c : undefined;
    });
    // Nobody was failed over or counted unreachable because of our account.
    expect(
      await t.query("select 1 from messages where campaign_id = $1 and status = 'failed'", [campaign]),
    ).toEqual([]);
    const events = (
      await t.http
        .get(`/v1/incidents/${id}/timeline`)
        .set(...responder)
        .expect(200)
    ).body.items as Array<{
      kind: string;
      details: Record<string, unknown>;
    }>;
    expect(events.find((e) => e.kind === 'campaign.paused')?.details).toMatchObject({
      reason: 'provider_refused_account',
      channel: 'email',
      code: 'sendgrid_http_401',
    });

    sendgrid.apiKey = key;
    await t.http
      .post(`/v1/campaigns/${campaign}/resume`)
      .set(...responder)
      .expect(200);
    const done = await campaignCompleted(t, t.keys.responder, campaign);
    const reachable = everyone.filter((p) => p.guardianEmail || (p.email && !sendgrid.invalid.has(p.email)));
    expect(done.progress.deliveries.notified).toBe(reachable.length);
  });
});
