import { ageOn, consentAges, guardianRouteAges } from './consent-ages.js';
import { isKnownJurisdiction, jurisdictionRule } from './codes.js';

describe('ages of digital consent', () => {
  it('takes the configured age, then the table, subdivision then country, then the default', () => {
    const ages = consentAges(14, { 'US-CA': 16, FR: 18 });
    expect(ages('US-CA')).toBe(16);
    expect(ages('US-NY')).toBe(13);
    expect(ages('FR')).toBe(18);
    expect(ages('DE')).toBe(16);
    expect(ages('BR')).toBe(12);
    expect(ages('AR')).toBe(14);
    expect(ages(null)).toBe(14);
  });

  it('sends everyone under 14 by the guardian route, and keeps a higher local age', () => {
    const ages = guardianRouteAges(14, { FR: 18 });
    // The privacy policy's 14 over COPPA's 13, the UK's 13 and Brazil's 12.
    expect(ages('US-CA')).toBe(14);
    expect(ages('GB')).toBe(14);
    expect(ages('BR')).toBe(14);
    // A local age above it still decides.
    expect(ages('DE')).toBe(16);
    expect(ages('FR')).toBe(18);
    expect(ages('IN')).toBe(18);
    // The local ages themselves are kept for what they decide.
    expect(consentAges(14, {})('GB')).toBe(13);
  });

  it('counts whole years, the birthday itself included', () => {
    expect(ageOn('2012-11-29', new Date('2026-11-29T00:00:00Z'))).toBe(14);
    expect(ageOn('2012-11-30', new Date('2026-11-29T23:59:59Z'))).toBe(13);
    expect(ageOn('2012-02-29', new Date('2026-02-28T12:00:00Z'))).toBe(13);
    expect(ageOn('2012-02-29', new Date('2026-03-01T00:00:00Z'))).toBe(14);
  });
});

describe('jurisdiction codes', () => {
  it.each(['BR', 'DE', 'US-CA', 'CA-QC', 'AU-NSW', 'GB-SCT', 'US-DC'])('knows %s', (code) =>
    expect(isKnownJurisdiction(code)).toBe(true),
  );
  it.each(['XQ', 'ZZ', 'EU', 'br', 'US-ZZ', 'DE-BY', 'BRA', 'US-CA-X', ''])('refuses %s', (code) =>
    expect(isKnownJurisdiction(code)).toBe(false),
  );
  // ICU names them, so they passed, and "UK" was stored beside "GB": one country in two halves.
  it.each([
    ['UK', 'GB'],
    ['UK-ENG', 'GB'],
    ['DD', 'DE'],
    ['SU', 'RU'],
    ['IC', 'ES'],
    ['YU', 'RS, ME'],
  ])('refuses %s, a code standing for another, and says to use %s', (code, instead) => {
    expect(isKnownJurisdiction(code)).toBe(false);
    expect(jurisdictionRule('jurisdiction', code.toLowerCase())).toContain(`use ${instead}`);
  });
  it('gives the rule alone for a code that stands for nothing', () =>
    expect(jurisdictionRule('jurisdiction', 'XQ')).not.toContain('use'));
});
