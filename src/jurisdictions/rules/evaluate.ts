import { DEFAULT_DATA_CATEGORIES, heldAmong } from '../../common/data-categories.js';
import { addBusinessDays, addDays, addHours } from '../calendar.js';
import {
  PERSONAL_INFORMATION,
  type Condition,
  type Deadline,
  type Definition,
  type Meeting,
  type ObligationFacts,
  type Regulator,
  type RiskLevel,
  type Rule,
} from './rule.types.js';

const RISK_ORDER: readonly RiskLevel[] = ['low', 'medium', 'high'];

export interface ConditionResult {
  /** Null when a fact it needs is not known yet (risk not assessed, encryption unknown). */
  holds: boolean | null;
  /** The facts it was decided on, in words: "612 residents, more than 500". */
  because: string;
}

const KNOWN_CATEGORIES: ReadonlySet<string> = new Set(DEFAULT_DATA_CATEGORIES);

/**
 * Which of a person's exposed categories meet a definition: those it holds (a group or a member of one it
 * lists, see Definition), and any configured category no rule classifies (the stricter reading).
 */
export function meets(definition: Definition, exposed: readonly string[]): string[] {
  if (!definition.categories) return [...exposed];
  const listed = definition.categories;
  return exposed.filter(
    (category) => !KNOWN_CATEGORIES.has(category) || heldAmong([category], listed).length > 0,
  );
}

/** The residents whose data meeting a definition was exposed, from the facts' exposures. */
export function meetingOf(definition: Definition, facts: ObligationFacts): Meeting {
  if (!definition.categories) {
    return {
      term: definition.term,
      everyone: true,
      residents: facts.residents,
      categories: facts.categories,
    };
  }
  const exposures = facts.exposures ?? [{ categories: facts.categories, residents: facts.residents }];
  let residents = 0;
  const categories = new Set<string>();
  for (const exposure of exposures) {
    const met = meets(definition, exposure.categories);
    if (met.length === 0) continue;
    residents += exposure.residents;
    for (const category of met) categories.add(category);
  }
  return { term: definition.term, everyone: false, residents, categories: [...categories].sort() };
}

/** The residents a condition counts: those meeting its definition, once computeObligations said who. */
function counted(facts: ObligationFacts, whose: string): { n: number; who: string } {
  const meeting = facts.meeting?.[whose];
  if (!meeting || meeting.everyone)
    return { n: meeting?.residents ?? facts.residents, who: 'affected residents' };
  return { n: meeting.residents, who: `residents whose ${meeting.term} was exposed` };
}

/** Checks a condition against the facts and says why, so an obligation can show its reasoning. */
export function checkCondition(condition: Condition, facts: ObligationFacts): ConditionResult {
  if ('residents' in condition) {
    const { over, atLeast, whose = PERSONAL_INFORMATION } = condition.residents;
    const { n, who } = counted(facts, whose);
    const holds = (over === undefined || n > over) && (atLeast === undefined || n >= atLeast);
    const limits = [over !== undefined && `more than ${over}`, atLeast !== undefined && `at least ${atLeast}`]
      .filter(Boolean)
      .join(' and ');
    return { holds, because: `${n} ${who} (${holds ? '' : 'not '}${limits})` };
  }
  if ('exposed' in condition) {
    const meeting = facts.meeting?.[condition.exposed];
    if (!meeting) {
      const holds = facts.residents > 0;
      return { holds, because: holds ? 'personal data exposed' : 'nobody affected' };
    }
    const unknown = meeting.categories.filter((c) => !KNOWN_CATEGORIES.has(c));
    const stricter = unknown.length
      ? ` (${unknown.join(', ')}: configured, not classified by the rule, counted: the stricter reading)`
      : '';
    return meeting.residents > 0
      ? {
          holds: true,
          because: `${meeting.term} exposed for ${meeting.residents} residents: ${meeting.categories.join(', ')}${stricter}`,
        }
      : { holds: false, because: `no resident's ${meeting.term} exposed` };
  }
  if ('paymentFunction' in condition) {
    if (facts.paymentFunction === undefined || facts.paymentFunction === null)
      return { holds: null, because: 'whether the accounts have a payment function is not known' };
    const holds = facts.paymentFunction === condition.paymentFunction;
    return {
      holds,
      because: facts.paymentFunction
        ? 'the accounts have a payment function'
        : 'the accounts have no payment function',
    };
  }
  if ('risk' in condition) {
    const wanted = condition.risk.atLeast;
    if (!facts.riskLevel)
      return { holds: null, because: `risk not assessed yet (needs ${wanted} or higher)` };
    const holds = RISK_ORDER.indexOf(facts.riskLevel) >= RISK_ORDER.indexOf(wanted);
    return {
      holds,
      because: `risk ${facts.riskLevel} (${holds ? '' : 'below '}${wanted}${holds ? ' or higher' : ''})`,
    };
  }
  if ('encrypted' in condition) {
    if (facts.encrypted === null)
      return { holds: null, because: 'whether the data was encrypted is not known' };
    const holds = facts.encrypted === condition.encrypted;
    return { holds, because: facts.encrypted ? 'the data was encrypted' : 'the data was not encrypted' };
  }
  if ('cyberAttack' in condition) {
    if (facts.cyberAttack === null)
      return { holds: null, because: 'whether it was a cyber attack is not known' };
    const holds = facts.cyberAttack === condition.cyberAttack;
    return { holds, because: facts.cyberAttack ? 'a cyber attack' : 'not a cyber attack' };
  }
  if ('categoriesAny' in condition) {
    // A group exposed may hold each of its members, and a member exposed is part of its group.
    const hit = heldAmong(facts.categories, condition.categoriesAny);
    return hit.length > 0
      ? { holds: true, because: `exposed: ${hit.join(', ')}` }
      : { holds: false, because: `none of ${condition.categoriesAny.join(', ')} exposed` };
  }
  if ('minorsAffected' in condition) {
    const holds = facts.minors > 0 === condition.minorsAffected;
    return { holds, because: facts.minors > 0 ? `${facts.minors} minors affected` : 'no minors affected' };
  }
  if ('anyOf' in condition) {
    const results = condition.anyOf.map((c) => checkCondition(c, facts));
    const held = results.filter((r) => r.holds === true);
    if (held.length > 0) return { holds: true, because: held.map((r) => r.because).join('; ') };
    const unknown = results.some((r) => r.holds === null);
    return { holds: unknown ? null : false, because: results.map((r) => r.because).join('; ') };
  }
  if ('allOf' in condition) {
    const results = condition.allOf.map((c) => checkCondition(c, facts));
    const failed = results.filter((r) => r.holds === false);
    if (failed.length > 0) return { holds: false, because: failed.map((r) => r.because).join('; ') };
    const unknown = results.some((r) => r.holds === null);
    return { holds: unknown ? null : true, because: results.map((r) => r.because).join('; ') };
  }
  const inner = checkCondition(condition.not, facts);
  return { holds: inner.holds === null ? null : !inner.holds, because: inner.because };
}

