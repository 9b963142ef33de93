import http from 'node:http';
import https from 'node:https';
import { cert, type Credential } from 'firebase-admin/app';
import type { FcmConfig } from '../../config/config.js';
import { MALFORMED, noAnswer, type PushMessage, type PushOutcome, type PushPort } from '../channel.port.js';
import { retryAfterMs } from '../twilio/twilio.http.js';

/** FCM's answers worth another try. */
const TRANSIENT = new Set([
  'messaging/message-rate-exceeded',
  'messaging/server-unavailable',
  'messaging/internal-error',
  'messaging/unknown-error',
  'app/network-error',
  'app/network-timeout',
]);
/**
 * Our credential or project is refused: the campaign pauses rather than dropping everyone's alert. Not
 * `messaging/mismatched-credential` (SENDER_ID_MISMATCH): FCM says it of one token, registered by another
 * project (an old build of the app); it fails that alert alone, and the token stays in the directory
 * (were it our project that is wrong, every token would say it).
 */
const ACCOUNT = new Set(['app/invalid-credential', 'messaging/authentication-error']);
const UNREGISTERED = new Set([
  'messaging/registration-token-not-registered',
  'messaging/invalid-registration-token',
]);

/** What an FCM error code means for the alert: again later, our account, or this token (gone or not). */
export function classifyFcm(code: string): PushOutcome {
  if (TRANSIENT.has(code)) return { kind: 'transient', code };
  if (ACCOUNT.has(code)) return { kind: 'refused', code };
  return { kind: 'permanent', code, unregistered: UNREGISTERED.has(code) };
}

/**
 * FCM v1's error answer in the firebase-admin SDK's codes (which the service has always recorded): the
 * FcmError detail when there is one, else the canonical status, else the HTTP status.
 */
const ERROR_CODES: Record<string, string> = {
  UNREGISTERED: 'registration-token-not-registered',
  SENDER_ID_MISMATCH: 'mismatched-credential',
  QUOTA_EXCEEDED: 'message-rate-exceeded',
  THIRD_PARTY_AUTH_ERROR: 'third-party-auth-error',
  APNS_AUTH_ERROR: 'third-party-auth-error',
  INVALID_ARGUMENT: 'invalid-argument',
  UNAVAILABLE: 'server-unavailable',
  INTERNAL: 'internal-error',
  UNSPECIFIED_ERROR: 'unknown-error',
  NOT_FOUND: 'registration-token-not-registered',
  RESOURCE_EXHAUSTED: 'message-rate-exceeded',
  UNAUTHENTICATED: 'authentication-error',
  PERMISSION_DENIED: 'authentication-error',
};

interface FcmErrorBody {
  error?: { status?: string; details?: Array<{ '@type'?: string; errorCode?: string }> };
}

/** One FCM answer (status, body, Retry-After) as the alert's outcome. */
export function fcmOutcome(status: number, body: string, retryAfter?: string): PushOutcome {
  if (status >= 200 && status < 300) {
    const name = parsed<{ name?: unknown }>(body)?.name;
    // Not FCM's answer (a proxy's page, a cut body): whether it took the alert is not known.
    return typeof name === 'string' && name.length > 0 ? { kind: 'sent', providerRef: name } : MALFORMED;
  }
  // Our access token or project: whatever the body says of it, no retry fixes it.
  if (status === 401) return { kind: 'refused', code: 'messaging/authentication-error' };
  const error = parsed<FcmErrorBody>(body)?.error;
  const detail = error?.details?.find((d) => d.errorCode)?.errorCode;
  const name = ERROR_CODES[detail ?? ''] ?? ERROR_CODES[error?.status ?? ''];
  const wait = retryAfterMs(retryAfter, Date.now());
  if (!name) {
    if (status === 429 || status >= 500)
      return { kind: 'transient', code: `http_${status}`, retryAfterMs: wait };
    return classifyFcm(status === 403 ? 'messaging/authentication-error' : `http_${status}`);
  }
  const outcome = classifyFcm(`messaging/${name}`);
  return outcome.kind === 'transient' && wait !== undefined ? { ...outcome, retryAfterMs: wait } : outcome;
}

function parsed<T>(body: string): T | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return value && typeof value === 'object' ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

