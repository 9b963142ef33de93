import { NoticeTokens } from './notice-token.js';

describe('NoticeTokens', () => {
  const tokens = new NoticeTokens(Buffer.alloc(32, 7));

  it('names the delivery and verifies only its own tokens', () => {
    const token = tokens.token(123456);
    expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}$/);
    expect(tokens.verify(token)).toBe(123456);
    expect(tokens.verify(tokens.token(1))).toBe(1);
    const [id, mac] = token.split('.');
    expect(tokens.verify(`${(123457).toString(36)}.${mac}`)).toBeUndefined();
    expect(tokens.verify(`${id}.${'A'.repeat(22)}`)).toBeUndefined();
    expect(tokens.verify(new NoticeTokens(Buffer.alloc(32, 8)).token(123456))).toBeUndefined();
    expect(tokens.verify('nonsense')).toBeUndefined();
  });
});
