import {
  checkCondition,
  describeDeadline,
  dueAt,
  findRegulatorOf,
  meetingOf,
  regulatorOf,
  regulatorsOf,
  ruleFor,
} from './evaluate.js';
import { publicNoticeOf } from './public-notice.obligation.js';
import type {
  Audience,
  ClockStart,
  ObligationFacts,
  ObligationSpec,
  Phase,
  Regulator,
  Rule,
} from './rule.types.js';

/** The affected residents of one jurisdiction code (null: the set holds people of unknown residence). */
export interface JurisdictionFacts extends ObligationFacts {
  jurisdiction: string | null;
}

/** When each clock started; null while it has not. */
export interface Clocks {
  awareness: Date;
  /** The incident was confirmed (determination and assessment both read it). */
  confirmed: Date | null;
  /** The first notice to a resident, per jurisdiction code. */
  individualsNotified: Readonly<Record<string, Date>>;
  /** The initial report filed, per regulator id. */
  initialReportFiled: Readonly<Record<string, Date>>;
}

export interface ComputeOptions {
  /**
   * The EU/EEA country of the controller's main establishment: its authority leads for every EU/EEA
   * resident (one-stop-shop). Null: no establishment in the EU, so every authority where affected people
   * live is notified (EDPB 9/2022 para 73).
   */
  euMainEstablishment: string | null;
  /**
   * Where the authority follows the company's seat inside a country (Germany: the Land, BDSG §40), the
   * key of the rule's regulator chosen by configuration, per country: `{ DE: 'DE-BY' }`. A country a rule
   * names in `seatAuthority` without a choice here gets an obligation to decide by hand.
   */
  seats?: Readonly<Record<string, string>>;
}

export interface ComputedObligation {
  /** Stable across recomputations: `<rule>/<regulator or jurisdiction>/<obligation>`. */
  key: string;
  ruleId: string | null;
  /** The rule version: the day it holds from. */
  ruleVersion: string | null;
  law: string | null;
  jurisdictions: string[];
  audience: Audience;
  regulator: Regulator | null;
  /** Who is told, in words: the regulator's name, "affected residents of US-CA", ... */
  recipient: string;
  phase: Phase | null;
  what: string;
  clock: ClockStart | null;
  clockStartedAt: Date | null;
  /** "72 hours from awareness", "3 business days from awareness (BR public holidays)". */
  deadline: string;
  dueAt: Date | null;
  applicable: boolean;
  /** Why it applies or not: the threshold or exemption and the facts it used. */
  reason: string;
  facts: ObligationFacts;
  sources: string[];
}

const CLOCK_WORDS: Record<ClockStart, string> = {
  awareness: 'awareness',
  discovery: 'discovery of the breach',
  determinationOrBelief: 'determination of the breach or reason to believe it occurred',
  determination: 'determination of the breach',
  determinationOrAwareness: 'determination of the breach (awareness while none is recorded)',
  assessment: 'the assessment that it is notifiable',
  individualsNotified: 'the first notice to residents',
  initialReportFiled: 'the initial report',
};

interface Group {
  rule: Rule;
  regulator: Regulator;
  jurisdictions: string[];
  facts: ObligationFacts;
}

function merge(into: ObligationFacts, add: ObligationFacts): ObligationFacts {
  const a = into.substitute;
  const b = add.substitute;
  return {
    ...into,
    substitute:
      a && b
        ? {
            ...a,
            residents: a.residents + b.residents,
            noContact: a.noContact + b.noContact,
            allFailed: a.allFailed + b.allFailed,
            pushOnly: a.pushOnly + b.pushOnly,
            methodNotLawful: a.methodNotLawful + b.methodNotLawful,
            unreached: a.unreached + b.unreached,
          }
        : (a ?? b),
    residents: into.residents + add.residents,
    minors: into.minors + add.minors,
    under18: (into.under18 ?? into.minors) + (add.under18 ?? add.minors),
    categories: [...new Set([...into.categories, ...add.categories])].sort(),
    exposures: [
      ...(into.exposures ?? [{ categories: into.categories, residents: into.residents }]),
      ...(add.exposures ?? [{ categories: add.categories, residents: add.residents }]),
    ],
  };
}

