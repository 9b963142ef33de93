import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NoticeProfile, NoticeRequirement } from '../jurisdictions/rules/notice-profile.types.js';
import { compileShape, SECTIONS } from '../jurisdictions/rules/notice-profiles.js';
import { noticeSections, noticeTitle, type BodyInput, type Speaker } from './notice.body.js';
import { wordsFor } from './locales.js';
import { NoticeRenderer, TEMPLATES_DIR, type NoticeIncident } from './notice.renderer.js';

// The body reads a NoticeShape and knows no jurisdiction: each field of a shape, from a made-up profile,
// changes the notice as its profile type says. Strings are said as `[key]`, so the structure shows.

const speaker: Speaker = {
  say: (key) => `[${key}]`,
  sayWith: (key, words) => `[${key}: ${words}]`,
  sayEach: (key) => [`[${key}.1]`, `[${key}.2]`],
  own: (words) => (words?.trim() ? [words.trim()] : []),
  escape: (text) => text,
};

const INCIDENT: NoticeIncident = {
  description: 'desc',
  occurredFrom: new Date('2026-10-30T08:00:00Z'),
  occurredTo: null,
  discoveredAt: new Date('2026-11-04T23:30:00Z'),
  containedAt: null,
  likelyConsequences: 'impact',
  measuresTaken: 'taken',
  measuresPlanned: null,
  adviceToIndividuals: 'advice',
  remedies: 'remedies',
  location: 'there',
  lawEnforcementDelay: null,
};

const HEADINGS = Object.fromEntries(SECTIONS.map((s) => [s, `<${s}>`])) as BodyInput['headings'];

function body(requirements: NoticeRequirement[], over: Partial<BodyInput> = {}) {
  const profile: NoticeProfile = {
    jurisdiction: null,
    effectiveFrom: '2020-01-01',
    law: 'test',
    requirements: [{ kind: 'complaint', key: 'complaintX', sources: ['T'] }, ...requirements],
    sources: [{ key: 'T', citation: 'test', url: 'https://example.org', status: 'verified' }],
  };
  const shape = compileShape('XX', [profile], 'individual');
  const input: BodyInput = {
    shape,
    sections: SECTIONS,
    headings: HEADINGS,
    locale: 'de',
    incident: INCIDENT,
    words: wordsFor(over.incident ?? INCIDENT, 'person', null),
    dated: true,
    categories: ['cat'],
    ...over,
  };
  return { shape, sections: noticeSections(input, speaker) };
}

