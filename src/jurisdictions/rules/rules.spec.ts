import Holidays from 'date-holidays';
import {
  computeObligations,
  type Clocks,
  type ComputedObligation,
  type ComputeOptions,
  type JurisdictionFacts,
} from './compute.js';
import { regulatorOf } from './evaluate.js';
import { recordKeeping } from './records.js';
import { GERMAN_LANDS } from './eu-gdpr.rules.js';
import { EEA_COUNTRIES, RULES } from './index.js';
import type { Condition, Regulator, ReportForm, Rule } from './rule.types.js';

// A worked case per rule (and per version): concrete facts and clocks in, the obligations out, with
// their exact due instants. Awareness is 2026-04-01T15:00:00Z unless a case says otherwise.

const AWARE = new Date('2026-04-01T15:00:00Z');
const CONFIRMED = new Date('2026-04-03T18:00:00Z');
const NO_EU_ESTABLISHMENT = { euMainEstablishment: null, seats: { DE: 'DE-BY' } };

function facts(jurisdiction: string | null, over: Partial<JurisdictionFacts> = {}): JurisdictionFacts {
  return {
    jurisdiction,
    residents: 10,
    minors: 0,
    categories: ['account_credentials', 'device_info'],
    riskLevel: 'high',
    encrypted: false,
    cyberAttack: true,
    unlawfulPurpose: false,
    ...over,
  };
}

function clocks(over: Partial<Clocks> = {}): Clocks {
  return { awareness: AWARE, confirmed: CONFIRMED, individualsNotified: {}, initialReportFiled: {}, ...over };
}

/** The obligations keyed by their key, for one case. */
function run(
  entries: JurisdictionFacts[],
  at: Clocks = clocks(),
  options: ComputeOptions = NO_EU_ESTABLISHMENT,
): Record<string, ComputedObligation> {
  const list = computeObligations(entries, at, RULES, options);
  return Object.fromEntries(list.map((o) => [o.key, o]));
}

const iso = (o: ComputedObligation | undefined) => o?.dueAt?.toISOString() ?? null;

describe('EU-GDPR', () => {
  it('without an EU establishment: one authority per member state, 72 hours, individuals on high risk', () => {
    const out = run([facts('DE', { residents: 20 }), facts('FR', { residents: 5 })]);
    expect(Object.keys(out).sort()).toEqual([
      'EU-GDPR/de-by-baylda/individuals',
      'EU-GDPR/de-by-baylda/regulator',
      'EU-GDPR/de-by-baylda/regulator.follow-up',
      'EU-GDPR/fr-cnil/individuals',
      'EU-GDPR/fr-cnil/regulator',
      'EU-GDPR/fr-cnil/regulator.follow-up',
    ]);
    const reg = out['EU-GDPR/fr-cnil/regulator'];
    expect(iso(reg)).toBe('2026-04-04T15:00:00.000Z');
    expect(reg?.applicable).toBe(true);
    expect(reg?.reason).toContain('applies: risk high');
    expect(reg?.regulator?.language).toBe('fr');
    expect(reg?.jurisdictions).toEqual(['FR']);
    expect(out['EU-GDPR/de-by-baylda/regulator']?.facts.residents).toBe(20);
    // Art. 33(4): the follow-up clock starts with the initial report; no fixed number of days.
    expect(out['EU-GDPR/de-by-baylda/regulator.follow-up']?.clockStartedAt).toBeNull();
    expect(out['EU-GDPR/de-by-baylda/regulator.follow-up']?.phase).toBe('follow-up');
    expect(out['EU-GDPR/de-by-baylda/individuals']?.applicable).toBe(true);
    expect(out['EU-GDPR/de-by-baylda/individuals']?.dueAt).toBeNull();
    expect(out['EU-GDPR/de-by-baylda/individuals']?.deadline).toBe('without undue delay after awareness');
  });

  it('with a main establishment: the lead authority gets one report for every EU/EEA resident', () => {
    const filed = new Date('2026-04-02T09:00:00Z');
    const out = run(
      [facts('DE', { residents: 20 }), facts('FR', { residents: 5 }), facts('NO', { residents: 1 })],
      clocks({ initialReportFiled: { 'ie-dpc': filed } }),
      { euMainEstablishment: 'IE' },
    );
    expect(Object.keys(out).sort()).toEqual([
      'EU-GDPR/ie-dpc/individuals',
      'EU-GDPR/ie-dpc/regulator',
      'EU-GDPR/ie-dpc/regulator.follow-up',
    ]);
    const reg = out['EU-GDPR/ie-dpc/regulator'];
    expect(reg?.jurisdictions).toEqual(['DE', 'FR', 'NO']);
    expect(reg?.facts.residents).toBe(26);
    expect(reg?.regulator?.name).toBe('Data Protection Commission');
    expect(out['EU-GDPR/ie-dpc/regulator.follow-up']?.clockStartedAt).toEqual(filed);
  });

  it("Germany: the authority of the Land of the company's seat (BDSG §40), never the BfDI by default", () => {
    const seated = run([facts('DE', { residents: 20 })], clocks(), {
      euMainEstablishment: null,
      seats: { DE: 'DE-NW' },
    });
    expect(seated['EU-GDPR/de-nw-ldi/regulator']?.regulator?.name).toContain('Nordrhein-Westfalen');
    expect(seated['EU-GDPR/de-nw-ldi/regulator']?.regulator?.holidays).toEqual({
      country: 'DE',
      state: 'NW',
    });
    // A resident recorded in another Land is still reported to the seat's authority.
    const bavarian = run([facts('DE-BY', { residents: 3 })], clocks(), {
      euMainEstablishment: null,
      seats: { DE: 'DE-NW' },
    });
    expect(Object.keys(bavarian)).toContain('EU-GDPR/de-nw-ldi/regulator');
    // Not configured: decided by hand, naming the variable.
    const unset = run([facts('DE', { residents: 20 }), facts('FR')], clocks(), { euMainEstablishment: null });
    expect(Object.keys(unset).filter((k) => k.includes('/de')).length).toBe(0);
    expect(unset['EU-GDPR/DE/authority']?.what).toContain('GERMAN_LAND');
    expect(unset['EU-GDPR/DE/authority']?.applicable).toBe(true);
    expect(unset['EU-GDPR/fr-cnil/regulator']?.applicable).toBe(true);
    // A main establishment in Germany: the Land authority leads for every EU resident; BFDI when it supervises.
    const lead = run([facts('DE'), facts('FR')], clocks(), {
      euMainEstablishment: 'DE',
      seats: { DE: 'DE-BFDI' },
    });
    expect(lead['EU-GDPR/de-bfdi/regulator']?.jurisdictions).toEqual(['DE', 'FR']);
  });

  it('risk low: nothing to notify ("unlikely to result in a risk")', () => {
    const out = run([facts('ES', { riskLevel: 'low' })]);
    expect(out['EU-GDPR/es-aepd/regulator']?.applicable).toBe(false);
    expect(out['EU-GDPR/es-aepd/regulator']?.reason).toBe('does not apply: risk low (below medium)');
    expect(out['EU-GDPR/es-aepd/individuals']?.applicable).toBe(false);
  });

  it('risk medium: the authority only', () => {
    const out = run([facts('IT', { riskLevel: 'medium' })]);
    expect(out['EU-GDPR/it-garante/regulator']?.applicable).toBe(true);
    expect(out['EU-GDPR/it-garante/individuals']?.applicable).toBe(false);
    expect(out['EU-GDPR/it-garante/individuals']?.reason).toContain('risk medium (below high)');
  });

  it('risk not assessed yet: assumed to apply', () => {
    const out = run([facts('NL', { riskLevel: null })]);
    expect(out['EU-GDPR/nl-ap/regulator']?.applicable).toBe(true);
    expect(out['EU-GDPR/nl-ap/regulator']?.reason).toContain('assumed to apply until the facts are known');
    expect(out['EU-GDPR/nl-ap/regulator']?.reason).toContain('risk not assessed yet');
    expect(out['EU-GDPR/nl-ap/individuals']?.applicable).toBe(true);
  });

  it('encrypted data: no notice to individuals (Art. 34(3)(a)), the authority still', () => {
    const out = run([facts('PL', { encrypted: true })]);
    expect(out['EU-GDPR/pl-uodo/regulator']?.applicable).toBe(true);
    expect(out['EU-GDPR/pl-uodo/individuals']?.applicable).toBe(false);
    expect(out['EU-GDPR/pl-uodo/individuals']?.reason).toContain('exempt: the data were unintelligible');
  });
});

