import type { Rule } from './rule.types.js';

// UK GDPR Art. 33 and 34, as retained after Brexit: the same shape as the EU rule, one regulator (ICO).

export const UK_GDPR: Rule = {
  id: 'GB',
  // The GDPR applied in the UK from this day, the UK GDPR from 2021-01-01: same duties, same ICO.
  effectiveFrom: '2018-05-25',
  law: 'UK GDPR Art. 33 and 34 (with the Data Protection Act 2018)',
  jurisdictions: ['GB'],
  regulator: {
    id: 'ico',
    name: "Information Commissioner's Office (ICO)",
    contact: {
      url: 'https://ico.org.uk/for-organisations/report-a-breach/personal-data-breach/',
      phone: '0303 123 1113',
    },
    form: 'ico',
    language: 'en-GB',
    timeZone: 'Europe/London',
    holidays: { country: 'GB' },
  },
  definitions: {
    personalInformation: {
      term: 'personal data (UK GDPR Art. 4(1))',
      sources: ['U1'],
    },
  },
  obligations: [
    {
      key: 'regulator',
      audience: 'regulator',
      phase: 'initial',
      what: 'Report the breach to the ICO (online form: initial report) with the Art. 33(3) content; if later than 72 hours, give the reasons.',
      clock: 'awareness',
      deadline: { kind: 'within', amount: 72, unit: 'hours' },
      // "Unless unlikely to result in a risk": risk `low` is "unlikely".
      when: { risk: { atLeast: 'medium' } },
      sources: ['U1', 'U2', 'U4'],
    },
    {
      key: 'regulator.follow-up',
      audience: 'regulator',
      phase: 'follow-up',
      what: 'Send the follow-up report (with the ICO case reference) with the information that was not available at first.',
      clock: 'initialReportFiled',
      deadline: { kind: 'asap', wording: 'without undue further delay' },
      when: { risk: { atLeast: 'medium' } },
      sources: ['U2', 'U3'],
    },
    {
      key: 'individuals',
      audience: 'individuals',
      what: 'Tell the affected people in clear and plain language: the nature of the breach, a contact point, the likely consequences and the measures taken.',
      clock: 'awareness',
      deadline: { kind: 'asap', wording: 'without undue delay' },
      when: { risk: { atLeast: 'high' } },
      exemptIf: [
        {
          condition: { encrypted: true },
          reason: 'the data were unintelligible to anyone not authorised, e.g. encrypted (Art. 34(3)(a))',
        },
      ],
      sources: ['U6'],
    },
  ],
  records: {
    what: 'Document every personal data breach, reported or not: the facts, its effects and the remedial action taken (UK GDPR Art. 33(5)); no period is set.',
    sources: ['U1'],
  },
  publicNotice:
    'As under the EU GDPR: where telling each person would involve disproportionate effort, a public communication that informs them equally effectively (Art. 34(3)(c)).',
  childAge: 13,
  sources: [
    {
      key: 'U1',
      citation: 'ICO: personal data breaches, report a breach',
      url: 'https://ico.org.uk/for-organisations/report-a-breach/personal-data-breach/',
      status: 'verified',
    },
    {
      key: 'U2',
      citation: 'ICO: report a personal data breach online form (initial or follow-up)',
      url: 'https://ico.org.uk/for-organisations/report-a-breach/personal-data-breach/report-a-data-breach-online-form/',
      status: 'verified',
    },
    {
      key: 'U3',
      citation: 'ICO personal data breach report form (copy)',
      url: 'https://scribd.com/document/456704011/personal-data-breach-report-ICO',
      status: 'verified',
    },
    {
      key: 'U4',
      citation: 'ICO: report a breach, all controllers (72 hours from awareness)',
      url: 'https://ico.org.uk/global/privacy-notice/report-a-breach-all-controllers/',
      status: 'verified',
    },
    {
      key: 'U6',
      citation: 'ICO breach assessment: tell individuals if high risk',
      url: 'https://ico.org.uk/for-organisations/report-a-breach/pdb-assessment/y/Y',
      status: 'verified',
    },
  ],
  notes: [
    'Risk mapping as for the EU: `low` = unlikely to result in a risk, `high` = high risk.',
    'PECR (telecoms and internet service providers: 24 hours, U5) is out of scope: the app is not a public electronic communications service.',
    'Art. 34(3)(b) and (c) are not modelled. One version from 2018-05-25: the EU GDPR applied until the end of the Brexit transition (2020-12-31), the UK GDPR since, with the same duties and the ICO as authority.',
  ].join(' '),
};
