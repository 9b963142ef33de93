import type { Condition, Rule } from './rule.types.js';

// Privacy Act 1988 Part IIIC, the Notifiable Data Breaches scheme (from 2018-02-22): assess a suspected
// breach within 30 days; an eligible data breach goes to the OAIC and the individuals as soon as practicable.

/** "Likely to result in serious harm" (s 26WE): risk `medium` or higher (see notes). */
const SERIOUS_HARM: Condition = { risk: { atLeast: 'medium' } };

export const AU_NDB: Rule = {
  id: 'AU',
  effectiveFrom: '2018-02-22',
  law: 'Privacy Act 1988 (Cth) Part IIIC, Notifiable Data Breaches scheme',
  jurisdictions: ['AU'],
  regulator: {
    id: 'oaic',
    name: 'Office of the Australian Information Commissioner (OAIC)',
    contact: { url: 'https://www.oaic.gov.au/privacy/notifiable-data-breaches/report-a-data-breach' },
    form: 'au-oaic',
    language: 'en-AU',
    timeZone: 'Australia/Sydney',
    holidays: { country: 'AU' },
  },
  definitions: {
    personalInformation: {
      term: 'personal information (Privacy Act 1988 s 6(1))',
      sources: ['AU2'],
    },
  },
  obligations: [
    {
      key: 'assessment',
      audience: 'other',
      recipient: 'the responders',
      what: 'Carry out a reasonable and expeditious assessment of whether the suspected breach is an eligible data breach (s 26WH).',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 30, unit: 'days' },
      sources: ['AU1', 'AU6'],
    },
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Prepare the statement (s 26WK: identity and contact, description, kinds of information, recommended steps) and give it to the OAIC.',
      // Reasonable grounds to believe it is an eligible data breach: the incident confirmed.
      clock: 'determination',
      deadline: { kind: 'asap', wording: 'as soon as practicable' },
      when: SERIOUS_HARM,
      sources: ['AU2', 'AU4'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Notify the affected individuals of the contents of the statement (Part 1 of the OAIC form).',
      clock: 'determination',
      deadline: { kind: 'asap', wording: 'as soon as practicable' },
      when: SERIOUS_HARM,
      sources: ['AU2', 'AU3'],
    },
  ],
  publicNotice:
    'Where notifying the individuals is not practicable: publish the statement on the website and take reasonable steps to publicise it (AU3).',
  sources: [
    {
      key: 'AU1',
      citation: 'Privacy Act 1988 s 26WH (assessment of a suspected eligible data breach, 30 days)',
      url: 'https://zoelaw.ai/legislation/privacy-act-1988/sections/26WH',
      status: 'verified',
    },
    {
      key: 'AU2',
      citation: 'OAIC: what to include in an eligible data breach statement',
      url: 'https://oaic.gov.au/privacy-law/privacy-act/notifiable-data-breaches-scheme/what-to-include-in-an-eligible-data-breach-statement',
      status: 'verified',
    },
    {
      key: 'AU3',
      citation:
        'OAIC: notifying individuals about an eligible data breach (publication where not practicable)',
      url: 'https://oaic.gov.au/engage-with-us/consultations/notifiable-data-breaches/draft-notifying-individuals-about-an-eligible-data-breach',
      status: 'verified',
    },
    {
      key: 'AU4',
      citation: 'Allens: your guide to notifying an eligible data breach',
      url: 'https://allens.com.au/insights-news/insights/2018/02/pulse-your-guide-to-notifying-an-eligible-data-breach/',
      status: 'verified',
    },
    {
      key: 'AU5',
      citation: 'Bifrost: Australia breach notification (APP entities, turnover over A$3 million)',
      url: 'https://bifrostindex.ai/guides/australia/breach-notification',
      status: 'secondary',
    },
    {
      key: 'AU6',
      citation: 'Moores: late reporting no longer tolerated (OAIC enforcement of the 30-day assessment)',
      url: 'https://moores.com.au/news/notifiable-data-breach-scheme-to-be-enforced-with-new-force-late-reporting-no-longer-tolerated',
      status: 'secondary',
    },
  ],
  notes: [
    'Risk mapping: "likely to result in serious harm to any of the individuals" is read as risk `medium` or higher. Unsettled against a scale of three levels: "serious" sits between our medium and high, and Canada\'s "real risk of significant harm", a test of the same kind, is read as medium; the stricter reading is taken, since a missed statement costs more than one the OAIC did not need (until 2026-12-08 it was read as `high`, like a GDPR high risk, and a medium-risk breach of credentials owed nothing in Australia while it owed the OPC a report).',
    'The scheme binds APP entities (turnover over A$3 million and some others, AU5): assumed to apply. The remedial-action exceptions (s 26WF) and encryption are left to the risk assessment. Individuals may also be told only those at risk, or by publication (publicNotice).',
  ].join(' '),
};
