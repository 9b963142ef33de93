/**
 * The privacy policy makes everyone under 14 a child (section V): their notice goes to a guardian,
 * wherever they live, whatever the local age of digital consent. A jurisdiction's own age
 * (jurisdictions/consent-ages.ts, MINOR_AGES) still decides above it (Germany's 16 keeps a 15-year-old
 * on the guardian route) and wherever its law decides something else; a lower one (13 in the US and the
 * UK, 12 in Brazil) no longer sends a 13-year-old the adult notice.
 */
export const POLICY_CHILD_AGE = 14;

/** The age under which a person's notice goes to a guardian, given their jurisdiction's own age. */
export const guardianAge = (localAge: number): number => Math.max(POLICY_CHILD_AGE, localAge);