/** Connections to FCM per process, and so alerts on the wire at once. */
const SOCKETS = 64;
const TIMEOUT_MS = 30_000;
/** An access token is renewed this long before it expires. */
const TOKEN_MARGIN_MS = 5 * 60_000;
const FCM_API = 'https://fcm.googleapis.com';

/** A ready token, for tests and for deployments that mint tokens elsewhere. */
const tokenCredential = (token: string): Credential => ({
  getAccessToken: () => Promise.resolve({ access_token: token, expires_in: 3600 }),
});

/**
 * Push alerts through FCM's HTTP v1 API on the service's own HTTP client (keep-alive, one request per
 * alert, up to SOCKETS at once), as SMS goes to Twilio: every retry is the service's. firebase-admin's
 * `sendEach` retried cut connections and timeouts itself, so an alert whose answer was lost reached FCM
 * twice, was reported sent and counted nowhere (issue 20); here a call with no answer is `maybeSent`,
 * counted as a possible duplicate when it goes again. The SDK still mints the OAuth token from the
 * service account (`cert`). FCM_BASE_URL sends every request elsewhere (a fake, a proxy).
 */
export class FcmAdapter implements PushPort {
  readonly name = 'fcm';
  private readonly credential: Credential;
  private readonly url: URL;
  private readonly agent: http.Agent;
  private token?: { value: string; renewAt: number; pending?: Promise<string> };

  constructor(config: FcmConfig) {
    this.credential = config.accessToken
      ? tokenCredential(config.accessToken)
      : cert(config.serviceAccount as Parameters<typeof cert>[0]);
    const base = (config.baseUrl ?? FCM_API).replace(/\/+$/, '');
    this.url = new URL(`${base}/v1/projects/${encodeURIComponent(config.projectId)}/messages:send`);
    const options = { keepAlive: true, maxSockets: SOCKETS, maxFreeSockets: SOCKETS, timeout: TIMEOUT_MS };
    this.agent = this.url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
  }

  async send(messages: PushMessage[]): Promise<PushOutcome[]> {
    if (messages.length === 0) return [];
    let token: string;
    try {
      token = await this.accessToken();
    } catch {
      // No token, nothing sent: our credential (the SDK says which; it is not logged, it may hold a key).
      return messages.map(() => classifyFcm('app/invalid-credential'));
    }
    const outcomes = new Array<PushOutcome>(messages.length);
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const i = next++;
        outcomes[i] = await this.sendOne(messages[i], token);
      }
    };
    await Promise.all(Array.from({ length: Math.min(SOCKETS, messages.length) }, worker));
    return outcomes;
  }

  private async sendOne(m: PushMessage, token: string): Promise<PushOutcome> {
    const body = JSON.stringify({
      message: {
        token: m.token,
        notification: { title: m.title, body: m.body },
        data: m.data,
        android: { priority: 'HIGH' },
      },
    });
    try {
      const answer = await this.post(body, token);
      return fcmOutcome(answer.status, answer.body, answer.retryAfter);
    } catch (err) {
      return noAnswer(err as { code?: unknown });
    }
  }

  private post(body: string, token: string): Promise<{ status: number; body: string; retryAfter?: string }> {
    const transport = this.url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const req = transport.request(
        this.url,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            Authorization: `Bearer ${token}`,
            'Content-Type': 'application/json; charset=utf-8',
            'Content-Length': String(Buffer.byteLength(body)),
          },
        },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => {
            const retryAfter = res.headers['retry-after'];
            resolve({ status: res.statusCode ?? 0, body: text, retryAfter });
          });
          res.on('error', reject);
        },
      );
      req.setTimeout(TIMEOUT_MS, () =>
        req.destroy(Object.assign(new Error('FCM request timed out'), { code: 'ETIMEDOUT' })),
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** The OAuth token, minted again shortly before it expires; one mint at a time. */
  private async accessToken(): Promise<string> {
    const now = Date.now();
    if (this.token && now < this.token.renewAt) return this.token.value;
    if (this.token?.pending) return this.token.pending;
    const pending = this.credential.getAccessToken().then(
      (t) => {
        this.token = { value: t.access_token, renewAt: Date.now() + t.expires_in * 1000 - TOKEN_MARGIN_MS };
        return t.access_token;
      },
      (err: unknown) => {
        if (this.token) this.token.pending = undefined;
        throw err;
      },
    );
    this.token = { value: this.token?.value ?? '', renewAt: 0, pending };
    return pending;
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }
}
