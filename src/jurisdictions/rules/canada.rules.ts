import type { NoticeProfile } from './notice-profile.types.js';
import type { Rule, Source } from './rule.types.js';
import { PRIVACY_POLICY } from './standard-notice.js';

// PIPEDA s 10.1 and the Breach of Security Safeguards Regulations (SOR/2018-64), in force 2018-11-01.
// One federal rule for every province (`CA` covers `CA-QC` and the others, see notes).

/** "Real risk of significant harm" (RROSH): mapped to risk `medium` or higher (see notes). */
const RROSH = { risk: { atLeast: 'medium' } } as const;

export const CA_PIPEDA: Rule = {
  id: 'CA',
  effectiveFrom: '2018-11-01',
  law: 'PIPEDA s 10.1 and Breach of Security Safeguards Regulations (SOR/2018-64)',
  jurisdictions: ['CA'],
  regulator: {
    id: 'opc',
    name: 'Office of the Privacy Commissioner of Canada',
    contact: {
      url: 'https://www.priv.gc.ca/en/report-a-concern/report-a-privacy-breach-at-your-organization/',
    },
    form: 'pipeda',
    language: 'en-CA',
    timeZone: 'America/Toronto',
    holidays: { country: 'CA' },
  },
  definitions: {
    personalInformation: {
      term: 'personal information (PIPEDA s 2(1))',
      sources: ['CAN3'],
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Report the breach to the OPC (SOR/2018-64 s 2: circumstances, dates, information, number of people, steps taken, notices, contact).',
      clock: 'determination',
      deadline: { kind: 'asap', wording: 'as soon as feasible' },
      when: RROSH,
      sources: ['CAN2', 'CAN3'],
    },
    {
      // s 2(2) of the Regulations: new information may be sent after the report.
      key: 'regulator.follow-up',
      audience: 'regulator',
      phase: 'follow-up',
      what: 'Send the OPC any new information learned after the report.',
      clock: 'initialReportFiled',
      deadline: { kind: 'asap', wording: 'as soon as feasible' },
      when: RROSH,
      sources: ['CAN1'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Notify each affected person directly: circumstances, date, information, steps taken and steps they can take, a toll-free number or email, and the complaint process.',
      clock: 'determination',
      deadline: { kind: 'asap', wording: 'as soon as feasible' },
      when: RROSH,
      sources: ['CAN2', 'CAN4'],
    },
  ],
  records: {
    what: 'Keep a record of every breach of security safeguards, with enough to show whether it created a real risk of significant harm (PIPEDA s 10.3; SOR/2018-64 s 6), for 24 months after the day the breach was determined to have occurred.',
    keep: { months: 24, from: 'determination' },
    sources: ['CAN2', 'CAN3'],
  },
  publicNotice:
    'Indirect notice (a public communication or advertisement) is allowed in place of direct notice in the cases the Regulations set (CAN1); the grounds (harm from direct notice, undue hardship, no contact details) are recalled.',
  sources: [
    {
      key: 'CAN1',
      citation: 'Breach of Security Safeguards Regulations, SOR/2018-64 (Canada Gazette Part II)',
      url: 'https://gazette.gc.ca/rp-pr/p2/2018/2018-04-18/html/sor-dors64-eng.html',
      status: 'verified',
    },
    {
      key: 'CAN2',
      citation: 'Mondaq: Canadian breach notification and record-keeping regulations',
      url: 'https://mondaq.com/canada/privacy-protection/695084/canadian-regulations-released-about-breach-notification-and-record-keeping-requirements',
      status: 'secondary',
    },
    {
      key: 'CAN3',
      citation: 'OPC: what you need to know about mandatory reporting of breaches of security safeguards',
      url: 'https://priv.gc.ca/en/privacy-topics/privacy-breaches/respond-to-a-privacy-breach-at-your-business/gd_pb_201810',
      status: 'verified',
    },
    {
      key: 'CAN4',
      citation: 'Notice content to individuals under PIPEDA',
      url: 'https://kashifali.ca/2017/09/05/deja-vu-canadas-breach-reporting-and-notification-requirements/',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: "real risk of significant harm" is read as risk `medium` or higher, not only `high`: the test weighs sensitivity and probability, and a missed report costs more than a report the OPC did not need.',
    'Every breach must be recorded (kept 24 months, recalled), notifiable or not; notice to other organisations that can reduce the harm is also required: neither is an obligation here.',
    "Provinces: PIPEDA covers them all, as it applies to commercial activity across borders. Quebec adds its own Act (CA_QC, cumulative: the CAI and Quebec's register on top); Alberta (PIPA, to its commissioner) and BC are not modelled.",
  ].join(' '),
};

// --- Quebec -------------------------------------------------------------------------------------

const QC_SOURCES = [
  {
    key: 'QC1',
    citation:
      'Act respecting the protection of personal information in the private sector (CQLR c P-39.1) s 3.5-3.8, as amended by Law 25 (in force 2022-09-22): notify the Commission and the persons concerned promptly of an incident presenting a risk of serious injury; keep a register of every incident',
    url: 'https://www.legisquebec.gouv.qc.ca/en/document/cs/P-39.1',
    status: 'unverified',
  },
  {
    key: 'QC2',
    citation:
      'Regulation respecting confidentiality incidents (CQLR c A-2.1, r 3.1), in force 2022-12-29: the notice to the Commission (s 3), to the persons (s 5), the register (s 11)',
    url: 'https://legisquebec.gouv.qc.ca/en/document/cr/A-2.1,%20r.%203.1/20221229',
    status: 'verified',
  },
  {
    key: 'QC3',
    citation:
      'DataGuidance: Quebec regulation on breach notification enters into effect (contents of the notice to the CAI)',
    url: 'https://www.dataguidance.com/news/quebec-regulation-breach-notification-enters-effect',
    status: 'secondary',
  },
  {
    key: 'QC4',
    citation:
      "Mondaq: Quebec's proposed confidentiality incident regulation (register kept 5 years from awareness)",
    url: 'https://www.mondaq.com/canada/data-protection/1218800/qubec39s-proposed-confidentiality-incident-regulation-when-to-notify-and-what-to-include',
    status: 'secondary',
  },
] as const satisfies readonly Source[];

/** "A risk that serious injury be caused" (s 3.5): risk `medium` or higher, as PIPEDA's RROSH (notes). */
const SERIOUS_INJURY = { risk: { atLeast: 'medium' } } as const;

/**
 * Quebec's private-sector Act (Law 25) beside PIPEDA, not instead of it: the Commission d'accès à
 * l'information and the persons concerned are told promptly, on the Commission's form.
 */
export const CA_QC: Rule = {
  id: 'CA-QC',
  effectiveFrom: '2022-09-22',
  law: 'Act respecting the protection of personal information in the private sector (Quebec) s 3.5-3.8 and the Regulation respecting confidentiality incidents',
  jurisdictions: ['CA-QC'],
  cumulative: true,
  regulator: {
    id: 'qc-cai',
    name: "Commission d'accès à l'information du Québec (CAI)",
    contact: { url: 'https://www.cai.gouv.qc.ca/', unverified: true },
    form: 'cai-qc',
    language: 'fr-CA',
    timeZone: 'America/Toronto',
    holidays: { country: 'CA', state: 'QC' },
  },
  definitions: {
    personalInformation: {
      term: 'personal information (Quebec private-sector Act s 2)',
      sources: ['QC1'],
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: "Notify the Commission d'accès à l'information promptly, in writing on its form (Regulation s 3: the enterprise, a contact, the information, the circumstances and cause, the dates, the number of persons and of Quebec residents, why there is a risk of serious injury, the notices to the persons, the measures taken).",
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'promptly' },
      when: SERIOUS_INJURY,
      sources: ['QC1', 'QC2', 'QC3'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Notify each person whose personal information is concerned promptly (Regulation s 5: the information, the circumstances, the dates, the measures taken, what they can do, a contact).',
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'promptly' },
      when: SERIOUS_INJURY,
      sources: ['QC1', 'QC2'],
    },
  ],
  records: {
    what: 'Keep a register of every confidentiality incident (s 3.8): its description, the information and persons concerned, the circumstances, the dates, the measures taken, whether the Commission and the persons were notified and why not; kept 5 years after the enterprise became aware of it (Regulation s 11).',
    keep: { years: 5, from: 'awareness' },
    sources: ['QC1', 'QC2', 'QC4'],
  },
  publicNotice:
    'A public notice may replace the notice to the persons where telling them would cause them harm, would be excessively difficult, or their contact details are lacking (Regulation s 6, recalled).',
  childAge: 14,
  sources: QC_SOURCES,
  notes: [
    "Cumulative: Quebec residents are also PIPEDA's (CA rule), the stricter reading where both may apply; the CAI report is in French.",
    'Risk mapping: "a risk that serious injury be caused" is read as risk `medium` or higher, like PIPEDA\'s real risk of significant harm. The clock runs from awareness, the stricter reading of "promptly" after the enterprise has reason to believe an incident occurred.',
    'Every incident, notifiable or not, goes in the register (s 3.8), kept 5 years from awareness (QC4): the breach register (`GET /v1/register`). The exception where telling the persons would hamper an investigation is not modelled.',
    "childAge: under 14 needs a parent's consent (s 4.1, recalled).",
  ].join(' '),
};

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/**
 * SOR/2018-64 s 3: the notice tells the person of the organisation's internal complaint process and of
 * their right to complain to the Commissioner.
 */
export const CA_NOTICE: NoticeProfile = {
  jurisdiction: 'CA',
  effectiveFrom: '2018-11-01',
  law: 'Breach of Security Safeguards Regulations (SOR/2018-64) s 3',
  requirements: [
    {
      kind: 'complaint',
      key: 'complaintCanada',
      sources: ['CAN4'],
      unsettled: 'The Commissioner is named, with its site and toll-free number.',
    },
    {
      kind: 'paragraphs',
      section: 'moreInformation',
      at: 'end',
      say: [{ kind: 'say', key: 'complaintProcessCanada' }],
      sources: ['CAN4', 'PP'],
      unsettled:
        "The internal complaint process is the privacy policy's (section VIII: write to the company, which answers within the time the law sets; then the regulator), reached at the configured PRIVACY_CONTACT_EMAIL. Configuration, not an incident field: the process is the company's standing one, the same for every incident, and a field would have to be written and translated again for each.",
    },
    {
      kind: 'requires',
      facts: ['occurredFrom'],
      sources: ['CAN4'],
      unsettled:
        's 3(b) asks for the day or period of the breach or, if neither is known, the approximate period: the notice says it from occurredFrom (and occurredTo), so the incident must give at least an approximate start before a notice goes.',
    },
  ],
  sources: [...CA_PIPEDA.sources.filter((source) => source.key === 'CAN4'), PRIVACY_POLICY],
  notes: 'Every province without a profile of its own: PIPEDA applies to commercial activity across borders.',
};

/** Quebec (Law 25): the Commission d'accès à l'information as well as the federal Commissioner. */
export const CA_QC_NOTICE: NoticeProfile = {
  jurisdiction: 'CA-QC',
  effectiveFrom: '2022-09-22',
  law: 'Act respecting the protection of personal information in the private sector (Quebec), as amended by Law 25',
  requirements: [
    {
      kind: 'complaint',
      key: 'complaintQuebec',
      sources: ['QC1'],
      unsettled:
        'Quebec residents may complain to the CAI; as PIPEDA may apply too, the notice names both, the stricter reading.',
    },
    {
      kind: 'language',
      language: 'fr',
      sources: ['QC2'],
      unsettled:
        "Whether a breach notice is a document the Charter reaches is not settled here; read strictly, every Quebec resident's notice is in French, with the reader's own language alongside when it is another the templates have (English for most), French first.",
    },
  ],
  sources: [
    {
      key: 'QC1',
      citation:
        "Quebec private-sector Act (Law 25), confidentiality incidents (s 3.5 ff., in force 2022-09-22): the Commission d'accès à l'information; recalled, not in breach-law.md",
      url: 'https://www.cai.gouv.qc.ca/',
      status: 'unverified',
    },
    {
      key: 'QC2',
      citation:
        'Charter of the French Language (as amended by Bill 96, 2022): documents a business addresses to consumers are in French, another language may accompany it; recalled, not in breach-law.md',
      url: 'https://www.oqlf.gouv.qc.ca/',
      status: 'unverified',
    },
  ],
  notes:
    'What a Quebec notice must contain (regulation under s 3.5) is not modelled beyond the complaint route and its language; the date is recalled.',
};
