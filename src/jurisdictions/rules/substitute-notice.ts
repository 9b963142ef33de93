import type {
  SubstituteCondition,
  SubstituteFacts,
  SubstituteNoticeRule,
} from './substitute-notice.types.js';
import { ruleDay } from './evaluate.js';
import { RULES } from './index.js';
import { PRIVACY_POLICY } from './standard-notice.js';

// Each jurisdiction's substitute or public notice (breach-law.md 1B, "Substitute / public" and "Media"),
// keyed by the obligation rule it belongs to. A person not reached one by one is the service's fact
// (delivery outcomes); cost and disproportionate effort are the responders' (substitute facts). Where
// the reference marks a trigger or a period `?`, the entry takes the stricter reading and says so.

const ANY_UNREACHED: SubstituteCondition = { unreached: { atLeast: 1 } };

export const SUBSTITUTE_NOTICE_RULES: readonly SubstituteNoticeRule[] = [
  {
    ruleId: 'EU-GDPR',
    effectiveFrom: '2018-05-25',
    when: { anyOf: [{ decision: 'disproportionateEffort' }, ANY_UNREACHED] },
    means: [
      { means: 'website' },
      { means: 'media', note: 'where the website alone would not inform them equally effectively' },
    ],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Inform the residents not told one by one through a public communication (or a similar measure) that informs them equally effectively (Art. 34(3)(c)).',
    sources: ['G2'],
    notes:
      'Art. 34(3)(c) names disproportionate effort; people who could not be reached on any channel are taken as such a case (the stricter reading: they are told publicly rather than not at all). No minimum period is set.',
  },
  {
    ruleId: 'GB',
    effectiveFrom: '2018-05-25',
    when: { anyOf: [{ decision: 'disproportionateEffort' }, ANY_UNREACHED] },
    means: [
      { means: 'website' },
      { means: 'media', note: 'where the website alone would not inform them equally effectively' },
    ],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Inform the residents not told one by one through a public communication that informs them equally effectively (UK GDPR Art. 34(3)(c)).',
    sources: ['U6'],
    notes:
      'As under the EU GDPR: unreached people are taken as a case of disproportionate effort (stricter reading).',
  },
  {
    ruleId: 'US-CA',
    effectiveFrom: '2014-01-01',
    when: {
      anyOf: [
        { costUsd: { over: 250_000 } },
        { residents: { over: 500_000 } },
        { noContact: { atLeast: 1 } },
      ],
    },
    means: [
      { means: 'email', note: 'where the email address is known' },
      { means: 'website', note: "conspicuous posting on the business's website" },
      { means: 'media', note: 'notification to major statewide media' },
    ],
    minimumDays: 30,
    minimumUncertain: true,
    replacesIndividualNotice: true,
    what: 'Give substitute notice: email where the address is known, a conspicuous posting on the website, and notice to major statewide media.',
    sources: ['CA3'],
    notes:
      'The three triggers (cost over $250,000, over 500,000 people, insufficient contact information) are as in Illinois (CA3) and recalled for California; the 30 days of posting likewise (unverified). Insufficient contact is read per resident: any resident without a usable contact raises it.',
  },
  {
    ruleId: 'US-NY',
    effectiveFrom: '2019-10-23',
    when: {
      anyOf: [
        { residents: { over: 500_000 } },
        { costUsd: { over: 250_000 } },
        { noContact: { atLeast: 1 } },
      ],
    },
    means: [
      { means: 'email', note: 'where the email address is known' },
      { means: 'website', note: 'conspicuous posting on the website' },
      { means: 'media', note: 'major statewide media' },
    ],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Give substitute notice: email where known, a conspicuous website posting and statewide media.',
    sources: ['NY2'],
    notes:
      'More than 500,000 people is from NY2; the cost and contact triggers are unverified (breach-law.md 1B "other triggers ?") and taken as in California, the stricter reading.',
  },
  {
    ruleId: 'US-FL',
    effectiveFrom: '2014-07-01',
    when: {
      anyOf: [
        { costUsd: { over: 250_000 } },
        { residents: { over: 500_000 } },
        { noContact: { atLeast: 1 } },
      ],
    },
    means: [
      { means: 'website', note: 'conspicuous notice on the website' },
      {
        means: 'media',
        note: 'print and broadcast media, including major media where the affected residents live',
      },
    ],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Give substitute notice: a conspicuous notice on the website and notice in print and broadcast media.',
    sources: ['FL3'],
    notes:
      'The means are from FL3; the triggers are unverified (breach-law.md 1B "triggers ?") and taken as in California.',
  },
  {
    ruleId: 'US-HIPAA',
    effectiveFrom: '2009-09-23',
    when: { unreached: { atLeast: 10 } },
    means: [
      {
        means: 'website',
        note: 'a conspicuous posting on the home page for 90 days, or major print or broadcast media',
      },
      { means: 'tollFreeNumber', note: 'active for at least 90 days' },
    ],
    minimumDays: 90,
    replacesIndividualNotice: true,
    what: 'Post substitute notice on the home page for 90 days (or in major media) with a toll-free number active for 90 days.',
    sources: ['H2'],
    notes:
      'Ten or more people with out-of-date or insufficient contact information (H2). The toll-free number is unverified. The service has no HIPAA obligation rule (the app is not a covered entity): this entry applies when one is added.',
  },
  {
    ruleId: 'BR',
    effectiveFrom: '2020-09-18',
    when: ANY_UNREACHED,
    means: [{ means: 'website' }, { means: 'app', note: 'the app, social media or service channels' }],
    minimumDays: 90,
    replacesIndividualNotice: true,
    what: 'Publish a public notice on the website, app, social media or service channels for at least 90 days for the data subjects who could not be identified or reached.',
    sources: ['BR1'],
  },
  {
    ruleId: 'AU',
    effectiveFrom: '2018-02-22',
    when: { anyOf: [{ decision: 'disproportionateEffort' }, ANY_UNREACHED] },
    means: [
      { means: 'website', note: 'publish the statement' },
      { means: 'media', note: 'take reasonable steps to publicise it' },
    ],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Publish the statement on the website and take reasonable steps to publicise it (s 26WL(2)(c)).',
    sources: ['AU3'],
    notes:
      '"Not practicable" is the responders\' decision, or any resident not reached (the stricter reading). No minimum period is set.',
  },
  {
    ruleId: 'KR',
    effectiveFrom: '2023-09-15',
    when: ANY_UNREACHED,
    means: [{ means: 'website', note: 'posted on the website' }],
    minimumDays: 30,
    minimumUncertain: true,
    replacesIndividualNotice: true,
    what: 'Post the notice on the website for at least 30 days for the people whose contact is not known.',
    sources: ['KR2'],
    notes:
      'Contact unknown (KR2) is read to include a contact that failed on every channel (the stricter reading); the 30 days are unverified.',
  },
  {
    ruleId: 'JP',
    effectiveFrom: '2022-04-01',
    when: ANY_UNREACHED,
    means: [{ means: 'website', note: 'publication of the incident' }],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Publish the incident, as the alternative measure where notice to the persons is difficult (JP1).',
    sources: ['JP1'],
  },
  {
    ruleId: 'CA',
    effectiveFrom: '2018-11-01',
    when: { anyOf: [{ decision: 'disproportionateEffort' }, { noContact: { atLeast: 1 } }] },
    means: [{ means: 'website', note: 'a public communication or advertisement' }],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Give indirect notice (a public communication or advertisement) to the people who cannot be notified directly.',
    sources: ['CAN1'],
    notes: 'The grounds (harm, undue hardship, no contact details) are recalled.',
  },
  {
    ruleId: 'CA-QC',
    effectiveFrom: '2022-09-22',
    when: { anyOf: [{ decision: 'disproportionateEffort' }, { noContact: { atLeast: 1 } }] },
    means: [{ means: 'website', note: 'a public notice' }],
    minimumDays: null,
    replacesIndividualNotice: true,
    what: 'Give a public notice to the persons who cannot be notified directly.',
    sources: ['QC1'],
    notes: 'The grounds of the Regulation (s 6) are recalled.',
  },
  {
    ruleId: 'CN',
    effectiveFrom: '2021-11-01',
    when: ANY_UNREACHED,
    means: [{ means: 'website', note: 'a public "Security Notice"' }],
    minimumDays: null,
    replacesIndividualNotice: false,
    what: "Release a public Security Notice for the people who could not be informed individually (the privacy policy's promise, GB/T 35273-2020 s 10.2).",
    sources: ['CN1'],
    notes:
      "PIPL Art. 57 has no substitute notice: the notice is the privacy policy's promise and common practice (unverified), so it does not stand in for the individual notice, which stays open.",
  },
];

