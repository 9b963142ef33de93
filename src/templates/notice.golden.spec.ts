import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NoticeRenderer, type NoticeFacts, type NoticeIncident } from './notice.renderer.js';

// Every notice as it renders today, kept as digests: each template, in each of its locales and a few that
// fall back, for a jurisdiction of each notice variant, over three sets of facts that take every branch
// (dates present and absent, law-enforcement delay yes / no / unknown, names with tokens and markup, the
// responders' words translated, their guardian's and Massachusetts versions). The whole email (render and the batch's shared email with the person's
// substitutions), the SMS and the push count. A refactoring of the renderer must leave every digest as it
// is; a change to a notice's words changes some, on purpose: then regenerate with
// `NOTICE_GOLDEN=write` and say in the commit which notices change and why.

const GOLDEN = join(__dirname, 'notice.golden.json');
const renderer = new NoticeRenderer();

/** A jurisdiction for each notice variant (and two for the variant of every other jurisdiction). */
const JURISDICTIONS = [
  'US-CA',
  'US-MA',
  'US-NY',
  'US-TX',
  'US-WA',
  'CA-ON',
  'CA-QC',
  'KR',
  'BR',
  'SG',
  'JP',
  'CN',
  'IN',
  'DE',
  null,
];
/** Locales the templates do not have, each falling back along its chain. */
const FALLING_BACK = ['fr-CA', 'pt-PT', 'zh-CN', 'ko-KR', 'it', null];

const FULL: NoticeIncident = {
  description: 'What happened, in the responders’ words.',
  occurredFrom: new Date('2026-10-30T08:00:00Z'),
  occurredTo: new Date('2026-11-02T18:00:00Z'),
  discoveredAt: new Date('2026-11-04T23:30:00Z'),
  containedAt: new Date('2026-11-05T06:00:00Z'),
  likelyConsequences: 'What it may mean.',
  measuresTaken: 'What was done.',
  measuresPlanned: 'What will be done.',
  adviceToIndividuals: 'What to do.',
  remedies: 'What is offered.',
  location: 'The photo service, eu-west.',
  lawEnforcementDelay: true,
  securityMeasuresBefore: 'How it was protected.',
  noticeDelayReasons: 'Why it is late.',
  howDiscovered: 'How it was found.',
  cause: 'What caused it.',
  guardianWords: {
    description: 'What happened, to the guardian.',
    likelyConsequences: 'What it may mean for the child.',
    measuresTaken: 'What was done.',
    adviceToIndividuals: 'What the guardian can do.',
    remedies: 'What is offered to the child.',
  },
  massachusettsWords: {
    measuresTaken: 'What was done, without the nature of it.',
    remedies: 'What is offered.',
    guardian: { remedies: 'What is offered to the child.' },
  },
};

const SPARSE: NoticeIncident = {
  description: null,
  occurredFrom: new Date('2026-10-30T08:00:00Z'),
  occurredTo: null,
  discoveredAt: new Date('2026-11-04T23:30:00Z'),
  containedAt: null,
  likelyConsequences: 'What it may mean.',
  measuresTaken: '  What was done, with spaces around.  ',
  measuresPlanned: null,
  adviceToIndividuals: null,
  remedies: 'What is offered.',
  location: '   ',
  lawEnforcementDelay: false,
};

