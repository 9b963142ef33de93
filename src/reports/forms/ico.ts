import type { FormBuilder, FormContext } from './common.js';

const FORM = 'ICO breach report form';

/** The ICO form's list of data categories (part 2), and where ours fall in it. */
export const ICO_CATEGORIES = [
  'specialCategories',
  'genderReassignment',
  'health',
  'identifiers',
  'credentials',
  'financial',
  'officialDocuments',
  'location',
  'geneticBiometric',
  'criminal',
  'other',
  'notKnown',
] as const;
export type IcoCategory = (typeof ICO_CATEGORIES)[number];

const KNOWN: Record<string, IcoCategory> = {
  personal_identifiers: 'identifiers',
  device_identifiers: 'identifiers',
  account_credentials: 'credentials',
  // Linked accounts are sign-in data for another service (tokens, account ids).
  third_party_account: 'credentials',
  // Photos are not biometric data unless processed to identify someone (UK GDPR Art. 4(14)).
  camera_data: 'other',
  app_usage: 'other',
  device_info: 'other',
  mobile_network: 'other',
  logs: 'other',
};

// Categories added by configuration (EXTRA_DATA_CATEGORIES) are matched by their words.
const BY_WORDS: [RegExp, IcoCategory][] = [
  [/health|medical/, 'health'],
  [/gender/, 'genderReassignment'],
  [/genetic|biometric/, 'geneticBiometric'],
  [/criminal|convict/, 'criminal'],
  [/financ|bank|card|payment/, 'financial'],
  [/passport|licen[cs]e|official|id_document/, 'officialDocuments'],
  [/location|gps|geo/, 'location'],
  [/password|credential|login/, 'credentials'],
  [/religio|ethnic|political|union|sexual|racial/, 'specialCategories'],
];

export function icoCategory(id: string): IcoCategory {
  return KNOWN[id] ?? BY_WORDS.find(([pattern]) => pattern.test(id))?.[1] ?? 'other';
}

function icoCategories(ctx: FormContext): string[] {
  const ids = ctx.incident.dataCategories;
  const mapped = ids.length === 0 ? ['notKnown' as const] : [...new Set(ids.map(icoCategory))];
  return ICO_CATEGORIES.filter((c) => mapped.includes(c)).map((c) => ctx.t(`ico.category.${c}`));
}

/** The ICO's "Report a personal data breach" form: report type, about the breach, parts 3-6. */
export const ico: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const followUp = ctx.facts.phase !== 'initial';
  return [
    ctx.section('ico.1', [
      ctx.field('ico.1.type', ctx.t(`ico.type.${ctx.facts.phase}`), `${FORM}, part 1`),
      // The ICO gives the case reference when it receives the initial report: recorded when it was filed.
      ...(followUp ? [ctx.field('ico.1.caseReference', ctx.facts.initialReference, `${FORM}, part 1`)] : []),
    ]),
    ctx.section('ico.2', [
      ctx.field('ico.2.whatHappened', i.description, `${FORM}, part 2`),
      ctx.field('ico.2.cyberIncident', ctx.yesNo(i.cyberAttack, true), `${FORM}, part 2`),
      ctx.field('ico.2.howDiscovered', i.howDiscovered, `${FORM}, part 2`),
      ctx.field('ico.2.discoveredAt', ctx.date(i.discoveredAt), `${FORM}, part 2`),
      ctx.field('ico.2.occurredAt', ctx.occurred(), `${FORM}, part 2`),
      ctx.field('ico.2.dataCategories', icoCategories(ctx), `${FORM}, part 2`),
      ctx.field('ico.2.ourCategories', ctx.categories(), `${FORM}, part 2`),
      ctx.field('ico.2.records', i.approximateRecords, `${FORM}, part 2`),
      ctx.field('ico.2.subjects', ctx.subjects(), `${FORM}, part 2`),
      ctx.field('ico.2.subjectCategories', ctx.subjectCategories(), `${FORM}, part 2`),
    ]),
    ctx.section('ico.3', [
      ctx.field('ico.3.consequences', i.likelyConsequences, `${FORM}, part 3`),
      ctx.field('ico.3.riskLevel', ctx.risk(), `${FORM}, part 3`),
      ctx.field('ico.3.riskReasoning', i.riskReasoning, `${FORM}, part 3`),
    ]),
    ctx.section('ico.4', [
      ctx.field('ico.4.securityBefore', i.securityMeasuresBefore, `${FORM}, part 4`),
      ctx.field('ico.4.encryption', ctx.encryption(), `${FORM}, part 4`),
    ]),
    ctx.section('ico.5', [
      ctx.field('ico.5.containment', i.measuresTaken, `${FORM}, part 5`),
      ctx.field('ico.5.containedAt', ctx.date(i.containedAt), `${FORM}, part 5`),
    ]),
    ctx.section('ico.6', [
      ctx.field('ico.6.prevention', i.measuresPlanned, `${FORM}, part 6`),
      ctx.field('ico.6.otherOrganisations', i.otherOrganisationsTold, `${FORM}, part 6`),
      ctx.field('ico.6.contact', ctx.contactPoint(), `${FORM}, part 6`),
    ]),
  ];
};
