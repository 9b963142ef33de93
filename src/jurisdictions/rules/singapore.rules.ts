import type { NoticeProfile } from './notice-profile.types.js';
import type { Condition, Rule } from './rule.types.js';

// PDPA Part 6A (s 26A-26E), in force 2021-02-01: assess a suspected breach, then notify the PDPC within 3
// calendar days of the assessment that it is notifiable, and the individuals on or after that.

/**
 * "Significant harm" (s 26B(1)(a)): risk `high`, or exposed credentials, which the Notification Regulations
 * deem significant harm (an account identifier with its password; recalled).
 */
const SIGNIFICANT_HARM: Condition = {
  anyOf: [{ risk: { atLeast: 'high' } }, { categoriesAny: ['account_credentials', 'third_party_account'] }],
};

export const SG_PDPA: Rule = {
  id: 'SG',
  effectiveFrom: '2021-02-01',
  law: 'Personal Data Protection Act 2012, s 26A-26E',
  jurisdictions: ['SG'],
  regulator: {
    id: 'pdpc',
    name: 'Personal Data Protection Commission (PDPC)',
    contact: { url: 'https://www.pdpc.gov.sg/report-data-breach' },
    form: 'pdpa-pdpc',
    language: 'en-SG',
    timeZone: 'Asia/Singapore',
    holidays: { country: 'SG' },
  },
  definitions: {
    personalInformation: {
      term: 'personal data (PDPA s 2(1))',
      sources: ['SG2'],
    },
  },
  obligations: [
    {
      key: 'assessment',
      audience: 'other',
      recipient: 'the responders',
      what: 'Assess whether the suspected breach is notifiable, reasonably and expeditiously, and record the assessment.',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 30, unit: 'days' },
      sources: ['SG2', 'SG5'],
    },
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: "Notify the PDPC on its form, to the best of the organisation's knowledge at the time.",
      clock: 'assessment',
      // s 26C asks for the assessment "in a reasonable and expeditious manner" (SG2); the PDPC expects it within 30 days of
      // awareness (SG5). The stricter reading: an assessment not concluded by then is taken as concluded
      // then, so the 3 days run at the latest from day 30 (never no due date, never a later one).
      startsBy: {
        within: { kind: 'within', amount: 30, unit: 'days' },
        why: 'the PDPC expects the assessment within 30 days of awareness (SG5)',
      },
      deadline: { kind: 'within', amount: 3, unit: 'days' },
      // s 26B(1): significant harm, or "not fewer than 500" individuals.
      when: { anyOf: [SIGNIFICANT_HARM, { residents: { atLeast: 500 } }] },
      sources: ['SG1', 'SG2', 'SG3', 'SG5'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Notify each affected individual in any reasonable manner, with the prescribed content.',
      // s 26D(2): "on or after notifying the Commission".
      clock: 'initialReportFiled',
      deadline: { kind: 'asap', wording: 'at the same time as or soon' },
      when: SIGNIFICANT_HARM,
      exemptIf: [
        {
          condition: { encrypted: true },
          reason:
            'a technological measure taken before the breach (encryption) makes significant harm unlikely (s 26D(5))',
        },
      ],
      sources: ['SG1'],
    },
  ],
  ordering: {
    afterReport: 'initial',
    why: 'individuals are notified "on or after" the Commission (PDPA s 26D(2)): residents are held back until the report to the PDPC is recorded as submitted',
    sources: ['SG1'],
  },
  publicNotice:
    'Individuals are notified "in any manner that is reasonable in the circumstances" (SG1); no separate public-notice rule.',
  sources: [
    {
      key: 'SG1',
      citation: 'PDPA s 26D (duty to notify)',
      url: 'https://laws.sg/legislation/act-2012-pdpa/section-26d',
      status: 'verified',
    },
    {
      key: 'SG2',
      citation: 'PDPA Part 6A (s 26A-26E)',
      url: 'https://sso.agc.gov.sg/Act/PDPA2012?ProvIds=P16A-',
      status: 'verified',
    },
    {
      key: 'SG3',
      citation: 'Sorena: Singapore PDPA breach notification thresholds (500 individuals)',
      url: 'https://sorena.io/artifacts/apac/singapore-pdpa/breach-notification-thresholds',
      status: 'secondary',
    },
    {
      key: 'SG5',
      citation: 'Resguard: Singapore data breach notification guide (assessment within 30 days)',
      url: 'https://resguard-solutions.com/blog/singapore-data-breach-notification-guide',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: "significant harm" is risk `high`; credentials count as significant harm on their own (the deemed classes in the Notification Regulations, recalled).',
    "The 3 days are calendar days from the assessment (the incident confirmed), or from 30 days after awareness when it was not confirmed by then: the 30-day assessment is the PDPC's expectation (SG5), not the Act, and the stricter reading holds the organisation to it (until 2026-12-07 an incident never confirmed had no due date for the PDPC, and one confirmed late a later one).",
    'Exemptions not modelled: remedial action after the breach (s 26D(5)(a)) and a direction from a law enforcement agency or the PDPC not to notify (s 26D(6)).',
  ].join(' '),
};

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/** PDPA s 26D and its prescribed contents: how the breach was discovered, besides the standard notice. */
export const SG_NOTICE: NoticeProfile = {
  jurisdiction: 'SG',
  effectiveFrom: '2021-02-01',
  law: 'PDPA s 26D and the Personal Data Protection (Notification of Data Breaches) Regulations 2021',
  requirements: [
    {
      kind: 'paragraphs',
      section: 'whatHappened',
      at: 'end',
      say: [{ kind: 'words', field: 'howDiscovered', key: 'wordsHowDiscovered' }],
      sources: ['SG1'],
      unsettled:
        'The notification to individuals is "prescribed" (SG1) but its items are not in breach-law.md (?); how the breach was discovered is read as one of them, the stricter reading (issue 18).',
    },
  ],
  sources: SG_PDPA.sources.filter((source) => source.key === 'SG1'),
  notes:
    "Dated from Part 6A's entry into force (2021-02-01, recalled). The circumstances, the data, the potential harm, the steps taken and to take, and a contact are in every notice.",
};
