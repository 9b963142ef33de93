import type { NoticeProfile } from './notice-profile.types.js';
import type { Condition, ObligationSpec, Regulator, Rule, Source } from './rule.types.js';
import { PRIVACY_POLICY } from './standard-notice.js';

// US state breach-notification statutes. Each state defines "personal information" by data elements
// (name + SSN, driver's licence, financial account, medical data; in many states online credentials);
// of this app's data categories only credentials come close (breach-law.md section 5.2), and only in the
// states whose definition lists them: each rule's `definitions` says which, and every threshold counts
// the residents whose personal information so defined was exposed, not the whole affected set. Each
// clock starts at the event its statute names: discovery (California, New York, Washington), Florida's
// determination or reason to believe, Texas's determination (awareness until one is recorded),
// Massachusetts's knowing or reason to know.

/**
 * The app's categories that meet the definitions listing online credentials: a username or email with a
 * password or what stands for one (`account_credentials`: a password hash or a session token would
 * permit access too, the stricter reading), or the tokens that open a linked account
 * (`third_party_account`). Device ids, usage data and logs are not personal information under them.
 */
const CREDENTIALS = ['account_credentials', 'third_party_account'] as const;

/** Any resident's personal information under the rule's own definition was exposed. */
export const US_PERSONAL_INFORMATION: Condition = { exposed: 'personalInformation' };

/** The statutes cover unencrypted data only (or encrypted data whose key was also taken). */
const ENCRYPTED = {
  condition: { encrypted: true },
  reason: 'the data were encrypted and the key was not acquired',
} as const;

/** "Not reasonably likely to cause harm" exceptions, where the statute has one: risk `low`. */
const LOW_RISK: Condition = { not: { risk: { atLeast: 'medium' } } };

function attorneyGeneral(
  state: string,
  id: string,
  name: string,
  url: string,
  timeZone: string,
  email?: string,
): Regulator {
  return {
    id,
    name,
    contact: email ? { url, email } : { url },
    form: 'us-state-ag',
    language: 'en',
    timeZone,
    holidays: { country: 'US', state },
  };
}

const individuals = (
  deadline: ObligationSpec['deadline'],
  sources: readonly string[],
  extra: Partial<ObligationSpec> = {},
): ObligationSpec => ({
  key: 'individuals',
  audience: 'individuals',
  what: 'Send the breach notice to each affected resident.',
  clock: 'discovery',
  deadline,
  when: US_PERSONAL_INFORMATION,
  exemptIf: [ENCRYPTED],
  sources,
  ...extra,
});

// --- California -------------------------------------------------------------------------------

const CA_REGULATOR = attorneyGeneral(
  'CA',
  'us-ca-ag',
  'California Attorney General',
  'https://oag.ca.gov/privacy/databreach/reporting',
  'America/Los_Angeles',
);

const CA_SOURCES: readonly Source[] = [
  {
    key: 'CA1',
    citation: 'Cal. Civ. Code 1798.82 as amended by SB 446 (30 days; sample copy to the AG within 15 days)',
    url: 'https://lexace.ai/us/statute/california/civ-1798.82',
    status: 'verified',
  },
  {
    key: 'CA2',
    citation: 'Snell & Wilmer data breach map: California (personal information; notice format; encryption)',
    url: 'https://swlaw.com/data-breach-map/view/state/ca',
    status: 'secondary',
  },
  {
    key: 'CA3',
    citation: 'Illinois PIPA 815 ILCS 530/10 (substitute notice, same terms as California)',
    url: 'https://ilga.gov/legislation/ilcs/documents/081505300K10.htm',
    status: 'verified',
  },
];

const CA_PUBLIC_NOTICE =
  'Substitute notice (email, conspicuous posting on the website, and statewide media) where notice would cost more than $250,000, reach more than 500,000 people, or contact details are lacking (CA3; the California figures are recalled, unverified).';

// "More than 500 California residents ... as a result of a single breach" (not 500 or more): residents
// whose personal information was breached, not everyone in the affected set.
const CA_OVER_500: Condition = { residents: { over: 500 } };

