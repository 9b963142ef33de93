import type { Channel } from '../../channels/channel.port.js';
import type { Attempt } from './sending.js';

// What a send job's outcomes mean, decided in one place and without I/O: for each claimed message
// (sent, failed with its code, tried again by this job, returned with its batch, untried) and for the
// batch and the job (done, retried after a wait, or the campaign paused).

/**
 * Tries of one message through a provider's outage before its campaign pauses: four send jobs (eight
 * attempts each: at least two minutes of backoff per job, longer when the provider asks to wait).
 * Until then each job's last attempt hands the batch to a new job.
 */
export const PAUSE_AFTER_ATTEMPTS = 32;
/** A share of a batch small enough that its failures are the recipients', not the provider's. */
export const FEW_FAILING = 0.1;
/** Throttling is the provider's (or our rate's), never a recipient's. */
const THROTTLED = new Set(['http_429', 'twilio_20429', 'twilio_21611']);
/** Transient failures of ours (a key this worker lacks, a notice that does not render), never a recipient's. */
const OURS = new Set(['contact_key_unknown', 'render_failed', 'send_rate_unavailable']);
/** Retried at once: messages left untried because the lease was lost (or about to be). */
const LEASE_LOST = { code: 'lease_lost', retryAfterMs: 0 } as const;

/**
 * Orders the waits of a job's transient failures, the longest to retry after: a provider's wait, then
 * our backoff (no wait given), then at once (0: a refused batch's others, a lost lease). So a 5xx beside
 * a batch's refused address still backs off.
 */
export const waitRank = (outcome: { retryAfterMs?: number }): number =>
  outcome.retryAfterMs === undefined ? 0.5 : outcome.retryAfterMs;

export interface ClassifyInput {
  channel: Channel;
  /** The claimed messages, in the order of `outcomes`. */
  claimed: ReadonlyArray<{ id: number; deliveryId: number; attempts: number }>;
  outcomes: readonly Attempt[];
  /** The job's last attempt: what is still failing is handed on or failed over, not retried by it. */
  lastAttempt: boolean;
  /**
   * The batch's messages the provider took in earlier attempts, of all it holds: read only when
   * `needsBatchSends` says so (a last attempt of SMS with failures); without it, none count as few.
   */
  batchSends?: { sent: number; total: number };
}

/** What the job does once the outcome is recorded (and only if its lease was still its own). */
export type Next =
  | { kind: 'done' }
  /** Thrown as RetryLater: the job's next attempt, after `retryAfterMs` or the backoff. */
  | { kind: 'retry'; code: string; retryAfterMs?: number }
  /** The campaign pauses for a person to look: our account refused, or an outage outlasted every try. */
  | { kind: 'pause'; reason: 'provider_refused_account' | 'provider_unavailable'; code: string };

export interface Classification {
  sent: Array<{ id: number; providerRef: string }>;
  /** Failed for good: the next notice channel of the plan, or unreachable. */
  failed: Array<{ id: number; code: string; deliveryId: number }>;
  /** Tried and left queued for this job's next attempt (the attempt counted). */
  retry: number[];
  /** Tried and left queued, back with their batch for a new job or the resume (the attempt counted). */
  returned: number[];
  /** Never handed to the provider: no attempt counted, never failed. */
  untried: number[];
  /** Calls that got no answer: whatever comes of them now, they may arrive twice. */
  maybeSent: number;
  /** The batch goes back to pending (a new job, or the resume) instead of its lease being given back. */
  returnBatch: boolean;
  next: Next;
}

/** Transient failures among the outcomes (untried messages are not failures). */
export const failing = (outcomes: readonly Attempt[]): number =>
  outcomes.reduce((n, o) => (o.kind === 'transient' ? n + 1 : n), 0);

/** Whether `classify` needs the batch's earlier sends: an SMS job's last attempt with failures. */
export const needsBatchSends = (channel: Channel, outcomes: readonly Attempt[], lastAttempt: boolean) =>
  lastAttempt && channel === 'sms' && failing(outcomes) > 0;