describe('GB (UK GDPR)', () => {
  it('reports to the ICO within 72 hours; individuals only on high risk', () => {
    const out = run([facts('GB-SCT', { riskLevel: 'medium' })], clocks(), { euMainEstablishment: 'IE' });
    expect(Object.keys(out).sort()).toEqual([
      'GB/ico/individuals',
      'GB/ico/regulator',
      'GB/ico/regulator.follow-up',
    ]);
    expect(iso(out['GB/ico/regulator'])).toBe('2026-04-04T15:00:00.000Z');
    expect(out['GB/ico/regulator']?.regulator?.form).toBe('ico');
    expect(out['GB/ico/individuals']?.applicable).toBe(false);
  });
});

describe('US-CA', () => {
  const notified = new Date('2026-04-20T16:00:00Z');

  it('SB 446 (from 2026-01-01): 30 days to residents, sample copy to the AG 15 days after the first notice', () => {
    const out = run(
      [facts('US-CA', { residents: 501 })],
      clocks({ individualsNotified: { 'US-CA': notified } }),
    );
    const individuals = out['US-CA/us-ca-ag/individuals'];
    expect(individuals?.ruleVersion).toBe('2026-01-01');
    // 30 days from discovery (discoveredAt), not from the confirmation two days later.
    expect(individuals?.clockStartedAt).toEqual(AWARE);
    expect(iso(individuals)).toBe('2026-05-01T15:00:00.000Z');
    expect(individuals?.deadline).toBe('30 days from discovery of the breach');
    expect(individuals?.reason).toBe(
      'applies: personal information (Cal. Civ. Code 1798.82(h)) exposed for 501 residents: account_credentials',
    );
    const copy = out['US-CA/us-ca-ag/ag.sample-copy'];
    expect(copy?.applicable).toBe(true);
    expect(copy?.reason).toContain(
      '501 residents whose personal information (Cal. Civ. Code 1798.82(h)) was exposed (more than 500)',
    );
    expect(iso(copy)).toBe('2026-05-05T16:00:00.000Z');
    expect(copy?.deadline).toBe('15 days from the first notice to residents');
  });

  it('500 residents is not "more than 500"', () => {
    const out = run([facts('US-CA', { residents: 500 })]);
    expect(out['US-CA/us-ca-ag/ag.sample-copy']?.applicable).toBe(false);
    expect(out['US-CA/us-ca-ag/ag.sample-copy']?.reason).toContain(
      '500 residents whose personal information (Cal. Civ. Code 1798.82(h)) was exposed (not more than 500)',
    );
    expect(out['US-CA/us-ca-ag/individuals']?.applicable).toBe(true);
  });

  it('no credentials exposed: not personal information under 1798.82', () => {
    const out = run([facts('US-CA', { categories: ['device_identifiers', 'app_usage'] })]);
    expect(out['US-CA/us-ca-ag/individuals']?.applicable).toBe(false);
    expect(out['US-CA/us-ca-ag/individuals']?.reason).toBe(
      "does not apply: no resident's personal information (Cal. Civ. Code 1798.82(h)) exposed",
    );
  });

  it('the AG copy counts the residents whose personal information was exposed, not the affected set', () => {
    // 501 affected Californians, of whom 117 had credentials exposed: not "more than 500".
    const out = run([
      facts('US-CA', {
        residents: 501,
        exposures: [
          { categories: ['account_credentials', 'device_info'], residents: 117 },
          { categories: ['device_info', 'personal_identifiers'], residents: 384 },
        ],
        categories: ['account_credentials', 'device_info', 'personal_identifiers'],
      }),
    ]);
    const copy = out['US-CA/us-ca-ag/ag.sample-copy'];
    expect(copy?.applicable).toBe(false);
    expect(copy?.reason).toBe(
      'does not apply: 117 residents whose personal information (Cal. Civ. Code 1798.82(h)) was exposed (not more than 500)',
    );
    expect(copy?.facts.meeting?.personalInformation).toEqual({
      term: 'personal information (Cal. Civ. Code 1798.82(h))',
      everyone: false,
      residents: 117,
      categories: ['account_credentials'],
    });
    // The residents to tell are those 117 too: the obligation applies.
    expect(out['US-CA/us-ca-ag/individuals']?.applicable).toBe(true);
  });

  it("a group's finer members meet the definition; a category no rule classifies counts (stricter)", () => {
    const finer = run([
      facts('US-CA', {
        residents: 600,
        exposures: [
          { categories: ['password_hash', 'email_address'], residents: 550 },
          { categories: ['email_address'], residents: 50 },
        ],
        categories: ['email_address', 'password_hash'],
      }),
    ]);
    expect(finer['US-CA/us-ca-ag/ag.sample-copy']?.applicable).toBe(true);
    expect(finer['US-CA/us-ca-ag/ag.sample-copy']?.facts.meeting?.personalInformation?.residents).toBe(550);
    const configured = run([facts('US-CA', { residents: 20, categories: ['payment_card'] })]);
    expect(configured['US-CA/us-ca-ag/individuals']?.applicable).toBe(true);
    expect(configured['US-CA/us-ca-ag/individuals']?.reason).toContain(
      'payment_card: configured, not classified by the rule, counted: the stricter reading',
    );
  });

  it('encrypted credentials: exempt', () => {
    const out = run([facts('US-CA', { residents: 900, encrypted: true })]);
    expect(out['US-CA/us-ca-ag/individuals']?.reason).toContain('exempt: the data were encrypted');
    expect(out['US-CA/us-ca-ag/ag.sample-copy']?.applicable).toBe(false);
  });

  it('before 2026-01-01: the earlier version, without a number of days', () => {
    const out = run(
      [facts('US-CA', { residents: 501 })],
      clocks({ awareness: new Date('2025-12-31T23:00:00Z'), confirmed: new Date('2026-01-05T10:00:00Z') }),
    );
    const individuals = out['US-CA/us-ca-ag/individuals'];
    expect(individuals?.ruleVersion).toBe('2014-01-01');
    expect(individuals?.dueAt).toBeNull();
    expect(individuals?.deadline).toBe(
      'in the most expedient time possible and without unreasonable delay after discovery of the breach',
    );
    expect(out['US-CA/us-ca-ag/ag.sample-copy']?.applicable).toBe(true);
  });
});

