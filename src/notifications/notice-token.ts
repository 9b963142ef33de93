import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  timingSafeEqual,
  type Cipher,
  type Decipher,
} from 'node:crypto';

// The link in each notice carries its delivery id enciphered with AES-256 under a key derived from
// HASH_KEY (so never the same value as a lookup hash): one 16-byte block, the id in its first 8 bytes and
// zeros in the other 8. Unguessable (a made-up block opens to the zeros once in 2^64), nothing to store or
// index for a million recipients, a page checks it without a lookup, and the link does not show the id
// (ids are sequential: they would tell how many notices went out). One long-lived ECB cipher serves every
// token, a block each with no per-token setup: an HMAC per link (v1) was ~8 µs of a send job's ~75 µs per
// email, most of it creating the HMAC.

const derive = (hashKey: Buffer): Buffer => createHmac('sha256', hashKey).update('notice-link/v2').digest();
const ZEROS = Buffer.alloc(8);
const TOKEN = /^[A-Za-z0-9_-]{22}$/;

export class NoticeTokens {
  private readonly cipher: Cipher;
  private readonly decipher: Decipher;

  constructor(hashKey: Buffer) {
    const key = derive(hashKey);
    this.cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
    this.decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  }

  token(deliveryId: number): string {
    if (!Number.isSafeInteger(deliveryId) || deliveryId < 0) throw new RangeError('not a delivery id');
    const block = Buffer.alloc(16);
    block.writeUInt32BE(Math.floor(deliveryId / 2 ** 32), 0);
    block.writeUInt32BE(deliveryId % 2 ** 32, 4);
    return this.cipher.update(block).toString('base64url');
  }

  /** The delivery a token names, or undefined when it is not one of ours. */
  verify(token: string): number | undefined {
    if (!TOKEN.test(token)) return undefined;
    const sealed = Buffer.from(token, 'base64url');
    // 22 characters carry 132 bits: only the one spelling of the 128 is a token (one link, one string).
    if (sealed.toString('base64url') !== token) return undefined;
    const block = this.decipher.update(sealed);
    if (block.length !== 16 || !timingSafeEqual(block.subarray(8), ZEROS)) return undefined;
    const deliveryId = block.readUInt32BE(0) * 2 ** 32 + block.readUInt32BE(4);
    return Number.isSafeInteger(deliveryId) ? deliveryId : undefined;
  }
}
