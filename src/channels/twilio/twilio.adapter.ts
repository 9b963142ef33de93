import twilio from 'twilio';
import type { TwilioConfig } from '../../config/config.js';
import { MALFORMED, noAnswer, type SendOutcome, type SmsMessage, type SmsPort } from '../channel.port.js';
import { TwilioHttpClient } from './twilio.http.js';

/**
 * Error codes worth another try: too many requests, the sender's queue is full. Everything else Twilio
 * refuses (invalid number, not a mobile, unsubscribed with STOP, unknown codes) will not work later
 * either: the recipient moves on to the next channel.
 */
const RETRYABLE_CODES = new Set([20429, 21611]);
/**
 * Refusals of our account or sender, not of the recipient: authentication (20003), an account or
 * Messaging Service that is not there (20404), a From number that is invalid, cannot send SMS (mid-port,
 * not SMS-capable, a short code of another country: 21606), is not a Twilio number or is another
 * account's (21212, 21659, 21660). Failing recipients over for them would be wrong: the campaign pauses.
 * 21408 (the recipient's region is not enabled) fails that recipient over.
 */
const ACCOUNT_CODES = new Set([20003, 20404, 21212, 21606, 21659, 21660]);

interface TwilioFailure {
  status?: number;
  code?: number | string;
  /** From a Retry-After header (see TwilioRetryAfter). */
  retryAfterMs?: number;
}

export class TwilioAdapter implements SmsPort {
  readonly name = 'twilio';
  private readonly client: twilio.Twilio;
  private readonly http: TwilioHttpClient;

  constructor(
    private readonly config: TwilioConfig,
    /** Where Twilio posts status changes (the public address of POST /v1/webhooks/twilio). */
    private readonly statusCallback: string,
  ) {
    this.http = new TwilioHttpClient(config.baseUrl);
    this.client = twilio(config.accountSid, config.authToken, {
      // Retries are ours (backoff, Retry-After, and a limit across workers), not the SDK's.
      autoRetry: false,
      httpClient: this.http as unknown as twilio.RequestClient,
    });
  }

  async send(message: SmsMessage): Promise<SendOutcome> {
    try {
      const sent = await this.client.messages.create({
        to: message.to,
        body: message.body,
        ...(this.config.messagingServiceSid
          ? { messagingServiceSid: this.config.messagingServiceSid }
          : { from: this.config.from! }),
        // Our id in the callback's address: the callback finds its message without an index on SIDs
        // (the signature covers the whole address, query included).
        statusCallback: `${this.statusCallback}?message=${message.messageId}`,
      });
      // A message's SID (SM or MM and 32 hex digits) is Twilio's answer; anything else is not.
      return typeof sent.sid === 'string' && /^(SM|MM)[0-9a-f]{32}$/i.test(sent.sid)
        ? { kind: 'sent', providerRef: sent.sid }
        : MALFORMED;
    } catch (err) {
      // A 2xx whose body does not parse (the SDK's JSON.parse threw): not Twilio's answer.
      if (err instanceof SyntaxError) return MALFORMED;
      return classifyTwilio(err as TwilioFailure);
    }
  }

  close(): Promise<void> {
    this.http.close();
    return Promise.resolve();
  }
}

export function classifyTwilio(err: TwilioFailure): SendOutcome {
  const code = typeof err.code === 'number' ? err.code : undefined;
  if (err.status === undefined) return noAnswer(err);
  // 401/403/404: the account, the sender or the service is not ours to use, or not there.
  if (err.status === 401 || err.status === 403 || err.status === 404 || (code && ACCOUNT_CODES.has(code))) {
    return { kind: 'refused', code: `twilio_${code ?? err.status}` };
  }
  if (err.status === 429 || (code !== undefined && RETRYABLE_CODES.has(code))) {
    return { kind: 'transient', code: `twilio_${code ?? 429}`, retryAfterMs: err.retryAfterMs };
  }
  if (err.status >= 500)
    return { kind: 'transient', code: `http_${err.status}`, retryAfterMs: err.retryAfterMs };
  return { kind: 'permanent', code: code !== undefined ? `twilio_${code}` : `http_${err.status}` };
}
