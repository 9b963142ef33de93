import { CN_INCIDENT_GRADES, cnIncidentGrade } from '../../jurisdictions/rules/china.rules.js';
import { formatReportDate, type FormBuilder } from './common.js';

const ART = 'PIPL Art. 57';
const MEASURES = 'CAC Incident Reporting Measures (2025)';
const GRADING = 'CAC Incident Reporting Measures (2025), grading guide';

/**
 * PIPL Art. 57 (1)-(3), and the fields of the CAC's incident reporting Measures: the incident graded on the
 * Measures' own scale, and its timing judged by the deadline that applied under Chinese law.
 */
export const piplCac: FormBuilder = (ctx) => {
  const i = ctx.incident;
  const people = ctx.subjects();
  const impact = [
    people === null ? null : ctx.t('value.impact.people', { count: people }),
    i.approximateRecords === null ? null : ctx.t('value.impact.records', { count: i.approximateRecords }),
  ];
  const grade = people === null ? null : cnIncidentGrade(people);
  const words = CN_INCIDENT_GRADES.find((g) => g.grade === grade)?.words;
  return [
    ctx.section('pipl.57', [
      ctx.field('pipl.57.categories', ctx.categories(), `${ART}(1)`),
      ctx.field('pipl.57.cause', i.cause, `${ART}(1)`),
      ctx.field('pipl.57.harm', i.likelyConsequences, `${ART}(1)`),
      ctx.field('pipl.57.remedial', i.measuresTaken, `${ART}(2)`),
      ctx.field('pipl.57.individuals', i.adviceToIndividuals, `${ART}(2)`),
      ctx.field('pipl.57.contact', ctx.contactPoint(), `${ART}(3)`),
    ]),
    ctx.section('pipl.m', [
      ctx.field('pipl.m.unit', ctx.facts.organization.name, MEASURES),
      ctx.field(
        'pipl.m.time',
        ctx.join(ctx.occurred(), ctx.t('value.discoveredAt', { at: formatReportDate(i.discoveredAt) })),
        MEASURES,
      ),
      ctx.field('pipl.m.place', i.systems, MEASURES),
      ctx.field('pipl.m.type', ctx.nature(), MEASURES),
      ctx.field('pipl.m.cyberAttack', ctx.yesNo(i.cyberAttack), MEASURES),
      ctx.field(
        'pipl.m.level',
        grade === null
          ? null
          : // The Measures' own words: as they are in Chinese, beside the grade's name in another language.
            ctx.labels.language.startsWith('zh')
            ? ctx.t(`cnGrade.${grade}`)
            : ctx.t('value.cnGrade', { grade: ctx.t(`cnGrade.${grade}`), words: words ?? '' }),
        GRADING,
      ),
      ctx.field('pipl.m.impact', ctx.join(...impact), MEASURES),
      ctx.field('pipl.m.measures', i.measuresTaken, MEASURES),
      ctx.field('pipl.m.cause', i.cause, MEASURES),
      ctx.field('pipl.m.next', i.measuresPlanned, MEASURES),
    ]),
    ctx.section('pipl.timing', [
      ctx.field('pipl.timing.deadline', ctx.deadline(), ctx.facts.deadline.basis),
      ctx.field('pipl.timing.late', ctx.yesNo(ctx.facts.late), ctx.facts.deadline.basis),
      ctx.field('pipl.timing.delayReasons', ctx.delayReasons(), ctx.facts.deadline.basis),
    ]),
  ];
};
