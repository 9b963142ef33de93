import type { SendOutcome } from '../../channels/channel.port.js';
import {
  classify,
  needsBatchSends,
  PAUSE_AFTER_ATTEMPTS,
  waitRank,
  type ClassifyInput,
} from './outcome.classifier.js';
import { UNTRIED, type Attempt } from './sending.js';

const sent = (ref = 'r'): SendOutcome => ({ kind: 'sent', providerRef: ref });
const transient = (code: string, more: { retryAfterMs?: number; maybeSent?: true } = {}): SendOutcome => ({
  kind: 'transient',
  code,
  ...more,
});

/** A batch of `outcomes.length` messages (ids 1.., deliveries 101..) tried `attempts` times before. */
function input(outcomes: Attempt[], over: Partial<ClassifyInput> = {}, attempts = 0): ClassifyInput {
  return {
    channel: 'email',
    claimed: outcomes.map((_, i) => ({ id: i + 1, deliveryId: 101 + i, attempts })),
    outcomes,
    lastAttempt: false,
    ...over,
  };
}

describe('the outcome classifier: sent, failed, retried, untried, paused', () => {
  it('records what was sent and fails what failed for good, with its code; the job is done', () => {
    const c = classify(input([sent('a'), { kind: 'permanent', code: 'invalid_address' }, sent('b')]));
    expect(c.sent).toEqual([
      { id: 1, providerRef: 'a' },
      { id: 3, providerRef: 'b' },
    ]);
    expect(c.failed).toEqual([{ id: 2, code: 'invalid_address', deliveryId: 102 }]);
    expect(c).toMatchObject({
      retry: [],
      returned: [],
      untried: [],
      returnBatch: false,
      next: { kind: 'done' },
    });
  });

  it('retries the transient failures before the last attempt, after the longest wait asked', () => {
    const c = classify(
      input([
        transient('http_503'),
        transient('http_429', { retryAfterMs: 4_000 }),
        transient('batch_refused', { retryAfterMs: 0 }),
      ]),
    );
    expect(c.retry).toEqual([1, 2, 3]);
    expect(c.next).toEqual({ kind: 'retry', code: 'http_429', retryAfterMs: 4_000 });
    expect(c.returnBatch).toBe(false);
  });

  it('ranks waits: a provider’s wait, then our backoff, then at once', () => {
    expect(waitRank({ retryAfterMs: 2_000 })).toBeGreaterThan(waitRank({}));
    expect(waitRank({})).toBeGreaterThan(waitRank({ retryAfterMs: 0 }));
    // A 5xx beside a batch's refused address still backs off.
    const c = classify(input([transient('batch_refused', { retryAfterMs: 0 }), transient('http_500')]));
    expect(c.next).toEqual({ kind: 'retry', code: 'http_500', retryAfterMs: undefined });
  });

  it('leaves untried messages queued, no attempt counted, and retries them at once', () => {
    const c = classify(input([sent(), UNTRIED, UNTRIED]));
    expect(c.untried).toEqual([2, 3]);
    expect(c.retry).toEqual([]);
    expect(c.next).toEqual({ kind: 'retry', code: 'lease_lost', retryAfterMs: 0 });
    // On the last attempt the batch goes back to pending for a new job instead.
    const last = classify(input([sent(), UNTRIED], { lastAttempt: true }));
    expect(last).toMatchObject({ untried: [2], returnBatch: true, next: { kind: 'done' } });
  });

  it('counts calls that got no answer as possible duplicates', () => {
    const c = classify(input([transient('network', { maybeSent: true }), transient('network'), UNTRIED]));
    expect(c.maybeSent).toBe(1);
  });

  it('pauses the campaign when the provider refuses our account, returning the batch', () => {
    const c = classify(input([sent(), { kind: 'refused', code: 'twilio_20003' }, transient('http_503')]));
    expect(c.returned).toEqual([2]);
    expect(c.retry).toEqual([3]);
    expect(c.returnBatch).toBe(true);
    expect(c.next).toEqual({ kind: 'pause', reason: 'provider_refused_account', code: 'twilio_20003' });
  });

  it('hands an outage on the last attempt to a new job, and pauses once it outlasted every try', () => {
    const early = classify(input([transient('http_503')], { lastAttempt: true }, 7));
    expect(early).toMatchObject({ returned: [1], failed: [], returnBatch: true, next: { kind: 'done' } });
    const outlasted = classify(
      input([transient('http_503')], { lastAttempt: true }, PAUSE_AFTER_ATTEMPTS - 1),
    );
    expect(outlasted.next).toEqual({ kind: 'pause', reason: 'provider_unavailable', code: 'http_503' });
    expect(outlasted.failed).toEqual([]);
  });
});

