import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { connect, type Socket } from 'node:net';
import { cert, deleteApp, initializeApp, type App, type Credential } from 'firebase-admin/app';
import { getMessaging, type Messaging } from 'firebase-admin/messaging';
import type { FcmConfig } from '../../config/config.js';
import type { PushMessage, PushOutcome, PushPort } from '../channel.port.js';

/** FCM's answers worth another try; the SDK does not retry 429 itself. */
const TRANSIENT = new Set([
  'messaging/message-rate-exceeded',
  'messaging/server-unavailable',
  'messaging/internal-error',
  'messaging/unknown-error',
  'app/network-error',
  'app/network-timeout',
  // An answer that does not parse: whether FCM took the alert is not known; another try may repeat it.
  'app/unable-to-parse-response',
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

/** Connections to FCM per process (sendEach's requests wait for one). */
const SOCKETS = 64;

/**
 * The FCM host is fixed in the SDK: with FCM_BASE_URL every connection goes to that address instead,
 * in plain TCP for http:// (a local fake) or TLS for https:// (a proxy).
 */
class RedirectingAgent extends Agent {
  constructor(private readonly target: URL) {
    // sendEach over HTTP/1.1 makes one request per message, 500 at once: without a cap the agent opens a
    // socket for each and, keeping at most 256 idle, closes the rest, so every call reconnected ~250 times.
    super({ keepAlive: true, maxSockets: SOCKETS, maxFreeSockets: SOCKETS });
  }

  override createConnection(...args: Parameters<Agent['createConnection']>): Socket {
    const port = Number(this.target.port || (this.target.protocol === 'https:' ? 443 : 80));
    if (this.target.protocol === 'http:') return connect(port, this.target.hostname);
    const [options, callback] = args;
    return super.createConnection(
      { ...options, host: this.target.hostname, port, servername: this.target.hostname },
      callback,
    ) as Socket;
  }
}

/** A ready token, for tests and for deployments that mint tokens elsewhere. */
const tokenCredential = (token: string): Credential => ({
  getAccessToken: () => Promise.resolve({ access_token: token, expires_in: 3600 }),
});

export class FcmAdapter implements PushPort {
  readonly name = 'fcm';
  private readonly app: App;
  private readonly messaging: Messaging;

  constructor(config: FcmConfig) {
    this.app = initializeApp(
      {
        projectId: config.projectId,
        credential: config.accessToken
          ? tokenCredential(config.accessToken)
          : cert(config.serviceAccount as Parameters<typeof cert>[0]),
        ...(config.baseUrl ? { httpAgent: new RedirectingAgent(new URL(config.baseUrl)) } : {}),
      },
      `breach-notify-${randomUUID()}`,
    );
    this.messaging = getMessaging(this.app);
    // sendEach speaks HTTP/2 by default, which does not go through the agent.
    if (config.legacyHttp) this.messaging.enableLegacyHttpTransport();
  }

  async send(messages: PushMessage[]): Promise<PushOutcome[]> {
    if (messages.length === 0) return [];
    try {
      const result = await this.messaging.sendEach(
        messages.map((m) => ({
          token: m.token,
          notification: { title: m.title, body: m.body },
          data: m.data,
          android: { priority: 'high' as const },
        })),
      );
      return result.responses.map((r): PushOutcome =>
        r.success
          ? { kind: 'sent', providerRef: r.messageId ?? '' }
          : classifyFcm(r.error?.code ?? 'unknown'),
      );
    } catch {
      // sendEach throws for the whole call (an invalid message, no answer at all).
      return messages.map(() => ({ kind: 'transient', code: 'call_failed' }));
    }
  }

  async close(): Promise<void> {
    await deleteApp(this.app);
  }
}
