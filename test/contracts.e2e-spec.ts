import type { ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { SendGridAdapter } from '../src/channels/sendgrid/sendgrid.adapter.js';
import { TwilioAdapter } from '../src/channels/twilio/twilio.adapter.js';
import { NoticeRenderer, type NoticeFacts } from '../src/templates/notice.renderer.js';
import { SendGridFake } from './fakes/sendgrid.fake.js';
import { TwilioFake } from './fakes/twilio.fake.js';
import { freePort } from './support/app.js';
import { spawnTracked, stopChild } from './support/processes.js';

// The adapters' traffic, checked against the providers' own OpenAPI files by a validating proxy between
// the real SDKs and the fakes: a request the spec does not allow gets a 422 and fails the send.

const ROOT = resolve(__dirname, '..');

async function prism(
  spec: string,
  upstream: string,
): Promise<{ url: string; process: ChildProcess; log: () => string }> {
  const port = await freePort();
  const child = spawnTracked(
    process.execPath,
    [
      join(ROOT, 'node_modules/@stoplight/prism-cli/dist/index.js'),
      'proxy',
      '--errors',
      '-h',
      '127.0.0.1',
      '-p',
      String(port),
      join(ROOT, 'test/contracts', spec),
      upstream,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const started = Date.now();
  while (!log.includes('Prism is listening')) {
    if (child.exitCode !== null || Date.now() - started > 60_000) {
      // Not yet the caller's to stop: a proxy that did not start in time would outlive the run.
      await stopChild(child, 'SIGKILL');
      throw new Error(`prism did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `http://127.0.0.1:${port}`, process: child, log: () => log };
}

const facts = (i: number, locale: string): NoticeFacts => ({
  organization: 'Ai Art',
  contactEmail: 'privacy@example.com',
  url: `https://notices.example.org/n/AAAAAAAAAAAAAAAAAAAA${String(i % 100).padStart(2, '0')}`,
  name: `Person ${i}`,
  child: null,
  locale,
  timeZone: 'Europe/Berlin',
  jurisdiction: 'DE',
  exposed: ['camera_data'],
  incident: {
    description: 'A bucket was exposed.',
    occurredFrom: new Date('2026-11-01T00:00:00Z'),
    occurredTo: null,
    discoveredAt: new Date('2026-11-04T09:00:00Z'),
    containedAt: null,
    likelyConsequences: 'Phishing.',
    measuresTaken: 'Closed it.',
    measuresPlanned: null,
    adviceToIndividuals: null,
    remedies: 'Support line.',
  },
});

describe('provider contracts: the adapters against the official OpenAPI files', () => {
  jest.setTimeout(120_000);
  const sendgrid = new SendGridFake();
  const twilio = new TwilioFake();
  const proxies: ChildProcess[] = [];
  const renderer = new NoticeRenderer();

  beforeAll(async () => {
    await Promise.all([sendgrid.start(), twilio.start()]);
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => stopChild(p)));
    await Promise.all([sendgrid.stop(), twilio.stop()]);
  });

  it('sends SendGrid Mail Send requests the spec allows', async () => {
    const proxy = await prism('sendgrid-mail-v3.json', sendgrid.url);
    proxies.push(proxy.process);
    const adapter = new SendGridAdapter({
      apiKey: sendgrid.apiKey,
      from: 'security@aiart.example',
      baseUrl: proxy.url,
    });
    const shared = renderer.renderShared('breach-notice', facts(0, 'de'));
    const outcomes = await adapter.send({
      subject: shared.subject,
      html: shared.html,
      text: shared.text,
      recipients: [1, 2, 3].map((i) => ({
        messageId: i,
        to: `p${i}@example.com`,
        substitutions: renderer.substitutions('breach-notice', facts(i, 'de')),
      })),
    });
    expect(outcomes.map((o) => o.kind)).toEqual(['sent', 'sent', 'sent']);
    expect(sendgrid.sent.map((m) => m.to)).toEqual(['p1@example.com', 'p2@example.com', 'p3@example.com']);
    expect(sendgrid.sent[1].text).toContain('Guten Tag Person 2,');

    // The proxy does check: a body without personalizations is refused before it reaches the fake.
    const refused = await fetch(`${proxy.url}/v3/mail/send`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${sendgrid.apiKey}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        from: { email: 'a@example.com' },
        subject: 'x',
        content: [{ type: 'text/plain', value: 'x' }],
      }),
    });
    expect(refused.status).toBe(422);
    expect(sendgrid.sent).toHaveLength(3);
  });

  it('sends Twilio Messages.create requests the spec allows', async () => {
    const proxy = await prism('twilio-api-v2010.json', twilio.url);
    proxies.push(proxy.process);
    const adapter = new TwilioAdapter(
      {
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: '+14155550000',
        messagingServiceSid: undefined,
        baseUrl: proxy.url,
      },
      'https://notices.example.org/v1/webhooks/twilio',
    );
    const body = renderer.render('breach-notice', facts(7, 'en')).sms.body;
    expect(await adapter.send({ messageId: 7, to: '+14155550123', body })).toMatchObject({ kind: 'sent' });
    expect(twilio.sent).toEqual([expect.objectContaining({ to: '+14155550123', body })]);
    // From a Messaging Service instead of a number (TWILIO_MESSAGING_SERVICE_SID).
    const service = new TwilioAdapter(
      {
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: undefined,
        messagingServiceSid: `MG${'0'.repeat(32)}`,
        baseUrl: proxy.url,
      },
      'https://notices.example.org/v1/webhooks/twilio',
    );
    expect(await service.send({ messageId: 9, to: '+14155550125', body })).toMatchObject({ kind: 'sent' });
    expect(twilio.sent.at(-1)).toMatchObject({ from: null, messagingServiceSid: `MG${'0'.repeat(32)}` });
    // And Twilio's refusal passes the proxy and is classified as the recipient's failure.
    twilio.stopped.add('+14155550124');
    expect(await adapter.send({ messageId: 8, to: '+14155550124', body })).toEqual({
      kind: 'permanent',
      code: 'twilio_21610',
    });
  });
});