const CA_DEFINITIONS = {
  personalInformation: {
    term: 'personal information (Cal. Civ. Code 1798.82(h))',
    categories: CREDENTIALS,
    sources: ['CA2'],
    notes:
      '(h)(2): a username or email address with a password or security question and answer that would permit access to an online account. (h)(1) (name with SSN, licence or ID number, account number with its code, medical, health insurance, biometric data used to authenticate) lists nothing the app holds: photos (`camera_data`) are not used to authenticate anyone.',
  },
} as const;

export const US_CA_2026: Rule = {
  id: 'US-CA',
  effectiveFrom: '2026-01-01',
  law: 'California Civil Code 1798.82 (SB 446)',
  jurisdictions: ['US-CA'],
  regulator: CA_REGULATOR,
  definitions: CA_DEFINITIONS,
  obligations: [
    individuals({ kind: 'within', amount: 30, unit: 'days' }, ['CA1', 'CA2'], {
      what: 'Send the "Notice of Data Breach" (title, five headings, at least 10-point type) to each affected resident.',
    }),
    {
      key: 'ag.sample-copy',
      audience: 'regulator',
      phase: 'initial',
      what: 'Submit a single sample copy of the notice (without personal information) to the Attorney General online.',
      clock: 'individualsNotified',
      deadline: { kind: 'within', amount: 15, unit: 'days' },
      when: CA_OVER_500,
      exemptIf: [ENCRYPTED],
      sources: ['CA1'],
    },
  ],
  publicNotice: CA_PUBLIC_NOTICE,
  childAge: 13,
  sources: CA_SOURCES,
  notes: [
    'The 30 days run from "discovery or notification of the breach": from discovery (`discoveredAt`), the earlier and stricter reading, not from the confirmation. A law-enforcement delay, or the time needed to determine the scope and restore the system, may extend it: not modelled.',
    'Personal information: of the app data only credentials (`account_credentials`, `third_party_account`) qualify; the AG copy counts the residents whose credentials were exposed; no harm test.',
    'childAge is COPPA (13), not California law.',
  ].join(' '),
};

export const US_CA_2014: Rule = {
  ...US_CA_2026,
  // Credentials (username or email + password) joined the definition on 2014-01-01 (SB 46, recalled); the
  // sample copy to the AG dates from 2012 (SB 24, recalled). Before 2014 credentials alone did not trigger it.
  effectiveFrom: '2014-01-01',
  law: 'California Civil Code 1798.82 (before SB 446)',
  obligations: [
    individuals(
      { kind: 'asap', wording: 'in the most expedient time possible and without unreasonable delay' },
      ['CA2'],
    ),
    {
      key: 'ag.sample-copy',
      audience: 'regulator',
      phase: 'initial',
      what: 'Submit a single sample copy of the notice (without personal information) to the Attorney General online.',
      clock: 'individualsNotified',
      deadline: { kind: 'asap', wording: 'without a deadline in the statute; promptly' },
      when: CA_OVER_500,
      exemptIf: [ENCRYPTED],
      sources: ['CA1'],
    },
  ],
  notes: [
    'Version before SB 446: no fixed number of days. The 2014-01-01 start (credentials added to the definition) and the 2012 sample-copy duty are recalled, not from the sources; incidents before 2014 are decided by hand.',
    'Personal information: of the app data only credentials qualify; no harm test.',
  ].join(' '),
};

// --- New York ---------------------------------------------------------------------------------

const NY_REGULATOR = attorneyGeneral(
  'NY',
  'us-ny-ag',
  'New York Attorney General, Department of State and Division of State Police',
  'https://ag.ny.gov/resources/organizations/data-breach-reporting',
  'America/New_York',
);

const NY_SOURCES: readonly Source[] = [
  {
    key: 'NY1',
    citation: 'NY GBL 899-aa as amended December 2024: 30 days to residents',
    url: 'https://workplaceprivacyreport.com/2025/01/articles/data-breach-notification/new-york-enacts-immediate-updates-to-breach-notification-law/',
    status: 'secondary',
  },
  {
    key: 'NY2',
    citation: 'NY Department of State: data security breach management',
    url: 'https://dos.ny.gov/data-security-breach-management',
    status: 'verified',
  },
  {
    key: 'NY3',
    citation: 'Orrick: New York amends its data breach notification law (regulators told with the notices)',
    url: 'https://infobytes.orrick.com/2025-02-21/new-york-state-amends-law-on-data-breach-notifications',
    status: 'secondary',
  },
  {
    key: 'NY4',
    citation: 'New York breach law summary: consumer reporting agencies if more than 5,000',
    url: 'https://csrps.com/privacy-regulations/new-york/',
    status: 'secondary',
  },
];

