import type { StandardPart } from './notice-profile.types.js';
import type { Source } from './rule.types.js';
import { PRIVACY_POLICY } from './standard-notice.js';

// Which channels count as the individual notice a law asks for, per jurisdiction: typed data, versioned
// and cited like the obligation rules, with worked cases in notice-methods.spec.ts. A person reached only
// by a channel their law does not accept stays unreached (and counts for the substitute or public notice):
// the planner tries the lawful channels first, and a delivery is notified only by one of them.

/** The channels that can carry a notice (push only points to it, everywhere). */
export type NoticeMethod = 'email' | 'sms';
export const NOTICE_METHODS: readonly NoticeMethod[] = ['email', 'sms'];

/**
 * `lawful`: the law accepts it as the notice. `withConsent`: only for people who consented to electronic
 * notice as the federal E-SIGN Act asks (15 U.S.C. 7001(c)), which configuration says (ESIGN_CONSENT).
 * `notLawful`: it never counts, whatever it carries.
 */
export type MethodStanding = 'lawful' | 'withConsent' | 'notLawful';

/** Whether the people of the directory consented to electronic notice: `none` (not known) or `all`. */
export type EsignConsent = 'none' | 'all';

export interface NoticeMethodRule {
  /** `US-FL`, `US` (the states without their own entry), `*` (any effective means), ... */
  id: string;
  /** The day this version holds from (YYYY-MM-DD); the version in effect on the day a notice is planned. */
  effectiveFrom: string;
  law: string;
  /** Jurisdiction codes it covers: a country covers its subdivisions that have no entry of their own. */
  jurisdictions: readonly string[];
  methods: Readonly<Record<NoticeMethod, { standing: MethodStanding; why: string }>>;
  sources: readonly Source[];
  /** What is unsettled, and the stricter reading taken. */
  notes?: string;
}

const ESIGN: Source = {
  key: 'ESIGN',
  citation: '15 U.S.C. 7001(c) (E-SIGN Act: consumer consent to electronic records)',
  url: 'https://www.law.cornell.edu/uscode/text/15/7001',
  status: 'unverified',
};

const electronicWithConsent = (statute: string) =>
  ({
    standing: 'withConsent',
    why: `electronic notice counts only when consistent with 15 U.S.C. 7001 (${statute}): the person consented to electronic records`,
  }) as const;

const anyEffectiveMeans = (why: string) =>
  ({
    email: { standing: 'lawful', why },
    sms: { standing: 'lawful', why },
  }) as const;

/** Where no entry names a jurisdiction: no method is prescribed, any effective means counts. */
export const ANY_EFFECTIVE_MEANS: NoticeMethodRule = {
  id: '*',
  effectiveFrom: '2018-05-25',
  law: 'no method prescribed',
  jurisdictions: [],
  methods: anyEffectiveMeans('the law prescribes no method: any effective, direct means counts'),
  sources: [],
  notes:
    'A jurisdiction without an entry is taken to accept any direct, effective means; its obligations are decided by hand anyway when no rule covers it.',
};

