import type { FormBuilder } from './common.js';

// The fields the state Attorneys General ask for (Florida 501.171(3), the NY and Washington forms,
// California's sample copy): synopsis, dates, residents, PI types, services offered, notice copy, contact.
const BASIS = 'State AG breach report';

export const usStateAg: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const residents = ctx.facts.affected
    ? ctx.facts.jurisdictions.reduce((sum, j) => sum + (ctx.facts.affected?.byJurisdiction[j] ?? 0), 0)
    : null;
  return [
    ctx.section('us.breach', [
      ctx.field('us.synopsis', i.description, BASIS),
      ctx.field('us.cause', i.cause, BASIS),
      ctx.field('us.occurred', ctx.occurred(), BASIS),
      ctx.field('us.discovered', ctx.date(i.discoveredAt), BASIS),
      ctx.field('us.determined', ctx.date(i.confirmedAt), BASIS),
    ]),
    ctx.section('us.residents', [
      ctx.field('us.residentsByJurisdiction', ctx.residents(), BASIS),
      ctx.field('us.residentsTotal', residents, BASIS),
    ]),
    ctx.section('us.information', [
      ctx.field('us.piTypes', ctx.categories(), BASIS),
      ctx.field('us.encryption', ctx.encryption(), BASIS),
    ]),
    ctx.section('us.response', [
      ctx.field('us.measures', i.measuresTaken, BASIS),
      ctx.field('us.services', i.remedies, BASIS),
      ctx.field('us.noticeCopy', ctx.t('value.noticeTemplate'), BASIS),
      ctx.field('us.noticesSentAt', ctx.firstNoticeAt(), BASIS),
      ctx.field('us.contact', ctx.contactPoint(), BASIS),
    ]),
  ];
};