const NY_REGULATORS_TOLD: ObligationSpec = {
  key: 'regulator',
  audience: 'regulator',
  phase: 'initial',
  what: 'Tell the Attorney General, the Department of State and the Division of State Police the timing, content and distribution of the notices and the approximate number of people affected, with a template of the notice.',
  clock: 'individualsNotified',
  deadline: { kind: 'asap', wording: 'together with the notices, or promptly' },
  when: US_PERSONAL_INFORMATION,
  exemptIf: [ENCRYPTED],
  sources: ['NY2', 'NY3'],
};

const NY_CRAS: ObligationSpec = {
  key: 'cra',
  audience: 'consumer-reporting-agencies',
  recipient: 'the nationwide consumer reporting agencies',
  what: 'Tell the consumer reporting agencies the timing, content and distribution of the notices and the approximate number of people affected.',
  clock: 'individualsNotified',
  deadline: { kind: 'asap', wording: 'together with the notices, or promptly' },
  when: { residents: { over: 5000 } },
  exemptIf: [ENCRYPTED],
  sources: ['NY4'],
};

const NY_DEFINITIONS = {
  personalInformation: {
    term: 'private information (N.Y. Gen. Bus. Law 899-aa(1)(b))',
    categories: CREDENTIALS,
    sources: ['NY1'],
    notes:
      'Since the SHIELD Act: a username or email address with a password or security question and answer that would permit access to an online account; the other elements (SSN, licence, account numbers, biometric data) are not held by the app.',
  },
} as const;

export const US_NY_2024: Rule = {
  id: 'US-NY',
  effectiveFrom: '2024-12-21',
  law: 'New York General Business Law 899-aa (as amended December 2024)',
  jurisdictions: ['US-NY'],
  regulator: NY_REGULATOR,
  definitions: NY_DEFINITIONS,
  obligations: [
    individuals({ kind: 'within', amount: 30, unit: 'days' }, ['NY1'], {
      what: 'Send the breach notice to each affected resident: contact details, the categories of information, and the telephone numbers and websites of the state and federal agencies.',
    }),
    NY_REGULATORS_TOLD,
    NY_CRAS,
  ],
  publicNotice:
    'Substitute notice (email, conspicuous website posting and statewide media) where notice would reach more than 500,000 people (NY2); the cost trigger is unverified.',
  childAge: 13,
  sources: NY_SOURCES,
  notes: [
    'The 30 days run from discovery (`discoveredAt`). DFS-regulated entities (23 NYCRR 500, 72 hours) are out of scope.',
    'The three state bodies are one regulator here: one report, sent to each. Encryption exemption: the statute covers unencrypted data (recalled; breach-law.md marks it ?).',
    'The exception for an inadvertent disclosure by an authorised person, not likely to cause misuse, is not modelled.',
  ].join(' '),
};

export const US_NY_2019: Rule = {
  ...US_NY_2024,
  // The SHIELD Act (in force 2019-10-23, recalled) added username/email + password to private information.
  effectiveFrom: '2019-10-23',
  law: 'New York General Business Law 899-aa (SHIELD Act, before the December 2024 amendment)',
  obligations: [
    individuals(
      { kind: 'asap', wording: 'in the most expedient time possible and without unreasonable delay' },
      ['NY1'],
    ),
    NY_REGULATORS_TOLD,
    NY_CRAS,
  ],
  notes: [
    'Version before the 2024 amendment: no fixed number of days. Its start (SHIELD Act, credentials added) is recalled; incidents before it are decided by hand.',
  ].join(' '),
};

// --- Texas ------------------------------------------------------------------------------------

