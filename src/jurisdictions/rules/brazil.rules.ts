import type { NoticeProfile } from './notice-profile.types.js';
import type { Condition, Rule } from './rule.types.js';

// LGPD Art. 48 with the ANPD's Security Incident Communication Regulation (Resolution CD/ANPD 15/2024,
// in force 2024-04-26). Deadlines in business days, counted in Brasília time with the national holidays.

/**
 * Art. 5 of the Regulation: an incident is notifiable when it may significantly affect the data subjects
 * AND involves at least one of: sensitive data, children, adolescents or the elderly, financial data,
 * authentication data, data under legal secrecy, or data subjects at large scale.
 */
const LGPD_NOTIFIABLE: Condition = {
  allOf: [
    // "Significantly affect interests and fundamental rights": risk `medium` or higher.
    { risk: { atLeast: 'medium' } },
    {
      anyOf: [
        // Children and adolescents: under 18 (ECA Art. 2), whatever the age the guardian's notice goes by.
        { under18Affected: true },
        // Authentication data; camera data as possibly sensitive (images can reveal biometric or health data).
        { categoriesAny: ['account_credentials', 'third_party_account', 'camera_data'] },
        // "Large scale" has no number in the Regulation; 1,000, as Japan's and Korea's headcounts (notes).
        { residents: { atLeast: 1000 } },
      ],
    },
  ],
};

