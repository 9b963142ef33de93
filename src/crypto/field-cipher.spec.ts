import { randomBytes } from 'node:crypto';
import { DecryptionError, FieldCipher } from './field-cipher.js';

const k1 = { id: 'k1', key: randomBytes(32) };
const k2 = { id: 'k2', key: randomBytes(32) };
const hashKey = randomBytes(32);

describe('FieldCipher', () => {
  it('round-trips a value, with a fresh IV each time, naming its key', () => {
    const cipher = new FieldCipher({ keys: [k1], hashKey });
    const a = cipher.sealJson({ email: 'ana@example.com' }, 'subject:u-1');
    const b = cipher.sealJson({ email: 'ana@example.com' }, 'subject:u-1');
    expect(a.equals(b)).toBe(false);
    expect(a.toString('latin1')).not.toContain('ana@example.com');
    expect(FieldCipher.keyIdOf(a)).toBe('k1');
    expect(cipher.openJson(a, 'subject:u-1')).toEqual({ email: 'ana@example.com' });
  });

  it('refuses a value moved to another row, tampered with, or under an unknown key', () => {
    const cipher = new FieldCipher({ keys: [k1], hashKey });
    const sealed = cipher.seal(Buffer.from('secret'), 'subject:u-1');
    expect(() => cipher.open(sealed, 'subject:u-2')).toThrow(DecryptionError);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] ^= 1;
    expect(() => cipher.open(tampered, 'subject:u-1')).toThrow(DecryptionError);
    const other = new FieldCipher({ keys: [k2], hashKey });
    expect(() => other.open(sealed, 'subject:u-1')).toThrow(/no configured key has id "k1"/);
  });

  it('rotates: the new first key encrypts, the old one still decrypts', () => {
    const old = new FieldCipher({ keys: [k1], hashKey }).seal(Buffer.from('v'), 'a');
    const rotated = new FieldCipher({ keys: [k2, k1], hashKey });
    expect(rotated.open(old, 'a').toString()).toBe('v');
    expect(FieldCipher.keyIdOf(rotated.seal(Buffer.from('v'), 'a'))).toBe('k2');
  });

  it('hashes equal inputs equally, per kind and per key', () => {
    const cipher = new FieldCipher({ keys: [k1], hashKey });
    expect(cipher.keyedHash('email', 'a@b.c').equals(cipher.keyedHash('email', 'a@b.c'))).toBe(true);
    expect(cipher.keyedHash('email', 'a@b.c').equals(cipher.keyedHash('phone', 'a@b.c'))).toBe(false);
    const otherKey = new FieldCipher({ keys: [k1], hashKey: randomBytes(32) });
    expect(cipher.keyedHash('email', 'a@b.c').equals(otherKey.keyedHash('email', 'a@b.c'))).toBe(false);
  });
});