describe('US-NY', () => {
  it('from 2024-12-21: 30 days to residents; the three state bodies with the notices; CRAs over 5,000', () => {
    const out = run([facts('US-NY', { residents: 5001 })]);
    expect(Object.keys(out).sort()).toEqual([
      'US-NY/us-ny-ag/cra',
      'US-NY/us-ny-ag/individuals',
      'US-NY/us-ny-ag/regulator',
    ]);
    expect(out['US-NY/us-ny-ag/individuals']?.ruleVersion).toBe('2024-12-21');
    // 30 days from discovery.
    expect(iso(out['US-NY/us-ny-ag/individuals'])).toBe('2026-05-01T15:00:00.000Z');
    expect(out['US-NY/us-ny-ag/regulator']?.deadline).toBe(
      'together with the notices, or promptly after the first notice to residents',
    );
    expect(out['US-NY/us-ny-ag/cra']?.applicable).toBe(true);
    expect(out['US-NY/us-ny-ag/cra']?.audience).toBe('consumer-reporting-agencies');
  });

  it('5,000 residents: no CRA notice', () => {
    const out = run([facts('US-NY', { residents: 5000 })]);
    expect(out['US-NY/us-ny-ag/cra']?.applicable).toBe(false);
    expect(out['US-NY/us-ny-ag/cra']?.reason).toContain(
      '5000 residents whose private information (N.Y. Gen. Bus. Law 899-aa(1)(b)) was exposed (not more than 5000)',
    );
  });

  it('aware on 2024-12-20: the SHIELD Act version, no number of days', () => {
    const out = run(
      [facts('US-NY')],
      clocks({ awareness: new Date('2024-12-20T12:00:00Z'), confirmed: new Date('2024-12-23T12:00:00Z') }),
    );
    expect(out['US-NY/us-ny-ag/individuals']?.ruleVersion).toBe('2019-10-23');
    expect(out['US-NY/us-ny-ag/individuals']?.dueAt).toBeNull();
  });
});

describe('US-TX', () => {
  // A category the app does not hold, configured (EXTRA_DATA_CATEGORIES): Texas's sensitive personal
  // information until a rule classifies it.
  const SENSITIVE = { categories: ['government_id'] };

  it('250 residents: the AG within 30 days; residents within 60 days of determination', () => {
    const out = run([facts('US-TX', { residents: 250, ...SENSITIVE })]);
    expect(out['US-TX/us-tx-ag/regulator']?.applicable).toBe(true);
    expect(out['US-TX/us-tx-ag/regulator']?.reason).toContain(
      '250 residents whose sensitive personal information (Tex. Bus. & Com. Code 521.002(a)(2)) was exposed (at least 250)',
    );
    expect(iso(out['US-TX/us-tx-ag/regulator'])).toBe('2026-05-03T18:00:00.000Z');
    expect(iso(out['US-TX/us-tx-ag/individuals'])).toBe('2026-06-02T18:00:00.000Z');
    expect(out['US-TX/us-tx-ag/regulator']?.regulator?.timeZone).toBe('America/Chicago');
  });

  it('249 residents: no report to the AG', () => {
    const out = run([facts('US-TX', { residents: 249, ...SENSITIVE })]);
    expect(out['US-TX/us-tx-ag/regulator']?.applicable).toBe(false);
    expect(out['US-TX/us-tx-ag/regulator']?.reason).toContain('(not at least 250)');
    expect(out['US-TX/us-tx-ag/individuals']?.applicable).toBe(true);
  });

  it('a username and password are not sensitive personal information: nothing is owed', () => {
    const out = run([facts('US-TX', { residents: 4000 })]);
    expect(out['US-TX/us-tx-ag/regulator']?.applicable).toBe(false);
    expect(out['US-TX/us-tx-ag/regulator']?.reason).toContain(
      '0 residents whose sensitive personal information (Tex. Bus. & Com. Code 521.002(a)(2)) was exposed',
    );
    expect(out['US-TX/us-tx-ag/individuals']?.applicable).toBe(false);
  });

  it('not confirmed: the clocks run from awareness, so a breach never confirmed still has due dates', () => {
    const out = run([facts('US-TX', { residents: 300, ...SENSITIVE })], clocks({ confirmed: null }));
    expect(out['US-TX/us-tx-ag/regulator']?.clockStartedAt).toEqual(AWARE);
    expect(iso(out['US-TX/us-tx-ag/regulator'])).toBe('2026-05-01T15:00:00.000Z');
    expect(iso(out['US-TX/us-tx-ag/individuals'])).toBe('2026-05-31T15:00:00.000Z');
    expect(out['US-TX/us-tx-ag/individuals']?.deadline).toBe(
      '60 days from determination of the breach (awareness while none is recorded)',
    );
  });

  it('confirmed after the due date counted from awareness: that due date stands (a late determination does not undo it)', () => {
    // Confirmed 45 days after awareness: past the AG's 30 days from awareness, within the residents' 60.
    const late = new Date(AWARE.getTime() + 45 * 86_400_000);
    const out = run([facts('US-TX', { residents: 300, ...SENSITIVE })], clocks({ confirmed: late }));
    expect(iso(out['US-TX/us-tx-ag/regulator'])).toBe('2026-05-01T15:00:00.000Z');
    expect(out['US-TX/us-tx-ag/individuals']?.clockStartedAt).toEqual(late);
  });
});