export const US_TX: Rule = {
  id: 'US-TX',
  effectiveFrom: '2023-09-01',
  law: 'Texas Business and Commerce Code 521.053 (as amended by SB 768, 2023)',
  jurisdictions: ['US-TX'],
  regulator: attorneyGeneral(
    'TX',
    'us-tx-ag',
    'Texas Attorney General',
    'https://oag.my.site.com/datasecuritybreachreport/apex/DataSecurityReportsPage',
    'America/Chicago',
  ),
  definitions: {
    personalInformation: {
      term: 'sensitive personal information (Tex. Bus. & Com. Code 521.002(a)(2))',
      categories: [],
      sources: ['TX2'],
      notes:
        'A first name or initial and last name with a Social Security number, a driver licence or government ID number, or an account or card number with its access code; or health information. A username and password are not in it, and nothing else the app holds is.',
    },
  },
  obligations: [
    // 521.053(b): "not later than the 60th day after the date on which the person determines that the
    // breach occurred". No determination recorded: from awareness (the stricter reading, see notes).
    individuals({ kind: 'within', amount: 60, unit: 'days' }, ['TX1', 'TX2'], {
      clock: 'determinationOrAwareness',
    }),
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: "Report the breach to the Attorney General on the AG's electronic form: the nature of the breach, the number of Texans notified, the measures taken and planned, and whether law enforcement is investigating.",
      clock: 'determinationOrAwareness',
      deadline: { kind: 'within', amount: 30, unit: 'days' },
      // "At least 250 residents of this state".
      when: { residents: { atLeast: 250 } },
      exemptIf: [ENCRYPTED],
      sources: ['TX1'],
    },
  ],
  publicNotice: 'Substitute notice terms for Texas were not found (breach-law.md 1B: ?).',
  childAge: 13,
  sources: [
    {
      key: 'TX1',
      citation: 'DWT: Texas data breach notification law update (AG within 30 days if 250 or more; 60 days)',
      url: 'https://dwt.com/blogs/privacy--security-law-blog/2023/06/texas-data-breach-notification-law-update',
      status: 'secondary',
    },
    {
      key: 'TX2',
      citation: 'Lewis Brisbois: Texas data breach (determination; no harm test; encryption)',
      url: 'https://lewisbrisbois.com/privacy/US/Texas/data-breach',
      status: 'secondary',
    },
  ],
  notes: [
    'Texas "sensitive personal information" is a name with an SSN, ID or financial account, or health data; it does not list online credentials, so a breach of the app\'s logins alone is not notifiable here. A category configured beyond the app\'s (EXTRA_DATA_CATEGORIES) counts as sensitive personal information until a rule classifies it, the stricter reading.',
    'Consumer reporting agencies when more than 10,000 (breach-law.md: ?) are not modelled. The effectiveFrom (SB 768) is recalled.',
    "Clocks: the statute runs them from the determination that the breach occurred (TX2), which is the incident's move to `confirmed`. An incident the responders never confirm would have no due date at all, so while no confirmation is recorded both clocks run from awareness (`discoveredAt`), the stricter reading (a determination cannot be put off to put off the notices); once one is recorded, from it. Until 2026-12-07 they had no due date before the confirmation.",
  ].join(' '),
};

// --- Florida ----------------------------------------------------------------------------------

