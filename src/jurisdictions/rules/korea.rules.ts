import type { NoticeProfile } from './notice-profile.types.js';
import type { Condition, Rule } from './rule.types.js';

// PIPA Art. 34 and Enforcement Decree Art. 39-40 (as amended in force 2023-09-15): individuals within 72
// hours of any leak; the PIPC (or KISA) within 72 hours for 1,000 people or more, sensitive or unique
// identifying data, or an external attack.

const REPORTABLE: Condition = { anyOf: [{ residents: { atLeast: 1000 } }, { cyberAttack: true }] };

export const KR_PIPA: Rule = {
  id: 'KR',
  effectiveFrom: '2023-09-15',
  law: 'Personal Information Protection Act (PIPA) Art. 34',
  jurisdictions: ['KR'],
  regulator: {
    id: 'pipc',
    name: 'Personal Information Protection Commission (개인정보보호위원회), reports via KISA',
    contact: { url: 'https://www.privacy.go.kr/', phone: '118' },
    form: 'pipa-pipc',
    language: 'ko',
    timeZone: 'Asia/Seoul',
    holidays: { country: 'KR' },
  },
  definitions: {
    personalInformation: {
      term: 'personal information (PIPA Art. 2(1))',
      sources: ['KR2'],
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Report the leak to the PIPC or KISA with the Art. 34(1) items and the measures taken.',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 72, unit: 'hours' },
      when: REPORTABLE,
      sources: ['KR1'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Notify the data subjects: the items leaked, when and how, what they can do, the response and remedies, and a help desk.',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 72, unit: 'hours' },
      sources: ['KR1', 'KR2'],
    },
  ],
  publicNotice:
    'Where contact details are not known: post the notice on the website for at least 30 days (KR2; the 30 days are unverified).',
  childAge: 14,
  sources: [
    {
      key: 'KR1',
      citation: 'DLA Piper Data Protection Laws of the World: South Korea, breach notification',
      url: 'https://dlapiperdataprotection.com/?c=KR&t=breach-notification',
      status: 'secondary',
    },
    {
      key: 'KR2',
      citation: 'PIPA Art. 34 (English text)',
      url: 'https://prighter.com/resources/laws/korean-pipa/main/articles/article-34',
      status: 'verified',
    },
  ],
  notes: [
    'No app category is sensitive or unique identifying information (resident registration, passport, driver licence, alien registration numbers), so the report rests on 1,000 or more people or an external attack (`cyberAttack`).',
    'No report is needed if the leaked data were retrieved or deleted before anyone could see them (KR1): no fact for that, waive by hand. The 2026 amendment adding "possibility" of a leak, and the 2023 start date, are not modelled further (start recalled). The KISA hotline 118 is recalled.',
  ].join(' '),
};

// --- What the notice says (notice profiles, see notice-profile.types.ts) ---------------------------

/** PIPA Art. 34(1): the remedies open to the person, by name: dispute mediation and the report center. */
export const KR_NOTICE: NoticeProfile = {
  jurisdiction: 'KR',
  effectiveFrom: '2023-09-15',
  law: 'Personal Information Protection Act (PIPA) Art. 34(1)',
  requirements: [
    {
      kind: 'complaint',
      key: 'complaintKorea',
      sources: ['KR1', 'KR2'],
      unsettled:
        'Art. 34(1) asks for the procedures to obtain relief (KR2); the 2026 amendment adds the legal remedies (KR1). The notice names the Dispute Mediation Committee and the Infringement Report Center (118, recalled) from this version on.',
    },
    {
      // Art. 34(1) ii: when and how the leak happened. Every notice says when the company learned of it;
      // when it happened only when the incident gives a start (until 2026-12-08 it could go without).
      kind: 'requires',
      facts: ['occurredFrom'],
      sources: ['KR2'],
      unsettled:
        'Whether the date the company learned of the leak answers "when it leaked" is open; the stricter reading: a Korean notice says when it happened, an approximate start at least (as Canada\'s date).',
    },
  ],
  sources: KR_PIPA.sources,
  notes:
    "The other items of Art. 34(1) (what leaked, how, what to do, the response, a help desk) are in every notice, and when it happened is required (a campaign to Korean residents waits for the incident's start). Korean residents still get the notice in English or their own language when the templates have it: Korean is issue 18.",
};