export const NOTICE_METHOD_RULES: readonly NoticeMethodRule[] = [
  {
    id: 'US',
    effectiveFrom: '2018-01-01',
    law: 'US state breach statutes (electronic notice consistent with E-SIGN)',
    jurisdictions: ['US'],
    methods: {
      email: electronicWithConsent('the usual wording of the state statutes'),
      sms: electronicWithConsent('the usual wording of the state statutes'),
    },
    sources: [ESIGN],
    notes:
      'States without an entry here: most statutes accept written notice, or electronic notice consistent with E-SIGN, or substitute notice. Taken for every state without its own entry (the stricter reading); check the state statute before relying on electronic notice.',
  },
  {
    id: 'US-CA',
    effectiveFrom: '2026-01-01',
    law: 'Cal. Civ. Code 1798.82(j)',
    jurisdictions: ['US-CA'],
    methods: {
      email: electronicWithConsent('1798.82(j)(2)'),
      sms: {
        standing: 'notLawful',
        why: 'the notice must be titled "Notice of Data Breach" with the statutory headings in at least 10-point type (1798.82(d)(1)): a text message cannot carry that form',
      },
    },
    sources: [
      {
        key: 'CA1',
        citation: 'Cal. Civ. Code 1798.82(d), (j)',
        url: 'https://lexace.ai/us/statute/california/civ-1798.82',
        status: 'secondary',
      },
      ESIGN,
    ],
    notes:
      'Whether a text message consistent with E-SIGN is "electronic notice" is not settled; the form of (d)(1) makes the stricter reading (no) the safer one.',
  },
  {
    id: 'US-NY',
    effectiveFrom: '2024-12-21',
    law: 'N.Y. Gen. Bus. Law 899-aa(5), (7)',
    jurisdictions: ['US-NY'],
    methods: {
      email: {
        standing: 'withConsent',
        why: 'electronic notice only where the person expressly consented to notice in electronic form and a log is kept (899-aa(5)(b))',
      },
      sms: {
        standing: 'notLawful',
        why: 'the notice must carry its whole contents "regardless of the method" (899-aa(7): contact, the categories, the agencies\' numbers and websites): a text message with a link does not',
      },
    },
    sources: [
      {
        key: 'NY5',
        citation: 'N.Y. Gen. Bus. Law 899-aa(7) (contents)',
        url: 'https://www.radarfirst.com/blog/regulatory-trends-to-watch-in-2020-specifying-notification-contents/',
        status: 'secondary',
      },
      {
        key: 'NY-5b',
        citation: 'N.Y. Gen. Bus. Law 899-aa(5)(b) (electronic notice with express consent)',
        url: 'https://www.nysenate.gov/legislation/laws/GBS/899-AA',
        status: 'unverified',
      },
    ],
    notes:
      'Telephone notice with a log (899-aa(5)(c)) is not a channel of this service. Consent may not be made a condition of the business relationship: ESIGN_CONSENT=all asserts that it was given freely.',
  },
  {
    id: 'US-TX',
    effectiveFrom: '2023-09-01',
    law: 'Tex. Bus. & Com. Code 521.053(e)',
    jurisdictions: ['US-TX'],
    methods: {
      email: electronicWithConsent('521.053(e)(2)'),
      sms: electronicWithConsent('521.053(e)(2)'),
    },
    sources: [
      {
        key: 'TX2',
        citation: 'Tex. Bus. & Com. Code 521.053',
        url: 'https://lewisbrisbois.com/privacy/US/Texas/data-breach',
        status: 'secondary',
      },
      ESIGN,
    ],
  },
  {
    id: 'US-FL',
    effectiveFrom: '2014-07-01',
    law: 'Fla. Stat. 501.171(4)(d)',
    jurisdictions: ['US-FL'],
    methods: {
      email: {
        standing: 'lawful',
        why: 'email notice to the email address of the individual (501.171(4)(d)2.)',
      },
      sms: {
        standing: 'notLawful',
        why: 'the notice is written notice to the mailing address or email notice (501.171(4)(d)): nothing else',
      },
    },
    sources: [
      {
        key: 'FL3',
        citation: 'Fla. Stat. 501.171(4)(d)',
        url: 'https://swlaw.com/data-breach-map/view/state/fl',
        status: 'secondary',
      },
    ],
  },
  {
    id: 'US-MA',
    effectiveFrom: '2019-04-11',
    law: 'Mass. Gen. Laws ch. 93H §1 ("notice")',
    jurisdictions: ['US-MA'],
    methods: {
      email: electronicWithConsent('93H §1'),
      sms: electronicWithConsent('93H §1'),
    },
    sources: [
      {
        key: 'MA1',
        citation: 'M.G.L. c. 93H §1',
        url: 'https://www.mass.gov/info-details/requirements-for-data-breach-notifications',
        status: 'unverified',
      },
      ESIGN,
    ],
  },
  {
    id: 'US-WA',
    effectiveFrom: '2020-03-01',
    law: 'RCW 19.255.010(8)',
    jurisdictions: ['US-WA'],
    methods: {
      email: electronicWithConsent('RCW 19.255.010(8)(b)'),
      sms: electronicWithConsent('RCW 19.255.010(8)(b)'),
    },
    sources: [
      {
        key: 'WA1',
        citation: 'RCW 19.255.010',
        url: 'https://www.atg.wa.gov/washington-s-data-breach-notification-laws',
        status: 'unverified',
      },
      ESIGN,
    ],
  },
  {
    id: 'EU-GDPR',
    effectiveFrom: '2018-05-25',
    law: 'GDPR Art. 34 (and UK GDPR Art. 34)',
    jurisdictions: [
      'AT',
      'BE',
      'BG',
      'HR',
      'CY',
      'CZ',
      'DK',
      'EE',
      'FI',
      'FR',
      'DE',
      'GR',
      'HU',
      'IE',
      'IT',
      'LV',
      'LT',
      'LU',
      'MT',
      'NL',
      'PL',
      'PT',
      'RO',
      'SK',
      'SI',
      'ES',
      'SE',
      'NO',
      'IS',
      'LI',
      'GB',
    ],
    methods: anyEffectiveMeans(
      'Art. 34 prescribes no method: a direct message (email, SMS) that communicates the breach in clear and plain language counts',
    ),
    sources: [
      {
        key: 'G2',
        citation: 'GDPR Art. 34',
        url: 'https://gdprhub.eu/index.php?title=Article_34_GDPR',
        status: 'verified',
      },
    ],
  },
  {
    id: 'BR',
    effectiveFrom: '2024-04-26',
    law: 'LGPD Art. 48; ANPD Resolution 15/2024',
    jurisdictions: ['BR'],
    methods: anyEffectiveMeans(
      'individual communication by letter, email, telephone or message, in plain language',
    ),
    sources: [
      {
        key: 'BR1',
        citation: 'ANPD Res. 15/2024',
        url: 'https://bastilhocoelho.com.br/?p=5679',
        status: 'secondary',
      },
    ],
  },
  {
    id: 'CA',
    effectiveFrom: '2018-11-01',
    law: 'PIPEDA breach regulations (SOR/2018-64 s 4); Quebec private-sector Act s 3.5',
    jurisdictions: ['CA'],
    methods: anyEffectiveMeans(
      'direct notification in person, by telephone, mail, email or any other form a reasonable person would consider appropriate',
    ),
    sources: [
      {
        key: 'CAN1',
        citation: 'SOR/2018-64 s 4',
        url: 'https://gazette.gc.ca/rp-pr/p2/2018/2018-04-18/html/sor-dors64-eng.html',
        status: 'verified',
      },
    ],
  },
  {
    id: 'SG',
    effectiveFrom: '2021-02-01',
    law: 'PDPA s 26D(2)',
    jurisdictions: ['SG'],
    methods: anyEffectiveMeans('"in any manner that is reasonable in the circumstances" (s 26D)'),
    sources: [
      {
        key: 'SG1',
        citation: 'PDPA s 26D',
        url: 'https://laws.sg/legislation/act-2012-pdpa/section-26d',
        status: 'verified',
      },
    ],
  },
  {
    id: 'IN',
    effectiveFrom: '2025-11-14',
    law: 'DPDP Rules 2025, Rule 7(1)',
    jurisdictions: ['IN'],
    methods: anyEffectiveMeans(
      "through the user account or any mode of communication the Data Principal registered (the directory's email and phone)",
    ),
    sources: [
      { key: 'IN1', citation: 'DPDP Rules, Rule 7', url: 'https://dpdpa.co.in/rule-7', status: 'verified' },
    ],
  },
];