export const US_FL: Rule = {
  id: 'US-FL',
  effectiveFrom: '2014-07-01',
  law: 'Florida Statutes 501.171 (Florida Information Protection Act)',
  jurisdictions: ['US-FL'],
  regulator: attorneyGeneral(
    'FL',
    'us-fl-dla',
    'Florida Department of Legal Affairs (Attorney General)',
    'https://www.myfloridalegal.com/',
    'America/New_York',
  ),
  definitions: {
    personalInformation: {
      term: 'personal information (Fla. Stat. 501.171(1)(g))',
      categories: CREDENTIALS,
      sources: ['FL3'],
      notes:
        '(g)(1)(b): a user name or email address with a password or security question and answer that would permit access to an online account.',
    },
  },
  obligations: [
    // 501.171(4)(a): "no later than 30 days after the determination of a breach or reason to believe a
    // breach occurred".
    individuals({ kind: 'within', amount: 30, unit: 'days' }, ['FL1', 'FL3'], {
      clock: 'determinationOrBelief',
      exemptIf: [
        ENCRYPTED,
        {
          condition: LOW_RISK,
          reason:
            'after investigation and consultation with law enforcement, identity theft or financial harm is not reasonably likely (the written determination goes to the Department)',
        },
      ],
    }),
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Notify the Department of Legal Affairs: a synopsis, the number of Floridians affected, the services offered, a copy of the notice and a contact with a postal address.',
      // 501.171(3)(a): the same "determination of the breach or reason to believe" as the notices.
      clock: 'determinationOrBelief',
      deadline: { kind: 'within', amount: 30, unit: 'days' },
      // "500 or more individuals in this state".
      when: { residents: { atLeast: 500 } },
      exemptIf: [ENCRYPTED],
      sources: ['FL1', 'FL2'],
    },
    {
      key: 'regulator.no-harm-determination',
      audience: 'regulator',
      phase: 'initial',
      what: 'Send the written determination that no harm is likely (kept for 5 years) to the Department instead of telling residents.',
      clock: 'determinationOrBelief',
      deadline: { kind: 'within', amount: 30, unit: 'days' },
      when: { allOf: [US_PERSONAL_INFORMATION, LOW_RISK] },
      exemptIf: [ENCRYPTED],
      sources: ['FL1'],
    },
    {
      key: 'cra',
      audience: 'consumer-reporting-agencies',
      recipient: 'the nationwide consumer reporting agencies',
      what: 'Tell the consumer reporting agencies the timing, distribution and content of the notices.',
      clock: 'determinationOrBelief',
      deadline: { kind: 'asap', wording: 'without unreasonable delay' },
      when: { residents: { over: 1000 } },
      exemptIf: [ENCRYPTED],
      sources: ['FL3'],
    },
  ],
  records: {
    what: 'Keep the written determination that no identity theft or financial harm is reasonably likely, with the investigation behind it, for 5 years (501.171(4)(c)); the register keeps every incident that long.',
    keep: { years: 5, from: 'awareness' },
    sources: ['FL1'],
  },
  publicNotice:
    'Substitute notice: a conspicuous website notice and notice in print and broadcast media (FL3); its triggers are unverified.',
  childAge: 13,
  sources: [
    {
      key: 'FL1',
      citation: 'DWT: Florida 501.171 (determination; 30 days; harm test in writing, kept 5 years)',
      url: 'https://dwt.com/gcp/states/florida',
      status: 'secondary',
    },
    {
      key: 'FL2',
      citation: 'Florida: notice to the Department of Legal Affairs (500 or more; +15 days for good cause)',
      url: 'https://wordsbywit.com/florida',
      status: 'secondary',
    },
    {
      key: 'FL3',
      citation: 'Snell & Wilmer data breach map: Florida (notice content, substitute notice, CRAs)',
      url: 'https://swlaw.com/data-breach-map/view/state/fl',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: `low` = no identity theft or financial harm reasonably likely (individuals exempt, determination sent to the Department). The 15 extra days for good cause (to residents and Department) are not modelled.',
    'Florida personal information includes a username or email with a password. The clocks run from the determination or the reason to believe, whichever came first: awareness (`discoveredAt`) at the latest.',
  ].join(' '),
};

// --- Massachusetts ----------------------------------------------------------------------------