describe('US-FL', () => {
  it('500 residents: the Department within 30 days, residents within 30 days, no CRAs (not over 1,000)', () => {
    const out = run([facts('US-FL', { residents: 500 })]);
    expect(out['US-FL/us-fl-dla/regulator']?.applicable).toBe(true);
    // From the reason to believe (awareness), which came before the determination.
    expect(iso(out['US-FL/us-fl-dla/regulator'])).toBe('2026-05-01T15:00:00.000Z');
    expect(iso(out['US-FL/us-fl-dla/individuals'])).toBe('2026-05-01T15:00:00.000Z');
    expect(out['US-FL/us-fl-dla/individuals']?.deadline).toBe(
      '30 days from determination of the breach or reason to believe it occurred',
    );
    expect(out['US-FL/us-fl-dla/cra']?.applicable).toBe(false);
    expect(out['US-FL/us-fl-dla/regulator.no-harm-determination']?.applicable).toBe(false);
  });

  it('499 residents and no harm likely: no report, residents exempt, the written determination instead', () => {
    const out = run([facts('US-FL', { residents: 499, riskLevel: 'low' })]);
    expect(out['US-FL/us-fl-dla/regulator']?.applicable).toBe(false);
    expect(out['US-FL/us-fl-dla/individuals']?.applicable).toBe(false);
    expect(out['US-FL/us-fl-dla/individuals']?.reason).toContain('exempt: after investigation');
    expect(out['US-FL/us-fl-dla/regulator.no-harm-determination']?.applicable).toBe(true);
  });
});

describe('US-MA', () => {
  it('a username and password are not personal information under 93H: nothing is owed', () => {
    const out = run([facts('US-MA', { residents: 900 })]);
    expect(out['US-MA/us-ma-ag/regulator']?.applicable).toBe(false);
    expect(out['US-MA/us-ma-ag/individuals']?.reason).toBe(
      "does not apply: no resident's personal information (M.G.L. c. 93H s. 1) exposed",
    );
  });

  it('the AG and OCABR and the residents as soon as practicable: no due date', () => {
    const out = run([facts('US-MA', { categories: ['financial_account'] })]);
    expect(out['US-MA/us-ma-ag/regulator']?.applicable).toBe(true);
    expect(out['US-MA/us-ma-ag/regulator']?.dueAt).toBeNull();
    expect(out['US-MA/us-ma-ag/regulator']?.clockStartedAt).toEqual(AWARE);
    expect(out['US-MA/us-ma-ag/individuals']?.deadline).toBe(
      'as soon as practicable and without unreasonable delay after awareness',
    );
  });
});

describe('US-WA', () => {
  it('501 residents: the AG within 30 days; 500 is not "more than 500"', () => {
    const over = run([facts('US-WA', { residents: 501 })]);
    expect(over['US-WA/us-wa-ag/regulator']?.applicable).toBe(true);
    // 30 days from discovery, to the AG and to the residents.
    expect(iso(over['US-WA/us-wa-ag/regulator'])).toBe('2026-05-01T15:00:00.000Z');
    expect(iso(over['US-WA/us-wa-ag/individuals'])).toBe('2026-05-01T15:00:00.000Z');
    const at = run([facts('US-WA', { residents: 500 })]);
    expect(at['US-WA/us-wa-ag/regulator']?.applicable).toBe(false);
    expect(at['US-WA/us-wa-ag/individuals']?.applicable).toBe(true);
  });

  it('no risk of harm: exempt', () => {
    const out = run([facts('US-WA', { residents: 501, riskLevel: 'low' })]);
    expect(out['US-WA/us-wa-ag/regulator']?.reason).toContain('exempt: not reasonably likely');
    expect(out['US-WA/us-wa-ag/individuals']?.applicable).toBe(false);
  });
});

describe('CA (PIPEDA)', () => {
  it('a province takes the federal rule: OPC and individuals as soon as feasible on a real risk of significant harm', () => {
    const out = run([facts('CA-ON', { riskLevel: 'medium' })]);
    expect(Object.keys(out).sort()).toEqual([
      'CA/opc/individuals',
      'CA/opc/regulator',
      'CA/opc/regulator.follow-up',
    ]);
    expect(out['CA/opc/regulator']?.applicable).toBe(true);
    expect(out['CA/opc/regulator']?.deadline).toBe('as soon as feasible after determination of the breach');
    expect(out['CA/opc/regulator']?.clockStartedAt).toEqual(CONFIRMED);
    expect(out['CA/opc/individuals']?.applicable).toBe(true);
  });

  it('risk low: no real risk of significant harm', () => {
    const out = run([facts('CA', { riskLevel: 'low' })]);
    expect(out['CA/opc/regulator']?.applicable).toBe(false);
    expect(out['CA/opc/individuals']?.applicable).toBe(false);
  });
});

describe('CA-QC (Quebec private-sector Act, beside PIPEDA)', () => {
  it("the CAI promptly, on its form in French, and PIPEDA's OPC as well", () => {
    const out = run([facts('CA-QC', { riskLevel: 'medium' })]);
    expect(Object.keys(out).sort()).toEqual([
      'CA-QC/qc-cai/individuals',
      'CA-QC/qc-cai/regulator',
      'CA/opc/individuals',
      'CA/opc/regulator',
      'CA/opc/regulator.follow-up',
    ]);
    const cai = out['CA-QC/qc-cai/regulator'];
    expect(cai?.applicable).toBe(true);
    expect(cai?.regulator?.form).toBe('cai-qc');
    expect(cai?.regulator?.language).toBe('fr-CA');
    expect(cai?.deadline).toBe('promptly after awareness');
    expect(cai?.clockStartedAt).toEqual(AWARE);
    // Ontario's residents are PIPEDA's only.
    const both = run([facts('CA-QC'), facts('CA-ON')]);
    expect(both['CA-QC/qc-cai/regulator']?.jurisdictions).toEqual(['CA-QC']);
    expect(both['CA/opc/regulator']?.jurisdictions).toEqual(['CA-ON', 'CA-QC']);
  });

  it('no risk of serious injury: neither', () => {
    const out = run([facts('CA-QC', { riskLevel: 'low' })]);
    expect(out['CA-QC/qc-cai/regulator']?.applicable).toBe(false);
  });
});