describe('the outcome classifier on a last attempt: failing over, or not', () => {
  it('fails over a few SMS still failing on the last attempt of a batch Twilio otherwise took', () => {
    const outcomes = [transient('twilio_30008'), ...Array.from({ length: 9 }, () => sent())];
    expect(needsBatchSends('sms', outcomes, true)).toBe(true);
    expect(needsBatchSends('sms', outcomes, false)).toBe(false);
    expect(needsBatchSends('email', outcomes, true)).toBe(false);
    const c = classify(
      input(outcomes, { channel: 'sms', lastAttempt: true, batchSends: { sent: 0, total: 10 } }),
    );
    expect(c.failed).toEqual([{ id: 1, code: 'retries_exhausted:twilio_30008', deliveryId: 101 }]);
    expect(c.returnBatch).toBe(false);
    // More than a tenth failing is the provider's trouble: handed on, nobody failed over.
    const many = [transient('http_500'), transient('http_500'), ...Array.from({ length: 8 }, () => sent())];
    const outage = classify(
      input(many, { channel: 'sms', lastAttempt: true, batchSends: { sent: 0, total: 10 } }),
    );
    expect(outage).toMatchObject({ failed: [], returned: [1, 2], returnBatch: true });
    // Nothing of the batch ever taken: an outage too.
    const none = classify(
      input([transient('http_500')], {
        channel: 'sms',
        lastAttempt: true,
        batchSends: { sent: 0, total: 20 },
      }),
    );
    expect(none).toMatchObject({ failed: [], returned: [1] });
  });

  it('never fails over SMS for throttling or for our own trouble', () => {
    for (const code of ['twilio_20429', 'twilio_21611', 'http_429', 'render_failed', 'contact_key_unknown']) {
      const outcomes = [transient(code), ...Array.from({ length: 9 }, () => sent())];
      const c = classify(
        input(outcomes, { channel: 'sms', lastAttempt: true, batchSends: { sent: 0, total: 10 } }),
      );
      expect(c).toMatchObject({ failed: [], returned: [1], returnBatch: true });
    }
  });

  it('fails a push alert after PAUSE_AFTER_ATTEMPTS tries instead of pausing the notices', () => {
    const c = classify(
      input(
        [transient('messaging/server-unavailable')],
        { channel: 'push', lastAttempt: true },
        PAUSE_AFTER_ATTEMPTS - 1,
      ),
    );
    expect(c.failed).toEqual([
      { id: 1, code: 'retries_exhausted:messaging/server-unavailable', deliveryId: 101 },
    ]);
    expect(c.next).toEqual({ kind: 'done' });
    // Before that, like any outage: handed on to a new job.
    const earlier = classify(
      input([transient('messaging/server-unavailable')], { channel: 'push', lastAttempt: true }, 3),
    );
    expect(earlier).toMatchObject({ failed: [], returned: [1], next: { kind: 'done' } });
  });

  it('never fails over email on a last attempt, however few fail', () => {
    const outcomes = [transient('http_500'), ...Array.from({ length: 9 }, () => sent())];
    const c = classify(input(outcomes, { lastAttempt: true }, PAUSE_AFTER_ATTEMPTS - 1));
    expect(c.failed).toEqual([]);
    expect(c.next).toEqual({ kind: 'pause', reason: 'provider_unavailable', code: 'http_500' });
  });
});
