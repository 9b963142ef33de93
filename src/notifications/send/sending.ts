import type { Logger } from '@nestjs/common';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import type { SendOutcome } from '../../channels/channel.port.js';
import { messageOf } from '../../common/errors.js';
import type { NoticeFacts } from '../../templates/notice.renderer.js';
import type { BatchRow, ClaimedMessage } from '../messages.types.js';

// What the steps of a send job hand each other: the prepared recipients in, one outcome per claimed
// message out. Shared by the three senders.

/** A claimed message with what it is sent with; `address` undefined when the person cannot be reached so. */
export interface Prepared {
  message: ClaimedMessage;
  facts: NoticeFacts;
  address?: string;
  tokens: string[];
  /** Why it cannot be sent now (its contact data does not open): its outcome instead of a send. */
  problem?: SendOutcome;
  /** The SMS as it goes, and the segments it takes, rendered once when it was measured (SmsSender.fit). */
  sms?: { body: string; segments: number };
}

/** A message never handed to the provider: its job's lease was lost, or about to be. It stays queued. */
export interface Untried {
  kind: 'untried';
}
export const UNTRIED: Untried = { kind: 'untried' };

/** What became of one claimed message in this attempt: the provider's answer, or not tried at all. */
export type Attempt = SendOutcome | Untried;

/** A push token the provider says is no longer registered, with the person it belongs to. */
export interface Unregistered {
  subjectId: number;
  token: string;
}

/** What a sender did with a batch: an outcome per claimed message, in order, and the tokens found gone. */
export interface Sent {
  outcomes: Attempt[];
  unregistered: Unregistered[];
  /**
   * Calls the sender made again within the job after one that got no answer (a person's other device):
   * possible duplicates that no outcome shows.
   */
  maybeSentAgain?: number;
}

/** Whether a call may still leave: false once the job's lease is lost or in its last third. */
export type MayStart = () => boolean;

export interface ChannelSender {
  send(batch: BatchRow, prepared: Prepared[], mayStart: MayStart): Promise<Sent>;
}

/**
 * A notice that does not render (a defect of a template or a locale, logged): tried again like an
 * outage, so a defect pauses the campaign rather than failing everyone over; never holds up the batch.
 */
export const RENDER_FAILED = { kind: 'transient', code: 'render_failed' } as const satisfies SendOutcome;

/**
 * Messages opened and rendered between two yields to the event loop. A thousand emails are tens of
 * milliseconds of CPU; in one piece, the answers to the process's other jobs (an SMS every few
 * milliseconds) would wait behind them, and SMS would go at the pace of email batches.
 */
const SLICE = 100;

/** `each` over `items`, yielding to the event loop between slices. */
export async function sliced<T, R>(items: readonly T[], each: (item: T) => R): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  for (let i = 0; i < items.length; i += 1) {
    if (i > 0 && i % SLICE === 0) await yieldToLoop();
    out[i] = each(items[i]);
  }
  return out;
}

/** The outcomes before any call: each message's own problem, or no address for this channel. */
export const unsent = (prepared: Prepared[]): Attempt[] =>
  prepared.map((p) => p.problem ?? { kind: 'permanent', code: 'no_address' });

/** What `render` returns, or undefined (logged) when it throws: a defect, never a batch held up by it. */
export function rendered<T>(logger: Logger, render: () => T): T | undefined {
  try {
    return render();
  } catch (err) {
    logger.error({ err: messageOf(err) }, 'a notice did not render');
    return undefined;
  }
}

/** An adapter that throws (a bug, a dropped connection it did not classify) fails the call transiently. */
export async function settle<T extends SendOutcome>(
  logger: Logger,
  count: number,
  call: () => Promise<T[]>,
): Promise<SendOutcome[]> {
  try {
    return await call();
  } catch (err) {
    logger.warn({ err: messageOf(err) }, 'provider call failed');
    return Array.from({ length: count }, () => ({ kind: 'transient', code: 'call_failed' }));
  }
}
