import { formatReportDate, type FormBuilder } from './common.js';

const ART = 'PIPA Art. 34(1)';

/** Korea PIPA Art. 34(1) items, told to the subjects and reported to the PIPC or KISA. */
export const pipaPipc: FormBuilder = (ctx) => {
  const i = ctx.incident;
  return [
    ctx.section('pipa.report', [
      ctx.field('pipa.1.items', ctx.categories(), `${ART}(1)`),
      ctx.field('pipa.1.number', ctx.subjects(), 'PIPA Art. 34(3)'),
      ctx.field(
        'pipa.2.when',
        ctx.join(ctx.occurred(), ctx.t('value.discoveredAt', { at: formatReportDate(i.discoveredAt) })),
        `${ART}(2)`,
      ),
      ctx.field('pipa.2.circumstances', ctx.join(i.description, i.cause), `${ART}(2)`),
      ctx.field('pipa.3.selfProtection', i.adviceToIndividuals, `${ART}(3)`),
      ctx.field('pipa.4.response', i.measuresTaken, `${ART}(4)`),
      ctx.field('pipa.4.remedy', i.remedies, `${ART}(4)`),
      ctx.field('pipa.5.helpDesk', ctx.contactPoint(), `${ART}(5)`),
    ]),
  ];
};