/**
 * The rules of a jurisdiction on a day: the one it has (a subdivision's over its country's) and every
 * cumulative rule covering it, each in its version of that day.
 */
export function rulesFor(jurisdiction: string, on: Date, rules: readonly Rule[]): Rule[] {
  const main = ruleFor(
    jurisdiction,
    on,
    rules.filter((r) => !r.cumulative),
  );
  const extra = [...new Set(rules.filter((r) => r.cumulative).map((r) => r.id))].flatMap((id) => {
    const found = ruleFor(
      jurisdiction,
      on,
      rules.filter((r) => r.id === id),
    );
    return found ? [found] : [];
  });
  return main ? [main, ...extra] : extra;
}

/**
 * The obligations of an incident: for each jurisdiction in the affected set, the rule in effect on the day
 * of awareness, grouped by regulator (so that one authority gets one report for all the residents it
 * covers), each obligation with its clock, due date, and whether it applies and why. A jurisdiction with
 * no rule gets one obligation to decide by hand.
 */
export function computeObligations(
  facts: readonly JurisdictionFacts[],
  clocks: Clocks,
  rules: readonly Rule[],
  options: ComputeOptions,
): ComputedObligation[] {
  const groups = new Map<string, Group>();
  const unruled: JurisdictionFacts[] = [];
  const unseated: { entry: JurisdictionFacts; rule: Rule; hint: string }[] = [];
  for (const entry of facts) {
    const found = entry.jurisdiction ? rulesFor(entry.jurisdiction, clocks.awareness, rules) : [];
    if (!entry.jurisdiction || !found.some((rule) => !rule.cumulative)) unruled.push(entry);
    if (!entry.jurisdiction) continue;
    for (const rule of found) {
      const lead = leadOf(rule, entry.jurisdiction, options);
      if ('hint' in lead) {
        unseated.push({ entry, rule, hint: lead.hint });
        continue;
      }
      const regulator = regulatorOf(rule, lead.key);
      const id = `${rule.id}/${regulator.id}`;
      const group = groups.get(id);
      if (group) {
        group.jurisdictions.push(entry.jurisdiction);
        group.facts = merge(group.facts, entry);
      } else {
        const { jurisdiction: _jurisdiction, ...own } = entry;
        groups.set(id, { rule, regulator, jurisdictions: [entry.jurisdiction], facts: own });
      }
    }
  }
  const computed = [...groups.values()].flatMap((group) => obligationsOf(group, clocks));
  for (const entry of unruled) computed.push(byHand(entry, clocks.awareness));
  for (const { entry, rule, hint } of unseated)
    computed.push(byHandAuthority(entry, rule, hint, clocks.awareness));
  return computed.sort((a, b) => a.key.localeCompare(b.key));
}

/**
 * Whose regulator a jurisdiction's residents are reported to under a rule: the lead authority of the main
 * establishment (one-stop-shop), else their own; where the authority follows the company's seat inside the
 * country, the one configuration chose, or a hint to choose one.
 */
function leadOf(
  rule: Rule,
  jurisdiction: string,
  options: ComputeOptions,
): { key: string } | { hint: string } {
  const lead =
    options.euMainEstablishment && rule.jurisdictions.includes(options.euMainEstablishment)
      ? options.euMainEstablishment
      : jurisdiction;
  const country = lead.split('-')[0] ?? lead;
  const hint = rule.seatAuthority?.[country];
  if (!hint) return { key: lead };
  const seat = options.seats?.[country];
  return seat ? { key: seat } : { hint };
}

