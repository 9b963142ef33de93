import { checkCondition } from './evaluate.js';
import type { ObligationFacts } from './rule.types.js';

const facts = (categories: string[]): ObligationFacts => ({
  residents: 10,
  minors: 0,
  categories,
  riskLevel: 'high',
  encrypted: false,
  cyberAttack: false,
});

describe("a rule's categories against finer ones exposed", () => {
  it('holds for a member of a group the rule names, and for the group of a member it names', () => {
    const credentials = { categoriesAny: ['account_credentials', 'third_party_account'] };
    expect(checkCondition(credentials, facts(['password_hash', 'email_address']))).toEqual({
      holds: true,
      because: 'exposed: account_credentials',
    });
    // Recorded only as the whole group, it may hold what the rule names: the stricter reading.
    expect(checkCondition({ categoriesAny: ['password'] }, facts(['account_credentials'])).holds).toBe(true);
    expect(checkCondition(credentials, facts(['email_address', 'photos']))).toEqual({
      holds: false,
      because: 'none of account_credentials, third_party_account exposed',
    });
  });
});
