import type { FormBuilder } from './common.js';

const REG = 'PDP (Notification of Data Breaches) Regulations 2021, reg 5';

/** Singapore PDPA s 26B-D: the PDPC notification form's fields (reg 5 of the 2021 Regulations). */
export const pdpaPdpc: FormBuilder = (ctx) => {
  const i = ctx.incident;
  return [
    ctx.section('pdpa.breach', [
      ctx.field('pdpa.discovered', ctx.date(i.discoveredAt), REG),
      ctx.field('pdpa.howDiscovered', i.howDiscovered, REG),
      ctx.field('pdpa.assessed', ctx.date(i.confirmedAt), REG),
      ctx.field('pdpa.occurred', ctx.occurred(), REG),
      ctx.field('pdpa.how', ctx.join(i.description, i.cause), REG),
      ctx.field('pdpa.chronology', ctx.chronology(), REG),
    ]),
    ctx.section('pdpa.impact', [
      ctx.field('pdpa.number', ctx.subjects(), REG),
      ctx.field('pdpa.minors', ctx.minors(), REG),
      ctx.field('pdpa.data', ctx.categories(), REG),
      ctx.field('pdpa.harm', i.likelyConsequences, REG),
    ]),
    ctx.section('pdpa.response', [
      ctx.field('pdpa.mitigation', ctx.join(i.measuresTaken, i.measuresPlanned), REG),
      ctx.field('pdpa.notification', ctx.handlingSummary(), REG),
      ctx.field('pdpa.contact', ctx.contactPoint(), REG),
    ]),
  ];
};
