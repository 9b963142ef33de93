import { registerCsv, registerEntries } from './register.js';
import type { RegisterIncidentRow, RegisterObligationRow, RegisterRows } from './register.repository.js';

const NOW = new Date('2026-06-01T00:00:00Z');

function incident(
  id: string,
  reference: string,
  over: Partial<RegisterIncidentRow> = {},
): RegisterIncidentRow {
  return {
    id,
    reference,
    title: `Incident ${reference}`,
    description: 'A backup was readable by anyone.',
    nature: ['confidentiality'],
    cause: 'Misconfiguration',
    cyberAttack: false,
    unlawfulPurpose: false,
    howDiscovered: null,
    occurredFrom: null,
    occurredTo: null,
    discoveredAt: new Date('2026-04-01T15:00:00Z'),
    containedAt: null,
    location: null,
    lawEnforcementDelay: null,
    noticeDelayReasons: null,
    guardianWords: {},
    massachusettsWords: {},
    language: 'en',
    lawEnforcementInvestigating: null,
    chronology: [],
    regulatorText: {},
    regulatorTranslations: {},
    translations: {},
    systems: ['backups'],
    dataCategories: ['personal_identifiers'],
    encrypted: false,
    encryptionDetails: null,
    approximateRecords: 40,
    likelyConsequences: 'Spam.',
    measuresTaken: 'Bucket closed.',
    measuresPlanned: null,
    securityMeasuresBefore: null,
    otherOrganisationsTold: null,
    adviceToIndividuals: null,
    remedies: null,
    riskLevel: 'low',
    riskReasoning: 'Only names and emails.',
    state: 'closed',
    version: 1,
    createdBy: null,
    createdAt: new Date('2026-04-01T15:05:00Z'),
    updatedAt: new Date('2026-04-01T15:05:00Z'),
    ...over,
  };
}

function obligation(incidentId: string, key: string, over: Partial<RegisterObligationRow> = {}) {
  return {
    id: `${incidentId}-${key}`,
    incidentId,
    key,
    ruleId: key.split('/')[0],
    ruleVersion: '2018-11-01',
    law: 'PIPEDA',
    jurisdictions: ['CA-QC'],
    audience: 'regulator',
    regulatorId: 'opc',
    recipient: 'Office of the Privacy Commissioner of Canada',
    phase: 'initial',
    what: 'Report the breach to the OPC.',
    deadline: 'as soon as feasible',
    clock: 'determination',
    clockStartedAt: null,
    dueAt: null,
    applicable: false,
    reason: 'does not apply: risk low (below medium)',
    facts: {},
    sources: ['CAN2'],
    withdrawnAt: null,
    metAt: null,
    metBy: null,
    waivedAt: null,
    waivedReason: null,
    decidedBy: null,
    alertedDueSoonAt: null,
    alertedMissedAt: null,
    computedAt: NOW,
    ...over,
  };
}

const ROWS: RegisterRows = {
  incidents: [
    incident('a', 'INC-2026-0001'),
    incident('b', 'INC-2026-0002', { state: 'dismissed', discoveredAt: new Date('2026-04-02T08:00:00Z') }),
    incident('c', 'INC-2026-0003', { regulatorText: { description: 'S3 bucket ACL set to public-read.' } }),
  ],
  residents: [
    { incidentId: 'a', jurisdiction: 'CA-QC', residents: 12, notified: 0 },
    { incidentId: 'c', jurisdiction: 'DE', residents: 3, notified: 3 },
  ],
  obligations: [
    obligation('a', 'CA/opc/regulator'),
    obligation('a', 'CA-QC/qc-cai/regulator', {
      law: 'Quebec private-sector Act',
      applicable: true,
      reason: 'applies: risk medium',
      waivedAt: new Date('2026-04-03T10:00:00Z'),
      waivedReason: 'The data were deleted by the recipient before anyone read them.',
    }),
  ],
  events: [
    { incidentId: 'a', at: new Date('2026-04-01T18:00:00Z'), toState: 'confirmed', note: null },
    {
      incidentId: 'b',
      at: new Date('2026-04-02T09:00:00Z'),
      toState: 'dismissed',
      note: 'A false alarm: a test account.',
    },
  ],
  reports: [],
};

describe('the breach register', () => {
  it('lists every incident, notified or not, with its decisions and their reasons', () => {
    const entries = registerEntries(ROWS, null, NOW);
    expect(entries.map((e) => e.reference)).toEqual(['INC-2026-0001', 'INC-2026-0002', 'INC-2026-0003']);
    const quebec = entries[0];
    expect(quebec.confirmedAt).toBe('2026-04-01T18:00:00.000Z');
    expect(quebec.decisions.map((d) => [d.key, d.outcome])).toEqual([
      ['CA/opc/regulator', 'not_applicable'],
      ['CA-QC/qc-cai/regulator', 'waived'],
    ]);
    expect(quebec.decisions[1]?.reasons).toEqual([
      'applies: risk medium',
      'waived: The data were deleted by the recipient before anyone read them.',
    ]);
    // PIPEDA 24 months from the determination, Quebec 5 years from awareness: the longer.
    expect(quebec.keepUntil).toBe('2031-04-01T15:00:00.000Z');
    expect(quebec.keptFor.map((k) => k.ruleId)).toEqual(['CA', 'CA-QC']);
    const dismissed = entries[1];
    expect(dismissed.jurisdictionsKnown).toBe(false);
    expect(dismissed.decisions).toEqual([
      expect.objectContaining({
        key: 'incident/dismissed',
        outcome: 'dismissed',
        reasons: ['A false alarm: a test account.'],
      }),
    ]);
    // The words for regulators, where given.
    expect(entries[2]?.facts.description).toBe('S3 bucket ACL set to public-read.');
    expect(entries[2]?.keepUntil).toBeNull();
  });

  it("per jurisdiction: a country holds its subdivisions; an incident never scoped is in every jurisdiction's", () => {
    expect(registerEntries(ROWS, 'CA', NOW).map((e) => e.reference)).toEqual([
      'INC-2026-0001',
      'INC-2026-0002',
    ]);
    expect(registerEntries(ROWS, 'DE', NOW).map((e) => e.reference)).toEqual([
      'INC-2026-0002',
      'INC-2026-0003',
    ]);
    expect(registerEntries(ROWS, 'BR', NOW).map((e) => e.reference)).toEqual(['INC-2026-0002']);
  });

  it('as CSV: one line per incident, cells quoted, formulas defused', () => {
    const csv = registerCsv(
      registerEntries(
        { ...ROWS, incidents: [incident('a', 'INC-2026-0001', { title: '=HYPERLINK("x")' })] },
        null,
        NOW,
      ),
    );
    const [header, line] = csv.split('\n');
    expect(header).toMatch(/^reference,title,state,discovered_at,/);
    expect(line).toContain(`INC-2026-0001,"'=HYPERLINK(""x"")",closed,2026-04-01T15:00:00.000Z`);
    expect(line).toContain('CA-QC:12');
    expect(line).toContain(
      'CA-QC/qc-cai/regulator: waived (applies: risk medium; waived: The data were deleted',
    );
  });
});
