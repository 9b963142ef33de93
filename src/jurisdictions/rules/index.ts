import { AU_NDB } from './australia.rules.js';
import { BR_LGPD } from './brazil.rules.js';
import { CA_PIPEDA, CA_QC } from './canada.rules.js';
import { CN_PIPL_2021, CN_PIPL_2025 } from './china.rules.js';
import { EEA_COUNTRIES, EU_GDPR } from './eu-gdpr.rules.js';
import { IN_CERT_IN, IN_DPDP } from './india.rules.js';
import { JP_APPI } from './japan.rules.js';
import { KR_PIPA } from './korea.rules.js';
import { PRIVACY_POLICY } from './standard-notice.js';
import type { Rule } from './rule.types.js';
import { SG_PDPA } from './singapore.rules.js';
import { UK_GDPR } from './uk.rules.js';
import { US_STATE_RULES } from './us-states.rules.js';

export { EEA_COUNTRIES };

/**
 * Every rule, every version: rulesFor() picks, per jurisdiction, the one in effect on the day of awareness
 * and the cumulative ones beside it. Each cites the privacy policy too (PP), for what it promises
 * beyond the law.
 */
export const RULES: readonly Rule[] = [
  EU_GDPR,
  UK_GDPR,
  ...US_STATE_RULES,
  CA_PIPEDA,
  CA_QC,
  BR_LGPD,
  CN_PIPL_2021,
  CN_PIPL_2025,
  SG_PDPA,
  AU_NDB,
  JP_APPI,
  KR_PIPA,
  IN_DPDP,
  IN_CERT_IN,
].map((rule) => ({ ...rule, sources: [...rule.sources, PRIVACY_POLICY] }));