export interface SubstituteResult {
  holds: boolean;
  /** The facts it was decided on, in words. */
  because: string;
}

const plural = (n: number, word: string) => `${n} ${word}`;

/** Checks a substitute-notice condition against the facts, and says why. */
export function checkSubstitute(condition: SubstituteCondition, facts: SubstituteFacts): SubstituteResult {
  if ('anyOf' in condition) {
    const results = condition.anyOf.map((c) => checkSubstitute(c, facts));
    const met = results.filter((r) => r.holds);
    return met.length > 0
      ? { holds: true, because: met.map((r) => r.because).join('; ') }
      : { holds: false, because: results.map((r) => r.because).join('; ') };
  }
  if ('unreached' in condition) {
    const holds = facts.unreached >= condition.unreached.atLeast;
    return {
      holds,
      because: `${plural(facts.unreached, 'residents')} not individually notified (${facts.noContact} no contact, ${facts.allFailed} failed on every channel, ${facts.pushOnly} push only, ${facts.methodNotLawful} by a method their law does not accept; ${holds ? '' : 'not '}at least ${condition.unreached.atLeast})`,
    };
  }
  if ('noContact' in condition) {
    const holds = facts.noContact >= condition.noContact.atLeast;
    return {
      holds,
      because: `${plural(facts.noContact, 'residents')} without usable contact (${holds ? '' : 'not '}at least ${condition.noContact.atLeast})`,
    };
  }
  if ('residents' in condition) {
    const holds = facts.residents > condition.residents.over;
    return {
      holds,
      because: `${plural(facts.residents, 'affected residents')} (${holds ? '' : 'not '}more than ${condition.residents.over})`,
    };
  }
  if ('costUsd' in condition) {
    if (facts.estimatedCostUsd === null)
      return { holds: false, because: 'no estimate of the cost of individual notice' };
    const holds = facts.estimatedCostUsd > condition.costUsd.over;
    return {
      holds,
      because: `individual notice estimated at $${facts.estimatedCostUsd} (${holds ? '' : 'not '}more than $${condition.costUsd.over})`,
    };
  }
  return facts.disproportionateEffort
    ? { holds: true, because: 'the responders decided individual notice would be disproportionate' }
    : { holds: false, because: 'no decision of disproportionate effort' };
}

