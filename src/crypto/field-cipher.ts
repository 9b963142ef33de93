import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/** Envelope layout: version (1) | key id length (1) | key id | IV (12) | tag (16) | ciphertext. */
const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** IVs are drawn from the system RNG in blocks: a fresh random IV per value at a fraction of the cost. */
const IV_POOL_BYTES = IV_BYTES * 4096;

export interface CipherKeys {
  /** The first key encrypts; every key decrypts. */
  keys: ReadonlyArray<{ id: string; key: Buffer }>;
  hashKey: Buffer;
}

export class DecryptionError extends Error {}
/** The envelope names a key this process is not given (ENCRYPTION_KEYS): configuration, not the data. */
export class UnknownKeyError extends DecryptionError {}

/**
 * AES-256-GCM envelopes for personal data, bound to what they belong to (the AAD: a row's identity), so a
 * sealed value moved to another row does not open. Keys rotate: each envelope names its key.
 */
export class FieldCipher {
  private readonly byId: Map<string, Buffer>;
  private readonly current: { id: string; key: Buffer; header: Buffer };
  private ivPool = Buffer.alloc(0);
  private ivOffset = 0;

  constructor(private readonly keys: CipherKeys) {
    const first = keys.keys[0];
    if (!first) throw new Error('at least one encryption key is needed');
    this.byId = new Map(keys.keys.map((k) => [k.id, k.key]));
    const id = Buffer.from(first.id, 'utf8');
    this.current = { ...first, header: Buffer.concat([Buffer.from([VERSION, id.length]), id]) };
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  seal(plaintext: Buffer, aad: string): Buffer {
    const iv = this.nextIv();
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(aad, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return Buffer.concat([this.current.header, iv, cipher.getAuthTag(), body]);
  }

  open(envelope: Buffer, aad: string): Buffer {
    if (envelope.length < 2 || envelope[0] !== VERSION) throw new DecryptionError('unknown envelope format');
    const idLength = envelope[1];
    const keyId = envelope.subarray(2, 2 + idLength).toString('utf8');
    const key = this.byId.get(keyId);
    if (!key) throw new UnknownKeyError(`no configured key has id "${keyId}"`);
    const ivStart = 2 + idLength;
    const tagStart = ivStart + IV_BYTES;
    const bodyStart = tagStart + TAG_BYTES;
    const decipher = createDecipheriv('aes-256-gcm', key, envelope.subarray(ivStart, tagStart));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(envelope.subarray(tagStart, bodyStart));
    try {
      const body = decipher.update(envelope.subarray(bodyStart));
      // GCM gives everything on update: final only checks the tag (no copy into a new buffer, a send
      // opens a million of these).
      const rest = decipher.final();
      return rest.length === 0 ? body : Buffer.concat([body, rest]);
    } catch {
      throw new DecryptionError('the value does not open with its key: tampered, moved or wrong key');
    }
  }

  sealJson(value: unknown, aad: string): Buffer {
    return this.seal(Buffer.from(JSON.stringify(value), 'utf8'), aad);
  }

  openJson<T>(envelope: Buffer, aad: string): T {
    return JSON.parse(this.open(envelope, aad).toString('utf8')) as T;
  }

  /** The key id an envelope was sealed with, without opening it. */
  static keyIdOf(envelope: Buffer): string {
    return envelope.subarray(2, 2 + (envelope[1] ?? 0)).toString('utf8');
  }

  /** HMAC-SHA256 under the hash key: equal inputs give equal hashes, and nobody without the key can test a guess. */
  keyedHash(kind: string, normalized: string): Buffer {
    return createHmac('sha256', this.keys.hashKey).update(`${kind}\u0000${normalized}`, 'utf8').digest();
  }

  private nextIv(): Buffer {
    if (this.ivOffset + IV_BYTES > this.ivPool.length) {
      this.ivPool = randomBytes(IV_POOL_BYTES);
      this.ivOffset = 0;
    }
    const iv = this.ivPool.subarray(this.ivOffset, this.ivOffset + IV_BYTES);
    this.ivOffset += IV_BYTES;
    return iv;
  }
}

/** Normal forms the hashes are taken over: trimmed, lower-case email; E.164 phone. */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