describe('the notice body, from a shape', () => {
  it('says the standard notice when a profile asks nothing more than where to complain', () => {
    const { sections } = body([]);
    expect(sections).toEqual([
      {
        heading: '<whatHappened>',
        paragraphs: ['desc', '[occurredSince]', '[discovered]', '[location]'],
        items: [],
      },
      { heading: '<whatInformation>', paragraphs: ['[dataIntro]'], items: ['cat'] },
      { heading: '<impact>', paragraphs: ['impact'], items: [] },
      { heading: '<whatWeAreDoing>', paragraphs: ['taken'], items: [] },
      {
        heading: '<whatYouCanDo>',
        paragraphs: ['advice'],
        items: ['[standardAdvice.1]', '[standardAdvice.2]'],
      },
      { heading: '<remedies>', paragraphs: ['remedies'], items: [] },
      { heading: '<moreInformation>', paragraphs: ['[contact]', '[complaintX]'], items: [] },
    ]);
  });

  it('leaves out the parts a profile omits, and adds its paragraphs before and after a section’s own', () => {
    const { sections } = body([
      { kind: 'omit', parts: ['discovered', 'standardAdvice', 'complaint'], sources: ['T'] },
      {
        kind: 'paragraphs',
        section: 'whatYouCanDo',
        at: 'start',
        say: [{ kind: 'say', key: 'first' }],
        sources: ['T'],
      },
      {
        kind: 'paragraphs',
        section: 'whatYouCanDo',
        at: 'end',
        say: [
          { kind: 'say', key: 'last' },
          { kind: 'dated', key: 'dated' },
          { kind: 'answer', fact: 'lawEnforcementDelay', yes: 'yes', no: 'no' },
        ],
        sources: ['T'],
      },
    ]);
    expect(sections[0].paragraphs).toEqual(['desc', '[occurredSince]', '[location]']);
    // The delay is not known: nothing said for it.
    expect(sections[4]).toEqual({
      heading: '<whatYouCanDo>',
      paragraphs: ['[first]', 'advice', '[last]', '[dated]'],
      items: [],
    });
    expect(sections[6].paragraphs).toEqual(['[contact]']);
  });

  it('says a dated paragraph only with a date, and an answer as the incident gives it', () => {
    const asks: NoticeRequirement[] = [
      {
        kind: 'paragraphs',
        section: 'whatHappened',
        at: 'end',
        say: [
          { kind: 'dated', key: 'dated' },
          { kind: 'answer', fact: 'lawEnforcementDelay', yes: 'yes', no: 'no' },
        ],
        sources: ['T'],
      },
    ];
    const happened = (over: Partial<BodyInput>) => body(asks, over).sections[0].paragraphs.slice(4);
    expect(happened({ dated: false })).toEqual([]);
    expect(happened({ incident: { ...INCIDENT, lawEnforcementDelay: true } })).toEqual(['[dated]', '[yes]']);
    expect(happened({ incident: { ...INCIDENT, lawEnforcementDelay: false } })).toEqual(['[dated]', '[no]']);
    expect(body(asks).shape.dated).toBe(true);
    expect(body([]).shape.dated).toBe(false);
  });

  it("says the responders' words for a fact a statute asks for, and nothing while there are none", () => {
    const asks: NoticeRequirement[] = [
      {
        kind: 'paragraphs',
        section: 'whatHappened',
        at: 'end',
        say: [
          { kind: 'words', field: 'cause', key: 'causeIs' },
          { kind: 'words', field: 'howDiscovered', key: 'foundBy' },
        ],
        sources: ['T'],
      },
    ];
    const happened = (incident: NoticeIncident) => body(asks, { incident }).sections[0].paragraphs.slice(4);
    expect(happened(INCIDENT)).toEqual([]);
    expect(happened({ ...INCIDENT, cause: ' A phished password. ', howDiscovered: '  ' })).toEqual([
      '[causeIs: A phished password.]',
    ]);
  });

  it('heads sections in the statute’s words, the notice’s own beside them in another language', () => {
    const statute: NoticeRequirement[] = [
      { kind: 'title', title: { words: 'Avis', language: 'fr' }, sources: ['T'] },
      {
        kind: 'headings',
        headings: { words: { whatHappened: 'Faits', moreInformation: 'Contact' }, language: 'fr' },
        merge: { impact: 'whatHappened', whatYouCanDo: 'moreInformation' },
        sources: ['T'],
      },
    ];
    const german = body(statute);
    expect(german.sections).toEqual([
      {
        heading: 'Faits (<whatHappened>)',
        paragraphs: ['desc', '[occurredSince]', '[discovered]', '[location]', 'impact'],
        items: [],
      },
      {
        heading: 'Contact (<moreInformation>)',
        paragraphs: ['[contact]', '[complaintX]', 'advice'],
        items: ['[standardAdvice.1]', '[standardAdvice.2]'],
      },
    ]);
    expect(noticeTitle(german.shape, 'de', 'Hinweis', speaker)).toBe('Avis (Hinweis)');
    const french = body(statute, { locale: 'fr-CA' });
    expect(french.sections.map((s) => s.heading)).toEqual(['Faits', 'Contact']);
    expect(noticeTitle(french.shape, 'fr-CA', 'Avis de brèche', speaker)).toBe('Avis');
    expect(noticeTitle(body([]).shape, 'de', 'Hinweis', speaker)).toBe('Hinweis');
  });
});

describe('the renderer at start', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'templates-'));
    cpSync(TEMPLATES_DIR, root, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const edit = (path: string, change: (json: Record<string, unknown>) => void) => {
    const json = JSON.parse(readFileSync(join(root, path), 'utf8')) as Record<string, unknown>;
    change(json);
    writeFileSync(join(root, path), JSON.stringify(json));
  };

  it('starts on the templates as they are', () => {
    expect(() => new NoticeRenderer(root)).not.toThrow();
  });

  it('refuses a locale without a string a notice profile says', () => {
    edit('_shared/locales/ja.json', (json) => delete json.newYorkAgencies);
    expect(() => new NoticeRenderer(root)).toThrow(
      /breach-notice\/ja: no string newYorkAgencies, which a notice profile says/,
    );
  });

  it('refuses a locale without a label for a built-in data category', () => {
    edit('breach-notice-guardian/locales/fr.json', (json) => {
      delete (json.categories as Record<string, string>).email_address;
    });
    expect(() => new NoticeRenderer(root)).toThrow(
      /breach-notice-guardian\/fr: no label for the data categories email_address/,
    );
  });

  it('refuses a template with a section the notice does not know', () => {
    edit('breach-notice/template.json', (json) => (json.sections as string[]).push('whoWeAre'));
    expect(() => new NoticeRenderer(root)).toThrow(/breach-notice\/template.json: unknown sections whoWeAre/);
  });
});
