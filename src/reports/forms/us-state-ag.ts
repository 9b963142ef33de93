import type { FormBuilder, FormContext } from './common.js';

// The fields the state Attorneys General ask for (Florida 501.171(3), the NY and Washington forms,
// California's sample copy): synopsis, dates, residents, PI types, services offered, the copy of the notice
// sent, contact; and what only some ask (Texas: the measures planned and whether law enforcement is
// investigating; Massachusetts: the steps planned and whether a written information security programme
// exists; Florida: the contact's postal address).
const BASIS = 'State AG breach report';
const TX = 'Tex. Bus. & Com. Code 521.053(i) (AG form)';
const MA = 'M.G.L. c. 93H s. 3 (AG and OCABR form)';
const FL = 'Fla. Stat. 501.171(3)(b)';

/** The tokens of a shared email, said as what each recipient's copy holds in their place. */
const TOKENS: Record<string, string> = {
  '%greeting_t%': 'placeholder.greeting',
  '%categories_t%': 'placeholder.categories',
  '%child_t%': 'placeholder.child',
  '%url%': 'placeholder.url',
  '%from%': 'placeholder.date',
  '%to%': 'placeholder.date',
  '%discovered%': 'placeholder.date',
  '%contained%': 'placeholder.date',
  '%noticedate%': 'placeholder.date',
};

/** Each notice variant sent to the residents covered, as sent: a header line, the subject, the text. */
function noticeCopies(ctx: FormContext): string | null {
  const copies = ctx.facts.noticeCopies;
  if (copies.length === 0) return null;
  return copies
    .map((copy) => {
      const text = copy.text.replace(/%[a-z_]+%/g, (token) =>
        TOKENS[token] ? `[${ctx.t(TOKENS[token])}]` : token,
      );
      const header = ctx.t('value.noticeCopy', {
        channel: ctx.t(`channel.${copy.channel}`),
        locale: copy.locale,
        variant: copy.variant || '-',
      });
      return [header, ...(copy.subject ? [copy.subject] : []), '', text].join('\n');
    })
    .join('\n\n');
}

export const usStateAg: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const covered = ctx.facts.jurisdictions;
  const residents = ctx.facts.affected
    ? covered.reduce((sum, j) => sum + (ctx.facts.affected?.byJurisdiction[j] ?? 0), 0)
    : null;
  const texas = covered.includes('US-TX');
  const massachusetts = covered.includes('US-MA');
  const florida = covered.includes('US-FL');
  const wisp = ctx.facts.organization.writtenSecurityProgram;
  return [
    ctx.section('us.breach', [
      ctx.field('us.synopsis', i.description, BASIS),
      ctx.field('us.cause', i.cause, BASIS),
      ctx.field('us.occurred', ctx.occurred(), BASIS),
      ctx.field('us.discovered', ctx.date(i.discoveredAt), BASIS),
      ctx.field('us.determined', ctx.date(i.confirmedAt), BASIS),
      ...(texas ? [ctx.field('us.lawEnforcement', ctx.yesNo(i.lawEnforcementInvestigating, false), TX)] : []),
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
      ...(texas || massachusetts
        ? [ctx.field('us.measuresPlanned', i.measuresPlanned, texas ? TX : MA)]
        : []),
      ...(massachusetts ? [ctx.field('us.wisp', wisp === null ? null : ctx.yesNo(wisp), MA)] : []),
      ctx.field('us.services', i.remedies, BASIS),
      ctx.field('us.noticeCopy', noticeCopies(ctx), BASIS),
      ctx.field('us.noticesSentAt', ctx.firstNoticeAt(), BASIS),
      ctx.field('us.contact', ctx.contactPoint(), BASIS),
      ...(florida ? [ctx.field('us.postalAddress', ctx.facts.organization.postalAddress, FL)] : []),
    ]),
  ];
};