const HOSTILE: NoticeIncident = {
  description: 'About 20% of %url% users; see \u0001url\u0001 <b>now</b> & {{org}}',
  occurredFrom: null,
  occurredTo: null,
  discoveredAt: new Date('2026-11-04T23:30:00Z'),
  containedAt: new Date('2026-11-05T06:00:00Z'),
  likelyConsequences: 'Impact %to%',
  measuresTaken: 'Taken',
  measuresPlanned: 'Planned',
  adviceToIndividuals: 'Advice {{#each x}}',
  remedies: 'Remedies',
  location: 'Room %to% \u0001from\u0001',
  lawEnforcementDelay: null,
  cause: 'Cause %url% <i>',
  howDiscovered: '{{org}} \u0001url\u0001',
  guardianWords: { description: 'To the guardian %url%', remedies: 'Remedies for the child' },
  massachusettsWords: { adviceToIndividuals: 'Advice %to%', guardian: { adviceToIndividuals: 'Advice' } },
  translations: {
    de: {
      description: 'Was geschah',
      remedies: 'Abhilfe',
      location: 'Raum 5',
      guardianWords: { description: 'Was dem Kind geschah' },
      massachusettsWords: { guardian: { adviceToIndividuals: 'Rat' } },
    },
    pt: { description: 'O que aconteceu' },
    'pt-BR': { remedies: 'Reparação' },
    'fr-CA': { likelyConsequences: 'Conséquences' },
    'zh-TW': { description: '繁體' },
    'zh-SG': { description: '简体', cause: '原因' },
  },
};

const FACTS: Record<string, Omit<NoticeFacts, 'locale' | 'jurisdiction'>> = {
  full: {
    organization: 'Ai Art',
    contactEmail: 'privacy@example.com',
    url: 'http://localhost:3000/n/Q1w2E3r4T5y6U7i8O9p0Aa',
    name: 'Ana Silva',
    child: 'Bia Silva',
    timeZone: 'America/Sao_Paulo',
    exposed: ['camera_data', 'device_identifiers', 'account_credentials'],
    incident: FULL,
    sentAt: new Date('2026-11-19T10:00:00Z'),
  },
  sparse: {
    organization: 'Ai Art',
    contactEmail: 'privacy@example.com',
    url: 'http://localhost:3000/n/AAAAAAAAAAAAAAAAAAAAAA',
    name: null,
    child: null,
    timeZone: null,
    exposed: ['logs', 'brand_new_category'],
    incident: SPARSE,
    sentAt: null,
  },
  hostile: {
    organization: 'Ai & <Art> 100%',
    contactEmail: 'privacy@example.com',
    url: 'https://notices.example/n/%url%',
    name: '<b>%url%</b> & {{x}} \u0001child_t\u0001',
    child: '%greeting_h%',
    timeZone: 'Asia/Tokyo',
    exposed: ['device_info', 'personal_identifiers'],
    incident: HOSTILE,
    sentAt: new Date('2026-11-20T23:59:00Z'),
  },
};

/** An object with its keys in order, so a digest does not depend on the order they were added in. */
const sorted = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

function digests(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const template of renderer.names) {
    for (const locale of [...renderer.locales(template), ...FALLING_BACK]) {
      for (const jurisdiction of JURISDICTIONS) {
        for (const [set, base] of Object.entries(FACTS)) {
          const facts: NoticeFacts = { ...base, locale, jurisdiction };
          const everything = {
            render: renderer.render(template, facts),
            shared: renderer.renderShared(template, facts),
            substitutions: sorted(renderer.substitutions(template, facts)),
            short: renderer.renderShort(template, facts),
          };
          const key = `${template}|${locale ?? '-'}|${jurisdiction ?? '-'}|${set}`;
          out[key] = createHash('sha256').update(JSON.stringify(everything)).digest('hex');
        }
      }
    }
  }
  return out;
}

describe('notices, byte for byte', () => {
  it('renders every template, locale, variant and set of facts exactly as recorded', () => {
    const now = digests();
    if (process.env.NOTICE_GOLDEN === 'write') writeFileSync(GOLDEN, `${JSON.stringify(now, null, 2)}\n`);
    const recorded = JSON.parse(readFileSync(GOLDEN, 'utf8')) as Record<string, string>;
    expect(Object.keys(now).length).toBeGreaterThan(600);
    const changed = Object.keys(recorded).filter((key) => now[key] !== recorded[key]);
    expect(changed).toEqual([]);
    expect(Object.keys(now).sort()).toEqual(Object.keys(recorded).sort());
  });
});