describe('BR (LGPD)', () => {
  it('3 business days: Good Friday 2026-04-03 is a holiday; the complement 20 business days after the report', () => {
    const filed = new Date('2026-04-07T20:00:00Z');
    const out = run([facts('BR')], clocks({ initialReportFiled: { anpd: filed } }));
    expect(iso(out['BR/anpd/regulator'])).toBe('2026-04-08T02:59:59.999Z');
    expect(iso(out['BR/anpd/individuals'])).toBe('2026-04-08T02:59:59.999Z');
    expect(out['BR/anpd/regulator']?.deadline).toBe(
      '3 business days from awareness (BR public holidays, America/Sao_Paulo)',
    );
    // 8 Apr to 7 May, without Tiradentes (21 Apr) and Labour Day (1 May).
    expect(iso(out['BR/anpd/regulator.complement'])).toBe('2026-05-08T02:59:59.999Z');
    expect(out['BR/anpd/regulator.complement']?.phase).toBe('follow-up');
  });

  it('significant risk but none of the criteria: not notifiable', () => {
    const out = run([facts('BR', { categories: ['device_info', 'app_usage'], residents: 999 })]);
    expect(out['BR/anpd/regulator']?.applicable).toBe(false);
    expect(out['BR/anpd/regulator']?.reason).toContain('nobody under 18 affected');
    expect(out['BR/anpd/regulator']?.reason).toContain('999 affected residents (not at least 1000)');
  });

  it('children or adolescents affected, or large scale: notifiable', () => {
    const kids = run([facts('BR', { categories: ['device_info'], minors: 3 })]);
    expect(kids['BR/anpd/regulator']?.applicable).toBe(true);
    expect(kids['BR/anpd/regulator']?.reason).toContain('3 under 18 affected');
    // Two 16-year-olds: adults to the guardian rule (14 in Brazil), adolescents to the LGPD's criteria.
    const teens = run([facts('BR', { categories: ['device_info'], minors: 0, under18: 2 })]);
    expect(teens['BR/anpd/regulator']?.applicable).toBe(true);
    expect(teens['BR/anpd/regulator']?.reason).toContain('2 under 18 affected');
    const adults = run([facts('BR', { categories: ['device_info'], minors: 0, under18: 0 })]);
    expect(adults['BR/anpd/regulator']?.applicable).toBe(false);
    const many = run([facts('BR', { categories: ['device_info'], residents: 1000 })]);
    expect(many['BR/anpd/regulator']?.applicable).toBe(true);
  });

  it('credentials but low risk: not notifiable', () => {
    const out = run([facts('BR', { riskLevel: 'low' })]);
    expect(out['BR/anpd/regulator']?.applicable).toBe(false);
    expect(out['BR/anpd/regulator']?.reason).toBe('does not apply: risk low (below medium)');
  });
});

describe('CN (PIPL)', () => {
  it('from 2025-11-01: a relatively major leak goes to the provincial CAC within 4 hours', () => {
    const out = run([facts('CN', { residents: 1_000_000 })]);
    expect(Object.keys(out).sort()).toEqual([
      'CN/cac/individuals',
      'CN/cac/regulator',
      'CN/cac/regulator.follow-up',
      'CN/cac/regulator.incident-report',
    ]);
    expect(out['CN/cac/regulator.incident-report']?.ruleVersion).toBe('2025-11-01');
    expect(iso(out['CN/cac/regulator.incident-report'])).toBe('2026-04-01T19:00:00.000Z');
    expect(out['CN/cac/regulator']?.deadline).toBe('immediately after awareness');
    expect(out['CN/cac/individuals']?.applicable).toBe(true);
  });

  it('below the relatively major tier: the PIPL notice only', () => {
    const out = run([facts('CN', { residents: 999_999 })]);
    expect(out['CN/cac/regulator.incident-report']?.applicable).toBe(false);
    expect(out['CN/cac/regulator']?.applicable).toBe(true);
    expect(out['CN/cac/regulator']?.reason).toBe('applies to every breach');
  });

  it('aware before 2025-11-01: PIPL Art. 57 alone', () => {
    const out = run(
      [facts('CN', { residents: 2_000_000 })],
      clocks({ awareness: new Date('2025-10-31T10:00:00Z') }),
    );
    expect(Object.keys(out).sort()).toEqual(['CN/cac/individuals', 'CN/cac/regulator']);
    expect(out['CN/cac/regulator']?.ruleVersion).toBe('2021-11-01');
  });

  it('a law takes effect at midnight where it is made: 02:00 in Beijing on 2025-11-01 is under the 2025 measures', () => {
    // 2025-10-31 18:00 UTC: the day before in UTC, which chose the 2021 version until 2026-12-08.
    const at = (iso: string) =>
      run([facts('CN', { residents: 1_000_000 })], clocks({ awareness: new Date(iso) }));
    const beijing = at('2025-10-31T18:00:00Z');
    expect(beijing['CN/cac/regulator.incident-report']).toMatchObject({
      ruleVersion: '2025-11-01',
      applicable: true,
    });
    expect(iso(beijing['CN/cac/regulator.incident-report'])).toBe('2025-10-31T22:00:00.000Z');
    // 23:59 in Beijing on 2025-10-31: still the 2021 version.
    expect(at('2025-10-31T15:59:00Z')['CN/cac/regulator']?.ruleVersion).toBe('2021-11-01');
  });
});

