import type { Rule } from './rule.types.js';

// DPDP Act 2023 s 8(6) with the DPDP Rules 2025, Rule 7: tell the Board and each affected person without
// delay, then the Board the detailed report within 72 hours. Every breach, no exemption.

export const IN_DPDP: Rule = {
  id: 'IN',
  // Rule 7 comes into force 18 months after the Rules' publication (13 November 2025): recalled.
  effectiveFrom: '2027-05-13',
  law: 'Digital Personal Data Protection Act 2023 s 8(6) and DPDP Rules 2025, Rule 7',
  jurisdictions: ['IN'],
  regulator: {
    id: 'dpb',
    name: 'Data Protection Board of India',
    contact: { url: 'https://www.meity.gov.in/data-protection-framework' },
    form: 'dpdp-board',
    language: 'en-IN',
    timeZone: 'Asia/Kolkata',
    holidays: { country: 'IN' },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Intimate the breach to the Board: a description, its nature, extent, timing and location, and its likely impact (Rule 7(2)(a)).',
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'without delay' },
      sources: ['IN1'],
    },
    {
      key: 'regulator.detailed',
      audience: 'regulator',
      phase: 'follow-up',
      what: 'Send the Board the detailed report: updates, facts and reasons, mitigation, findings on who caused it, anti-recurrence steps, and a report on the notices sent to individuals (Rule 7(2)(b)).',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 72, unit: 'hours' },
      sources: ['IN1'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Tell each affected Data Principal through their user account or registered channel: nature, extent, timing and location; consequences; mitigation; safety steps; contact (Rule 7(1)).',
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'without delay' },
      sources: ['IN1'],
    },
  ],
  publicNotice:
    'None: the notice goes through the user account or the registered means of communication (IN1).',
  childAge: 18,
  sources: [
    {
      key: 'IN1',
      citation: 'DPDP Rules 2025, Rule 7 (intimation of personal data breach)',
      url: 'https://dpdpa.co.in/rule-7',
      status: 'verified',
    },
    {
      key: 'IN2',
      citation: 'Vratex: DPDP breach notification (and CERT-In 6 hours)',
      url: 'https://vratex.com/dpdp-act/breach-notification',
      status: 'secondary',
    },
    {
      key: 'IN3',
      citation: 'DPDP Rules index, incl. Rule 10 (child under 18, verifiable parental consent)',
      url: 'https://dpdpa.com/dpdparules/rule7.html',
      status: 'secondary',
    },
  ],
  notes: [
    'effectiveFrom: Rule 7 starts 18 months after publication of the Rules (notified 13 or 14 November 2025; a secondary page gives 14 May 2027): recalled, breach-law.md marks the start "?". The earlier day is used; before it, India is decided by hand.',
    'No threshold, no encryption exemption. The Board may extend the 72 hours on request: not modelled. CERT-In reporting (6 hours, IN2) is a separate regime, not modelled.',
    'childAge 18: a child is under 18 (s 2(f); Rule 10, IN3).',
  ].join(' '),
};
