// The other half of a channel port: what a provider tells us afterwards through its webhook. Each
// provider's source (beside its adapter) checks the post's signature and reads its events (novu's
// provider interface: parseEventBody, getMessageId); webhooks/ only stores them and has them applied.
import type { Channel } from './channel.port.js';

export type EventProvider = 'sendgrid' | 'twilio';

/** A post to a provider's webhook route, as it came. */
export interface WebhookPost {
  /** The path and query called (Twilio signs the whole public address). */
  path: string;
  /** The body exactly as received (SendGrid signs it byte for byte). */
  rawBody?: Buffer;
  /** The parsed form (Twilio posts one). */
  form?: Record<string, unknown>;
  signature?: string;
  timestamp?: string;
}

/** An event as it is kept: never an address or the provider's free text (it quotes addresses). */
export interface ProviderEvent {
  /** Unique per provider event: a replay or the provider's retry is the same key. */
  eventKey: string;
  /** The provider's own name for what happened (delivered, bounce, undelivered...). */
  event: string;
  /** Our message id, which travels with each message (getMessageId); null when the event names none. */
  messageId: number | null;
  /** What the provider called the message (the request's id, the SID). */
  providerRef: string | null;
  code: string | null;
  occurredAt: Date | null;
}

/** The events of a post, or why it is refused (unsigned, forged, stale, not configured): a 403. */
export type ParsedPost = { events: ProviderEvent[] } | { refused: string };

export interface DeliveryEventSource {
  readonly provider: EventProvider;
  /** The channel of the messages its events name. */
  readonly channel: Channel;
  /**
   * The events of a post once its signature holds (`now` dates the check of a signed timestamp). A post
   * that is signed but not events throws a 400 naming the rule.
   */
  parseEventBody(post: WebhookPost, now: Date): ParsedPost;
  /** What an event means for its message: delivered, failed after it had left, or nothing (kept only). */
  outcomeOf(event: string): 'delivered' | 'failed' | undefined;
}

export const DELIVERY_EVENT_SOURCES = Symbol('DeliveryEventSources');
export type DeliveryEventSources = Record<EventProvider, DeliveryEventSource>;