function obligationsOf(
  { rule, regulator, jurisdictions, facts }: Group,
  clocks: Clocks,
): ComputedObligation[] {
  // Who meets each of the rule's definitions, once for the group: thresholds count them.
  const { exposures: _exposures, ...kept } = facts;
  const meeting = Object.fromEntries(
    Object.entries(rule.definitions).map(([key, definition]) => [key, meetingOf(definition, facts)]),
  );
  const counted: ObligationFacts = { ...facts, meeting };
  const shown: ObligationFacts = { ...kept, meeting };
  const computed = rule.obligations.map((spec) => {
    const started = startOf(spec, jurisdictions, regulator, clocks);
    let applicable = true;
    let reason = 'applies to every breach';
    if (spec.when) {
      const result = checkCondition(spec.when, counted);
      applicable = result.holds !== false;
      reason =
        result.holds === null
          ? `assumed to apply until the facts are known: ${result.because}`
          : `${result.holds ? 'applies' : 'does not apply'}: ${result.because}`;
    }
    if (applicable) {
      for (const exemption of spec.exemptIf ?? []) {
        const result = checkCondition(exemption.condition, counted);
        if (result.holds === true) {
          applicable = false;
          reason = `exempt: ${exemption.reason} (${result.because})`;
          break;
        }
      }
    }
    const calendar =
      spec.deadline.kind === 'within' && spec.deadline.unit === 'businessDays'
        ? ` (${regulator.holidays.country}${regulator.holidays.state ? `-${regulator.holidays.state}` : ''} public holidays, ${regulator.timeZone})`
        : '';
    return {
      key: `${rule.id}/${regulator.id}/${spec.key}`,
      ruleId: rule.id,
      ruleVersion: rule.effectiveFrom,
      law: rule.law,
      jurisdictions: [...jurisdictions].sort(),
      audience: spec.audience,
      regulator: spec.audience === 'regulator' ? regulator : null,
      recipient:
        spec.recipient ??
        (spec.audience === 'regulator' ? regulator.name : `affected residents (${jurisdictions.join(', ')})`),
      phase: spec.phase ?? null,
      what: spec.what,
      clock: spec.clock,
      clockStartedAt: started,
      deadline:
        spec.deadline.kind === 'asap'
          ? `${spec.deadline.wording} after ${clockWords(spec)}`
          : `${describeDeadline(spec.deadline)} from ${clockWords(spec)}${calendar}`,
      dueAt: started ? dueAt(started, spec.deadline, regulator) : null,
      applicable,
      reason,
      facts: shown,
      sources: [...spec.sources],
    };
  });
  const individuals = computed.find((o) => o.audience === 'individuals' && o.applicable);
  const raised = individuals && publicNoticeOf(rule, individuals, clocks.awareness, shown);
  return raised ? [...computed, raised] : computed;
}

/** The clock's event in words, with the latest it starts where the obligation caps it. */
function clockWords(spec: ObligationSpec): string {
  const by = spec.startsBy;
  return by
    ? `${CLOCK_WORDS[spec.clock]}, or ${describeDeadline(by.within)} after awareness if that comes first`
    : CLOCK_WORDS[spec.clock];
}

/** When an obligation's clock started: its event, or the latest it starts by (`startsBy`) if earlier. */
function startOf(
  spec: ObligationSpec,
  jurisdictions: string[],
  regulator: Regulator,
  clocks: Clocks,
): Date | null {
  const started = clockStart(spec.clock, jurisdictions, regulator, clocks);
  if (spec.clock === 'determinationOrAwareness' && clocks.confirmed) {
    // A determination recorded after the due date counted from awareness does not move it: a deadline
    // missed is not made due again by confirming late (the rule's notes).
    const fromAwareness = dueAt(clocks.awareness, spec.deadline, regulator);
    if (fromAwareness && clocks.confirmed > fromAwareness) return clocks.awareness;
  }
  if (!spec.startsBy) return started;
  const by = dueAt(clocks.awareness, spec.startsBy.within, regulator);
  return started && by && started > by ? by : (started ?? by);
}

function clockStart(
  clock: ClockStart,
  jurisdictions: string[],
  regulator: Regulator,
  clocks: Clocks,
): Date | null {
  switch (clock) {
    case 'awareness':
    case 'discovery':
      return clocks.awareness;
    case 'determinationOrBelief':
      // Reason to believe comes with awareness at the latest; a confirmation recorded before it counts.
      return clocks.confirmed && clocks.confirmed < clocks.awareness ? clocks.confirmed : clocks.awareness;
    case 'determination':
    case 'assessment':
      return clocks.confirmed;
    case 'determinationOrAwareness':
      // No confirmation recorded: the obligation still has a due date, from awareness (the stricter reading).
      return clocks.confirmed ?? clocks.awareness;
    case 'individualsNotified': {
      const times = jurisdictions.flatMap((j) =>
        clocks.individualsNotified[j] ? [clocks.individualsNotified[j]] : [],
      );
      return times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : null;
    }
    case 'initialReportFiled':
      return clocks.initialReportFiled[regulator.id] ?? null;
  }
}

