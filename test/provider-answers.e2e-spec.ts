import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MALFORMED, type PushMessage } from '../src/channels/channel.port.js';
import { FcmAdapter } from '../src/channels/fcm/fcm.adapter.js';
import { SendGridAdapter } from '../src/channels/sendgrid/sendgrid.adapter.js';
import { TwilioAdapter } from '../src/channels/twilio/twilio.adapter.js';
import { FcmFake } from './fakes/fcm.fake.js';
import { Ledger } from './fakes/fake-server.js';
import { SendGridFake } from './fakes/sendgrid.fake.js';
import { TwilioFake } from './fakes/twilio.fake.js';

// Each provider's adapter, on its real SDK or wire format, against answers that are not the provider's
// and answers that never came (issue 20): a success without the provider's id, or a body that does not
// parse, is MALFORMED (never `sent`: the person would count as notified on nothing); a call with no
// answer may have been taken (`maybeSent`, counted as a possible duplicate when it goes again); and no
// call is repeated below the service (firebase-admin repeated FCM calls whose answer was lost).

/** A server that answers every request with what the test sets: another provider's look-alike. */
class Impostor {
  status = 200;
  headers: Record<string, string> = { 'Content-Type': 'application/json' };
  body = '{"this is": not json';
  requests = 0;
  private server?: Server;

  get url(): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        this.requests += 1;
        res.writeHead(this.status, this.headers).end(this.body);
      });
    });
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

const emailBatch = (n: number) => ({
  subject: 's',
  html: '<p>h</p>',
  text: 't',
  recipients: Array.from({ length: n }, (_, i) => ({
    messageId: i + 1,
    to: `answers${i}@example.com`,
    substitutions: {},
  })),
});
const alert = (messageId: number, token: string): PushMessage => ({
  messageId,
  token,
  title: 't',
  body: 'b',
  data: { url: 'https://notices.example.org/n/x' },
});