export const US_MA: Rule = {
  id: 'US-MA',
  effectiveFrom: '2007-10-31',
  law: 'Massachusetts General Laws chapter 93H',
  jurisdictions: ['US-MA'],
  regulator: attorneyGeneral(
    'MA',
    'us-ma-ag',
    'Massachusetts Attorney General and Office of Consumer Affairs and Business Regulation (OCABR)',
    'https://www.mass.gov/info-details/requirements-for-data-breach-notifications',
    'America/New_York',
  ),
  definitions: {
    personalInformation: {
      term: 'personal information (M.G.L. c. 93H s. 1)',
      categories: [],
      sources: ['MA4'],
      notes:
        'A first name or initial and last name with a Social Security number, a driver licence or state ID number, or a financial account or card number (with or without its code). A username and password are not in it, and nothing else the app holds is.',
    },
  },
  obligations: [
    individuals(
      { kind: 'asap', wording: 'as soon as practicable and without unreasonable delay' },
      ['MA1', 'MA2'],
      {
        // 93H 3: when the company "knows or has reason to know", not only once it is confirmed.
        clock: 'awareness',
        what: 'Send each affected resident the notice: the right to a police report, how to get a free security freeze, and credit monitoring if SSNs were exposed.',
      },
    ),
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Notify the Attorney General and OCABR: the nature of the breach, the number of residents affected, the steps taken and planned, and whether a written information security programme is maintained.',
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'as soon as practicable and without unreasonable delay' },
      when: US_PERSONAL_INFORMATION,
      exemptIf: [ENCRYPTED],
      sources: ['MA1', 'MA3'],
    },
  ],
  publicNotice: 'Substitute notice terms for Massachusetts were not found (breach-law.md 1B: ?).',
  childAge: 13,
  sources: [
    {
      key: 'MA1',
      citation: 'Mass.gov: requirements for data breach notifications',
      url: 'https://mass.gov/info-details/requirements-for-data-breach-notifications',
      status: 'verified',
    },
    {
      key: 'MA2',
      citation: 'Mass.gov: reporting data breaches to affected residents',
      url: 'https://mass.gov/info-details/reporting-data-breaches-to-affected-residents',
      status: 'verified',
    },
    {
      key: 'MA3',
      citation: 'Mass.gov blog: understanding data breaches (report content to the AG and OCABR)',
      url: 'https://blog.mass.gov/consumer/massconsumer/understanding-your-financial-institutions-data-breaches/',
      status: 'verified',
    },
    {
      key: 'MA4',
      citation: 'Proteus: chapter 93H (substantial risk of identity theft or fraud; encryption)',
      url: 'https://proteuscyber.com/privacy-database/news/4569-massachusetts-chapter-93h-security-breaches-mass-gen-laws-93h-1',
      status: 'secondary',
    },
  ],
  notes: [
    "93H personal information is a name with an SSN, ID or financial account number; it does not list online credentials, so a breach of the app's logins alone is not notifiable here. A configured category no rule classifies counts, the stricter reading.",
    'The "substantial risk of identity theft or fraud" test (MA4) is not a condition here: notice is also due when data were acquired or used by an unauthorised person, whatever the risk.',
    'The notice must not state the nature of the breach or the number affected (breach-law.md: ?): see US_MA_NOTICE below.',
  ].join(' '),
};

// --- Washington -------------------------------------------------------------------------------

// "Not reasonably likely to subject consumers to a risk of harm": no notice to anyone.
const WA_NO_HARM = {
  condition: LOW_RISK,
  reason: 'not reasonably likely to subject consumers to a risk of harm',
};

export const US_WA: Rule = {
  id: 'US-WA',
  effectiveFrom: '2020-03-01',
  law: 'Revised Code of Washington 19.255 (as amended by HB 1071)',
  jurisdictions: ['US-WA'],
  regulator: attorneyGeneral(
    'WA',
    'us-wa-ag',
    'Washington State Attorney General',
    'https://www.atg.wa.gov/washington-s-data-breach-notification-laws',
    'America/Los_Angeles',
  ),
  definitions: {
    personalInformation: {
      term: 'personal information (RCW 19.255.005)',
      categories: CREDENTIALS,
      sources: ['WA1'],
      notes:
        'Since HB 1071: a username or email address with a password or security questions and answers that would permit access to an online account.',
    },
  },
  obligations: [
    individuals({ kind: 'within', amount: 30, unit: 'days' }, ['WA1'], {
      what: 'Send each affected resident the notice in plain language, with the list of information exposed.',
      exemptIf: [ENCRYPTED, WA_NO_HARM],
    }),
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: "Report to the Attorney General on the AG's web form: the number of residents affected and a sample of the notice.",
      clock: 'discovery',
      deadline: { kind: 'within', amount: 30, unit: 'days' },
      // "More than 500 Washington residents".
      when: { residents: { over: 500 } },
      exemptIf: [ENCRYPTED, WA_NO_HARM],
      sources: ['WA1', 'WA2'],
    },
  ],
  publicNotice: 'Substitute notice terms for Washington were not found (breach-law.md 1B: ?).',
  childAge: 13,
  sources: [
    {
      key: 'WA1',
      citation: "Washington AG: Washington's data breach notification laws",
      url: 'https://atg.wa.gov/washington-s-data-breach-notification-laws',
      status: 'verified',
    },
    {
      key: 'WA2',
      citation: 'ComplianceIQ: Washington breach notification (AG report content)',
      url: 'https://complianceiq.site/breach-notification/washington',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: `low` = not reasonably likely to subject consumers to a risk of harm (exempt). The 30 days (to residents and to the AG) run from discovery (`discoveredAt`).',
    'Washington personal information includes a username or email with a password; the effectiveFrom (HB 1071) is recalled.',
  ].join(' '),
};

