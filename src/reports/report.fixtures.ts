import type { Regulator, ReportForm } from '../jurisdictions/rules/rule.types.js';
import type { DeliveryCounts, ReportFacts } from './report.types.js';

// A realistic incident for report tests: a leaked database backup of a photo app, scoped, notices mostly
// delivered. Shared by the builder and render specs and by ReportsService's tests.

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
      ...organization,
    },
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
      ...incident,
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
    timeline: [
      {
        at: new Date('2026-04-01T15:00:00Z'),
        kind: 'created',
        summary: 'Incident opened from the researcher report',
      },
      { at: new Date('2026-04-01T16:05:00Z'), kind: 'updated', summary: 'Bucket made private' },
      { at: new Date('2026-04-01T18:30:00Z'), kind: 'transition', summary: 'Confirmed as a breach' },
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
