import { guardianAge } from '../common/child-age.js';

/**
 * The age of digital consent: under it, a person is a minor whose notice goes to a guardian. The privacy
 * policy treats anyone under 14 as a child "or the age stipulated by local laws"; these are those ages.
 * MINOR_AGES overrides any entry, MINOR_AGE_DEFAULT covers the rest. A subdivision without an entry takes
 * its country's age.
 */
export const CONSENT_AGES: Readonly<Record<string, { age: number; source: string }>> = {
  // GDPR Art. 8(1): 16 unless a member state chose lower, not below 13.
  AT: { age: 14, source: 'GDPR Art. 8; Austrian DSG §4(4)' },
  BE: { age: 13, source: 'GDPR Art. 8; Belgian law of 30 July 2018, Art. 7' },
  BG: { age: 14, source: 'GDPR Art. 8; Bulgarian PDPA Art. 25c' },
  HR: { age: 16, source: 'GDPR Art. 8; Croatian GDPR implementation act Art. 19' },
  CY: { age: 14, source: 'GDPR Art. 8; Cypriot law 125(I)/2018 §8' },
  CZ: { age: 15, source: 'GDPR Art. 8; Czech act 110/2019 §7' },
  DK: { age: 13, source: 'GDPR Art. 8; Danish Data Protection Act §6(2)' },
  EE: { age: 13, source: 'GDPR Art. 8; Estonian PDPA §8' },
  FI: { age: 13, source: 'GDPR Art. 8; Finnish Data Protection Act §5' },
  FR: { age: 15, source: 'GDPR Art. 8; French loi Informatique et Libertés Art. 45' },
  DE: { age: 16, source: 'GDPR Art. 8(1) (no national derogation)' },
  GR: { age: 15, source: 'GDPR Art. 8; Greek law 4624/2019 Art. 21' },
  HU: { age: 16, source: 'GDPR Art. 8(1) (no national derogation)' },
  IE: { age: 16, source: 'GDPR Art. 8; Irish Data Protection Act 2018 s.31' },
  IT: { age: 14, source: 'GDPR Art. 8; Italian Privacy Code Art. 2-quinquies' },
  LV: { age: 13, source: 'GDPR Art. 8; Latvian PDPL §33' },
  LT: { age: 14, source: 'GDPR Art. 8; Lithuanian LLPPD Art. 6' },
  LU: { age: 16, source: 'GDPR Art. 8(1) (no national derogation)' },
  MT: { age: 13, source: 'GDPR Art. 8; Maltese S.L. 586.11' },
  NL: { age: 16, source: 'GDPR Art. 8(1) (no national derogation)' },
  PL: { age: 16, source: 'GDPR Art. 8(1) (no national derogation)' },
  PT: { age: 13, source: 'GDPR Art. 8; Portuguese law 58/2019 Art. 16' },
  RO: { age: 16, source: 'GDPR Art. 8(1) (no national derogation)' },
  SK: { age: 16, source: 'GDPR Art. 8(1) (no national derogation)' },
  SI: { age: 15, source: 'GDPR Art. 8; Slovenian ZVOP-2 Art. 8' },
  ES: { age: 14, source: 'GDPR Art. 8; Spanish LOPDGDD Art. 7' },
  SE: { age: 13, source: 'GDPR Art. 8; Swedish act 2018:218 ch. 2 §4' },
  NO: { age: 13, source: 'GDPR Art. 8 (EEA); Norwegian Personal Data Act §5' },
  IS: { age: 13, source: 'GDPR Art. 8 (EEA); Icelandic act 90/2018 Art. 10' },
  LI: { age: 16, source: 'GDPR Art. 8(1) (EEA; no national derogation)' },
  GB: { age: 13, source: 'UK GDPR Art. 8; Data Protection Act 2018 s.9' },
  US: { age: 13, source: 'COPPA, 15 U.S.C. §6501(1)' },
  BR: { age: 12, source: 'LGPD Art. 14 with ECA Art. 2 (child: under 12)' },
  IN: { age: 18, source: 'DPDP Act 2023 s.2(f) and s.9 (child: under 18)' },
  CN: { age: 14, source: 'PIPL Art. 28 and Art. 31 (under 14: sensitive, guardian consent)' },
  KR: { age: 14, source: 'PIPA Art. 22-2 (under 14: legal representative consent)' },
};

export type ConsentAges = (jurisdiction: string | null) => number;

/**
 * The age under which a person is a minor whose notice goes to a guardian: the privacy policy's 14
 * (common/child-age.ts) or the jurisdiction's own age of consent (`consentAges`), the higher.
 */
export function guardianRouteAges(
  defaultAge: number,
  configured: Readonly<Record<string, number>>,
): ConsentAges {
  const local = consentAges(defaultAge, configured);
  return (jurisdiction) => guardianAge(local(jurisdiction));
}

/** Looks up a jurisdiction's age: configured, then built-in, subdivision then country, then the default. */
export function consentAges(defaultAge: number, configured: Readonly<Record<string, number>>): ConsentAges {
  const lookup = (code: string): number | undefined => configured[code] ?? CONSENT_AGES[code]?.age;
  return (jurisdiction) => {
    if (!jurisdiction) return defaultAge;
    return lookup(jurisdiction) ?? lookup(jurisdiction.split('-')[0] ?? '') ?? defaultAge;
  };
}

/** Whole years between a birth date (YYYY-MM-DD) and a day; a 29 February birthday falls on 1 March. */
export function ageOn(birthDate: string, on: Date): number {
  // Read by position (YYYY-MM-DD is checked before): this runs once per imported person.
  const year = Number(birthDate.slice(0, 4));
  const month = Number(birthDate.slice(5, 7));
  const day = Number(birthDate.slice(8, 10));
  const onMonth = on.getUTCMonth() + 1;
  const beforeBirthday = onMonth < month || (onMonth === month && on.getUTCDate() < day);
  return on.getUTCFullYear() - year - (beforeBirthday ? 1 : 0);
}