describe('SG (PDPA)', () => {
  it('500 individuals: the PDPC within 3 days of the assessment; assess within 30 days', () => {
    const out = run([facts('SG', { residents: 500, riskLevel: 'low', categories: ['device_info'] })]);
    expect(out['SG/pdpc/regulator']?.applicable).toBe(true);
    expect(out['SG/pdpc/regulator']?.reason).toContain('500 affected residents (at least 500)');
    expect(iso(out['SG/pdpc/regulator'])).toBe('2026-04-06T18:00:00.000Z');
    expect(iso(out['SG/pdpc/assessment'])).toBe('2026-05-01T15:00:00.000Z');
    // No significant harm: the individuals are not told.
    expect(out['SG/pdpc/individuals']?.applicable).toBe(false);
  });

  it('no assessment within the 30 days the PDPC expects: the 3 days run from day 30', () => {
    const notifiable = facts('SG', { residents: 500, riskLevel: 'low', categories: ['device_info'] });
    // Never confirmed: a due date all the same, 30 + 3 days after awareness.
    const never = run([notifiable], clocks({ confirmed: null }))['SG/pdpc/regulator'];
    expect(never?.clockStartedAt).toEqual(new Date('2026-05-01T15:00:00Z'));
    expect(iso(never)).toBe('2026-05-04T15:00:00.000Z');
    expect(never?.deadline).toBe(
      '3 days from the assessment that it is notifiable, or 30 days after awareness if that comes first',
    );
    // Confirmed on day 61: a late assessment does not push the due date back.
    const late = run([notifiable], clocks({ confirmed: new Date('2026-06-01T09:00:00Z') }));
    expect(iso(late['SG/pdpc/regulator'])).toBe('2026-05-04T15:00:00.000Z');
  });

  it('499 individuals without significant harm: not notifiable', () => {
    const out = run([facts('SG', { residents: 499, riskLevel: 'medium', categories: ['device_info'] })]);
    expect(out['SG/pdpc/regulator']?.applicable).toBe(false);
  });

  it('significant harm: individuals on or after the PDPC report, unless encrypted (s 26D(5))', () => {
    const filed = new Date('2026-04-04T02:00:00Z');
    const out = run([facts('SG')], clocks({ initialReportFiled: { pdpc: filed } }));
    expect(out['SG/pdpc/regulator']?.applicable).toBe(true);
    expect(out['SG/pdpc/individuals']?.applicable).toBe(true);
    expect(out['SG/pdpc/individuals']?.clockStartedAt).toEqual(filed);
    const encrypted = run([facts('SG', { encrypted: true })]);
    expect(encrypted['SG/pdpc/individuals']?.reason).toContain('exempt: a technological measure');
    expect(encrypted['SG/pdpc/regulator']?.applicable).toBe(true);
  });
});

describe('AU (NDB)', () => {
  it('likely serious harm: the OAIC and individuals as soon as practicable; assessment within 30 days', () => {
    const out = run([facts('AU-NSW')]);
    expect(Object.keys(out).sort()).toEqual([
      'AU/oaic/assessment',
      'AU/oaic/individuals',
      'AU/oaic/regulator',
    ]);
    expect(iso(out['AU/oaic/assessment'])).toBe('2026-05-01T15:00:00.000Z');
    expect(out['AU/oaic/assessment']?.recipient).toBe('the responders');
    expect(out['AU/oaic/regulator']?.applicable).toBe(true);
    expect(out['AU/oaic/regulator']?.dueAt).toBeNull();
  });

  it('risk medium: an eligible data breach (the stricter reading, as Canada reads its like test); low: not', () => {
    const medium = run([facts('AU', { riskLevel: 'medium' })]);
    expect(medium['AU/oaic/regulator']?.applicable).toBe(true);
    expect(medium['AU/oaic/individuals']?.applicable).toBe(true);
    const canada = run([facts('CA-ON', { riskLevel: 'medium' })]);
    expect(Object.values(canada).some((o) => o.audience === 'regulator' && o.applicable)).toBe(true);
    const low = run([facts('AU', { riskLevel: 'low' })]);
    expect(low['AU/oaic/regulator']?.applicable).toBe(false);
    expect(low['AU/oaic/assessment']?.applicable).toBe(true);
  });
});

describe('JP (APPI)', () => {
  it('not an attack: preliminary report in 3 days (the stricter end of "about 3 to 5"), final in 30 days from awareness', () => {
    const out = run([facts('JP', { cyberAttack: false })]);
    expect(iso(out['JP/ppc/regulator'])).toBe('2026-04-04T15:00:00.000Z');
    expect(out['JP/ppc/regulator.final']?.applicable).toBe(true);
    expect(iso(out['JP/ppc/regulator.final'])).toBe('2026-05-01T15:00:00.000Z');
    expect(out['JP/ppc/regulator.final-unlawful']?.applicable).toBe(false);
    expect(out['JP/ppc/individuals']?.applicable).toBe(true);
  });

  it('an attack: the final report in 60 days', () => {
    const out = run([facts('JP', { categories: ['device_info'] })]);
    expect(out['JP/ppc/regulator']?.reason).toBe('applies: a cyber attack');
    expect(out['JP/ppc/regulator.final']?.applicable).toBe(false);
    expect(iso(out['JP/ppc/regulator.final-unlawful'])).toBe('2026-05-31T15:00:00.000Z');
  });

  it('logins without a payment function are not property damage: only the 1,000-person rule', () => {
    const logins = { cyberAttack: false, categories: ['account_credentials', 'email_address'] };
    const none = run([facts('JP', { ...logins, residents: 1000, paymentFunction: false })]);
    expect(none['JP/ppc/regulator']?.applicable).toBe(false);
    expect(none['JP/ppc/regulator']?.reason).toContain('the accounts have no payment function');
    expect(none['JP/ppc/individuals']?.applicable).toBe(false);
    const pay = run([facts('JP', { ...logins, residents: 3, paymentFunction: true })]);
    expect(pay['JP/ppc/regulator']?.applicable).toBe(true);
    expect(pay['JP/ppc/regulator']?.reason).toContain(
      'personal data whose misuse may cause property damage (Enforcement Rules Art. 7(ii)) exposed for 3 residents',
    );
    // Not configured: assumed to have one.
    const unknown = run([facts('JP', { ...logins, residents: 3, paymentFunction: null })]);
    expect(unknown['JP/ppc/regulator']?.reason).toContain('assumed to apply until the facts are known');
    const many = run([facts('JP', { ...logins, residents: 1001, paymentFunction: false })]);
    expect(many['JP/ppc/regulator']?.applicable).toBe(true);
  });

  it('more than 1,000 people, nothing else: reportable; 1,000 is not', () => {
    const only = { categories: ['device_info'], cyberAttack: false };
    expect(run([facts('JP', { ...only, residents: 1001 })])['JP/ppc/regulator']?.applicable).toBe(true);
    const at = run([facts('JP', { ...only, residents: 1000 })]);
    expect(at['JP/ppc/regulator']?.applicable).toBe(false);
    expect(at['JP/ppc/regulator']?.reason).toContain('1000 affected residents (not more than 1000)');
  });

  it("an insider's misuse is an unlawful purpose: reportable whatever the number, the final report in 60 days", () => {
    // An employee exports 40 people's profiles to sell them: no attack, no payment function.
    const insider = { cyberAttack: false, categories: ['device_info'], residents: 40 };
    const out = run([facts('JP', { ...insider, unlawfulPurpose: true })]);
    expect(out['JP/ppc/regulator']).toMatchObject({ applicable: true });
    expect(out['JP/ppc/regulator']?.reason).toContain('done, or possibly done, for an unlawful purpose');
    expect(out['JP/ppc/individuals']?.applicable).toBe(true);
    expect(out['JP/ppc/regulator.final']?.applicable).toBe(false);
    expect(iso(out['JP/ppc/regulator.final-unlawful'])).toBe('2026-05-31T15:00:00.000Z');
    // Not known: possibly so, assumed; said not: nothing owed for 40 people.
    expect(run([facts('JP', { ...insider, unlawfulPurpose: null })])['JP/ppc/regulator']?.reason).toContain(
      'assumed to apply',
    );
    expect(run([facts('JP', { ...insider })])['JP/ppc/regulator']?.applicable).toBe(false);
  });

  it('attack not known yet: both final reports assumed', () => {
    const out = run([facts('JP', { cyberAttack: null })]);
    expect(out['JP/ppc/regulator.final']?.reason).toContain('assumed to apply');
    expect(out['JP/ppc/regulator.final-unlawful']?.reason).toContain('assumed to apply');
  });

  it('advanced encryption: neither report nor notice', () => {
    const out = run([facts('JP', { encrypted: true })]);
    expect(out['JP/ppc/regulator']?.reason).toContain(
      'exempt: the data were protected by advanced encryption',
    );
    expect(out['JP/ppc/individuals']?.applicable).toBe(false);
  });
});