export const US_STATE_RULES: readonly Rule[] = [
  US_CA_2014,
  US_CA_2026,
  US_NY_2019,
  US_NY_2024,
  US_TX,
  US_FL,
  US_MA,
  US_WA,
];

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/** Every state without a profile of its own: where to report identity theft, in place of an authority. */
export const US_NOTICE: NoticeProfile = {
  jurisdiction: 'US',
  effectiveFrom: '2003-07-01',
  law: 'No federal breach statute: the FTC and the state Attorney General in place of a data protection authority',
  requirements: [
    {
      kind: 'complaint',
      key: 'complaintUS',
      sources: ['PP'],
      unsettled:
        'No statute asks for it: the privacy policy promises a route to complain to the local regulator, and the US has no data protection authority, so the notice names the FTC (IdentityTheft.gov) and the state Attorney General.',
    },
    {
      // When it happened: Florida's notice gives "the date, estimated date, or estimated date range of the
      // breach" with no "if known" (FL1), Washington's the time frame of exposure (WA1), California's the
      // date or range "if possible to determine". Until 2026-12-08 a US notice without the incident's
      // start said only when the company learned of it.
      kind: 'requires',
      facts: ['occurredFrom'],
      sources: ['FL1', 'WA1'],
      unsettled:
        "Most states ask for the date only if it can be determined; Florida's and Washington's do not say so. The stricter reading, for every state (a campaign reaches several at once, and an estimated start can always be given): a US notice waits for the incident's start, an approximate one at least.",
    },
  ],
  sources: [
    PRIVACY_POLICY,
    ...US_FL.sources.filter((source) => source.key === 'FL1'),
    ...US_WA.sources.filter((source) => source.key === 'WA1'),
  ],
  notes:
    "Dated from California's first breach statute (SB 1386, 2003-07-01, recalled), the first that asked for a notice; states with more to say have profiles of their own, over this one. Every US notice says when the breach happened (required, the stricter reading).",
};

const SOURCES_BY_KEY = new Map([...CA_SOURCES, ...US_MA.sources].map((source) => [source.key, source]));
const cite = (...keys: string[]): Source[] => keys.map((key) => SOURCES_BY_KEY.get(key)!);

/** Civil Code 1798.82(d)(1)-(2): the title and five headings, the notice's date, a law-enforcement delay. */
export const US_CA_NOTICE: NoticeProfile = {
  jurisdiction: 'US-CA',
  effectiveFrom: '2016-01-01',
  law: 'California Civil Code 1798.82(d)',
  requirements: [
    {
      kind: 'title',
      title: { words: 'Notice of Data Breach', language: 'en' },
      sources: ['CA2'],
      notices: ['individual', 'public'],
    },
    {
      kind: 'headings',
      headings: {
        words: {
          whatHappened: 'What Happened',
          whatInformation: 'What Information Was Involved',
          whatWeAreDoing: 'What We Are Doing',
          whatYouCanDo: 'What You Can Do',
          moreInformation: 'For More Information',
        },
        language: 'en',
      },
      // Nothing between the five headings: what it may mean is part of what happened, the remedies part
      // of what the company does.
      merge: { impact: 'whatHappened', remedies: 'whatWeAreDoing' },
      sources: ['CA2'],
      notices: ['individual', 'public'],
      unsettled:
        'The statute gives the title and headings in English; a notice in another language keeps them and adds its own words in brackets, since it is not settled that translated headings alone satisfy 1798.82(d)(1).',
    },
    {
      kind: 'paragraphs',
      section: 'whatHappened',
      at: 'start',
      say: [{ kind: 'dated', key: 'noticeDate' }],
      sources: ['CA2'],
    },
    {
      kind: 'paragraphs',
      section: 'whatHappened',
      at: 'end',
      say: [
        {
          kind: 'answer',
          fact: 'lawEnforcementDelay',
          yes: 'delayedByLawEnforcement',
          no: 'notDelayedByLawEnforcement',
        },
      ],
      sources: ['CA2'],
      unsettled:
        '1798.82(d)(2)(D) asks whether notice was delayed by a law enforcement investigation "if that information is possible to determine": said only when the incident answers (lawEnforcementDelay).',
    },
  ],
  sources: cite('CA2'),
  notes: [
    'The title and headings date from SB 570 (in force 2016-01-01, recalled); a notice dated before follows this version too, which only says more.',
    "The ten-point type is the email layout's (16 px); the 12-month identity theft prevention service (for SSN or licence numbers) concerns data categories the app does not hold.",
  ].join(' '),
};

