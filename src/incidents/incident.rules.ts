import type { FieldProblem } from '../common/errors.js';

export interface IncidentTimes {
  occurredFrom?: Date | null;
  occurredTo?: Date | null;
  discoveredAt?: Date | null;
  containedAt?: Date | null;
}

/** Clocks drift: a time up to this far ahead of ours is still "now". */
const FUTURE_TOLERANCE_MS = 5 * 60 * 1000;

/**
 * The order the facts of a breach must be in: it ends after it starts, nobody becomes aware of it or
 * contains it before it starts, and none of it is in the future.
 */
export function checkTimes(times: IncidentTimes, now: Date): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const limit = now.getTime() + FUTURE_TOLERANCE_MS;
  for (const field of ['occurredFrom', 'occurredTo', 'discoveredAt', 'containedAt'] as const) {
    const value = times[field];
    if (value && value.getTime() > limit) {
      problems.push({ field, rule: 'notInFuture', message: `${field} must not be in the future` });
    }
  }
  const from = times.occurredFrom;
  const after = (field: 'occurredTo' | 'discoveredAt' | 'containedAt', verb: string) => {
    const value = times[field];
    if (from && value && value.getTime() < from.getTime()) {
      problems.push({
        field,
        rule: 'notBefore:occurredFrom',
        message: `${field} must not be before occurredFrom (${verb})`,
      });
    }
  };
  after('occurredTo', 'a breach ends after it starts');
  after('discoveredAt', 'awareness cannot precede the breach');
  after('containedAt', 'containment cannot precede the breach');
  return problems;
}

export function checkCategories(
  categories: readonly string[] | undefined,
  known: readonly string[],
): FieldProblem[] {
  return (categories ?? []).flatMap((category, index) =>
    known.includes(category)
      ? []
      : [
          {
            field: `dataCategories.${index}`,
            rule: 'isKnownCategory',
            message: `"${category.slice(0, 64)}" is not a known data category (known: ${known.join(', ')})`,
          },
        ],
  );
}