describe('KR (PIPA)', () => {
  it('individuals within 72 hours of any leak; the PIPC only from 1,000 people or an attack', () => {
    const out = run([facts('KR', { residents: 999, cyberAttack: false })]);
    expect(out['KR/pipc/regulator']?.applicable).toBe(false);
    expect(out['KR/pipc/individuals']?.applicable).toBe(true);
    expect(iso(out['KR/pipc/individuals'])).toBe('2026-04-04T15:00:00.000Z');
    const many = run([facts('KR', { residents: 1000, cyberAttack: false })]);
    expect(many['KR/pipc/regulator']?.applicable).toBe(true);
    expect(iso(many['KR/pipc/regulator'])).toBe('2026-04-04T15:00:00.000Z');
    expect(run([facts('KR', { residents: 1 })])['KR/pipc/regulator']?.reason).toContain('a cyber attack');
  });
});

describe('IN (DPDP Rule 7)', () => {
  const aware = new Date('2027-06-01T06:30:00Z');

  it('every breach: the Board without delay and in detail within 72 hours; no encryption exemption', () => {
    const out = run([facts('IN', { encrypted: true, riskLevel: 'low' })], clocks({ awareness: aware }));
    expect(Object.keys(out).sort()).toEqual([
      'IN-CERTIN/cert-in/regulator',
      'IN/dpb/individuals',
      'IN/dpb/regulator',
      'IN/dpb/regulator.detailed',
    ]);
    expect(iso(out['IN/dpb/regulator.detailed'])).toBe('2027-06-04T06:30:00.000Z');
    expect(Object.values(out).every((o) => o.applicable)).toBe(true);
    expect(out['IN/dpb/regulator']?.deadline).toBe('without delay after awareness');
  });

  it("before Rule 7 is in force: decided by hand, and CERT-In's 6 hours decided by hand too", () => {
    const out = run([facts('IN')]);
    expect(Object.keys(out).sort()).toEqual(['IN-CERTIN/cert-in/regulator', 'none/IN/decide']);
    const certIn = out['IN-CERTIN/cert-in/regulator'];
    expect(certIn?.applicable).toBe(true);
    expect(iso(certIn)).toBe('2026-04-01T21:00:00.000Z');
    expect(certIn?.what).toContain('Decide by hand whether the CERT-In Directions reach the company');
    expect(certIn?.sources).toEqual(['IN2']);
  });
});

describe('no rule', () => {
  it('a jurisdiction without a rule, and people of unknown residence, are decided by hand', () => {
    const out = run([
      facts('MX', { residents: 7 }),
      facts('US-OH', { residents: 2 }),
      facts(null, { residents: 3 }),
    ]);
    expect(Object.keys(out).sort()).toEqual(['none/MX/decide', 'none/US-OH/decide', 'none/unknown/decide']);
    expect(out['none/MX/decide']?.reason).toBe('no rule: decide by hand');
    expect(out['none/MX/decide']?.what).toContain('No rule for MX in the rules table');
    expect(out['none/US-OH/decide']?.applicable).toBe(true);
    // A placeholder due date, so the deadline watch alerts: 72 hours after awareness.
    for (const key of ['none/MX/decide', 'none/US-OH/decide', 'none/unknown/decide']) {
      expect(out[key]?.dueAt?.getTime()).toBe(AWARE.getTime() + 72 * 3_600_000);
      expect(out[key]?.deadline).toContain('within 72 hours of awareness (a placeholder');
    }
  });
});

