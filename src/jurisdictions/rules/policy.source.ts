import type { Source } from './rule.types.js';

/** The day of the privacy policy's version on file (../shared/seed/privacy-policy.txt, "Last updated"). */
export const POLICY_SOURCE_DATE = '2025-12-09';

/**
 * The company's privacy policy, a source of every rule: what it promises beyond a law (the Security
 * Notice of section III) is cited by this key, as a law's clauses are by theirs.
 */
export const POLICY_SOURCE: Source = {
  key: 'POLICY',
  citation:
    'Privacy policy (Statement), section III, last updated 2025-12-09: "When it is difficult to inform data subjects individually, we will take appropriate and effective measures to release a Security Notice."',
  url: 'https://aiart.example/privacy',
  status: 'verified',
};
