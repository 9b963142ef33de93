// Only the SDK's webhook helpers: the whole SDK (its every API) is ~25 MB.
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';
import { AppError } from '../../common/errors.js';
import { textProblem } from '../../common/text.js';
import type { TwilioConfig } from '../../config/config.js';
import type { DeliveryEventSource, ParsedPost, WebhookPost } from '../delivery-events.port.js';

/** Statuses that end a message's journey; the rest (queued, sent...) are kept only. */
const OUTCOME = new Map<string, 'delivered' | 'failed'>([
  ['delivered', 'delivered'],
  ['undelivered', 'failed'],
  ['failed', 'failed'],
]);

export type Verdict = { ok: true } | { ok: false; reason: string };

/** HMAC-SHA1 of the public URL Twilio called and the sorted parameters. */
export function verifyTwilio(
  authToken: string,
  url: string,
  params: Record<string, unknown>,
  signature: string | undefined,
): Verdict {
  if (!signature) return { ok: false, reason: 'unsigned' };
  // Twilio posts a form: every value a string. Anything else (a JSON body with objects in it) was not
  // signed by Twilio, and the SDK would throw on it.
  if (!Object.values(params).every((v) => typeof v === 'string')) {
    return { ok: false, reason: 'not a form of strings' };
  }
  try {
    return validateRequest(authToken, signature, url, params as Record<string, string>)
      ? { ok: true }
      : { ok: false, reason: 'bad signature' };
  } catch {
    return { ok: false, reason: 'bad signature' };
  }
}

/**
 * Twilio's status callbacks: one signed form per status change, our message id in the callback's
 * address (`...?message=<id>`, which the adapter gave it and the signature covers).
 */
export class TwilioEvents implements DeliveryEventSource {
  readonly provider = 'twilio';
  readonly channel = 'sms';

  /** `publicBaseUrl`: the address Twilio calls, not the one a proxy passes on. */
  constructor(
    private readonly config: TwilioConfig | undefined,
    private readonly publicBaseUrl: string,
  ) {}

  parseEventBody(post: WebhookPost): ParsedPost {
    if (!this.config) return { refused: 'Twilio is not configured' };
    const params = post.form ?? {};
    const url = `${this.publicBaseUrl}${post.path}`;
    const verdict = verifyTwilio(this.config.authToken, url, params, post.signature);
    if (!verdict.ok) return { refused: verdict.reason };
    const sid = params.MessageSid as string | undefined;
    const status = params.MessageStatus as string | undefined;
    if (!sid || !status) {
      throw AppError.invalid([
        { field: 'MessageSid', rule: 'isPresent', message: 'MessageSid and MessageStatus are required' },
      ]);
    }
    const errorCode = params.ErrorCode as string | undefined;
    // Kept as they came, so text PostgreSQL cannot keep (a NUL failed the insert with a 500) is bad input
    // like a missing field: the post holds this one event, and nothing else is lost with it.
    const unstorable =
      textProblem(sid, 'MessageSid') ??
      textProblem(status, 'MessageStatus') ??
      (errorCode ? textProblem(errorCode, 'ErrorCode') : undefined);
    if (unstorable) throw AppError.invalid([unstorable]);
    const messageId = /[?&]message=(\d{1,15})(?:&|$)/.exec(post.path)?.[1];
    return {
      events: [
        {
          eventKey: `${sid}:${status}`,
          event: status,
          messageId: messageId ? Number(messageId) : null,
          providerRef: sid,
          code: errorCode ? `twilio_${errorCode}` : null,
          occurredAt: null,
        },
      ],
    };
  }

  outcomeOf(event: string): 'delivered' | 'failed' | undefined {
    return OUTCOME.get(event);
  }
}
