import type { FormBuilder } from './common.js';

const ART = 'LGPD art. 48 § 1º';
const RES = 'Resolução CD/ANPD nº 15/2024';

/** LGPD Art. 48 § 1 (I-VI) and the ANPD's form (Res. 15/2024): what the communication must hold. */
export const lgpdAnpd: FormBuilder = (ctx) => {
  const i = ctx.incident;
  return [
    ctx.section('lgpd.i', [
      ctx.field('lgpd.i.description', i.description, `${ART}, I`),
      ctx.field('lgpd.i.nature', ctx.nature(), `${ART}, I`),
      ctx.field('lgpd.i.categories', ctx.categories(), `${ART}, I`),
      ctx.field('lgpd.i.occurred', ctx.occurred(), RES),
      ctx.field('lgpd.i.discovered', ctx.date(i.discoveredAt), RES),
    ]),
    ctx.section('lgpd.ii', [
      ctx.field('lgpd.ii.holders', ctx.subjects(), `${ART}, II`),
      // "Crianças e adolescentes": under 18 (ECA Art. 2), from the birth dates held.
      ctx.field('lgpd.ii.minors', ctx.facts.children ? ctx.childrenUnder() : ctx.minors(), `${ART}, II`),
      ctx.field('lgpd.ii.records', i.approximateRecords, `${ART}, II`),
    ]),
    ctx.section('lgpd.iii', [
      // No "if any", and the stricter reading: not left to the complement (see BR_LGPD's notes).
      ctx.required('lgpd.iii.security', i.securityMeasuresBefore, `${ART}, III`),
      ctx.field('lgpd.iii.encryption', ctx.encryption(), `${ART}, III`),
    ]),
    ctx.section('lgpd.iv', [
      ctx.field('lgpd.iv.risks', i.likelyConsequences, `${ART}, IV`),
      ctx.field('lgpd.iv.riskLevel', ctx.join(ctx.risk(), i.riskReasoning), `${ART}, IV`),
    ]),
    ctx.section('lgpd.v', [ctx.field('lgpd.v.delayReasons', ctx.delayReasons(), `${ART}, V`)]),
    ctx.section('lgpd.vi', [
      ctx.field('lgpd.vi.measuresTaken', i.measuresTaken, `${ART}, VI`),
      ctx.field('lgpd.vi.measuresPlanned', i.measuresPlanned, `${ART}, VI`),
    ]),
    ctx.section('lgpd.contact', [
      ctx.field('lgpd.contact.dpo', ctx.facts.organization.dpoContact, RES),
      ctx.field('lgpd.contact.email', ctx.facts.organization.privacyContactEmail, RES),
    ]),
  ];
};
