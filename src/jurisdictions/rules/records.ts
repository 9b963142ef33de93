import type { Rule } from './rule.types.js';

/** How long the law keeps a breach's record, over the rules of the jurisdictions it touched. */
export interface RecordKeeping {
  /** The end of the longest period; null when a rule that asks for a record sets none (kept for good). */
  until: Date | null;
  /** Each rule that asks for a record: what, and until when (null: no period). */
  rules: { ruleId: string; law: string; what: string; until: Date | null; sources: string[] }[];
}

const addPeriod = (from: Date, keep: { years?: number; months?: number }): Date => {
  const date = new Date(from);
  date.setUTCMonth(date.getUTCMonth() + (keep.years ?? 0) * 12 + (keep.months ?? 0));
  return date;
};

/**
 * The longest record-keeping the rules ask for a breach aware at `awareness` and determined at
 * `determination` (null: not yet, so its period has not started: the record is kept meanwhile).
 */
export function recordKeeping(
  rules: readonly Rule[],
  awareness: Date,
  determination: Date | null,
): RecordKeeping {
  const asking = [...new Map(rules.filter((r) => r.records).map((r) => [r.id, r])).values()];
  const kept = asking.map((rule) => {
    const { what, keep, sources } = rule.records!;
    const start = keep?.from === 'determination' ? determination : awareness;
    return {
      ruleId: rule.id,
      law: rule.law,
      what,
      until: keep && start ? addPeriod(start, keep) : null,
      sources: [...sources],
    };
  });
  const open = kept.some((k) => k.until === null);
  const ends = kept.flatMap((k) => (k.until ? [k.until.getTime()] : []));
  return { until: open || ends.length === 0 ? null : new Date(Math.max(...ends)), rules: kept };
}
