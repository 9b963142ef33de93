import type { FormBuilder } from './common.js';

const R = 'DPDP Rules 2025, Rule 7(2)';

/** India DPDP Rule 7(2): (a) at once, description and likely impact; (b) within 72 hours, (i)-(vi). */
export const dpdpBoard: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const attack = ctx.yesNo(i.cyberAttack);
  const extent = [
    ctx.subjects() === null ? null : ctx.t('value.impact.people', { count: ctx.subjects() ?? 0 }),
    i.approximateRecords === null ? null : ctx.t('value.impact.records', { count: i.approximateRecords }),
  ];
  return [
    ctx.section('dpdp.a', [
      ctx.field('dpdp.a.description', i.description, `${R}(a)`),
      ctx.field('dpdp.a.extent', ctx.join(...extent), `${R}(a)`),
      ctx.field('dpdp.a.timing', ctx.occurred(), `${R}(a)`),
      ctx.field('dpdp.a.location', i.systems, `${R}(a)`),
      ctx.field('dpdp.a.impact', i.likelyConsequences, `${R}(a)`),
    ]),
    ctx.section('dpdp.b', [
      ctx.field('dpdp.b.i.update', ctx.chronology(), `${R}(b)(i)`),
      ctx.field('dpdp.b.ii.facts', ctx.join(i.cause, i.howDiscovered), `${R}(b)(ii)`),
      ctx.field('dpdp.b.iii.mitigation', i.measuresTaken, `${R}(b)(iii)`),
      ctx.field(
        'dpdp.b.iv.findings',
        ctx.join(attack && ctx.t('value.cyberAttack', { answer: attack }), i.cause),
        `${R}(b)(iv)`,
      ),
      ctx.field('dpdp.b.v.prevention', i.measuresPlanned, `${R}(b)(v)`),
      ctx.field('dpdp.b.vi.notices', ctx.handlingSummary(), `${R}(b)(vi)`),
    ]),
  ];
};