/**
 * Whether the transient failures among `outcomes` are a few of a batch the provider otherwise took (in
 * this attempt or an earlier one): at most FEW_FAILING of it, at least one sent.
 */
function fewFailing(outcomes: readonly Attempt[], before: { sent: number; total: number }): boolean {
  const count = failing(outcomes);
  if (count === 0) return false;
  const sentNow = outcomes.reduce((n, o) => (o.kind === 'sent' ? n + 1 : n), 0);
  return before.sent + sentNow > 0 && count <= Math.max(1, Math.floor(before.total * FEW_FAILING));
}

export function classify(input: ClassifyInput): Classification {
  const { channel, claimed, outcomes, lastAttempt } = input;
  const c: Classification = {
    sent: [],
    failed: [],
    retry: [],
    returned: [],
    untried: [],
    maybeSent: 0,
    returnBatch: false,
    next: { kind: 'done' },
  };
  // A transient failure on the job's last attempt is an outage (not the recipient's doing: they stay
  // queued, never failed over), unless it is a few SMS of a batch Twilio otherwise took: then it is
  // those numbers' trouble, and they fail like a permanent failure. Alerts are never held for long:
  // push alerts still failing after PAUSE_AFTER_ATTEMPTS tries fail, and the notices go on.
  const recipientsTrouble =
    lastAttempt &&
    channel === 'sms' &&
    input.batchSends !== undefined &&
    fewFailing(outcomes, input.batchSends);
  let transient: { code: string; retryAfterMs?: number } | undefined;
  let refused: string | undefined;
  let outlasted: { code: string; attempts: number } | undefined;
  claimed.forEach((message, i) => {
    const outcome = outcomes[i];
    switch (outcome.kind) {
      case 'untried':
        c.untried.push(message.id);
        return;
      case 'refused':
        // Not the recipient's doing: back in the queue whatever the attempt, for after the resume.
        c.returned.push(message.id);
        refused = outcome.code;
        return;
      case 'sent':
        c.sent.push({ id: message.id, providerRef: outcome.providerRef });
        return;
      case 'permanent':
        c.failed.push({ id: message.id, code: outcome.code, deliveryId: message.deliveryId });
        return;
      case 'transient':
        if (outcome.maybeSent) c.maybeSent += 1;
        if (!lastAttempt) {
          c.retry.push(message.id);
          if (!transient || waitRank(outcome) > waitRank(transient)) transient = outcome;
        } else if (
          (recipientsTrouble && !THROTTLED.has(outcome.code) && !OURS.has(outcome.code)) ||
          (channel === 'push' && message.attempts + 1 >= PAUSE_AFTER_ATTEMPTS)
        ) {
          c.failed.push({
            id: message.id,
            code: `retries_exhausted:${outcome.code}`,
            deliveryId: message.deliveryId,
          });
        } else {
          c.returned.push(message.id);
          if (!outlasted || message.attempts + 1 > outlasted.attempts) {
            outlasted = { code: outcome.code, attempts: message.attempts + 1 };
          }
        }
    }
  });
  // Untried messages on the job's last attempt, or an outage that outlasted it: back to pending, for a
  // new job with attempts of its own.
  c.returnBatch = c.returned.length > 0 || (c.untried.length > 0 && lastAttempt);
  if (c.untried.length > 0 && !lastAttempt) transient ??= LEASE_LOST;
  // New jobs keep trying through an outage; one that has outlasted PAUSE_AFTER_ATTEMPTS tries pauses
  // the campaign for a person to look (resume once the provider is back).
  if (refused) c.next = { kind: 'pause', reason: 'provider_refused_account', code: refused };
  else if (outlasted && outlasted.attempts >= PAUSE_AFTER_ATTEMPTS) {
    c.next = { kind: 'pause', reason: 'provider_unavailable', code: outlasted.code };
  } else if (transient) {
    c.next = { kind: 'retry', code: transient.code, retryAfterMs: transient.retryAfterMs };
  }
  return c;
}