describe('the rules table', () => {
  const FORMS: readonly ReportForm[] = [
    'gdpr-art33',
    'ico',
    'us-state-ag',
    'pipeda',
    'lgpd-anpd',
    'pipl-cac',
    'pdpa-pdpc',
    'au-oaic',
    'appi-ppc',
    'pipa-pipc',
    'dpdp-board',
    'cai-qc',
    'cert-in',
  ];
  const regulators = (rule: Rule): Regulator[] =>
    'id' in rule.regulator ? [rule.regulator as Regulator] : Object.values(rule.regulator);
  const conditions = (rule: Rule): Condition[] =>
    rule.obligations.flatMap((o) => [
      ...(o.when ? [o.when] : []),
      ...(o.exemptIf ?? []).map((e) => e.condition),
    ]);

  it.each(RULES.map((r) => [`${r.id}@${r.effectiveFrom}`, r] as const))(
    '%s is well formed',
    (_name, rule) => {
      expect(rule.sources.length).toBeGreaterThan(0);
      expect(rule.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(rule.publicNotice.length).toBeGreaterThan(0);
      const keys = new Set(rule.sources.map((s) => s.key));
      expect(keys.size).toBe(rule.sources.length);
      for (const obligation of rule.obligations) {
        expect(obligation.sources.length).toBeGreaterThan(0);
        // Every key an obligation cites is one of its rule's sources.
        expect([...keys]).toEqual(expect.arrayContaining([...obligation.sources]));
        if (obligation.audience === 'regulator') expect(obligation.phase).toBeDefined();
      }
      expect(new Set(rule.obligations.map((o) => o.key)).size).toBe(rule.obligations.length);
      for (const regulator of regulators(rule)) {
        expect(FORMS).toContain(regulator.form);
        expect(() => new Intl.DateTimeFormat('en', { timeZone: regulator.timeZone })).not.toThrow();
        const { country, state } = regulator.holidays;
        expect(new Holidays().getCountries()[country]).toBeDefined();
        if (state) expect(new Holidays().getStates(country)?.[state]).toBeDefined();
      }
      // Conditions are data: each leaf is one of the known kinds.
      const known = [
        'residents',
        'risk',
        'encrypted',
        'cyberAttack',
        'unlawfulPurpose',
        'categoriesAny',
        'under18Affected',
        'exposed',
        'paymentFunction',
      ];
      const leaves = (c: Condition): string[] =>
        'anyOf' in c
          ? c.anyOf.flatMap(leaves)
          : 'allOf' in c
            ? c.allOf.flatMap(leaves)
            : 'not' in c
              ? leaves(c.not)
              : Object.keys(c);
      for (const leaf of conditions(rule).flatMap(leaves)) expect(known).toContain(leaf);
      // Every definition a condition names is the rule's, cited by its sources.
      const named = (c: Condition): string[] =>
        'anyOf' in c
          ? c.anyOf.flatMap(named)
          : 'allOf' in c
            ? c.allOf.flatMap(named)
            : 'not' in c
              ? named(c.not)
              : 'exposed' in c
                ? [c.exposed]
                : 'residents' in c
                  ? [c.residents.whose ?? 'personalInformation']
                  : [];
      for (const key of conditions(rule).flatMap(named)) expect(rule.definitions[key]).toBeDefined();
      for (const definition of Object.values(rule.definitions))
        expect([...keys]).toEqual(expect.arrayContaining([...definition.sources]));
    },
  );

  it('ids are unique per version', () => {
    const versions = RULES.map((r) => `${r.id}@${r.effectiveFrom}`);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('regulator ids are unique across rules (reports are filed by regulator id)', () => {
    const owner = new Map<string, string>();
    for (const rule of RULES)
      for (const regulator of regulators(rule)) {
        const seen = owner.get(regulator.id);
        if (seen) expect(seen).toBe(rule.id);
        owner.set(regulator.id, rule.id);
      }
  });

  it('every EEA country has its supervisory authority, in the GDPR rule', () => {
    expect(EEA_COUNTRIES).toHaveLength(30);
    const gdpr = RULES.find((r) => r.id === 'EU-GDPR');
    expect(gdpr?.jurisdictions).toEqual(EEA_COUNTRIES);
    for (const country of EEA_COUNTRIES.filter((c) => c !== 'DE')) {
      const authority = regulatorOf(gdpr as Rule, country);
      expect(authority.id).toMatch(new RegExp(`^${country.toLowerCase()}-`));
      expect(authority.holidays.country).toBe(country);
      expect(authority.form).toBe('gdpr-art33');
    }
  });

  it("Germany: the 16 Länder's authorities and the BfDI, none keyed by the country alone", () => {
    const gdpr = RULES.find((r) => r.id === 'EU-GDPR') as Rule;
    expect(() => regulatorOf(gdpr, 'DE')).toThrow();
    expect(GERMAN_LANDS).toHaveLength(16);
    for (const land of GERMAN_LANDS) {
      const authority = regulatorOf(gdpr, land);
      expect(authority.id).toMatch(new RegExp(`^${land.toLowerCase()}-`));
      expect(authority.holidays).toEqual({ country: 'DE', state: land.slice(3) });
      expect(authority.contact.unverified).toBe(true);
    }
    expect(regulatorOf(gdpr, 'DE-BFDI').id).toBe('de-bfdi');
  });

  it('only data categories the app knows appear in the conditions and the definitions', () => {
    const categories = new Set([
      'personal_identifiers',
      'device_identifiers',
      'camera_data',
      'app_usage',
      'device_info',
      'mobile_network',
      'logs',
      'account_credentials',
      'third_party_account',
    ]);
    const used = (c: Condition): string[] =>
      'anyOf' in c
        ? c.anyOf.flatMap(used)
        : 'allOf' in c
          ? c.allOf.flatMap(used)
          : 'not' in c
            ? used(c.not)
            : 'categoriesAny' in c
              ? [...c.categoriesAny]
              : [];
    for (const rule of RULES) {
      for (const category of conditions(rule).flatMap(used)) expect(categories).toContain(category);
      for (const definition of Object.values(rule.definitions))
        for (const category of definition.categories ?? []) expect(categories).toContain(category);
    }
  });
});

describe('records the law asks to keep', () => {
  const rule = (id: string) => RULES.find((r) => r.id === id) as Rule;

  it('the longest period of the rules that set one: Quebec 5 years from awareness over PIPEDA 24 months', () => {
    const kept = recordKeeping([rule('CA'), rule('CA-QC')], AWARE, CONFIRMED);
    expect(kept.rules.map((r) => [r.ruleId, r.until?.toISOString()])).toEqual([
      ['CA', '2028-04-03T18:00:00.000Z'],
      ['CA-QC', '2031-04-01T15:00:00.000Z'],
    ]);
    expect(kept.until?.toISOString()).toBe('2031-04-01T15:00:00.000Z');
    expect(recordKeeping([rule('US-FL')], AWARE, null).until?.toISOString()).toBe('2031-04-01T15:00:00.000Z');
  });

  it('a rule that sets no period (GDPR Art. 33(5)) keeps the record for good; PIPEDA waits for the determination', () => {
    expect(recordKeeping([rule('EU-GDPR'), rule('BR')], AWARE, CONFIRMED).until).toBeNull();
    const pipeda = recordKeeping([rule('CA')], AWARE, null);
    expect(pipeda.rules[0]?.until).toBeNull();
    expect(pipeda.until).toBeNull();
    expect(recordKeeping([rule('US-CA')], AWARE, CONFIRMED)).toEqual({ until: null, rules: [] });
  });
});
