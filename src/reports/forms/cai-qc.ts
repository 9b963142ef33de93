import type { FormBuilder } from './common.js';

const REG = 'Règlement sur les incidents de confidentialité, art. 3';

/**
 * Quebec: the notice to the Commission d'accès à l'information of a confidentiality incident presenting a
 * risk of serious injury (private-sector Act s 3.5; Regulation respecting confidentiality incidents s 3),
 * written in French.
 */
export const caiQc: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const quebec = ctx.facts.affected?.byJurisdiction['CA-QC'] ?? null;
  return [
    ctx.section('cai.report', [
      ctx.field('cai.1.enterprise', ctx.facts.organization.name, `${REG}(1)`),
      ctx.field(
        'cai.2.contact',
        ctx.join(ctx.contactPoint(), ctx.facts.organization.postalAddress),
        `${REG}(2)`,
      ),
      ctx.field('cai.3.information', ctx.categories(), `${REG}(3)`),
      ctx.field('cai.4.circumstances', ctx.join(i.description, i.cause), `${REG}(4)`),
      ctx.field('cai.5.occurred', ctx.occurred(), `${REG}(5)`),
      ctx.field('cai.6.aware', ctx.date(i.discoveredAt), `${REG}(6)`),
      ctx.field('cai.7.persons', ctx.facts.allAffected, `${REG}(7)`),
      ctx.field('cai.7.quebec', quebec, `${REG}(7)`),
      ctx.field(
        'cai.8.seriousInjury',
        ctx.join(ctx.risk(), i.riskReasoning, i.likelyConsequences),
        `${REG}(8)`,
      ),
      ctx.field('cai.9.notices', ctx.join(ctx.handlingSummary(), ctx.firstNoticeAt()), `${REG}(9)`),
      ctx.field('cai.10.measures', ctx.join(i.measuresTaken, i.measuresPlanned), `${REG}(10)`),
      ctx.field('cai.11.others', i.otherOrganisationsTold, `${REG}(11)`),
    ]),
  ];
};