describe('provider answers that are not the provider’s, or never came', () => {
  const impostor = new Impostor();
  const sendgrid = new SendGridFake();
  const twilio = new TwilioFake();
  const fcm = new FcmFake();
  jest.setTimeout(60_000);

  beforeAll(async () => {
    await Promise.all([impostor.start(), sendgrid.start(), twilio.start(), fcm.start()]);
  });
  afterAll(async () => {
    await Promise.all([impostor.stop(), sendgrid.stop(), twilio.stop(), fcm.stop()]);
  });
  beforeEach(() => {
    impostor.status = 200;
    impostor.headers = { 'Content-Type': 'application/json' };
    impostor.body = '{"this is": not json';
    for (const fake of [sendgrid, twilio, fcm]) fake.reset();
  });

  const sendgridAt = (baseUrl: string, apiKey = sendgrid.apiKey) =>
    new SendGridAdapter({ apiKey, from: 'Security <security@example.org>', baseUrl });
  const twilioAt = (baseUrl: string) =>
    new TwilioAdapter(
      { accountSid: twilio.accountSid, authToken: twilio.authToken, from: '+14155550000', baseUrl } as never,
      'https://notices.example.org/v1/webhooks/twilio',
    );
  const fcmAt = (baseUrl: string) =>
    new FcmAdapter({
      projectId: fcm.projectId,
      serviceAccount: undefined,
      accessToken: fcm.accessToken,
      baseUrl,
    });

  it('SendGrid: a 2xx without X-Message-Id is malformed for every recipient, never sent', async () => {
    // The harness's garbled 200 (what chaos found recorded as sent for a thousand people).
    expect(await sendgridAt(impostor.url).send(emailBatch(3))).toEqual([MALFORMED, MALFORMED, MALFORMED]);
    // SendGrid's status, without its id.
    impostor.status = 202;
    impostor.body = '';
    expect(await sendgridAt(impostor.url).send(emailBatch(2))).toEqual([MALFORMED, MALFORMED]);
    // The fake's own malformed answer; then SendGrid's real one.
    sendgrid.faults.malformed = 1;
    expect(await sendgridAt(sendgrid.url).send(emailBatch(1))).toEqual([MALFORMED]);
    expect(await sendgridAt(sendgrid.url).send(emailBatch(1))).toEqual([
      { kind: 'sent', providerRef: expect.stringMatching(/^[\w-]{10,}$/) },
    ]);
  });

  it('Twilio: a 2xx that does not parse, or carries no message SID, is malformed', async () => {
    const sms = { messageId: 1, to: '+14155550101', body: 'b' };
    const adapter = twilioAt(impostor.url);
    try {
      impostor.status = 201;
      expect(await adapter.send(sms)).toEqual(MALFORMED);
      impostor.body = '{"status":"queued"}';
      expect(await adapter.send(sms)).toEqual(MALFORMED);
    } finally {
      await adapter.close();
    }
    const real = twilioAt(twilio.url);
    try {
      twilio.faults.malformed = 1;
      expect(await real.send(sms)).toEqual(MALFORMED);
      expect(await real.send(sms)).toEqual({ kind: 'sent', providerRef: expect.stringMatching(/^SM/) });
    } finally {
      await real.close();
    }
  });

  it('FCM: a 200 without the message name is malformed, per alert', async () => {
    const adapter = fcmAt(impostor.url);
    try {
      expect(await adapter.send([alert(1, 'a'), alert(2, 'b')])).toEqual([MALFORMED, MALFORMED]);
      impostor.body = '{}';
      expect(await adapter.send([alert(1, 'a')])).toEqual([MALFORMED]);
    } finally {
      await adapter.close();
    }
    const real = fcmAt(fcm.url);
    try {
      fcm.faults.malformed = 1;
      const outcomes = await real.send([alert(1, 'fcm-a'), alert(2, 'fcm-b')]);
      expect(outcomes.filter((o) => o.kind === 'sent')).toHaveLength(1);
      expect(outcomes).toContainEqual(MALFORMED);
    } finally {
      await real.close();
    }
  });

  it('FCM: an alert whose answer is lost goes once, and says it may have been taken', async () => {
    const adapter = fcmAt(fcm.url);
    fcm.ledger = new Ledger();
    try {
      fcm.faults.lostAnswers = 1;
      expect(await adapter.send([alert(1, 'lost-answer')])).toEqual([
        { kind: 'transient', code: 'network', maybeSent: true },
      ]);
      // Taken once by FCM, and not sent again below the service (the SDK retried it: twice at FCM).
      expect(fcm.ledger.accepted.get('lost-answer')).toHaveLength(1);
      expect(fcm.requests).toHaveLength(1);
      fcm.faults.dropped = 1;
      expect(await adapter.send([alert(2, 'dropped')])).toEqual([
        { kind: 'transient', code: 'network', maybeSent: true },
      ]);
      // A 503 is the service's to retry too (the SDK retried it itself, for 4-7 s).
      fcm.faults.serverErrors = 1;
      fcm.faults.serverErrorStatus = 503;
      expect(await adapter.send([alert(3, 'unavailable')])).toEqual([
        { kind: 'transient', code: 'messaging/internal-error' },
      ]);
      expect(fcm.requests).toHaveLength(3);
    } finally {
      fcm.ledger = undefined;
      await adapter.close();
    }
  });

  it('FCM: each error answer classified as before (gone token, other project, quota with its wait, our token)', async () => {
    const adapter = fcmAt(fcm.url);
    try {
      fcm.unregistered.add('gone');
      fcm.otherProject.add('foreign');
      fcm.faults.rateLimited = 1;
      fcm.faults.retryAfterSeconds = 7;
      const [limited] = await adapter.send([alert(1, 'later')]);
      expect(limited).toEqual({
        kind: 'transient',
        code: 'messaging/message-rate-exceeded',
        retryAfterMs: expect.any(Number),
      });
      expect((limited as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(6_000);
      expect(await adapter.send([alert(1, 'gone'), alert(2, 'foreign'), alert(3, 'fine')])).toEqual([
        { kind: 'permanent', code: 'messaging/registration-token-not-registered', unregistered: true },
        { kind: 'permanent', code: 'messaging/mismatched-credential', unregistered: false },
        { kind: 'sent', providerRef: expect.stringMatching(/^projects\/fake-project\/messages\//) },
      ]);
      const wrongToken = new FcmAdapter({
        projectId: fcm.projectId,
        serviceAccount: undefined,
        accessToken: 'ya29.revoked',
        baseUrl: fcm.url,
      });
      expect(await wrongToken.send([alert(1, 'fine')])).toEqual([
        { kind: 'refused', code: 'messaging/authentication-error' },
      ]);
      await wrongToken.close();
      // What FCM received: the message as its v1 API takes it.
      expect(fcm.sent.at(-1)).toMatchObject({ token: 'fine', title: 't', body: 'b' });
    } finally {
      fcm.unregistered.clear();
      fcm.otherProject.clear();
      await adapter.close();
    }
  });
});
