import type { NoticeProfile } from './notice-profile.types.js';
import type { Condition, ObligationSpec, Regulator, Rule, Source } from './rule.types.js';

// PIPL Art. 57 (from 2021-11-01) and, from 2025-11-01, the CAC's National Cybersecurity Incident Reporting
// Measures: a "relatively major" incident or worse goes to the provincial CAC within 4 hours.

const CAC: Regulator = {
  id: 'cac',
  name: 'Cyberspace Administration of China (provincial office)',
  contact: { url: 'https://www.cac.gov.cn/' },
  form: 'pipl-cac',
  language: 'zh-Hans',
  timeZone: 'Asia/Shanghai',
  holidays: { country: 'CN' },
};

/**
 * "Relatively major" (较大) or worse under the Measures' grading guide, for a personal-data leak: the
 * personal information of 1,000,000 people or more (unverified: only the top tier, 100 million, was seen).
 */
const RELATIVELY_MAJOR: Condition = { residents: { atLeast: 1_000_000 } };

/**
 * The Measures' own scale for an incident (grading guide, CN3): particularly major (特别重大), major
 * (重大), relatively major (较大), general (一般). For a leak of personal information, by the people whose
 * information leaked; only the top tier's number was seen in the source, the others are recalled.
 */
export const CN_INCIDENT_GRADES = [
  { grade: 'particularlyMajor', words: '特别重大', atLeast: 100_000_000, status: 'verified' },
  { grade: 'major', words: '重大', atLeast: 10_000_000, status: 'unverified' },
  { grade: 'relativelyMajor', words: '较大', atLeast: 1_000_000, status: 'unverified' },
  { grade: 'general', words: '一般', atLeast: 0, status: 'unverified' },
] as const;
export type CnIncidentGrade = (typeof CN_INCIDENT_GRADES)[number]['grade'];

/** The grade of a leak of the personal information of `people`, on the Measures' scale. */
export function cnIncidentGrade(people: number): CnIncidentGrade {
  return (CN_INCIDENT_GRADES.find((g) => people >= g.atLeast) ?? CN_INCIDENT_GRADES[3]).grade;
}

const PIPL_REGULATOR: ObligationSpec = {
  key: 'regulator',
  audience: 'regulator',
  phase: 'initial',
  what: 'Take remedial measures and notify the personal-information protection departments: the categories of information, the cause, the possible harm, the remedial measures, what individuals can do, and a contact.',
  clock: 'awareness',
  deadline: { kind: 'asap', wording: 'immediately' },
  sources: ['CN1'],
};

const PIPL_INDIVIDUALS: ObligationSpec = {
  key: 'individuals',
  audience: 'individuals',
  what: 'Notify the affected individuals (PIPL Art. 57 items, including the contact of the processor).',
  clock: 'awareness',
  deadline: { kind: 'asap', wording: 'immediately' },
  sources: ['CN1'],
};

const PIPL_SOURCE: Source = {
  key: 'CN1',
  citation: 'PIPL Art. 57 (English translation)',
  url: 'https://plnmw.com/InformationService/fbtanikxat.html',
  status: 'verified',
};

const PUBLIC_NOTICE =
  'None in PIPL Art. 57; a public "Security Notice" as in GB/T 35273-2020 s 10.2 is the usual practice where individuals cannot be reached (unverified).';

export const CN_PIPL_2021: Rule = {
  id: 'CN',
  effectiveFrom: '2021-11-01',
  law: 'PIPL Art. 57',
  jurisdictions: ['CN'],
  regulator: CAC,
  definitions: {
    personalInformation: {
      term: 'personal information (PIPL Art. 4)',
      sources: ['CN1'],
    },
  },
  obligations: [PIPL_REGULATOR, PIPL_INDIVIDUALS],
  publicNotice: PUBLIC_NOTICE,
  childAge: 14,
  sources: [PIPL_SOURCE],
  notes: [
    'Any leak, tampering or loss, actual or possible, is covered: no threshold.',
    'Individuals need not be told where the measures effectively avoid the harm (the regulator may still order notice): there is no fact for that, so responders waive it by hand.',
  ].join(' '),
};

export const CN_PIPL_2025: Rule = {
  ...CN_PIPL_2021,
  effectiveFrom: '2025-11-01',
  law: 'PIPL Art. 57 and National Cybersecurity Incident Reporting Measures (CAC, 2025)',
  obligations: [
    PIPL_REGULATOR,
    {
      key: 'regulator.incident-report',
      audience: 'regulator',
      phase: 'initial',
      what: 'Report the incident to the provincial CAC office (unit, time, place, type and level, impact, measures, cause, next steps; the first items first).',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 4, unit: 'hours' },
      when: RELATIVELY_MAJOR,
      sources: ['CN2', 'CN3'],
    },
    {
      key: 'regulator.follow-up',
      audience: 'regulator',
      phase: 'follow-up',
      what: 'Report what could not be given at first, and new developments, as supplements.',
      clock: 'initialReportFiled',
      deadline: { kind: 'asap', wording: 'promptly' },
      when: RELATIVELY_MAJOR,
      sources: ['CN2'],
    },
    PIPL_INDIVIDUALS,
  ],
  sources: [
    PIPL_SOURCE,
    {
      key: 'CN2',
      citation:
        'National Cybersecurity Incident Reporting Measures (CAC, 2025-09-11, in force 2025-11-01), Art. 4',
      url: 'https://qdubb.cn/html/2025/yunlingyaowen_0916/141638.html',
      status: 'verified',
    },
    {
      key: 'CN3',
      citation: 'Cybersecurity incident grading guide (annex to the Measures)',
      url: 'https://wlzx.gzy.edu.cn/info/1098/1576.htm',
      status: 'verified',
    },
  ],
  notes: [
    'Mapping of "relatively major": 1,000,000 or more residents whose information leaked; the lower tiers of the grading guide were not confirmed (only "particularly major", 100 million people, was seen). Incidents graded relatively major on other grounds (national security, losses) are decided by hand.',
    'One report can meet both the PIPL notice and the 4-hour report. Critical information infrastructure (1 hour, to the protection department and the police) and the post-incident summary are not modelled.',
    'Individuals need not be told where the measures effectively avoid the harm: there is no fact for that, so responders waive it by hand.',
  ].join(' '),
};

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/** PIPL Art. 57(1): the notice to individuals says the cause, besides the categories and possible harm. */
export const CN_NOTICE: NoticeProfile = {
  jurisdiction: 'CN',
  effectiveFrom: '2021-11-01',
  law: 'PIPL Art. 57',
  requirements: [
    {
      kind: 'paragraphs',
      section: 'whatHappened',
      at: 'end',
      say: [{ kind: 'words', field: 'cause', key: 'wordsCause' }],
      sources: ['CN1'],
    },
    // Art. 57(1) lists the cause among what the notice says: required, not said only "when given".
    { kind: 'requires', facts: ['cause'], sources: ['CN1'] },
  ],
  sources: [PIPL_SOURCE],
  notes:
    "Art. 57's other items (the categories, the possible harm, the remedial measures, what individuals can do, a contact) are in every notice.",
};
