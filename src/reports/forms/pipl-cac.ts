import { formatReportDate, type FormBuilder } from './common.js';

const ART = 'PIPL Art. 57';
const MEASURES = 'CAC Incident Reporting Measures (2025)';

/** PIPL Art. 57 (1)-(3), and the fields of the CAC's incident reporting Measures. */
export const piplCac: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const impact = [
    ctx.subjects() === null ? null : ctx.t('value.impact.people', { count: ctx.subjects() ?? 0 }),
    i.approximateRecords === null ? null : ctx.t('value.impact.records', { count: i.approximateRecords }),
  ];
  return [
    ctx.section('pipl.57', [
      ctx.field('pipl.57.categories', ctx.categories(), `${ART}(1)`),
      ctx.field('pipl.57.cause', i.cause, `${ART}(1)`),
      ctx.field('pipl.57.harm', i.likelyConsequences, `${ART}(1)`),
      ctx.field('pipl.57.remedial', i.measuresTaken, `${ART}(2)`),
      ctx.field('pipl.57.individuals', i.adviceToIndividuals, `${ART}(2)`),
      ctx.field('pipl.57.contact', ctx.contactPoint(), `${ART}(3)`),
    ]),
    ctx.section('pipl.m', [
      ctx.field('pipl.m.unit', ctx.facts.organization.name, MEASURES),
      ctx.field(
        'pipl.m.time',
        ctx.join(ctx.occurred(), ctx.t('value.discoveredAt', { at: formatReportDate(i.discoveredAt) })),
        MEASURES,
      ),
      ctx.field('pipl.m.place', i.systems, MEASURES),
      ctx.field('pipl.m.type', ctx.nature(), MEASURES),
      ctx.field('pipl.m.cyberAttack', ctx.yesNo(i.cyberAttack), MEASURES),
      ctx.field('pipl.m.level', ctx.risk(), MEASURES),
      ctx.field('pipl.m.impact', ctx.join(...impact), MEASURES),
      ctx.field('pipl.m.measures', i.measuresTaken, MEASURES),
      ctx.field('pipl.m.cause', i.cause, MEASURES),
      ctx.field('pipl.m.next', i.measuresPlanned, MEASURES),
    ]),
  ];
};