export const BR_LGPD: Rule = {
  id: 'BR',
  effectiveFrom: '2024-04-26',
  law: 'LGPD Art. 48 and Resolution CD/ANPD 15/2024',
  jurisdictions: ['BR'],
  regulator: {
    id: 'anpd',
    name: 'Autoridade Nacional de Proteção de Dados (ANPD)',
    contact: {
      url: 'https://www.gov.br/anpd/pt-br/canais_atendimento/agente-de-tratamento/comunicado-de-incidente-de-seguranca-cis',
    },
    form: 'lgpd-anpd',
    language: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
    holidays: { country: 'BR' },
  },
  definitions: {
    personalInformation: {
      term: 'personal data (LGPD Art. 5, I)',
      sources: ['BR1'],
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Communicate the incident to the ANPD on its electronic form (the information available; the rest may follow in the complement).',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 3, unit: 'businessDays' },
      when: LGPD_NOTIFIABLE,
      sources: ['BR1', 'BR2', 'BR4'],
    },
    {
      key: 'regulator.complement',
      audience: 'regulator',
      phase: 'follow-up',
      what: 'Complement the communication to the ANPD with the information missing from it.',
      clock: 'initialReportFiled',
      deadline: { kind: 'within', amount: 20, unit: 'businessDays' },
      when: LGPD_NOTIFIABLE,
      sources: ['BR1', 'BR3'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Tell each affected data subject in plain language (letter, email, phone or message): what happened, the data, the risks and the measures taken.',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 3, unit: 'businessDays' },
      when: LGPD_NOTIFIABLE,
      sources: ['BR1'],
    },
  ],
  records: {
    what: 'Keep a record of every security incident, communicated or not, with its facts, effects, the measures taken and the reasons of the decision (Resolution CD/ANPD 15/2024 art. 10, recalled), for at least 5 years.',
    keep: { years: 5, from: 'awareness' },
    sources: ['BR1'],
  },
  publicNotice:
    'Where the data subjects cannot be identified or reached individually: a public notice on the website, app, social media or service channels for at least 90 days (BR1).',
  childAge: 12,
  sources: [
    {
      key: 'BR1',
      citation: 'Bastilho Coelho: ANPD Resolution 15/2024 (3 business days; individuals; public notice)',
      url: 'https://bastilhocoelho.com.br/?p=5679',
      status: 'secondary',
    },
    {
      key: 'BR2',
      citation:
        'Direito para Tecnologia: ANPD approves the incident communication regulation (e-form; +20 business days)',
      url: 'https://direitoparatecnologia.com.br/anpd-aprova-regulamento-de-comunicacao-de-incidente-de-seguranca',
      status: 'secondary',
    },
    {
      key: 'BR3',
      citation: 'LH Law: the complement within 20 business days',
      url: 'https://lhlaw.com.br/?p=10881',
      status: 'secondary',
    },
    {
      key: 'BR4',
      citation:
        'Tauil & Chequer: criteria of a notifiable incident (significant effect and one of the listed criteria)',
      url: 'https://tauilchequer.com.br/pt/insights/publications/2024/05/anpd-approves-data-breach-notifying-regulation',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: "may significantly affect the interests and fundamental rights" is read as risk `medium` or higher.',
    'Criteria: authentication data = `account_credentials`, `third_party_account`; `camera_data` counted as possibly sensitive (conservative); no category is financial or under legal secrecy; the elderly are not counted (no age kept beyond the under-18 flag; a person entering the band later would need the whole directory checked daily); children and adolescents are everyone under 18 by the birth date held (subjects.under_18, refreshed daily; a person not yet checked, written before it was kept, counts only if a minor until the refresh at the next start fills it in; until 2026-12-07 only the minors of consent-ages.ts, under 14, were counted, missing 14-17-year-olds).',
    '"Large scale": no number in the Regulation (it points to the small-agent rules, which weigh volume, duration, frequency and geography); 1,000 or more residents is our choice, to review.',
    'Small processing agents have double the deadlines (BR1): not modelled. childAge: under 12 is a child (ECA Art. 2); adolescents 12-17 also get LGPD Art. 14 protection.',
    'Art. 48 §1 III (the technical and security measures that protected the data) has no "if any": the stricter reading makes it required of every notice to the data subjects (BR_NOTICE below), and of the communication to the ANPD as well, not left to the complement (its lgpd.iii.security field is required: a report without it is generated, listing it as missing, but not approved). §1 V (the reasons for the delay) is required only where the communication was late: of a late report by the report\'s own check; of a late notice by the campaign\'s (BR_NOTICE).',
  ].join(' '),
};

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/**
 * LGPD Art. 48 §1: the communication to the data subject names the technical and security measures that
 * protected the data (III) and, when it was not immediate, the reasons for the delay (V).
 */
export const BR_NOTICE: NoticeProfile = {
  jurisdiction: 'BR',
  effectiveFrom: '2020-09-18',
  law: 'LGPD Art. 48 §1 (III and V) and Resolution CD/ANPD 15/2024',
  requirements: [
    {
      kind: 'paragraphs',
      section: 'whatWeAreDoing',
      at: 'start',
      say: [{ kind: 'words', field: 'securityMeasuresBefore', key: 'wordsSecurityMeasuresBefore' }],
      sources: ['BR1'],
      unsettled:
        'Art. 48 §1 III (the measures used to protect the data) is recalled from the statute; BR1 lists what the communication to the data subject holds. Required below, not said only when given.',
    },
    {
      // Art. 48 §1 III lists the technical and security measures among what the communication holds,
      // with no "if any": a Brazilian notice does not go without them (until 2026-12-07 it could).
      kind: 'requires',
      facts: ['securityMeasuresBefore'],
      sources: ['BR1'],
      unsettled:
        'Whether a notice may leave the measures out when the company has little to say of them is open; the stricter reading: the responders say what there was (even that the data were not encrypted) before a notice goes.',
    },
    {
      kind: 'paragraphs',
      section: 'whatHappened',
      at: 'end',
      say: [{ kind: 'words', field: 'noticeDelayReasons', key: 'wordsNoticeDelayReasons' }],
      sources: ['BR1'],
      unsettled:
        'Art. 48 §1 V asks for the reasons "if the communication was not immediate"; the 3 business days of Resolution 15/2024 are the measure of late. The notice says the reasons whenever the responders give them (noticeDelayReasons), and must say them when it goes late (below).',
    },
    {
      // Art. 48 §1 V: a notice approved after the individuals' due date (3 business days) says why it is
      // late. Until 2026-12-08 a late campaign could go without the reasons.
      kind: 'requires',
      facts: ['noticeDelayReasons'],
      whenLate: true,
      sources: ['BR1'],
      unsettled:
        '"Not immediate" could be read as any notice after the incident\'s discovery; the 3 business days of Resolution 15/2024, within which the individuals must be told, are taken as the measure. Late is judged at the draft and the approval, against the due date of the obligations as last computed.',
    },
  ],
  sources: BR_LGPD.sources.filter((source) => source.key === 'BR1'),
  notes:
    "Dated from the LGPD's entry into force (2020-09-18, recalled). The other items of Art. 48 §1 (the nature of the data, the people concerned, the risks, the measures taken) are in every notice. The security measures (III) are required (a campaign to Brazilian residents is refused until the incident gives them), the stricter reading; the reasons for a delay (V) are said when given and required of a campaign drafted or approved after the individuals' due date.",
};
