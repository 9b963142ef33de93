import type { FormBuilder } from './common.js';

const S26WK = 'Privacy Act 1988 s 26WK';

/** The OAIC's notifiable data breach statement: Part 1 (mandatory, also told to individuals), Part 2. */
export const auOaic: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const org = ctx.facts.organization;
  return [
    ctx.section('au.1', [
      ctx.field('au.1.identity', ctx.join(org.name, ctx.contactPoint()), `${S26WK}(3)(a)`),
      ctx.field('au.1.description', i.description, `${S26WK}(3)(b)`),
      ctx.field('au.1.kinds', ctx.categories(), `${S26WK}(3)(c)`),
      ctx.field('au.1.steps', i.adviceToIndividuals, `${S26WK}(3)(d)`),
    ]),
    ctx.section('au.2', [
      ctx.field('au.2.contactPerson', org.dpoContact, 'OAIC form, part 2'),
      ctx.field('au.2.occurred', ctx.occurred(), 'OAIC form, part 2'),
      ctx.field('au.2.discovered', ctx.date(i.discoveredAt), 'OAIC form, part 2'),
      ctx.field('au.2.cause', i.cause, 'OAIC form, part 2'),
      ctx.field('au.2.number', ctx.subjects(), 'OAIC form, part 2'),
      ctx.field('au.2.response', ctx.join(i.measuresTaken, i.measuresPlanned), 'OAIC form, part 2'),
      ctx.field('au.2.assistance', i.remedies, 'OAIC form, part 2'),
      ctx.field('au.2.thirdParties', i.otherOrganisationsTold, 'OAIC form, part 2'),
      ctx.field('au.2.notification', ctx.handlingSummary(), 'OAIC form, part 2'),
    ]),
  ];
};
