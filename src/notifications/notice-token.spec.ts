import { NoticeTokens } from './notice-token.js';

describe('NoticeTokens', () => {
  const tokens = new NoticeTokens(Buffer.alloc(32, 7));

  it('names the delivery without showing its id, and verifies only its own tokens', () => {
    const token = tokens.token(123456);
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(token).not.toContain((123456).toString(36));
    expect(tokens.verify(token)).toBe(123456);
    expect(tokens.verify(tokens.token(1))).toBe(1);
    expect(tokens.verify(tokens.token(0))).toBe(0);
    expect(tokens.verify(tokens.token(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
    // Neighbouring ids give unrelated tokens; one changed character is no longer a token.
    expect(tokens.token(123457)).not.toBe(token);
    const flipped = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
    expect(tokens.verify(flipped)).toBeUndefined();
    expect(tokens.verify('A'.repeat(22))).toBeUndefined();
    expect(tokens.verify(new NoticeTokens(Buffer.alloc(32, 8)).token(123456))).toBeUndefined();
    expect(tokens.verify('nonsense')).toBeUndefined();
    expect(tokens.verify(`${token}A`)).toBeUndefined();
    // The last character carries 2 of the 128 bits and 4 spare ones: another spelling of the same 16
    // bytes (a spare bit flipped) is refused.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const respelled = `${token.slice(0, 21)}${alphabet[alphabet.indexOf(token[21]) ^ 1]}`;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(token, 'base64url'));
    expect(tokens.verify(respelled)).toBeUndefined();
  });

  it('gives the same token for the same delivery every time, whatever came between', () => {
    const first = tokens.token(42);
    for (let i = 0; i < 1000; i += 1) tokens.token(i);
    tokens.verify('A'.repeat(22));
    expect(tokens.token(42)).toBe(first);
    expect(new NoticeTokens(Buffer.alloc(32, 7)).token(42)).toBe(first);
  });

  it('refuses what is not a delivery id', () => {
    expect(() => tokens.token(-1)).toThrow(RangeError);
    expect(() => tokens.token(1.5)).toThrow(RangeError);
  });
});
