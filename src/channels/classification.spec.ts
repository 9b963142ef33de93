import { MALFORMED } from './channel.port.js';
import { classifyFcm, fcmOutcome } from './fcm/fcm.adapter.js';
import { classifySendGrid } from './sendgrid/sendgrid.adapter.js';
import { classifyTwilio } from './twilio/twilio.adapter.js';

// What each provider's refusal means: the recipient's (permanent: the next channel), the moment's
// (transient: again later), or our account's (refused: the campaign pauses, nobody is failed over).
describe('provider error classification', () => {
  it.each([
    [{ status: 400, code: 21211 }, 'permanent', 'twilio_21211'], // invalid To
    [{ status: 400, code: 21610 }, 'permanent', 'twilio_21610'], // STOP
    [{ status: 400, code: 21614 }, 'permanent', 'twilio_21614'], // not a mobile number
    [{ status: 400, code: 21408 }, 'permanent', 'twilio_21408'], // region not enabled for that number
    [{ status: 400, code: 99999 }, 'permanent', 'twilio_99999'], // unknown
    [{ status: 429, code: 20429 }, 'transient', 'twilio_20429'],
    [{ status: 400, code: 21611 }, 'transient', 'twilio_21611'], // the sender's queue is full
    [{ status: 503 }, 'transient', 'http_503'],
    [{}, 'transient', 'network'],
    [{ status: 401, code: 20003 }, 'refused', 'twilio_20003'],
    [{ status: 404, code: 20404 }, 'refused', 'twilio_20404'], // wrong account or service SID
    [{ status: 400, code: 21212 }, 'refused', 'twilio_21212'], // invalid From
    [{ status: 400, code: 21606 }, 'refused', 'twilio_21606'], // From cannot send SMS (mid-port, not capable)
    [{ status: 400, code: 21659 }, 'refused', 'twilio_21659'], // From is not a Twilio number
    [{ status: 400, code: 21660 }, 'refused', 'twilio_21660'], // From is another account's
  ])('Twilio %j is %s', (err, kind, code) => {
    expect(classifyTwilio(err)).toMatchObject({ kind, code });
  });

  it.each([
    ['messaging/registration-token-not-registered', { kind: 'permanent', unregistered: true }],
    ['messaging/invalid-registration-token', { kind: 'permanent', unregistered: true }],
    // A token of another Firebase project: that alert fails, the token stays.
    ['messaging/mismatched-credential', { kind: 'permanent', unregistered: false }],
    ['messaging/invalid-argument', { kind: 'permanent', unregistered: false }],
    ['messaging/message-rate-exceeded', { kind: 'transient' }],
    ['messaging/server-unavailable', { kind: 'transient' }],
    ['messaging/internal-error', { kind: 'transient' }],
    ['app/network-timeout', { kind: 'transient' }],
    ['messaging/authentication-error', { kind: 'refused' }],
    ['app/invalid-credential', { kind: 'refused' }],
  ])('FCM %s is %j', (code, outcome) => {
    expect(classifyFcm(code)).toMatchObject({ ...outcome, code });
  });

  it.each([
    [200, '{"name":"projects/p/messages/1"}', { kind: 'sent', providerRef: 'projects/p/messages/1' }],
    // Not FCM's answer: never sent.
    [200, '{"this is": not json', MALFORMED],
    [200, '{}', MALFORMED],
    [
      404,
      '{"error":{"status":"NOT_FOUND","details":[{"errorCode":"UNREGISTERED"}]}}',
      { kind: 'permanent', code: 'messaging/registration-token-not-registered', unregistered: true },
    ],
    [
      400,
      '{"error":{"status":"INVALID_ARGUMENT"}}',
      { kind: 'permanent', code: 'messaging/invalid-argument', unregistered: false },
    ],
    [
      401,
      '{"error":{"status":"UNAUTHENTICATED"}}',
      { kind: 'refused', code: 'messaging/authentication-error' },
    ],
    [
      403,
      '{"error":{"status":"PERMISSION_DENIED"}}',
      { kind: 'refused', code: 'messaging/authentication-error' },
    ],
    [503, '<html>bad gateway</html>', { kind: 'transient', code: 'http_503' }],
    [502, '', { kind: 'transient', code: 'http_502' }],
  ])('FCM answer %i %s is %j', (status, body, outcome) => {
    // toEqual: a Retry-After not given is undefined, as good as absent.
    expect(fcmOutcome(status, body)).toEqual(outcome);
  });

  const sendgrid400 = (...fields: Array<string | null>) => ({
    code: 400,
    response: { body: { errors: fields.map((field) => ({ field, message: 'invalid' })) } },
  });

  it('fails only the personalizations SendGrid names, whatever of theirs it names, and sends the rest again', () => {
    const outcomes = classifySendGrid(
      sendgrid400('personalizations.1.to', 'personalizations.3.substitutions', 'personalizations.9.to'),
      4,
      0,
    );
    expect(outcomes).toEqual([
      { kind: 'transient', code: 'batch_refused', retryAfterMs: 0 },
      { kind: 'permanent', code: 'invalid_address' },
      { kind: 'transient', code: 'batch_refused', retryAfterMs: 0 },
      { kind: 'permanent', code: 'invalid_substitutions' },
    ]);
  });

  it('pauses for a refusal of what every recipient shares, never failing them all over', () => {
    for (const err of [sendgrid400('from.email'), sendgrid400(null), sendgrid400(), { code: 413 }]) {
      expect(classifySendGrid(err, 3, 0)).toEqual(
        Array.from({ length: 3 }, () => ({ kind: 'refused', code: `sendgrid_http_${err.code}` })),
      );
    }
    expect(classifySendGrid({ code: 401 }, 1, 0)).toEqual([{ kind: 'refused', code: 'sendgrid_http_401' }]);
  });

  it('retries the moment, after X-RateLimit-Reset when given', () => {
    const limited = { code: 429, response: { headers: { 'x-ratelimit-reset': '1060' } } };
    expect(classifySendGrid(limited, 1, 1_000_000)).toEqual([
      { kind: 'transient', code: 'http_429', retryAfterMs: 60_000 },
    ]);
    // A reset already past (our clock ahead, the same second): our own backoff, not a retry at once.
    expect(classifySendGrid(limited, 1, 1_060_000)).toEqual([
      { kind: 'transient', code: 'http_429', retryAfterMs: undefined },
    ]);
    expect(classifySendGrid({ code: 502 }, 1, 0)).toEqual([{ kind: 'transient', code: 'http_502' }]);
    // No answer: it may have been taken (sent again, a possible duplicate), unless no connection was made.
    expect(classifySendGrid({}, 1, 0)).toEqual([{ kind: 'transient', code: 'network', maybeSent: true }]);
    expect(classifySendGrid({ code: 'ECONNRESET' }, 1, 0)).toEqual([
      { kind: 'transient', code: 'network', maybeSent: true },
    ]);
    expect(classifySendGrid({ code: 'ECONNREFUSED' }, 1, 0)).toEqual([
      { kind: 'transient', code: 'network' },
    ]);
  });

  it('takes a Twilio call with no answer as possibly sent, unless no connection was made', () => {
    expect(classifyTwilio({ code: 'ECONNRESET' })).toEqual({
      kind: 'transient',
      code: 'network',
      maybeSent: true,
    });
    expect(classifyTwilio({})).toEqual({ kind: 'transient', code: 'network', maybeSent: true });
    expect(classifyTwilio({ code: 'ENOTFOUND' })).toEqual({ kind: 'transient', code: 'network' });
  });
});