/**
 * The substitute-notice rule of an obligation rule on a day (the latest version in effect), if any: the
 * day where the rule's law is made ({@link ruleDay}).
 */
export function substituteRuleFor(ruleId: string, on: Date): SubstituteNoticeRule | undefined {
  const rule = RULES.find((r) => r.id === ruleId);
  const day = rule ? ruleDay(rule, on) : on.toISOString().slice(0, 10);
  return SUBSTITUTE_NOTICE_RULES.filter((r) => r.ruleId === ruleId && r.effectiveFrom <= day).sort((a, b) =>
    b.effectiveFrom.localeCompare(a.effectiveFrom),
  )[0];
}

/**
 * The privacy policy's own promise, wherever its law has no substitute or public notice (India's DPDP and
 * CERT-In, Singapore, Texas, Massachusetts, Washington) or has one whose conditions do not hold (a
 * Californian whose email bounced, where the statute asks for one only without contact, above a cost
 * or at 500,000 people): a Security Notice for the residents not reached one by one, beside the individual
 * notice, which stays open (no law accepts it in its place). A promise, not a law: read strictly, anyone
 * not reached raises it.
 */
export const POLICY_SECURITY_NOTICE: SubstituteNoticeRule = {
  ruleId: '*',
  // The policy's version on file ("Last updated: December 9, 2025").
  effectiveFrom: '2025-12-09',
  when: ANY_UNREACHED,
  means: [{ means: 'website', note: 'a public "Security Notice"' }],
  minimumDays: null,
  replacesIndividualNotice: false,
  what: "Release a public Security Notice for the people who could not be informed individually (the privacy policy's promise, section III).",
  sources: [PRIVACY_POLICY.key],
  notes:
    'The policy (last updated 2025-12-09) promises it wherever informing people one by one is difficult, whatever their law says; an incident known before that version is held to it too (the stricter reading: no earlier text is on file).',
};

/**
 * The public notice a rule's group owes on these facts, with why: its law's substitute notice where its
 * conditions hold, else the privacy policy's Security Notice where its do; undefined when neither holds.
 */
export function publicNoticeRuleFor(
  ruleId: string,
  on: Date,
  facts: SubstituteFacts,
): { rule: SubstituteNoticeRule; result: SubstituteResult } | undefined {
  const law = substituteRuleFor(ruleId, on);
  for (const rule of law ? [law, POLICY_SECURITY_NOTICE] : [POLICY_SECURITY_NOTICE]) {
    const result = checkSubstitute(rule.when, facts);
    if (result.holds) return { rule, result };
  }
  return undefined;
}

/** Whether a public-notice obligation was raised by the policy's promise alone (it never stands in). */
export const raisedByPolicy = (obligation: { sources: readonly string[] }): boolean =>
  obligation.sources.length > 0 &&
  obligation.sources.every((key) => POLICY_SECURITY_NOTICE.sources.includes(key));
