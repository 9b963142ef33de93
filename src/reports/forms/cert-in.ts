import type { FormBuilder } from './common.js';

// The CERT-In Directions of 28 April 2022 ask for incidents to be reported on CERT-In's incident reporting
// format; its items here are recalled (rules: IN_CERT_IN, unverified), so each is marked as such.
const FORMAT = 'CERT-In Directions 2022, incident reporting format (recalled)';

/** India: the report to CERT-In within 6 hours of noticing a cyber security incident. */
export const certIn: FormBuilder = (ctx) => {
  const i = ctx.incident;
  return [
    ctx.section('cert.report', [
      ctx.field('cert.organisation', ctx.facts.organization.name, FORMAT),
      ctx.field('cert.contact', ctx.join(ctx.contactPoint(), ctx.facts.organization.postalAddress), FORMAT),
      ctx.field('cert.type', ctx.nature(), FORMAT),
      ctx.field('cert.occurred', ctx.occurred(), FORMAT),
      ctx.field('cert.detected', ctx.date(i.discoveredAt), FORMAT),
      ctx.field('cert.systems', i.systems, FORMAT),
      ctx.field('cert.description', ctx.join(i.description, i.cause), FORMAT),
      ctx.field('cert.cyberAttack', ctx.yesNo(i.cyberAttack, true), FORMAT),
      ctx.field('cert.data', ctx.categories(), FORMAT),
      ctx.field('cert.actions', ctx.join(i.measuresTaken, i.measuresPlanned), FORMAT),
    ]),
  ];
};
