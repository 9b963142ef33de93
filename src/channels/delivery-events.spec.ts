import { generateKeyPairSync, sign } from 'node:crypto';
import { getExpectedTwilioSignature } from 'twilio/lib/webhooks/webhooks.js';
import { AppError } from '../common/errors.js';
import type { TwilioConfig } from '../config/config.js';
import { SendGridEvents } from './sendgrid/sendgrid.events.js';
import { TwilioEvents } from './twilio/twilio.events.js';

// Each provider's source reads its own webhook: the signature first, then events without addresses.

describe('SendGrid event source', () => {
  const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const source = new SendGridEvents(
    keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  );
  const now = new Date('2026-12-01T10:00:00Z');
  const post = (events: unknown, at = now) => {
    const rawBody = Buffer.from(JSON.stringify(events));
    const timestamp = String(Math.floor(at.getTime() / 1000));
    const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), rawBody]), keys.privateKey);
    return { path: '/v1/webhooks/sendgrid', rawBody, timestamp, signature: signature.toString('base64') };
  };

  it('reads signed events: our message id, the request id, the bounce type, never the reason', () => {
    const parsed = source.parseEventBody(
      post([
        {
          event: 'bounce',
          sg_event_id: 'ev-1',
          sg_message_id: 'req-9.filter0001',
          message_id: '42',
          email: 'someone@example.org',
          reason: '550 someone@example.org unknown',
          type: 'bounce',
          status: '5.1.1',
          timestamp: 1_764_583_200,
        },
        'not an event',
      ]),
      now,
    );
    expect(parsed).toEqual({
      events: [
        {
          eventKey: 'ev-1',
          event: 'bounce',
          messageId: 42,
          providerRef: 'req-9',
          code: 'bounce 5.1.1',
          occurredAt: new Date(1_764_583_200_000),
        },
      ],
    });
    expect(JSON.stringify(parsed)).not.toContain('someone@example.org');
  });

  it('refuses posts it cannot verify: no key, unsigned, stale, forged', () => {
    expect(new SendGridEvents(undefined).parseEventBody(post([]), now)).toEqual({
      refused: 'no SENDGRID_WEBHOOK_PUBLIC_KEY is configured',
    });
    expect(source.parseEventBody({ ...post([]), signature: undefined }, now)).toEqual({
      refused: 'unsigned',
    });
    expect(source.parseEventBody(post([], new Date(now.getTime() - 10 * 60_000)), now)).toEqual({
      refused: 'stale',
    });
    const forged = { ...post([{ event: 'delivered' }]), rawBody: Buffer.from('[{"event":"bounce"}]') };
    expect(source.parseEventBody(forged, now)).toEqual({ refused: 'bad signature' });
  });

  it('reads an odd field as an absent one, so one odd event never refuses the batch (PostgreSQL could not keep it)', () => {
    const odd = [
      { event: 'bounce', sg_event_id: 'ev-far', message_id: '1', timestamp: 1e300 },
      { event: 'bounce', sg_event_id: 'ev-before', message_id: '2', timestamp: -99_999_999_999_999 },
      // 10000-01-01T00:00:00Z: a date to JavaScript, not to PostgreSQL.
      { event: 'bounce', sg_event_id: 'ev-10000', message_id: '3', timestamp: 253_402_300_800 },
      { event: 'bounce', sg_event_id: 'ev-\u0000', message_id: '4', timestamp: 1_764_583_200 },
      {
        event: 'dropped\u0000',
        sg_event_id: 'ev-text',
        sg_message_id: 'req\ud800.f',
        type: 'bounce\u0000',
        status: '5.1.1',
        message_id: '5',
      },
    ];
    const parsed = source.parseEventBody(post(odd), now);
    if (!('events' in parsed)) throw new Error('refused');
    expect(parsed.events.map((e) => e.messageId)).toEqual([1, 2, 3, 4, 5]);
    expect(parsed.events.slice(0, 3).map((e) => e.occurredAt)).toEqual([null, null, null]);
    // Its key made from the whole event, as for an event without one: the same on SendGrid's retry.
    expect(parsed.events[3].eventKey).toMatch(/^[\w-]{43}$/);
    expect(source.parseEventBody(post(odd), now)).toEqual(parsed);
    expect(parsed.events[4]).toMatchObject({ event: 'unknown', providerRef: null, code: '5.1.1' });
    expect(JSON.stringify(parsed)).not.toMatch(/\\u0000|\\ud800/);
  });

  it('says a signed body that is not an array of events is bad input (400)', () => {
    expect(() => source.parseEventBody(post({ event: 'delivered' }), now)).toThrow(/array of at most/);
  });

  it('knows which events end a message’s journey, and no others', () => {
    expect(source.outcomeOf('delivered')).toBe('delivered');
    expect(source.outcomeOf('bounce')).toBe('failed');
    expect(source.outcomeOf('dropped')).toBe('failed');
    expect(source.outcomeOf('open')).toBeUndefined();
    expect(source.outcomeOf('constructor')).toBeUndefined();
  });
});

describe('Twilio event source', () => {
  const config = { authToken: 'secret-token' } as TwilioConfig;
  const base = 'https://notices.example.org';
  const source = new TwilioEvents(config, base);
  const path = '/v1/webhooks/twilio?message=77';
  const form = { MessageSid: 'SM1', MessageStatus: 'undelivered', ErrorCode: '30003', To: '+14155550100' };
  const signature = getExpectedTwilioSignature(config.authToken, `${base}${path}`, form);

  it('reads a signed status callback: our id from the address it signed, the SID, the error code', () => {
    expect(source.parseEventBody({ path, form, signature })).toEqual({
      events: [
        {
          eventKey: 'SM1:undelivered',
          event: 'undelivered',
          messageId: 77,
          providerRef: 'SM1',
          code: 'twilio_30003',
          occurredAt: null,
        },
      ],
    });
    expect(source.outcomeOf('undelivered')).toBe('failed');
    expect(source.outcomeOf('sent')).toBeUndefined();
  });

  it('says a signed callback whose fields PostgreSQL cannot keep is bad input (400), naming the field', () => {
    for (const [field, value] of [
      ['MessageSid', 'SMn\u0000'],
      ['MessageStatus', 'delivered\u0000'],
      ['ErrorCode', '30003\u0000'],
    ] as const) {
      const odd = { ...form, [field]: value };
      const signed = getExpectedTwilioSignature(config.authToken, `${base}${path}`, odd);
      let problems: unknown;
      try {
        source.parseEventBody({ path, form: odd, signature: signed });
      } catch (err) {
        problems = (err as AppError).details?.problems;
      }
      expect(problems).toEqual([
        {
          field,
          rule: 'noNulCharacter',
          message: `${field} must not contain the NUL character (U+0000)`,
        },
      ]);
    }
  });

  it('refuses what Twilio did not sign for this address, and anything without a Twilio account', () => {
    expect(source.parseEventBody({ path: '/v1/webhooks/twilio?message=78', form, signature })).toEqual({
      refused: 'bad signature',
    });
    expect(source.parseEventBody({ path, form })).toEqual({ refused: 'unsigned' });
    expect(new TwilioEvents(undefined, base).parseEventBody({ path, form, signature })).toEqual({
      refused: 'Twilio is not configured',
    });
  });
});
