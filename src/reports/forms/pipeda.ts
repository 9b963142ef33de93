import type { FormBuilder } from './common.js';

const S2 = 'SOR/2018-64 s 2(1)';

/** Breach of Security Safeguards Regulations, s 2(1)(a)-(g). */
export const pipeda: FormBuilder = (ctx) => {
  const i = ctx.incident;
  return [
    ctx.section('pipeda.report', [
      ctx.field('pipeda.a.circumstances', i.description, `${S2}(a)`),
      ctx.field('pipeda.a.cause', i.cause, `${S2}(a)`),
      ctx.field('pipeda.b.period', ctx.occurred(), `${S2}(b)`),
      ctx.field('pipeda.b.determined', ctx.date(i.confirmedAt), `${S2}(b)`),
      ctx.field('pipeda.c.information', ctx.categories(), `${S2}(c)`),
      ctx.field('pipeda.d.number', ctx.subjects(), `${S2}(d)`),
      ctx.field('pipeda.e.steps', ctx.join(i.measuresTaken, i.measuresPlanned), `${S2}(e)`),
      ctx.field('pipeda.f.notification', ctx.join(ctx.handlingSummary(), ctx.publicNotice()), `${S2}(f)`),
      ctx.field('pipeda.g.contact', ctx.contactPoint(), `${S2}(g)`),
    ]),
  ];
};
