import { DEFAULT_DATA_CATEGORIES, heldAmong } from '../../common/data-categories.js';
import { addBusinessDays, addDays, addHours, localDate } from '../calendar.js';
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

function checkResidents(
  condition: { over?: number; atLeast?: number; whose?: string },
  facts: ObligationFacts,
) {
  const { over, atLeast, whose = PERSONAL_INFORMATION } = condition;
  const { n, who } = counted(facts, whose);
  const holds = (over === undefined || n > over) && (atLeast === undefined || n >= atLeast);
  const limits = [over !== undefined && `more than ${over}`, atLeast !== undefined && `at least ${atLeast}`]
    .filter(Boolean)
    .join(' and ');
  return { holds, because: `${n} ${who} (${holds ? '' : 'not '}${limits})` };
}

function checkExposed(whose: string, facts: ObligationFacts): ConditionResult {
  const meeting = facts.meeting?.[whose];
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

/** A yes/no fact the responders may not have given yet: unknown until they do. */
function checkFact(
  fact: boolean | null | undefined,
  wanted: boolean,
  words: { unknown: string; yes: string; no: string },
): ConditionResult {
  if (fact === undefined || fact === null) return { holds: null, because: words.unknown };
  return { holds: fact === wanted, because: fact ? words.yes : words.no };
}

function checkRisk(wanted: RiskLevel, facts: ObligationFacts): ConditionResult {
  if (!facts.riskLevel) return { holds: null, because: `risk not assessed yet (needs ${wanted} or higher)` };
  const holds = RISK_ORDER.indexOf(facts.riskLevel) >= RISK_ORDER.indexOf(wanted);
  return {
    holds,
    because: `risk ${facts.riskLevel} (${holds ? '' : 'below '}${wanted}${holds ? ' or higher' : ''})`,
  };
}

/** anyOf holds when one holds; allOf fails when one fails; otherwise unknown if any is unknown. */
function checkAll(conditions: readonly Condition[], facts: ObligationFacts, any: boolean): ConditionResult {
  const results = conditions.map((c) => checkCondition(c, facts));
  const decisive = results.filter((r) => r.holds === any);
  if (decisive.length > 0) return { holds: any, because: decisive.map((r) => r.because).join('; ') };
  const unknown = results.some((r) => r.holds === null);
  return { holds: unknown ? null : !any, because: results.map((r) => r.because).join('; ') };
}

/** Checks a condition against the facts and says why, so an obligation can show its reasoning. */
export function checkCondition(condition: Condition, facts: ObligationFacts): ConditionResult {
  if ('residents' in condition) return checkResidents(condition.residents, facts);
  if ('exposed' in condition) return checkExposed(condition.exposed, facts);
  if ('paymentFunction' in condition)
    return checkFact(facts.paymentFunction, condition.paymentFunction, {
      unknown: 'whether the accounts have a payment function is not known',
      yes: 'the accounts have a payment function',
      no: 'the accounts have no payment function',
    });
  if ('risk' in condition) return checkRisk(condition.risk.atLeast, facts);
  if ('encrypted' in condition)
    return checkFact(facts.encrypted, condition.encrypted, {
      unknown: 'whether the data was encrypted is not known',
      yes: 'the data was encrypted',
      no: 'the data was not encrypted',
    });
  if ('cyberAttack' in condition)
    return checkFact(facts.cyberAttack, condition.cyberAttack, {
      unknown: 'whether it was a cyber attack is not known',
      yes: 'a cyber attack',
      no: 'not a cyber attack',
    });
  if ('unlawfulPurpose' in condition)
    return checkFact(facts.unlawfulPurpose, condition.unlawfulPurpose, {
      unknown: 'whether it was done for an unlawful purpose is not known',
      yes: 'done, or possibly done, for an unlawful purpose',
      no: 'not done for an unlawful purpose',
    });
  if ('categoriesAny' in condition) {
    // A group exposed may hold each of its members, and a member exposed is part of its group.
    const hit = heldAmong(facts.categories, condition.categoriesAny);
    return hit.length > 0
      ? { holds: true, because: `exposed: ${hit.join(', ')}` }
      : { holds: false, because: `none of ${condition.categoriesAny.join(', ')} exposed` };
  }
  if ('under18Affected' in condition) {
    const under18 = facts.under18 ?? facts.minors;
    return {
      holds: under18 > 0 === condition.under18Affected,
      because: under18 > 0 ? `${under18} under 18 affected` : 'nobody under 18 affected',
    };
  }
  if ('anyOf' in condition) return checkAll(condition.anyOf, facts, true);
  if ('allOf' in condition) return checkAll(condition.allOf, facts, false);
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
 * The day an instant falls on where a rule's law is made: its regulator's time zone. A law takes effect at
 * midnight there, not in UTC: awareness at 02:00 in Beijing on the day China's 2025 measures begin is
 * 18:00 UTC the day before, and is under the new measures (until 2026-12-08 it was not).
 */
export function ruleDay(rule: Rule, on: Date): string {
  const zone = regulatorsOf(rule)[0]?.timeZone;
  return zone ? localDate(on, zone) : on.toISOString().slice(0, 10);
}

/**
 * The rule for a jurisdiction on a day: a rule naming the subdivision wins over its country's; among the
 * versions of a rule, the latest that was in effect that day where its law is made ({@link ruleDay}).
 */
export function ruleFor(jurisdiction: string, on: Date, rules: readonly Rule[]): Rule | undefined {
  let best: Rule | undefined;
  let bestMatch: 'exact' | 'country' | undefined;
  for (const rule of rules) {
    const match = covers(rule, jurisdiction);
    if (!match || rule.effectiveFrom > ruleDay(rule, on)) continue;
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
  const found = findRegulatorOf(rule, jurisdiction);
  if (!found) throw new Error(`rule ${rule.id} names no regulator for ${jurisdiction}`);
  return found;
}

/** The rule's regulator for a jurisdiction (its own, or its country's), if the rule names one. */
export function findRegulatorOf(rule: Rule, jurisdiction: string): Regulator | undefined {
  const regulator = rule.regulator;
  if ('id' in regulator && typeof regulator.id === 'string') return regulator as Regulator;
  const byCountry = regulator as Readonly<Record<string, Regulator>>;
  return byCountry[jurisdiction] ?? byCountry[jurisdiction.split('-')[0] ?? ''];
}

/** Every regulator a rule names. */
export function regulatorsOf(rule: Rule): Regulator[] {
  const regulator = rule.regulator;
  if ('id' in regulator && typeof regulator.id === 'string') return [regulator as Regulator];
  return Object.values(regulator as Readonly<Record<string, Regulator>>);
}
