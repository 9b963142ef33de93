import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Regulator, ReportForm } from '../../src/jurisdictions/rules/rule.types.js';
import { buildReport, ReportTemplates } from '../../src/reports/report.builder.js';
import type { DeliveryCounts, ReportDocument, ReportFacts } from '../../src/reports/report.types.js';

// A realistic incident for report tests: a leaked database backup of a photo app, scoped, notices mostly
// delivered. Shared by the builder and render specs and by the obligations e2e test.

const counts = (planned: number, sent: number, delivered: number, failed: number, unreachable = 0) =>
  ({ planned, sent, delivered, failed, unreachable, acknowledged: 0 }) satisfies DeliveryCounts;

const regulator = (
  id: string,
  name: string,
  form: ReportForm,
  language: string,
  timeZone: string,
  country: string,
  url: string,
): Regulator => ({ id, name, form, language, timeZone, holidays: { country }, contact: { url } });

/** One regulator per form, in the language its reports are written in. */
export const FIXTURE_REGULATORS: Readonly<Record<ReportForm, Regulator>> = {
  'gdpr-art33': regulator(
    'de-bfdi',
    'BfDI',
    'gdpr-art33',
    'de',
    'Europe/Berlin',
    'DE',
    'https://www.bfdi.bund.de',
  ),
  ico: regulator(
    'ico',
    "Information Commissioner's Office",
    'ico',
    'en-GB',
    'Europe/London',
    'GB',
    'https://ico.org.uk',
  ),
  'us-state-ag': regulator(
    'us-ca-ag',
    'California Attorney General',
    'us-state-ag',
    'en',
    'America/Los_Angeles',
    'US',
    'https://oag.ca.gov',
  ),
  pipeda: regulator(
    'ca-opc',
    'Office of the Privacy Commissioner of Canada',
    'pipeda',
    'en',
    'America/Toronto',
    'CA',
    'https://www.priv.gc.ca',
  ),
  'lgpd-anpd': regulator(
    'br-anpd',
    'ANPD',
    'lgpd-anpd',
    'pt-BR',
    'America/Sao_Paulo',
    'BR',
    'https://www.gov.br/anpd',
  ),
  'pipl-cac': regulator(
    'cn-cac',
    'Cyberspace Administration of China',
    'pipl-cac',
    'zh-CN',
    'Asia/Shanghai',
    'CN',
    'https://www.cac.gov.cn',
  ),
  'pdpa-pdpc': regulator(
    'sg-pdpc',
    'Personal Data Protection Commission',
    'pdpa-pdpc',
    'en',
    'Asia/Singapore',
    'SG',
    'https://www.pdpc.gov.sg',
  ),
  'au-oaic': regulator(
    'au-oaic',
    'Office of the Australian Information Commissioner',
    'au-oaic',
    'en-AU',
    'Australia/Sydney',
    'AU',
    'https://www.oaic.gov.au',
  ),
  'appi-ppc': regulator(
    'jp-ppc',
    '個人情報保護委員会',
    'appi-ppc',
    'ja',
    'Asia/Tokyo',
    'JP',
    'https://www.ppc.go.jp',
  ),
  'pipa-pipc': regulator(
    'kr-pipc',
    'Personal Information Protection Commission',
    'pipa-pipc',
    'ko',
    'Asia/Seoul',
    'KR',
    'https://www.pipc.go.kr',
  ),
  'dpdp-board': regulator(
    'in-dpb',
    'Data Protection Board of India',
    'dpdp-board',
    'en',
    'Asia/Kolkata',
    'IN',
    'https://www.dpb.gov.in',
  ),
  'cai-qc': regulator(
    'qc-cai',
    "Commission d'accès à l'information du Québec",
    'cai-qc',
    'fr-CA',
    'America/Toronto',
    'CA',
    'https://www.cai.gouv.qc.ca',
  ),
  'cert-in': regulator(
    'cert-in',
    'CERT-In',
    'cert-in',
    'en-IN',
    'Asia/Kolkata',
    'IN',
    'https://www.cert-in.org.in',
  ),
};

