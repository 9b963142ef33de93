import type { NoticeProfile } from './notice-profile.types.js';
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
  definitions: {
    personalInformation: {
      term: 'personal data (DPDP Act 2023 s 2(t))',
      sources: ['IN1'],
    },
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
    'No threshold, no encryption exemption. The Board may extend the 72 hours on request: not modelled. CERT-In reporting (6 hours, IN2) is its own regime: IN_CERT_IN, cumulative.',
    'childAge 18: a child is under 18 (s 2(f); Rule 10, IN3).',
  ].join(' '),
};

/**
 * The CERT-In Directions of 28 April 2022 (IT Act s 70B(6)): cyber security incidents, data breaches and
 * leaks included, are reported to CERT-In within 6 hours of noticing them. Whether they reach a company
 * outside India serving Indian users is open: an obligation to decide by hand, the stricter reading that it
 * applies until decided. Cumulative: beside the DPDP Rules, and before them (no Rule 7 before 2027).
 */
export const IN_CERT_IN: Rule = {
  id: 'IN-CERTIN',
  effectiveFrom: '2022-06-28',
  law: 'CERT-In Directions under IT Act 2000 s 70B(6), 28 April 2022',
  jurisdictions: ['IN'],
  cumulative: true,
  regulator: {
    id: 'cert-in',
    name: 'Indian Computer Emergency Response Team (CERT-In)',
    contact: { url: 'https://www.cert-in.org.in/', email: 'incident@cert-in.org.in', unverified: true },
    form: 'cert-in',
    language: 'en-IN',
    timeZone: 'Asia/Kolkata',
    holidays: { country: 'IN' },
  },
  definitions: {
    personalInformation: {
      term: 'data (IT Act s 2(1)(o)): any data breach or leak is a reportable cyber security incident',
      sources: ['IN2'],
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: "Decide by hand whether the CERT-In Directions reach the company (open question: they bind service providers, intermediaries, data centres and body corporates; CERT-In's FAQ reads them as reaching entities serving users in India, which companies outside India contest). If they do, report the incident to CERT-In within 6 hours of noticing it; if not, waive this with the reason.",
      clock: 'awareness',
      deadline: { kind: 'within', amount: 6, unit: 'hours' },
      sources: ['IN2'],
    },
  ],
  publicNotice: 'None: the Directions concern the report to CERT-In only.',
  sources: [
    {
      key: 'IN2',
      citation: 'Vratex: DPDP breach notification (and CERT-In 6 hours)',
      url: 'https://vratex.com/dpdp-act/breach-notification',
      status: 'secondary',
    },
  ],
  notes: [
    "The 6 hours are from breach-law.md (IN2, secondary); the Directions' date (28 April 2022, in force 28 June 2022) and their reach are recalled, unverified. The reach is the open question the obligation states: assumed to apply (the stricter reading) until the responders decide.",
    "The report is in English, on CERT-In's format (recalled): the cert-in form lists what the Directions' format asks as far as known.",
  ].join(' '),
};

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/**
 * DPDP Rules 2025, Rule 7(1): the intimation to each affected Data Principal describes the breach, "its
 * nature, extent and the timing and location of its occurrence" (a), the consequences likely for her (b),
 * the measures implemented and being implemented to mitigate risk (c), the safety measures she may take
 * (d), and a business contact (e).
 */
export const IN_NOTICE: NoticeProfile = {
  jurisdiction: 'IN',
  // Rule 7's start, as IN_DPDP has it (recalled; breach-law.md marks it "?").
  effectiveFrom: '2027-05-13',
  law: 'DPDP Rules 2025, Rule 7(1)',
  requirements: [
    {
      // (a) timing and location: the standard notice says both only when the incident gives them.
      kind: 'requires',
      facts: ['occurredFrom', 'location'],
      sources: ['IN1'],
      unsettled:
        '"Timing" is read as when the breach began (occurredFrom; the standard notice adds its end and the discovery when known), the stricter reading over the discovery alone, which every notice says. "Location of its occurrence" is the incident\'s location (the systems, services or places, in words a person understands).',
    },
  ],
  sources: IN_DPDP.sources.filter((source) => source.key === 'IN1'),
  notes: [
    "Dated from Rule 7's start as IN_DPDP has it (2027-05-13, recalled). A notice dated before a profile's first version follows it (notice-profile.types.ts): Indian notices need the timing and location from now on, the stricter side.",
    'Of the other items of Rule 7(1), every notice already says the nature (the description), the consequences (likelyConsequences), the measures taken (measuresTaken; measuresPlanned when given, "if any"), safety measures the person may take (the standard advice, and adviceToIndividuals when given) and the contact, and a campaign is refused without the description, consequences and measures taken.',
    '"Extent": the notice says which of the person\'s data were involved (their categories, required of every notice); how many people or records were affected (approximateRecords) is a fact of the incident no notice says yet, so it cannot be required here: a statement saying it would be new in the renderer.',
  ].join(' '),
};