/**
 * What an SMS says, so that where it counts as the notice it is the notice, not only a pointer to it: the
 * lead every SMS carries (who, that the reader's data was involved, the link, how to tell a genuine
 * message, whom to ask), then the notice itself as the reader's profile shapes it, in the email's words,
 * but what the lead says already or only introduces. An SMS that cannot carry a reader's notice in one
 * message (`SMS_MAX_CHARACTERS`) goes with its lead alone, and does not count as their notice.
 */
export interface SmsNoticeRule {
  id: string;
  effectiveFrom: string;
  law: string;
  /** Parts of the standard notice an SMS leaves out: its lead says them, or they only introduce. */
  leftOut: readonly StandardPart[];
  /** The standard advice only where the responders give no advice of their own. */
  standardAdviceOnlyWithoutOwn: boolean;
  /**
   * A notice in two languages (Quebec: French, with the reader's alongside): the notice in the first, the
   * language the law fixes, and the lead in each; both in full pass one SMS with even short words.
   */
  alongside: 'leadOnly';
  /** An SMS whose notice does not fit one message: its lead alone, and not counted as the notice. */
  tooLong: 'leadOnlyNotCounted';
  sources: readonly Source[];
  notes: string;
}

export const SMS_NOTICE: SmsNoticeRule = {
  id: 'sms-notice',
  effectiveFrom: '2018-05-25',
  law: 'the privacy policy, section III; GDPR Art. 34(2); and every law that lists what a notice says',
  leftOut: ['dataIntro', 'contact'],
  standardAdviceOnlyWithoutOwn: true,
  alongside: 'leadOnly',
  tooLong: 'leadOnlyNotCounted',
  sources: [
    PRIVACY_POLICY,
    {
      key: 'G2-2',
      citation:
        'GDPR Art. 34(2): the communication describes in clear and plain language the nature of the breach and gives at least the contact, the likely consequences and the measures of Art. 33(3)(b), (c) and (d)',
      url: 'https://gdprhub.eu/index.php?title=Article_34_GDPR',
      status: 'verified',
    },
  ],
  notes:
    'Unsettled: whether a text message that only links to the notice is itself the notice where a law lists what the notice says, and where the privacy policy promises a notice that "may take the form of ... text message" with the incident\'s basic facts, impact, measures, advice and remedies. The stricter reading is taken: an SMS counts as the notice only when it says everything the reader\'s notice says (the lead gives the contact and the link); one that cannot within one message informs and points to the notice, and its reader stays unreached unless another channel reaches them.',
};

