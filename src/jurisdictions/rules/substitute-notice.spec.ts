import { RULES } from './index.js';
import { computeObligations } from './compute.js';
import {
  checkSubstitute,
  POLICY_SECURITY_NOTICE,
  publicNoticeRuleFor,
  raisedByPolicy,
  substituteRuleFor,
  SUBSTITUTE_NOTICE_RULES,
} from './substitute-notice.js';
import type { SubstituteFacts } from './substitute-notice.types.js';

// Worked cases: the facts of a campaign's end (who was not reached one by one) and the responders'
// facts in, whether each jurisdiction's public notice is due out, with the reason.

const ON = new Date('2026-12-01T00:00:00Z');

function facts(over: Partial<SubstituteFacts> = {}): SubstituteFacts {
  const base = {
    residents: 1000,
    noContact: 0,
    allFailed: 0,
    pushOnly: 0,
    methodNotLawful: 0,
    estimatedCostUsd: null,
    disproportionateEffort: false,
  };
  const merged = { ...base, ...over };
  return {
    unreached: merged.noContact + merged.allFailed + merged.pushOnly + merged.methodNotLawful,
    ...merged,
  };
}

const due = (ruleId: string, f: SubstituteFacts) => checkSubstitute(substituteRuleFor(ruleId, ON)!.when, f);

describe('substitute notice rules', () => {
  it("every entry belongs to a rule in the table (HIPAA excepted) and cites that rule's sources", () => {
    for (const entry of SUBSTITUTE_NOTICE_RULES) {
      expect(entry.sources.length).toBeGreaterThan(0);
      if (entry.ruleId === 'US-HIPAA') continue;
      const rule = RULES.find((r) => r.id === entry.ruleId);
      expect(rule).toBeDefined();
      const keys = RULES.filter((r) => r.id === entry.ruleId).flatMap((r) => r.sources.map((s) => s.key));
      for (const key of entry.sources) expect(keys).toContain(key);
    }
  });

  it('minimum periods: LGPD and HIPAA 90 days, California and Korea 30 days (both unverified)', () => {
    const period = (id: string) => {
      const r = substituteRuleFor(id, ON)!;
      return [r.minimumDays, r.minimumUncertain ?? false];
    };
    expect(period('BR')).toEqual([90, false]);
    expect(period('US-HIPAA')).toEqual([90, false]);
    expect(period('US-CA')).toEqual([30, true]);
    expect(period('KR')).toEqual([30, true]);
    expect(period('EU-GDPR')).toEqual([null, false]);
  });

  it('HIPAA: 10 or more unreachable, not 9', () => {
    expect(due('US-HIPAA', facts({ allFailed: 9 })).holds).toBe(false);
    const ten = due('US-HIPAA', facts({ allFailed: 6, noContact: 4 }));
    expect(ten.holds).toBe(true);
    expect(ten.because).toBe(
      '10 residents not individually notified (4 no contact, 6 failed on every channel, 0 push only, 0 by a method their law does not accept; at least 10)',
    );
  });

  it('California: cost over $250,000, over 500,000 people, or anyone without contact; not bounces alone', () => {
    expect(due('US-CA', facts({ allFailed: 40 })).holds).toBe(false);
    expect(due('US-CA', facts({ estimatedCostUsd: 250_000 })).holds).toBe(false);
    expect(due('US-CA', facts({ estimatedCostUsd: 250_001 })).because).toBe(
      'individual notice estimated at $250001 (more than $250000)',
    );
    expect(due('US-CA', facts({ residents: 500_000 })).holds).toBe(false);
    expect(due('US-CA', facts({ residents: 500_001 })).holds).toBe(true);
    expect(due('US-CA', facts({ noContact: 1 })).holds).toBe(true);
    const means = substituteRuleFor('US-CA', ON)!.means.map((m) => m.means);
    expect(means).toEqual(['email', 'website', 'media']);
  });

  it("GDPR: the responders' decision of disproportionate effort, or anyone left unreached", () => {
    expect(due('EU-GDPR', facts()).holds).toBe(false);
    expect(due('EU-GDPR', facts({ disproportionateEffort: true })).holds).toBe(true);
    expect(due('EU-GDPR', facts({ pushOnly: 2 })).holds).toBe(true);
  });

  it('LGPD, Korea and Japan: anyone not reached; Korea reads a contact failing everywhere as unknown', () => {
    expect(due('BR', facts()).holds).toBe(false);
    expect(due('BR', facts({ allFailed: 1 })).holds).toBe(true);
    expect(due('KR', facts({ allFailed: 3 })).holds).toBe(true);
    expect(due('JP', facts({ pushOnly: 1 })).holds).toBe(true);
  });

  it("China's Security Notice is the policy's promise and does not stand in for the individual notice", () => {
    expect(substituteRuleFor('CN', ON)!.replacesIndividualNotice).toBe(false);
    expect(substituteRuleFor('BR', ON)!.replacesIndividualNotice).toBe(true);
  });

  it('no entry of its own for laws without a substitute notice (India, Singapore) or before a version holds', () => {
    expect(substituteRuleFor('IN', ON)).toBeUndefined();
    expect(substituteRuleFor('SG', ON)).toBeUndefined();
    expect(substituteRuleFor('US-CA', new Date('2013-06-01T00:00:00Z'))).toBeUndefined();
  });
});