/**
 * M.G.L. c. 93H s. 3(b): the police report and the free security freeze, and never the nature of the
 * breach: no description, no place, and the responders' words only in their Massachusetts version.
 */
export const US_MA_NOTICE: NoticeProfile = {
  jurisdiction: 'US-MA',
  effectiveFrom: '2007-10-31',
  law: 'Massachusetts General Laws chapter 93H s. 3(b)',
  requirements: [
    {
      kind: 'omit',
      parts: ['description', 'location'],
      sources: ['MA2'],
      unsettled:
        "That the notice must not state the nature of the breach (nor the number of residents affected) is marked ? in breach-law.md; read strictly: neither the responders' description nor where it happened.",
    },
    {
      kind: 'ownWords',
      version: 'massachusetts',
      sources: ['MA2'],
      unsettled:
        "Read strictly, any of the responders' words written for every notice may describe the breach (\"we closed the public bucket\"): a Massachusetts notice says only the incident's Massachusetts version of them (massachusettsWords, and its guardian's for a guardian), each field from it or left out, and none of the statutory facts other profiles add (cause, how it was found).",
    },
    {
      kind: 'paragraphs',
      section: 'whatYouCanDo',
      at: 'end',
      say: [
        { kind: 'say', key: 'massachusettsPoliceReport' },
        { kind: 'say', key: 'massachusettsFreeze' },
      ],
      sources: ['MA2'],
    },
  ],
  sources: cite('MA2'),
  notes:
    'Credit monitoring when Social Security numbers were exposed (MA2) concerns data the app does not hold. The free freeze dates from 2019 (recalled): a notice dated before follows this version, which only says more.',
};

/** General Business Law 899-aa(7): the state and federal agencies' numbers and websites. */
export const US_NY_NOTICE: NoticeProfile = {
  jurisdiction: 'US-NY',
  effectiveFrom: '2019-10-23',
  law: 'New York General Business Law 899-aa(7)',
  requirements: [
    {
      kind: 'paragraphs',
      section: 'moreInformation',
      at: 'end',
      say: [{ kind: 'say', key: 'newYorkAgencies' }],
      sources: ['NY5'],
    },
  ],
  sources: [
    {
      key: 'NY5',
      citation:
        "RadarFirst: regulatory trends to watch in 2020, specifying notification contents (New York: the agencies' telephone numbers and websites)",
      url: 'https://radarfirst.com/blog/regulatory-trends-to-watch-in-2020-specifying-notification-contents/',
      status: 'secondary',
    },
  ],
  notes:
    'The contact details and the categories of information, which 899-aa(7) also asks for, are in every notice. The agencies requirement is dated with the SHIELD Act (2019-10-23, recalled).',
};

/** RCW 19.255.010: the toll-free numbers and addresses of the major credit reporting agencies. */
export const US_WA_NOTICE: NoticeProfile = {
  jurisdiction: 'US-WA',
  effectiveFrom: '2020-03-01',
  law: 'Revised Code of Washington 19.255.010 (as amended by HB 1071)',
  requirements: [
    {
      kind: 'paragraphs',
      section: 'whatYouCanDo',
      at: 'end',
      say: [{ kind: 'say', key: 'washingtonCreditAgencies' }],
      sources: ['WA1', 'WA3'],
      unsettled:
        "The notice's items (the business and its contact, the types of information, the time frame of exposure, and the credit reporting agencies' toll-free numbers and addresses if personal information was exposed) are marked ? in breach-law.md; read strictly, the agencies are in every Washington notice, not only when the statute's personal information was exposed. Their numbers and security-freeze addresses are as the Massachusetts consumer affairs office lists them (WA3).",
    },
  ],
  sources: [
    ...US_WA.sources.filter((source) => source.key === 'WA1'),
    {
      key: 'WA3',
      citation:
        "Massachusetts Office of Consumer Affairs and Business Regulation: request a credit report security freeze (the three agencies' addresses and numbers)",
      url: 'https://www.mass.gov/how-to/request-a-credit-report-security-freeze',
      status: 'verified',
    },
  ],
  notes:
    'The business and its contact, the types of information and the dates of the breach and of its discovery are in every notice. The agencies requirement is dated with HB 1071 (2020-03-01, recalled).',
};
