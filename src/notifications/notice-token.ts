import { createHmac, timingSafeEqual } from 'node:crypto';

// The link in each notice names its delivery and carries a MAC of it: unguessable (128 bits), nothing to
// store or index for a million recipients, and a page can check it without a lookup. Keyed by a key
// derived from HASH_KEY, so it is never the same value as a lookup hash.

const derive = (hashKey: Buffer): Buffer => createHmac('sha256', hashKey).update('notice-link/v1').digest();

const mac = (key: Buffer, deliveryId: number): Buffer =>
  createHmac('sha256', key).update(String(deliveryId)).digest().subarray(0, 16);

export class NoticeTokens {
  private readonly key: Buffer;

  constructor(hashKey: Buffer) {
    this.key = derive(hashKey);
  }

  token(deliveryId: number): string {
    return `${deliveryId.toString(36)}.${mac(this.key, deliveryId).toString('base64url')}`;
  }

  /** The delivery a token names, or undefined when it is not one of ours. */
  verify(token: string): number | undefined {
    const match = /^([0-9a-z]{1,13})\.([A-Za-z0-9_-]{22})$/.exec(token);
    if (!match) return undefined;
    const deliveryId = parseInt(match[1], 36);
    if (!Number.isSafeInteger(deliveryId)) return undefined;
    const given = Buffer.from(match[2], 'base64url');
    return given.length === 16 && timingSafeEqual(given, mac(this.key, deliveryId)) ? deliveryId : undefined;
  }
}