const country = (code: string) => code.split('-')[0] ?? code;

/**
 * The entry for a jurisdiction on a day: its own, else its country's, else any effective means; of several
 * versions, the latest in effect on `day` (YYYY-MM-DD).
 */
export function noticeMethodsFor(
  jurisdiction: string | null,
  day: string,
  rules: readonly NoticeMethodRule[] = NOTICE_METHOD_RULES,
): NoticeMethodRule {
  if (!jurisdiction) return ANY_EFFECTIVE_MEANS;
  const pick = (code: string) =>
    rules
      .filter((r) => r.jurisdictions.includes(code) && r.effectiveFrom <= day)
      .sort((a, b) => b.effectiveFrom.localeCompare(a.effectiveFrom))[0];
  return pick(jurisdiction) ?? pick(country(jurisdiction)) ?? ANY_EFFECTIVE_MEANS;
}

/** Whether a standing counts, given what configuration says of consent to electronic notice. */
export const counts = (standing: MethodStanding, consent: EsignConsent): boolean =>
  standing === 'lawful' || (standing === 'withConsent' && consent === 'all');

/** The channels that count as the notice in a jurisdiction, in NOTICE_METHODS order. */
export function lawfulMethods(
  jurisdiction: string | null,
  day: string,
  consent: EsignConsent,
): NoticeMethod[] {
  const rule = noticeMethodsFor(jurisdiction, day);
  return NOTICE_METHODS.filter((m) => counts(rule.methods[m].standing, consent));
}

/**
 * Every jurisdiction code an entry names, with its lawful channels on `day`, and those of everything else
 * (`fallback`): the table the planner's SQL is generated from (notice-methods.sql.ts).
 */
export function lawfulMethodTable(
  day: string,
  consent: EsignConsent,
): { codes: { code: string; methods: NoticeMethod[] }[]; fallback: NoticeMethod[] } {
  const codes = [...new Set(NOTICE_METHOD_RULES.flatMap((r) => r.jurisdictions))].sort();
  return {
    codes: codes.map((code) => ({ code, methods: lawfulMethods(code, day, consent) })),
    fallback: lawfulMethods(null, day, consent),
  };
}
