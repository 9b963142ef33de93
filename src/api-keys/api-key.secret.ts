import { createHash, randomBytes } from 'node:crypto';

const PREFIX = 'bnk_';

/** A new key: 256 random bits, prefixed so that secret scanners can recognise a leaked one. */
export function generateSecret(): string {
  return PREFIX + randomBytes(32).toString('base64url');
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Enough of the key to tell keys apart in a listing, never enough to use. */
export function displayPrefix(secret: string): string {
  return secret.slice(0, PREFIX.length + 6);
}
