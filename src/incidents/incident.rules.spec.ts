import { allowedTransitions, canTransition, IncidentState, TRANSITIONS } from './incident.lifecycle.js';
import { checkCategories, checkTimes } from './incident.rules.js';

const now = new Date('2026-11-29T12:00:00Z');
const d = (iso: string) => new Date(iso);

describe('checkTimes', () => {
  it('accepts a breach in the right order', () => {
    expect(
      checkTimes(
        {
          occurredFrom: d('2026-11-01T00:00:00Z'),
          occurredTo: d('2026-11-02T00:00:00Z'),
          discoveredAt: d('2026-11-03T00:00:00Z'),
          containedAt: d('2026-11-03T06:00:00Z'),
        },
        now,
      ),
    ).toEqual([]);
  });

  it('refuses an end before the start, awareness or containment before the start, and the future', () => {
    const problems = checkTimes(
      {
        occurredFrom: d('2026-11-05T00:00:00Z'),
        occurredTo: d('2026-11-04T00:00:00Z'),
        discoveredAt: d('2026-11-01T00:00:00Z'),
        containedAt: d('2026-12-25T00:00:00Z'),
      },
      now,
    );
    expect(problems.map((p) => `${p.field}:${p.rule}`)).toEqual([
      'containedAt:notInFuture',
      'occurredTo:notBefore:occurredFrom',
      'discoveredAt:notBefore:occurredFrom',
    ]);
  });

  it('tolerates a few minutes of clock drift', () => {
    expect(checkTimes({ discoveredAt: new Date(now.getTime() + 60_000) }, now)).toEqual([]);
    expect(checkTimes({ discoveredAt: new Date(now.getTime() + 10 * 60_000) }, now)).toHaveLength(1);
  });
});

describe('checkCategories', () => {
  it('names each unknown category by its index', () => {
    expect(checkCategories(['logs', 'dna', 'logs', 'blood'], ['logs'])).toEqual([
      expect.objectContaining({ field: 'dataCategories.1', rule: 'isKnownCategory' }),
      expect.objectContaining({ field: 'dataCategories.3', rule: 'isKnownCategory' }),
    ]);
  });
});

describe('incident lifecycle', () => {
  it('only moves along the table, and closed is final', () => {
    expect(canTransition(IncidentState.Detected, IncidentState.Assessing)).toBe(true);
    expect(canTransition(IncidentState.Detected, IncidentState.Closed)).toBe(false);
    expect(canTransition(IncidentState.Confirmed, IncidentState.Dismissed)).toBe(false);
    expect(allowedTransitions(IncidentState.Closed)).toEqual([]);
  });

  it('every state is reachable from detected', () => {
    const seen = new Set<IncidentState>([IncidentState.Detected]);
    const queue = [IncidentState.Detected];
    while (queue.length) {
      for (const next of TRANSITIONS[queue.shift()!]) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    expect([...seen].sort()).toEqual(Object.values(IncidentState).sort());
  });
});