/** "3 business days", "72 hours", "as soon as practicable". */
export function describeDeadline(deadline: Deadline): string {
  if (deadline.kind === 'asap') return deadline.wording;
  const unit = { hours: 'hours', days: 'days', businessDays: 'business days' }[deadline.unit];
  return `${deadline.amount} ${deadline.amount === 1 ? unit.replace(/s$/, '') : unit}`;
}

/** When a deadline falls for a clock that started at `start`; null when the law gives no number. */
export function dueAt(start: Date, deadline: Deadline, regulator: Regulator): Date | null {
  if (deadline.kind === 'asap') return null;
  switch (deadline.unit) {
    case 'hours':
      return addHours(start, deadline.amount);
    case 'days':
      return addDays(start, deadline.amount);
    case 'businessDays':
      return addBusinessDays(start, deadline.amount, { ...regulator.holidays, timeZone: regulator.timeZone });
  }
}

function covers(rule: Rule, jurisdiction: string): 'exact' | 'country' | undefined {
  if (rule.jurisdictions.includes(jurisdiction)) return 'exact';
  const country = jurisdiction.split('-')[0] ?? jurisdiction;
  return country !== jurisdiction && rule.jurisdictions.includes(country) ? 'country' : undefined;
}

/**
 * The rule for a jurisdiction on a day: a rule naming the subdivision wins over its country's; among the
 * versions of a rule, the latest that was in effect that day.
 */
export function ruleFor(jurisdiction: string, on: Date, rules: readonly Rule[]): Rule | undefined {
  const day = on.toISOString().slice(0, 10);
  let best: Rule | undefined;
  let bestMatch: 'exact' | 'country' | undefined;
  for (const rule of rules) {
    const match = covers(rule, jurisdiction);
    if (!match || rule.effectiveFrom > day) continue;
    const better =
      !best ||
      (match === 'exact' && bestMatch === 'country') ||
      (match === bestMatch && rule.id === best.id && rule.effectiveFrom > best.effectiveFrom);
    if (better) {
      best = rule;
      bestMatch = match;
    }
  }
  return best;
}

/** The regulator that receives this jurisdiction's reports under a rule. */
export function regulatorOf(rule: Rule, jurisdiction: string): Regulator {
  const regulator = rule.regulator;
  if ('id' in regulator && typeof regulator.id === 'string') return regulator as Regulator;
  const byCountry = regulator as Readonly<Record<string, Regulator>>;
  const found = byCountry[jurisdiction] ?? byCountry[jurisdiction.split('-')[0] ?? ''];
  if (!found) throw new Error(`rule ${rule.id} names no regulator for ${jurisdiction}`);
  return found;
}

/** Every regulator a rule names. */
export function regulatorsOf(rule: Rule): Regulator[] {
  const regulator = rule.regulator;
  if ('id' in regulator && typeof regulator.id === 'string') return [regulator as Regulator];
  return Object.values(regulator as Readonly<Record<string, Regulator>>);
}
