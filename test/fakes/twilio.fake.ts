import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import twilio from 'twilio';
import { FakeServer, json, type Recorded } from './fake-server.js';

export interface SentSms {
  sid: string;
  to: string;
  from: string | null;
  messagingServiceSid: string | null;
  body: string;
  statusCallback: string | null;
}

/**
 * Twilio's Messages.create at the wire: Basic auth, form-encoded, 201 with snake_case JSON; errors as
 * `{code, message, more_info, status}` (numbers in `invalid` get 21211, in `stopped` 21610); 429 with
 * code 20429. It signs status callbacks as Twilio does.
 */
export class TwilioFake extends FakeServer {
  readonly accountSid = `AC${randomBytes(16).toString('hex')}`;
  readonly authToken = randomBytes(16).toString('hex');
  readonly sent: SentSms[] = [];
  readonly invalid = new Set<string>();
  readonly stopped = new Set<string>();
  /** Told of every accepted message (the fault harness posts its status callbacks). */
  onAccepted?: (sms: { to: string; sid: string; statusCallback: string | null }) => void;

  constructor() {
    super((req, res) => this.create(req, res), {
      serverError: (res, status) =>
        json(res, status, { code: 20500, message: 'Internal Server Error', more_info: '', status }),
      rateLimited: (res, seconds) =>
        json(
          res,
          429,
          { code: 20429, message: 'Too Many Requests', more_info: '', status: 429 },
          {
            'Retry-After': String(seconds),
          },
        ),
    });
  }

  /** A status callback as Twilio would post it to `url`: form body and X-Twilio-Signature. */
  signCallback(
    url: string,
    params: Record<string, string>,
  ): { headers: Record<string, string>; body: string } {
    return {
      body: new URLSearchParams(params).toString(),
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        'X-Twilio-Signature': twilio.getExpectedTwilioSignature(this.authToken, url, params),
      },
    };
  }

  private create(req: Recorded, res: ServerResponse): void {
    const path = `/2010-04-01/Accounts/${this.accountSid}/Messages.json`;
    if (req.method !== 'POST' || req.path !== path) {
      return json(res, 404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    }
    const expected = `Basic ${Buffer.from(`${this.accountSid}:${this.authToken}`).toString('base64')}`;
    if (req.headers.authorization !== expected) {
      return json(res, 401, { code: 20003, message: 'Authenticate', more_info: '', status: 401 });
    }
    const form = new URLSearchParams(req.body);
    const to = form.get('To') ?? '';
    if (!/^\+[1-9]\d{6,14}$/.test(to) || this.invalid.has(to)) {
      this.note(to, 'refused');
      return refusal(res, 21211, `The 'To' number ${to} is not a valid phone number.`);
    }
    if (this.stopped.has(to)) {
      this.note(to, 'refused');
      return refusal(res, 21610, 'Attempt to send to unsubscribed recipient');
    }
    if (!form.get('Body') || (!form.get('From') && !form.get('MessagingServiceSid'))) {
      this.note(to, 'other');
      return json(res, 400, { code: 21602, message: 'Message body is required.', status: 400 });
    }
    if (form.get('Body')!.length > 1600) {
      this.note(to, 'other');
      return refusal(res, 21617, 'The concatenated message body exceeds the 1600 character limit.');
    }
    const sid = `SM${randomBytes(16).toString('hex')}`;
    this.accepted += 1;
    this.note(to, 'accepted');
    this.ledger?.texts.push({ at: req.at, text: form.get('Body')! });
    this.onAccepted?.({ to, sid, statusCallback: form.get('StatusCallback') });
    if (this.keep)
      this.sent.push({
        sid,
        to,
        from: form.get('From'),
        messagingServiceSid: form.get('MessagingServiceSid'),
        body: form.get('Body')!,
        statusCallback: form.get('StatusCallback'),
      });
    json(res, 201, {
      sid,
      account_sid: this.accountSid,
      to,
      from: form.get('From'),
      messaging_service_sid: form.get('MessagingServiceSid'),
      body: form.get('Body'),
      status: 'queued',
      num_segments: '1',
      direction: 'outbound-api',
      date_created: new Date().toUTCString(),
      uri: `${path.replace('.json', '')}/${sid}.json`,
    });
  }
}

/** A refusal as Twilio answers it: 400, its error code, and the page that explains the code. */
function refusal(res: ServerResponse, code: number, message: string): void {
  json(res, 400, { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status: 400 });
}
