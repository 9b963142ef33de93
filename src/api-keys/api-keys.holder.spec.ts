import { holderProblem, normalizeHolder } from './api-keys.service.js';

describe('API key holders', () => {
  it('are one identity whatever their case, width, surrounding space or trailing dot', () => {
    for (const spelling of [
      'resp@example.com',
      ' Resp@Example.COM ',
      'resp@example.com.',
      'resp@example.com..',
      '\uff52\uff45\uff53\uff50@example.com',
    ]) {
      expect(normalizeHolder(spelling)).toBe('resp@example.com');
    }
  });

  it('keep what holders stored before (trimmed and lower-cased) were, for ASCII ones', () => {
    for (const stored of ['ana.lima@example.com', 'on-call team', 'x']) {
      expect(normalizeHolder(stored)).toBe(stored.trim().toLowerCase());
    }
  });

  it('refuse invisible characters, which made a second holder reading as the first, and say-nothing holders', () => {
    for (const invisible of ['resp@example.com\u200b', 'resp\u2060@example.com', '\ufeffresp@example.com']) {
      expect(holderProblem(invisible)).toMatchObject({ field: 'holder', rule: 'noInvisibleCharacters' });
    }
    expect(holderProblem(' . ')).toMatchObject({ field: 'holder', rule: 'hasText' });
    expect(holderProblem('resp@example.com.')).toBeUndefined();
  });
});
