import http from 'node:http';
import https from 'node:https';
import type twilio from 'twilio';

type RequestOptions = Parameters<twilio.RequestClient['request']>[0];

export interface TwilioResponse {
  statusCode: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** Twilio's form encoding: arrays as repeated keys, nothing for undefined. */
export function formEncode(data: object): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    for (const item of Array.isArray(value) ? value : [value]) {
      parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(item))}`);
    }
  }
  return parts.join('&');
}

/**
 * The SDK's HTTP client, on node:http with keep-alive: the SDK builds the request (resource, form
 * fields, user agent) and reads the answer into its instances and exceptions; this only carries it.
 * The SDK's own client goes through axios, whose per-request configuration merging cost more CPU than
 * everything else an SMS does (one request per message). It is also where the base URL is replaced
 * for tests and proxies: the SDK has no option for it.
 */
export class TwilioHttpClient {
  private readonly agent: http.Agent;
  private readonly transport: typeof http | typeof https;
  private readonly origin: string;

  constructor(
    baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {
    this.origin = new URL(baseUrl).origin;
    this.transport = this.origin.startsWith('https:') ? https : http;
    this.agent = new this.transport.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });
  }

  async request(opts: RequestOptions): Promise<TwilioResponse> {
    const url = new URL(opts.uri);
    const target = new URL(`${url.pathname}${url.search}`, this.origin);
    if (opts.params) {
      const query = formEncode(opts.params);
      if (query) target.search = target.search ? `${target.search}&${query}` : `?${query}`;
    }
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.username && opts.password) {
      headers.Authorization = `Basic ${Buffer.from(`${opts.username}:${opts.password}`).toString('base64')}`;
    } else if (opts.authStrategy) {
      headers.Authorization = await opts.authStrategy.getAuthString();
    }
    let body: string | undefined;
    if (opts.data) {
      body =
        headers['Content-Type'] === 'application/json' ? JSON.stringify(opts.data) : formEncode(opts.data);
      headers['Content-Length'] = String(Buffer.byteLength(body));
    }
    const timeout = opts.timeout ?? this.timeoutMs;
    return new Promise<TwilioResponse>((resolve, reject) => {
      const req = this.transport.request(
        target,
        { method: opts.method.toUpperCase(), headers, agent: this.agent },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body: text, headers: res.headers }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeout, () => req.destroy(new Error(`Twilio request timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
