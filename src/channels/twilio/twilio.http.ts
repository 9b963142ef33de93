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
 * Milliseconds a Retry-After header asks to wait: seconds, or an HTTP date. Undefined for no wait (0, a
 * date already past): our own backoff applies then, never an immediate retry into a limit.
 */
export function retryAfterMs(header: string | undefined, now: number): number | undefined {
  if (!header) return undefined;
  const wait = /^\d+$/.test(header.trim()) ? Number(header.trim()) * 1000 : Date.parse(header) - now;
  return Number.isFinite(wait) && wait > 0 ? wait : undefined;
}

/**
 * Twilio's refusal with a Retry-After (429, 503): the fields of the SDK's RestException, and the wait.
 * The SDK's exception keeps no headers, so an answer that carries one is raised here instead.
 */
export class TwilioRetryAfter extends Error {
  readonly code?: number;
  readonly moreInfo?: string;

  constructor(
    readonly status: number,
    body: string,
    readonly retryAfterMs: number,
  ) {
    const parsed = errorBody(body);
    super(parsed?.message ?? `[HTTP ${status}] Failed to execute request`);
    this.code = parsed?.code;
    this.moreInfo = parsed?.more_info;
  }
}

function errorBody(body: string): { message?: string; code?: number; more_info?: string } | undefined {
  try {
    return JSON.parse(body) as { message?: string; code?: number; more_info?: string };
  } catch {
    return undefined; // Not JSON: the status says enough.
  }
}

/** Twilio's own address: requests go where the SDK sends them (with the region and edge it chose). */
export const TWILIO_API = 'https://api.twilio.com';

/**
 * Where a request the SDK built for `uri` goes: unchanged for Twilio's own address, else to `baseUrl`
 * (a fake in tests, a proxy), its path kept in front of the API's path.
 */
export function targetUrl(uri: string, baseUrl: string): URL {
  if (baseUrl.replace(/\/+$/, '') === TWILIO_API) return new URL(uri);
  return new URL(uri.replace(/^https:\/\/[^/]+/, baseUrl.replace(/\/+$/, '')));
}

/**
 * The SDK's HTTP client, on node:http with keep-alive: the SDK builds the request (resource, form
 * fields, user agent, region and edge) and reads the answer into its instances and exceptions; this only
 * carries it. The SDK's own client goes through axios, whose per-request configuration merging cost more
 * CPU than everything else an SMS does (one request per message). It is also where the base URL is
 * replaced for tests and proxies: the SDK has no option for it, and where a Retry-After reaches the
 * adapter ({@link TwilioRetryAfter}): the SDK's exception drops the headers. Unlike the SDK's client it does not read
 * HTTP_PROXY or TWILIO_CA_BUNDLE: point TWILIO_BASE_URL at a proxy, and give extra CAs to Node
 * (NODE_EXTRA_CA_CERTS).
 */
export class TwilioHttpClient {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 30_000,
  ) {
    // Idle kept-alive sockets close after the timeout too, as the SDK's agent did.
    const options = { keepAlive: true, maxSockets: 64, maxFreeSockets: 64, timeout: timeoutMs };
    this.agents = { http: new http.Agent(options), https: new https.Agent(options) };
  }

  async request(opts: RequestOptions): Promise<TwilioResponse> {
    const target = targetUrl(opts.uri, this.baseUrl);
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
    const secure = target.protocol === 'https:';
    const transport = secure ? https : http;
    return new Promise<TwilioResponse>((resolve, reject) => {
      const req = transport.request(
        target,
        {
          method: opts.method.toUpperCase(),
          headers,
          agent: secure ? this.agents.https : this.agents.http,
        },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            const wait = status >= 400 ? retryAfterMs(res.headers['retry-after'], Date.now()) : undefined;
            if (wait !== undefined) reject(new TwilioRetryAfter(status, text, wait));
            else resolve({ statusCode: status, body: text, headers: res.headers });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(timeout, () => req.destroy(new Error(`Twilio request timed out after ${timeout} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
