import { Logger } from '@nestjs/common';
import sendgridClient from '@sendgrid/client';
import { EmailAddress } from '@sendgrid/helpers/classes/index.js';
import type { SendGridConfig } from '../../config/config.js';
import {
  BATCH_REFUSED,
  MALFORMED,
  noAnswer,
  type EmailBatch,
  type EmailPort,
  type SendOutcome,
} from '../channel.port.js';

const TIMEOUT_MS = 30_000;
// The package exports a singleton; its class is there at run time but missing from the typings.
const { Client } = sendgridClient as unknown as { Client: new () => typeof sendgridClient };

interface SendGridFailure {
  /** The HTTP status of an answer; a string (ECONNRESET, ECONNABORTED...) when none came. */
  code?: number | string;
  message?: string;
  response?: { headers?: Record<string, string>; body?: { errors?: Array<{ field?: string | null }> } };
}

/**
 * Milliseconds until SendGrid's rate limit resets (X-RateLimit-Reset is a Unix time); undefined when
 * the header says nothing usable, or a moment already past (our clock ahead of theirs, or the same
 * second): then our own backoff applies, never an immediate retry into the limit.
 */
export function resetDelayMs(headers: Record<string, string> | undefined, now: number): number | undefined {
  const reset = Number(headers?.['x-ratelimit-reset']);
  if (!Number.isFinite(reset) || reset <= 0) return undefined;
  const wait = reset * 1000 - now;
  return wait > 0 ? wait : undefined;
}

/**
 * Email through SendGrid's v3 Mail Send: one request per batch (up to 1000 personalizations of one
 * locale), the body shared and what differs per person in substitutions, the message id in custom args
 * (the Event Webhook sends it back).
 */
export class SendGridAdapter implements EmailPort {
  readonly name = 'sendgrid';
  private readonly logger = new Logger(SendGridAdapter.name);
  private readonly client: typeof sendgridClient;
  /** The sender as the API takes it (`Name <address>` parsed by the SDK's helper, once). */
  private readonly from: { email: string; name?: string };

  constructor(config: SendGridConfig) {
    this.client = new Client();
    // setApiKey resets the base URL: it goes first.
    this.client.setApiKey(config.apiKey);
    this.client.setDefaultRequest('baseUrl', `${config.baseUrl}/`);
    // Axios waits forever by default.
    this.client.setDefaultRequest({ timeout: TIMEOUT_MS } as never);
    this.from = new EmailAddress(config.from).toJSON();
  }

  async send(batch: EmailBatch): Promise<SendOutcome[]> {
    try {
      // The v3 body as the API documents it, through the SDK's client. The SDK's Mail helper would build
      // the same body by deep-cloning and re-casing every personalization: a quarter of a batch's cost.
      const [response] = await this.client.request({
        method: 'POST',
        url: '/v3/mail/send',
        body: {
          from: this.from,
          subject: batch.subject,
          content: [
            { type: 'text/plain', value: batch.text },
            { type: 'text/html', value: batch.html },
          ],
          personalizations: batch.recipients.map((r) => ({
            to: [{ email: r.to }],
            // Our tokens are already `%name%`, as they appear in the content.
            substitutions: r.substitutions,
            custom_args: { message_id: String(r.messageId) },
          })),
        },
      });
      // SendGrid's success is a 2xx with the request's id: anything else is not its answer (issue 20: a
      // 200 without one was recorded sent for a thousand people whom nothing reached).
      const headers = response.headers as Record<string, string | undefined>;
      const id = headers['x-message-id'];
      const ok =
        response.statusCode >= 200 && response.statusCode < 300 && typeof id === 'string' && id !== '';
      return batch.recipients.map((): SendOutcome => (ok ? { kind: 'sent', providerRef: id } : MALFORMED));
    } catch (err) {
      const outcomes = classifySendGrid(err as SendGridFailure, batch.recipients.length, Date.now());
      if (outcomes[0]?.kind === 'refused')
        this.logger.error(`SendGrid refused the request: ${outcomes[0].code}`);
      return outcomes;
    }
  }
}

/**
 * SendGrid answers for the whole request. A 400 names the personalizations it refused: those fail (an
 * address, or anything else of that one person), the others go again with the job's next attempt. A 400
 * that names nobody is about what every person shares (our sender, our content) and an unknown status
 * can be anything: neither is the recipients' doing, and the campaign pauses rather than failing a
 * thousand people over to another channel.
 */
export function classifySendGrid(err: SendGridFailure, count: number, now: number): SendOutcome[] {
  const status = typeof err.code === 'number' ? err.code : undefined;
  const all = (outcome: SendOutcome) => Array.from({ length: count }, () => outcome);
  if (status === undefined) return all(noAnswer(err));
  if (status === 429) {
    return all({
      kind: 'transient',
      code: 'http_429',
      retryAfterMs: resetDelayMs(err.response?.headers, now),
    });
  }
  if (status >= 500) return all({ kind: 'transient', code: `http_${status}` });
  const refused = new Map<number, string>();
  if (status === 400) {
    for (const e of err.response?.body?.errors ?? []) {
      const match = /^personalizations\.(\d+)\.(\w+)/.exec(e.field ?? '');
      if (match && Number(match[1]) < count) {
        refused.set(Number(match[1]), match[2] === 'to' ? 'invalid_address' : `invalid_${match[2]}`);
      }
    }
  }
  if (refused.size === 0) return all({ kind: 'refused', code: `sendgrid_http_${status}` });
  return Array.from({ length: count }, (_, i): SendOutcome => {
    const code = refused.get(i);
    return code ? { kind: 'permanent', code } : { kind: 'transient', code: BATCH_REFUSED, retryAfterMs: 0 };
  });
}
