import { createHash, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { isStorableInstant } from '../../common/date-time.js';
import { AppError } from '../../common/errors.js';
import { textProblem } from '../../common/text.js';
import type { DeliveryEventSource, ParsedPost, ProviderEvent, WebhookPost } from '../delivery-events.port.js';

/** How far a signed SendGrid timestamp may be from now: older posts are refused as replays. */
export const SENDGRID_MAX_SKEW_S = 5 * 60;
const MAX_EVENTS = 10_000;

/**
 * SendGrid events that end a message's journey; the rest (processed, deferred, open, click) are kept only.
 * A Map: an event named like an object's own property (`constructor`) means nothing either.
 */
const OUTCOME = new Map<string, 'delivered' | 'failed'>([
  ['delivered', 'delivered'],
  ['bounce', 'failed'],
  ['dropped', 'failed'],
]);

interface SendGridEvent {
  event?: unknown;
  sg_event_id?: unknown;
  sg_message_id?: unknown;
  message_id?: unknown;
  timestamp?: unknown;
  type?: unknown;
  status?: unknown;
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * A field of an event as text PostgreSQL can keep, or null: what a field that is no such text (too long, a
 * NUL, a lone surrogate) is read as, like one that is absent. Refusing the post for it would refuse the
 * whole signed batch (up to 10,000 events), which SendGrid retries until it gives up: every bounce in it
 * lost for one odd event.
 */
const text = (v: unknown): string | null =>
  typeof v === 'string' && v.length <= 200 && !textProblem(v, 'event') ? v : null;

/** SendGrid's `timestamp` (Unix seconds) as an instant PostgreSQL can keep, or null like an absent one. */
function instant(seconds: unknown): Date | null {
  if (typeof seconds !== 'number') return null;
  const date = new Date(seconds * 1000);
  return isStorableInstant(date) ? date : null;
}

/** SendGrid's verification key, as its settings show it (base64 DER) or as PEM. */
export function sendgridKey(value: string): KeyObject {
  return value.includes('BEGIN PUBLIC KEY')
    ? createPublicKey(value)
    : createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' });
}

/** ECDSA P-256 / SHA-256 over timestamp + the raw body, exactly as received. */
export function verifySendGrid(
  key: KeyObject,
  rawBody: Buffer,
  signature: string | undefined,
  timestamp: string | undefined,
  nowSeconds: number,
): Verdict {
  if (!signature || !timestamp) return { ok: false, reason: 'unsigned' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SENDGRID_MAX_SKEW_S) return { ok: false, reason: 'stale' };
  const signed = Buffer.concat([Buffer.from(timestamp), rawBody]);
  let valid = false;
  try {
    valid = verify('sha256', signed, key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'bad signature' };
}

/** SendGrid's Event Webhook: signed JSON arrays of events, our message id in each event's custom args. */
export class SendGridEvents implements DeliveryEventSource {
  readonly provider = 'sendgrid';
  readonly channel = 'email';
  private readonly key?: KeyObject;

  /** `publicKey`: SENDGRID_WEBHOOK_PUBLIC_KEY; without it every post is refused. */
  constructor(publicKey: string | undefined) {
    if (publicKey) this.key = sendgridKey(publicKey);
  }

  parseEventBody(post: WebhookPost, now: Date): ParsedPost {
    if (!this.key) return { refused: 'no SENDGRID_WEBHOOK_PUBLIC_KEY is configured' };
    const body = post.rawBody ?? Buffer.alloc(0);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const verdict = verifySendGrid(this.key, body, post.signature, post.timestamp, nowSeconds);
    if (!verdict.ok) return { refused: verdict.reason };
    let events: SendGridEvent[];
    try {
      events = JSON.parse(body.toString('utf8')) as SendGridEvent[];
    } catch {
      throw AppError.invalid([
        { field: 'body', rule: 'isJson', message: 'body must be a JSON array of events' },
      ]);
    }
    if (!Array.isArray(events) || events.length > MAX_EVENTS) {
      throw AppError.invalid([
        {
          field: 'body',
          rule: 'isEventArray',
          message: `body must be an array of at most ${MAX_EVENTS} events`,
        },
      ]);
    }
    // Signed, so SendGrid's: anything in the array that is not an event object is skipped.
    const objects = events.filter((e): e is SendGridEvent => typeof e === 'object' && e !== null);
    return { events: objects.map(toEvent) };
  }

  outcomeOf(event: string): 'delivered' | 'failed' | undefined {
    return OUTCOME.get(event);
  }
}

function toEvent(e: SendGridEvent): ProviderEvent {
  return {
    eventKey: text(e.sg_event_id) ?? createHash('sha256').update(JSON.stringify(e)).digest('base64url'),
    event: text(e.event) ?? 'unknown',
    messageId:
      typeof e.message_id === 'string' && /^\d{1,15}$/.test(e.message_id) ? Number(e.message_id) : null,
    providerRef: text(e.sg_message_id)?.split('.')[0] ?? null,
    // The bounce type and SMTP status: never the reason text, which quotes addresses.
    code: [text(e.type), text(e.status)].filter(Boolean).join(' ') || null,
    occurredAt: instant(e.timestamp),
  };
}