/** The jurisdiction codes each fixture regulator's report covers. */
export const FIXTURE_JURISDICTIONS: Readonly<Record<ReportForm, string[]>> = {
  'gdpr-art33': ['DE'],
  ico: ['GB'],
  'us-state-ag': ['US-CA', 'US-NY'],
  pipeda: ['CA'],
  'lgpd-anpd': ['BR'],
  'pipl-cac': ['CN'],
  'pdpa-pdpc': ['SG'],
  'au-oaic': ['AU'],
  'appi-ppc': ['JP'],
  'pipa-pipc': ['KR'],
  'dpdp-board': ['IN'],
  'cai-qc': ['CA-QC'],
  'cert-in': ['IN'],
};

export type ReportFactsOverrides = Partial<Omit<ReportFacts, 'incident' | 'organization'>> & {
  incident?: Partial<ReportFacts['incident']>;
  organization?: Partial<ReportFacts['organization']>;
};

/** Facts for a report in `form` (its fixture regulator and jurisdictions), with any part replaced. */
export function reportFacts(form: ReportForm = 'ico', over: ReportFactsOverrides = {}): ReportFacts {
  const jurisdictions = FIXTURE_JURISDICTIONS[form];
  const { incident, organization, ...rest } = over;
  const byJurisdiction = Object.fromEntries(jurisdictions.map((j, n) => [j, n === 0 ? 1180 : 54]));
  const total = Object.values(byJurisdiction).reduce((a, b) => a + b, 0);
  return {
    generatedAt: new Date('2026-04-03T09:30:00Z'),
    organization: {
      name: 'Ai Art Ltd',
      privacyContactEmail: 'privacy@aiart.example',
      dpoContact: 'Dana Pereira, dpo@aiart.example',
      postalAddress: '1 Example Street, Springfield',
      writtenSecurityProgram: true,
      ...organization,
    },
    allAffected: 4200,
    regulator: FIXTURE_REGULATORS[form],
    jurisdictions,
    phase: 'initial',
    incident: {
      reference: 'INC-2026-0042',
      title: 'Exposed database backup',
      description:
        'A database backup was left in a publicly readable storage bucket after a migration; it was downloaded from an unknown address.',
      nature: ['confidentiality'],
      cause: 'Misconfigured storage bucket permissions during a migration.',
      cyberAttack: true,
      howDiscovered: 'A security researcher reported the open bucket by email.',
      occurredFrom: new Date('2026-03-28T22:00:00Z'),
      occurredTo: new Date('2026-03-31T06:15:00Z'),
      discoveredAt: new Date('2026-04-01T15:00:00Z'),
      confirmedAt: new Date('2026-04-01T18:30:00Z'),
      containedAt: new Date('2026-04-01T16:05:00Z'),
      systems: ['photo-backups bucket', 'users database'],
      dataCategories: ['personal_identifiers', 'camera_data', 'account_credentials'],
      encrypted: false,
      encryptionDetails: null,
      approximateRecords: 5200,
      likelyConsequences:
        'Phishing using the exposed email addresses; account takeover where passwords are reused.',
      measuresTaken: 'Bucket made private, access keys rotated, all sessions revoked and passwords reset.',
      measuresPlanned: 'Automated checks of bucket permissions in CI; backups encrypted with a managed key.',
      securityMeasuresBefore: 'Passwords hashed with bcrypt; access to production restricted by SSO and MFA.',
      adviceToIndividuals:
        'Change the password on other sites where the same one is used; beware of phishing.',
      remedies: '12 months of free identity-theft monitoring.',
      otherOrganisationsTold: 'Police cybercrime unit; our cloud provider.',
      riskLevel: 'high',
      riskReasoning: 'Contact details and password hashes of minors were exposed to an unknown party.',
      lawEnforcementInvestigating: true,
      ...incident,
    },
    untranslated: [],
    // The ICO and the ANPD count children under 18 from the birth dates held; the others the local minors.
    children: form === 'ico' || form === 'lgpd-anpd' ? { under: 18, count: 52, withBirthDate: 1100 } : null,
    initialReference: null,
    noticeCopies: [
      {
        channel: 'email',
        locale: 'en',
        variant: 'US-CA',
        subject: 'Notice of Data Breach: a security incident involved your Ai Art Ltd data',
        text: '%greeting_t%\n\nWhat Happened\nA database backup was left in a public bucket.\n\nWhat Information Was Involved\n- %categories_t%\n\nRead it online: %url%',
      },
    ],
    deadline: {
      dueAt: new Date('2026-04-04T15:00:00Z'),
      wording: '72 hours from awareness',
      basis: 'GDPR Art. 33, notification of a personal data breach to the supervisory authority',
    },
    affected: {
      total,
      byJurisdiction,
      byCategory: { personal_identifiers: total, camera_data: 800 },
      minors: 37,
    },
    handling: {
      total: counts(total, total - 10, total - 40, 30, 10),
      byChannel: {
        email: counts(total, total - 10, total - 40, 30, 0),
        sms: counts(30, 30, 28, 2),
        push: counts(0, 0, 0, 0),
      },
      byJurisdiction: Object.fromEntries(
        Object.entries(byJurisdiction).map(([j, n]) => [j, counts(n, n - 5, n - 20, 15, 5)]),
      ),
      overTime: [
        { hour: '2026-04-02T10:00:00Z', sent: 600, delivered: 580, failed: 10 },
        { hour: '2026-04-02T11:00:00Z', sent: total - 610, delivered: total - 620, failed: 20 },
        { hour: '2026-04-02T12:00:00Z', sent: 0, delivered: 0, failed: 0 },
      ],
      campaigns: [
        {
          id: 'cmp_01',
          status: 'completed',
          startedAt: new Date('2026-04-02T10:00:00Z'),
          finishedAt: new Date('2026-04-02T11:40:00Z'),
        },
      ],
    },
    publicNotice: null,
    chronology: [
      { at: new Date('2026-03-28T22:00:00Z'), kind: 'occurred', text: null },
      { at: new Date('2026-04-01T15:00:00Z'), kind: 'discovered', text: null },
      {
        at: new Date('2026-04-01T15:20:00Z'),
        kind: 'detection',
        text: 'The researcher report was verified.',
      },
      { at: new Date('2026-04-01T16:05:00Z'), kind: 'containment', text: 'Bucket made private' },
      { at: new Date('2026-04-01T18:30:00Z'), kind: 'confirmed', text: null },
      { at: new Date('2026-04-01T18:40:00Z'), kind: 'assessment', text: 'Risk assessed as high' },
    ],
    obligations: [
      {
        what: 'Report the breach to the regulator',
        phase: 'initial',
        dueAt: new Date('2026-04-04T15:00:00Z'),
        state: 'due',
      },
    ],
    late: false,
    delayReasons: null,
    ...rest,
  };
}

