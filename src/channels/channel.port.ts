// One port per channel; adapters (SendGrid, Twilio, FCM, the local outbox) are chosen by configuration.
// Adapters classify every provider answer, so the pipeline only knows sent / permanent / transient.

export type Channel = 'email' | 'sms' | 'push';
export const CHANNELS: readonly Channel[] = ['email', 'sms', 'push'];
/** Channels that carry the legal notice; push only points to it. */
export const NOTICE_CHANNELS: readonly Channel[] = ['email', 'sms'];

export type SendOutcome =
  | { kind: 'sent'; providerRef: string }
  /** The address, number or token will not work: move on to the next channel of the plan. */
  | { kind: 'permanent'; code: string }
  /**
   * Try again later (timeouts, 5xx, 429), after `retryAfterMs` when the provider said. `maybeSent`: no
   * answer came (a timeout, a connection cut after the request left), so the provider may have taken it:
   * sent again, it is counted as a possible duplicate.
   */
  | { kind: 'transient'; code: string; retryAfterMs?: number; maybeSent?: true }
  /**
   * The provider refused our account (bad or revoked credentials, suspended account): no recipient's
   * fault, and no retry will fix it. The campaign pauses until someone fixes the account and resumes.
   */
  | { kind: 'refused'; code: string };

/**
 * An answer that is not the provider's (a success without its id, a body that does not parse: a proxy's
 * page, a cut answer): whether the provider took the message is not known. Never recorded as sent (the
 * person would count as notified on nothing); tried again like a call with no answer, and counted as a
 * possible duplicate.
 */
export const MALFORMED = {
  kind: 'transient',
  code: 'malformed_answer',
  maybeSent: true,
} as const satisfies SendOutcome;

/**
 * The code of a recipient an email provider did not take only because it refused another address of the
 * same request (SendGrid takes none of such a request): sent again at once, without the refused.
 */
export const BATCH_REFUSED = 'batch_refused';

/** Network errors after which the request cannot have reached the provider (no connection was made). */
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH']);

/**
 * A call that got no answer: transient, and `maybeSent` unless the error says no connection was made
 * (a timeout or a connection cut may come after the provider took the request).
 */
export function noAnswer(err: { code?: unknown }): SendOutcome {
  const code = typeof err.code === 'string' ? err.code : undefined;
  return code && NEVER_CONNECTED.has(code)
    ? { kind: 'transient', code: 'network' }
    : { kind: 'transient', code: 'network', maybeSent: true };
}

export interface EmailRecipient {
  messageId: number;
  to: string;
  /** Token -> value, filled into the shared subject and bodies (SendGrid's substitutions). */
  substitutions: Record<string, string>;
}

/** One request's worth: one locale, one body with per-recipient substitutions, up to 1000 recipients. */
export interface EmailBatch {
  subject: string;
  html: string;
  text: string;
  recipients: EmailRecipient[];
}

export interface SmsMessage {
  messageId: number;
  to: string;
  body: string;
}

export interface PushMessage {
  messageId: number;
  token: string;
  title: string;
  body: string;
  data: Record<string, string>;
}

export type PushOutcome = SendOutcome & { unregistered?: boolean };

export interface EmailPort {
  readonly name: string;
  /** One outcome per recipient, in order. */
  send(batch: EmailBatch): Promise<SendOutcome[]>;
}

export interface SmsPort {
  readonly name: string;
  send(message: SmsMessage): Promise<SendOutcome>;
  /** Releases what the adapter holds (its keep-alive agent). */
  close?(): Promise<void>;
}

export interface PushPort {
  readonly name: string;
  /** Up to 500 messages; one outcome per message, in order. */
  send(messages: PushMessage[]): Promise<PushOutcome[]>;
  /** Releases what the adapter holds (the Firebase app and its keep-alive agent). */
  close?(): Promise<void>;
}

export const EMAIL_PORT = Symbol('EmailPort');
export const SMS_PORT = Symbol('SmsPort');
export const PUSH_PORT = Symbol('PushPort');
