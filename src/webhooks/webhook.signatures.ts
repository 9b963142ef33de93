import { createPublicKey, verify, type KeyObject } from 'node:crypto';
// Only the SDK's webhook helpers: the whole SDK (its every API) is ~25 MB.
import { validateRequest } from 'twilio/lib/webhooks/webhooks.js';

/** How far a signed SendGrid timestamp may be from now: older posts are refused as replays. */
export const SENDGRID_MAX_SKEW_S = 5 * 60;

/** SendGrid's verification key, as its settings show it (base64 DER) or as PEM. */
export function sendgridKey(value: string): KeyObject {
  return value.includes('BEGIN PUBLIC KEY')
    ? createPublicKey(value)
    : createPublicKey({ key: Buffer.from(value, 'base64'), format: 'der', type: 'spki' });
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** ECDSA P-256 / SHA-256 over timestamp + the raw body, exactly as received. */
export function verifySendGrid(
  key: KeyObject,
  rawBody: Buffer,
  signature: string | undefined,
  timestamp: string | undefined,
  nowSeconds: number,
): Verdict {
  if (!signature || !timestamp) return { ok: false, reason: 'unsigned' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad timestamp' };
  if (Math.abs(nowSeconds - Number(timestamp)) > SENDGRID_MAX_SKEW_S) return { ok: false, reason: 'stale' };
  const signed = Buffer.concat([Buffer.from(timestamp), rawBody]);
  let valid = false;
  try {
    valid = verify('sha256', signed, key, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  return valid ? { ok: true } : { ok: false, reason: 'bad signature' };
}

/** HMAC-SHA1 of the public URL Twilio called and the sorted parameters. */
export function verifyTwilio(
  authToken: string,
  url: string,
  params: Record<string, unknown>,
  signature: string | undefined,
): Verdict {
  if (!signature) return { ok: false, reason: 'unsigned' };
  // Twilio posts a form: every value a string. Anything else (a JSON body with objects in it) was not
  // signed by Twilio, and the SDK would throw on it.
  if (!Object.values(params).every((v) => typeof v === 'string')) {
    return { ok: false, reason: 'not a form of strings' };
  }
  try {
    return validateRequest(authToken, signature, url, params as Record<string, string>)
      ? { ok: true }
      : { ok: false, reason: 'bad signature' };
  } catch {
    return { ok: false, reason: 'bad signature' };
  }
}