/** The checklist of each form (breach-law.md 1B and 2): the keys its report must hold. */
export const FORM_CHECKLIST: Readonly<Record<ReportForm, readonly string[]>> = {
  'gdpr-art33': [
    'gdpr.a.description',
    'gdpr.a.nature',
    'gdpr.a.categories',
    'gdpr.a.subjects',
    'gdpr.a.subjectCategories',
    'gdpr.a.records',
    'gdpr.a.occurred',
    'gdpr.a.discovered',
    'gdpr.b.contact',
    'gdpr.c.consequences',
    'gdpr.d.measuresTaken',
    'gdpr.d.measuresPlanned',
    'gdpr.d.mitigation',
    'gdpr.timing.phase',
    'gdpr.timing.delayReasons',
  ],
  ico: [
    'ico.1.type',
    'ico.2.whatHappened',
    'ico.2.cyberIncident',
    'ico.2.howDiscovered',
    'ico.2.discoveredAt',
    'ico.2.occurredAt',
    'ico.2.dataCategories',
    'ico.2.ourCategories',
    'ico.2.records',
    'ico.2.subjects',
    'ico.2.subjectCategories',
    'ico.3.consequences',
    'ico.3.riskLevel',
    'ico.3.riskReasoning',
    'ico.4.securityBefore',
    'ico.5.containment',
    'ico.6.prevention',
    'ico.6.otherOrganisations',
    'ico.6.contact',
  ],
  'us-state-ag': [
    'us.synopsis',
    'us.occurred',
    'us.discovered',
    'us.residentsByJurisdiction',
    'us.residentsTotal',
    'us.piTypes',
    'us.services',
    'us.noticeCopy',
    'us.contact',
  ],
  pipeda: [
    'pipeda.a.circumstances',
    'pipeda.a.cause',
    'pipeda.b.period',
    'pipeda.c.information',
    'pipeda.d.number',
    'pipeda.e.steps',
    'pipeda.f.notification',
    'pipeda.g.contact',
  ],
  'lgpd-anpd': [
    'lgpd.i.nature',
    'lgpd.i.categories',
    'lgpd.ii.holders',
    'lgpd.ii.minors',
    'lgpd.iii.security',
    'lgpd.iv.risks',
    'lgpd.v.delayReasons',
    'lgpd.vi.measuresTaken',
    'lgpd.vi.measuresPlanned',
    'lgpd.contact.dpo',
  ],
  'pipl-cac': [
    'pipl.57.categories',
    'pipl.57.cause',
    'pipl.57.harm',
    'pipl.57.remedial',
    'pipl.57.individuals',
    'pipl.57.contact',
    'pipl.m.unit',
    'pipl.m.time',
    'pipl.m.place',
    'pipl.m.type',
    'pipl.m.level',
    'pipl.m.impact',
    'pipl.m.measures',
    'pipl.m.cause',
    'pipl.m.next',
  ],
  'pdpa-pdpc': [
    'pdpa.discovered',
    'pdpa.how',
    'pdpa.chronology',
    'pdpa.number',
    'pdpa.data',
    'pdpa.harm',
    'pdpa.mitigation',
    'pdpa.notification',
    'pdpa.contact',
  ],
  'au-oaic': [
    'au.1.identity',
    'au.1.description',
    'au.1.kinds',
    'au.1.steps',
    'au.2.contactPerson',
    'au.2.response',
    'au.2.assistance',
    'au.2.thirdParties',
  ],
  'appi-ppc': [
    'appi.1.overview',
    'appi.2.items',
    'appi.3.number',
    'appi.4.cause',
    'appi.5.secondaryHarm',
    'appi.6.responseToPersons',
    'appi.7.publication',
    'appi.8.prevention',
    'appi.9.other',
  ],
  'pipa-pipc': [
    'pipa.1.items',
    'pipa.2.when',
    'pipa.2.circumstances',
    'pipa.3.selfProtection',
    'pipa.4.response',
    'pipa.4.remedy',
    'pipa.5.helpDesk',
  ],
  'dpdp-board': [
    'dpdp.a.description',
    'dpdp.a.impact',
    'dpdp.b.i.update',
    'dpdp.b.ii.facts',
    'dpdp.b.iii.mitigation',
    'dpdp.b.iv.findings',
    'dpdp.b.v.prevention',
    'dpdp.b.vi.notices',
  ],
  // Regulation respecting confidentiality incidents s 3 (QC2, QC3).
  'cai-qc': [
    'cai.1.enterprise',
    'cai.2.contact',
    'cai.3.information',
    'cai.4.circumstances',
    'cai.5.occurred',
    'cai.6.aware',
    'cai.7.persons',
    'cai.7.quebec',
    'cai.8.seriousInjury',
    'cai.9.notices',
    'cai.10.measures',
    'cai.11.others',
  ],
  'cert-in': [
    'cert.organisation',
    'cert.contact',
    'cert.type',
    'cert.occurred',
    'cert.detected',
    'cert.systems',
    'cert.description',
    'cert.actions',
  ],
};

const templates = new ReportTemplates();

/** A report built from the fixture facts of a form, in its regulator's language. */
export function buildFixtureReport(
  form: ReportForm,
  over: ReportFactsOverrides = {},
  previous: ReportDocument | null = null,
): ReportDocument {
  const facts = reportFacts(form, over);
  return buildReport(facts, templates.labels(facts.regulator.language), previous);
}

/** Runs a poppler tool (pdftotext, pdfinfo) on a PDF written to a temporary file; its standard output. */
export function poppler(pdf: Buffer, tool: 'pdftotext' | 'pdfinfo', args: readonly string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'report-pdf-'));
  try {
    const file = join(dir, 'report.pdf');
    writeFileSync(file, pdf);
    return execFileSync(tool, [...args, file, ...(tool === 'pdftotext' ? ['-'] : [])], { encoding: 'utf8' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A PDF's text as `pdftotext -layout` lays it out. */
export const pdfToText = (pdf: Buffer): string => poppler(pdf, 'pdftotext', ['-layout']);
