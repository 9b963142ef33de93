import { holdsOf } from './notice-ordering.js';

// Worked case: Singapore's individuals are told on or after the PDPC (PDPA s 26D(2)); nobody else waits.
describe('notice ordering', () => {
  const awareness = new Date('2026-11-04T09:15:00Z');
  const residents = new Map([
    ['SG', 3],
    ['GB', 5],
    ['US-CA', 2],
  ]);

  it('holds Singapore residents until the initial report to the PDPC is submitted', () => {
    expect(holdsOf(residents, awareness, new Set())).toEqual([
      expect.objectContaining({
        jurisdiction: 'SG',
        residents: 3,
        regulatorId: 'pdpc',
        afterReport: 'initial',
      }),
    ]);
  });

  it('releases them once it is, and a report to another regulator releases nothing', () => {
    expect(holdsOf(residents, awareness, new Set(['ico/initial']))).toHaveLength(1);
    expect(holdsOf(residents, awareness, new Set(['pdpc/follow-up']))).toHaveLength(1);
    expect(holdsOf(residents, awareness, new Set(['pdpc/initial']))).toEqual([]);
  });
});
