import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import { TwilioAdapter } from './twilio.adapter.js';
import { formEncode, retryAfterMs, targetUrl, TWILIO_API, TwilioHttpClient } from './twilio.http.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

describe('TwilioHttpClient', () => {
  let server: http.Server;
  let base: string;
  const seen: Seen[] = [];
  let answer: (res: http.ServerResponse) => void;

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (body += chunk));
      req.on('end', () => {
        seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
        answer(res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  beforeEach(() => {
    seen.length = 0;
    answer = (res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"ok":true}');
  });

  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('encodes forms as Twilio reads them: arrays as repeated keys, nothing for undefined', () => {
    expect(formEncode({ To: '+14155550123', Body: 'a b&c=ü', MediaUrl: ['x', 'y'], Skip: undefined })).toBe(
      'To=%2B14155550123&Body=a%20b%26c%3D%C3%BC&MediaUrl=x&MediaUrl=y',
    );
  });

  it("sends to Twilio's own address as the SDK chose it, or to the configured one with its path", () => {
    // The SDK puts region and edge in the host (TWILIO_REGION, TWILIO_EDGE): kept for the real API.
    const uri = 'https://api.sydney.au1.twilio.com/2010-04-01/Accounts/AC1/Messages.json';
    expect(targetUrl(uri, TWILIO_API).href).toBe(uri);
    expect(targetUrl(uri, `${TWILIO_API}/`).href).toBe(uri);
    expect(targetUrl(uri, 'http://127.0.0.1:9/').href).toBe(
      'http://127.0.0.1:9/2010-04-01/Accounts/AC1/Messages.json',
    );
    expect(targetUrl(uri, 'https://gateway.example/twilio').href).toBe(
      'https://gateway.example/twilio/2010-04-01/Accounts/AC1/Messages.json',
    );
  });

  it("carries the SDK's request to the configured address: path, query, auth, form body", async () => {
    const client = new TwilioHttpClient(base);
    const response = await client.request({
      method: 'post',
      uri: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages.json?x=1',
      username: 'AC1',
      password: 'secret',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
      params: { PageSize: 5 },
      data: { To: '+14155550123', Body: 'Hello' },
    });
    client.close();
    expect(response).toEqual(expect.objectContaining({ statusCode: 200, body: '{"ok":true}' }));
    expect(seen).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/2010-04-01/Accounts/AC1/Messages.json?x=1&PageSize=5',
        body: 'To=%2B14155550123&Body=Hello',
      }),
    ]);
    expect(seen[0].headers.authorization).toBe(`Basic ${Buffer.from('AC1:secret').toString('base64')}`);
    expect(seen[0].headers['content-length']).toBe(String('To=%2B14155550123&Body=Hello'.length));
  });

  it("hands the SDK a provider's error answer, which the SDK turns into its RestException", async () => {
    answer = (res) =>
      res
        .writeHead(400, { 'Content-Type': 'application/json' })
        .end('{"code":21211,"message":"Invalid To","more_info":"","status":400}');
    const client = new TwilioHttpClient(base);
    const sdk = twilio('AC00000000000000000000000000000000', 'token', {
      autoRetry: false,
      httpClient: client as unknown as twilio.RequestClient,
    });
    const failure = await sdk.messages.create({ to: '+1', from: '+14155550000', body: 'x' }).catch((e) => e);
    client.close();
    expect(failure).toEqual(expect.objectContaining({ status: 400, code: 21211 }));
    expect(seen[0].headers['user-agent']).toMatch(/^twilio-node\//);
  });

  it("passes Twilio's Retry-After on to the job's retry, which the SDK's exception would drop", async () => {
    answer = (res) =>
      res
        .writeHead(429, { 'Content-Type': 'application/json', 'Retry-After': '7' })
        .end('{"code":20429,"message":"Too Many Requests","more_info":"","status":429}');
    const adapter = new TwilioAdapter(
      {
        accountSid: 'AC00000000000000000000000000000000',
        authToken: 'token',
        from: '+14155550000',
        messagingServiceSid: undefined,
        baseUrl: base,
      },
      'https://notices.example.org/v1/webhooks/twilio',
    );
    const outcome = await adapter.send({ messageId: 1, to: '+14155550123', body: 'x' });
    await adapter.close();
    expect(outcome).toEqual({ kind: 'transient', code: 'twilio_20429', retryAfterMs: 7_000 });
    // Seconds or an HTTP date; nothing usable, nothing to honour.
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs(new Date(90_000).toUTCString(), 30_000)).toBe(60_000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    // No wait at all is no hint: our backoff, not a retry at once into the limit.
    expect(retryAfterMs('0', 0)).toBeUndefined();
    expect(retryAfterMs(new Date(10_000).toUTCString(), 30_000)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });

  it('fails a request that gets no answer within the timeout, as a network failure (no status)', async () => {
    answer = () => undefined;
    const client = new TwilioHttpClient(base, 100);
    const failure = await client
      .request({ method: 'get', uri: 'https://api.twilio.com/slow' })
      .catch((e: unknown) => e);
    client.close();
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(/timed out after 100 ms/);
    expect((failure as { status?: number }).status).toBeUndefined();
  });
});
