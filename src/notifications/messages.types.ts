import type { Channel } from '../channels/channel.port.js';
import type { messageBatches } from '../database/schema.js';

// Messages and their batches as the send path, the reconciler and delivery events read them
// (MessagesRepository writes them).

export type BatchRow = typeof messageBatches.$inferSelect;

/** What a send job needs of each message it claimed. Contact data stays sealed until it is sent. */
export interface ClaimedMessage {
  id: number;
  deliveryId: number;
  /** Provider calls tried for it so far (transient failures). */
  attempts: number;
  recipient: 'person' | 'guardian';
  timeZone: string | null;
  jurisdiction: string | null;
  exposed: string[];
  subjectId: number | null;
  externalId: string | null;
  sealed: Buffer | null;
  /** Whether an SMS counts as this delivery's notice (`deliveries.lawful`): else it only informs. */
  smsCounts: boolean;
}

export interface QueuedBatch {
  id: number;
  channel: Channel;
  queuings: number;
}

/** A message a delivery event names, as the event's application needs it. */
export interface EventMessage {
  id: number;
  providerRef: string | null;
  channel: string;
  status: string;
  campaignId: string;
  deliveryId: number;
}
