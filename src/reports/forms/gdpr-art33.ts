import type { FormBuilder } from './common.js';

const ART = 'GDPR Art. 33';

/** GDPR Art. 33(3)(a)-(d), the reasons for a late report (33(1)) and the phase (33(4)). */
export const gdprArt33: FormBuilder = (ctx) => {
  const i = ctx.incident;
  return [
    ctx.section('gdpr.a', [
      ctx.field('gdpr.a.description', i.description, `${ART}(3)(a)`),
      ctx.field('gdpr.a.nature', ctx.nature(), `${ART}(3)(a)`),
      ctx.field('gdpr.a.cause', i.cause, `${ART}(3)(a)`),
      ctx.field('gdpr.a.occurred', ctx.occurred(), `${ART}(3)(a)`),
      ctx.field('gdpr.a.discovered', ctx.date(i.discoveredAt), `${ART}(1)`),
      ctx.field('gdpr.a.categories', ctx.categories(), `${ART}(3)(a)`),
      ctx.field('gdpr.a.subjects', ctx.subjects(), `${ART}(3)(a)`),
      ctx.field('gdpr.a.subjectCategories', ctx.subjectCategories(), `${ART}(3)(a)`),
      ctx.field('gdpr.a.records', i.approximateRecords, `${ART}(3)(a)`),
    ]),
    ctx.section('gdpr.b', [ctx.field('gdpr.b.contact', ctx.contactPoint(), `${ART}(3)(b)`)]),
    ctx.section('gdpr.c', [
      ctx.field('gdpr.c.consequences', i.likelyConsequences, `${ART}(3)(c)`),
      ctx.field('gdpr.c.risk', ctx.join(ctx.risk(), i.riskReasoning), `${ART}(3)(c)`),
    ]),
    ctx.section('gdpr.d', [
      ctx.field('gdpr.d.measuresTaken', i.measuresTaken, `${ART}(3)(d)`),
      ctx.field('gdpr.d.measuresPlanned', i.measuresPlanned, `${ART}(3)(d)`),
      ctx.field('gdpr.d.mitigation', ctx.join(i.adviceToIndividuals, i.remedies), `${ART}(3)(d)`),
    ]),
    ctx.section('gdpr.timing', [
      ctx.field('gdpr.timing.phase', ctx.phase(), `${ART}(4)`),
      ctx.field('gdpr.timing.late', ctx.yesNo(ctx.facts.late), `${ART}(1)`),
      ctx.field('gdpr.timing.delayReasons', ctx.delayReasons(), `${ART}(1)`),
    ]),
  ];
};