/**
 * When a decision by hand is due: 72 hours after awareness, the clock most breach laws give a regulator
 * (GDPR, the UK, Korea; Brazil's 3 business days are longer). A placeholder, not a law: without a due
 * date the deadline watch never alerts, and an unmodelled state's 30 days (Colorado's, say) or a
 * country's 72 hours would pass unwatched. Laws with shorter clocks (CERT-In's 6 hours, the CAC's) are
 * modelled and never land here.
 */
export const BY_HAND_HOURS = 72;
const BY_HAND_DEADLINE = `decide by hand, within ${BY_HAND_HOURS} hours of awareness (a placeholder: no rule sets one)`;
const byHandDue = (awareness: Date) => new Date(awareness.getTime() + BY_HAND_HOURS * 3_600_000);

/** Residents whose authority depends on a choice configuration did not make: decided by hand. */
function byHandAuthority(
  entry: JurisdictionFacts,
  rule: Rule,
  hint: string,
  awareness: Date,
): ComputedObligation {
  const { jurisdiction, exposures: _exposures, ...facts } = entry;
  const where = jurisdiction ?? 'unknown';
  return {
    key: `${rule.id}/${where}/authority`,
    ruleId: rule.id,
    ruleVersion: rule.effectiveFrom,
    law: rule.law,
    jurisdictions: jurisdiction ? [jurisdiction] : [],
    audience: 'other',
    regulator: null,
    recipient: 'the responders',
    phase: null,
    what: `Which authority ${where} residents are reported to is not configured: ${hint}. Until then, decide by hand and record the decision (met or waived with a reason).`,
    clock: 'awareness',
    clockStartedAt: awareness,
    deadline: BY_HAND_DEADLINE,
    dueAt: byHandDue(awareness),
    applicable: true,
    reason: 'the competent authority is not configured: decide by hand',
    facts,
    sources: [],
  };
}

function byHand(entry: JurisdictionFacts, awareness: Date): ComputedObligation {
  const { jurisdiction, exposures: _exposures, ...facts } = entry;
  const where = jurisdiction ?? 'unknown';
  return {
    key: `none/${where}/decide`,
    ruleId: null,
    ruleVersion: null,
    law: null,
    jurisdictions: jurisdiction ? [jurisdiction] : [],
    audience: 'other',
    regulator: null,
    recipient: 'the responders',
    phase: null,
    what: jurisdiction
      ? `No rule for ${jurisdiction} in the rules table: decide by hand whether a regulator or the ${facts.residents} residents must be told, then record the decision (met or waived with a reason).`
      : `${facts.residents} affected people have no known jurisdiction: find where they live, or decide by hand, and record the decision.`,
    clock: 'awareness',
    clockStartedAt: awareness,
    deadline: BY_HAND_DEADLINE,
    dueAt: byHandDue(awareness),
    applicable: true,
    reason: 'no rule: decide by hand',
    facts,
    sources: [],
  };
}

/**
 * The regulator whose calendar counts a jurisdiction's days: its own, or where configuration chooses it
 * (a German Land's authority) the rule's first, whose country's calendar it shares.
 */
const calendarOf = (rule: Rule, jurisdiction: string): Regulator =>
  findRegulatorOf(rule, jurisdiction) ?? regulatorsOf(rule)[0];

/**
 * When the individuals of a jurisdiction are due to be told, by its rules alone, as if they applied: the
 * due dates of its individuals' obligations whose clock starts at awareness (Brazil's 3 business days).
 * For a check made before the obligations were first computed (the deadline watch computes them within a
 * minute of a freeze), which takes the stricter side: as if the obligation applied.
 */
export function individualsDueByRule(jurisdiction: string, awareness: Date, rules: readonly Rule[]): Date[] {
  return rulesFor(jurisdiction, awareness, rules).flatMap((rule) =>
    rule.obligations.flatMap((spec) => {
      if (spec.audience !== 'individuals' || !['awareness', 'discovery'].includes(spec.clock)) return [];
      const due = dueAt(awareness, spec.deadline, calendarOf(rule, jurisdiction));
      return due ? [due] : [];
    }),
  );
}
