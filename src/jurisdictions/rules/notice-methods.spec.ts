import { lawfulMethods, noticeMethodsFor, NOTICE_METHOD_RULES } from './notice-methods.js';

// Worked cases: which channel is the notice, per jurisdiction, with and without E-SIGN consent.
describe('lawful notice methods', () => {
  const day = '2026-12-06';

  it('Florida: email always, SMS never (written or email notice, 501.171(4)(d))', () => {
    expect(lawfulMethods('US-FL', day, 'none')).toEqual(['email']);
    expect(lawfulMethods('US-FL', day, 'all')).toEqual(['email']);
  });

  it('California: electronic notice only with E-SIGN consent, and never a text message (the form of 1798.82(d))', () => {
    expect(lawfulMethods('US-CA', day, 'none')).toEqual([]);
    expect(lawfulMethods('US-CA', day, 'all')).toEqual(['email']);
  });

  it('New York: email with express consent; an SMS cannot carry the contents required regardless of the method', () => {
    expect(lawfulMethods('US-NY', day, 'none')).toEqual([]);
    expect(lawfulMethods('US-NY', day, 'all')).toEqual(['email']);
  });

  it('Texas, Massachusetts, Washington and states without an entry: electronic notice with consent', () => {
    for (const state of ['US-TX', 'US-MA', 'US-WA', 'US-OR']) {
      expect(lawfulMethods(state, day, 'none')).toEqual([]);
      expect(lawfulMethods(state, day, 'all')).toEqual(['email', 'sms']);
    }
    expect(noticeMethodsFor('US-OR', day).id).toBe('US');
  });

  it('GDPR, UK, LGPD, PIPEDA, PDPA, DPDP and the rest: any effective means', () => {
    for (const code of ['DE', 'FR', 'GB', 'BR', 'CA-QC', 'CA-ON', 'SG', 'IN', 'JP', 'KR', 'AU', null]) {
      expect(lawfulMethods(code, day, 'none')).toEqual(['email', 'sms']);
    }
  });

  it('picks the version in effect on the day', () => {
    // California's entry holds from SB 446 (2026-01-01); before it, the states' general reading applies.
    expect(noticeMethodsFor('US-CA', '2025-06-01').id).toBe('US');
    expect(noticeMethodsFor('US-CA', day).id).toBe('US-CA');
  });

  it('every entry is cited, every channel explained', () => {
    for (const rule of NOTICE_METHOD_RULES) {
      expect(rule.sources.length).toBeGreaterThan(0);
      for (const method of Object.values(rule.methods)) expect(method.why.length).toBeGreaterThan(10);
    }
  });
});