describe("the privacy policy's Security Notice, where the law has no public notice", () => {
  const unreached = facts({ allFailed: 1 });
  const computed = (jurisdiction: string, substitute: SubstituteFacts) =>
    computeObligations(
      [
        {
          jurisdiction,
          residents: substitute.residents,
          minors: 0,
          categories: ['account_credentials'],
          riskLevel: 'high',
          encrypted: false,
          cyberAttack: true,
          substitute,
        },
      ],
      { awareness: ON, confirmed: ON, individualsNotified: {}, initialReportFiled: {} },
      RULES,
      { euMainEstablishment: null, seats: {} },
    );

  it("the law's own where its conditions hold, else the policy's, which never stands in", () => {
    const owed = (id: string, f: SubstituteFacts) => publicNoticeRuleFor(id, ON, f)?.rule;
    for (const id of ['SG', 'IN', 'US-TX', 'US-MA', 'US-WA']) {
      expect(owed(id, unreached)).toBe(POLICY_SECURITY_NOTICE);
    }
    expect(POLICY_SECURITY_NOTICE.replacesIndividualNotice).toBe(false);
    // Brazil's law stands in for the individual notice when anyone is not reached.
    expect(owed('BR', unreached)?.ruleId).toBe('BR');
    // California's only without contact (or a cost, or 500,000 people): a bounce raises the policy's.
    expect(owed('US-CA', unreached)).toBe(POLICY_SECURITY_NOTICE);
    expect(owed('US-CA', facts({ noContact: 1 }))?.ruleId).toBe('US-CA');
    // Nobody unreached: neither.
    expect(owed('US-WA', facts())).toBeUndefined();
  });

  it('a Californian whose email bounced: the Security Notice the policy promises, not the statute', () => {
    const raised = computed('US-CA', unreached).find((o) => o.audience === 'public');
    expect(raised).toMatchObject({ key: 'US-CA/us-ca-ag/public-notice', sources: ['PP'] });
    expect(raised!.reason).toContain('it goes beside the notice to individuals, which it does not replace');
    expect(raisedByPolicy(raised!)).toBe(true);
    const lawful = computed('US-CA', facts({ noContact: 1 })).find((o) => o.audience === 'public');
    expect(raisedByPolicy(lawful!)).toBe(false);
  });

  it('raises the public notice for one Singaporean not reached, citing the policy, and none when all were', () => {
    const raised = computed('SG', unreached).find((o) => o.audience === 'public');
    expect(raised).toMatchObject({
      key: 'SG/pdpc/public-notice',
      sources: ['PP'],
      applicable: true,
    });
    expect(raised!.reason).toBe(
      'applies: 1 residents not individually notified (0 no contact, 1 failed on every channel, 0 push only, 0 by a method their law does not accept; at least 1); it goes beside the notice to individuals, which it does not replace',
    );
    expect(raised!.what).toContain("privacy policy's promise");
    expect(computed('SG', facts()).some((o) => o.audience === 'public')).toBe(false);
    // Every rule can cite it: the policy is among each rule's sources.
    for (const rule of RULES) expect(rule.sources.map((s) => s.key)).toContain('PP');
  });
});
