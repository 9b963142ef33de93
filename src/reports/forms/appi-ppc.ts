import type { FormBuilder } from './common.js';

const RULE = 'APPI Enforcement Rules, Rule 8(1)';

/** Japan APPI Art. 26, the PPC report's items (Rule 8(1)(i)-(ix)). */
export const appiPpc: FormBuilder = (ctx) => {
  const i = ctx.incident;
  return [
    ctx.section('appi.report', [
      ctx.field('appi.1.overview', i.description, `${RULE}(i)`),
      ctx.field('appi.1.occurred', ctx.occurred(), `${RULE}(i)`),
      ctx.field('appi.1.discovered', ctx.date(i.discoveredAt), `${RULE}(i)`),
      ctx.field('appi.2.items', ctx.categories(), `${RULE}(ii)`),
      ctx.field('appi.3.number', ctx.subjects(), `${RULE}(iii)`),
      ctx.field('appi.4.cause', i.cause, `${RULE}(iv)`),
      ctx.field('appi.4.cyberAttack', ctx.yesNo(i.cyberAttack), `${RULE}(iv)`),
      ctx.field('appi.5.secondaryHarm', i.likelyConsequences, `${RULE}(v)`),
      ctx.field(
        'appi.6.responseToPersons',
        ctx.join(ctx.handlingSummary(), i.adviceToIndividuals),
        `${RULE}(vi)`,
      ),
      ctx.field('appi.7.publication', ctx.publicNotice(), `${RULE}(vii)`),
      ctx.field('appi.8.prevention', i.measuresPlanned, `${RULE}(viii)`),
      ctx.field('appi.9.other', i.otherOrganisationsTold, `${RULE}(ix)`),
    ]),
  ];
};
