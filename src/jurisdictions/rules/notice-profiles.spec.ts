import { isKnownJurisdiction, knownJurisdictions } from '../codes.js';
import type { NoticeProfile, SectionName } from './notice-profile.types.js';
import {
  compileShape,
  NOTICE_PROFILES,
  noticeShape,
  noticeVariant,
  NoticeProfileTable,
  SECTIONS,
  type NoticeShape,
} from './notice-profiles.js';
import { DEFAULT_NOTICE } from './standard-notice.js';

// A worked case per notice profile: a jurisdiction in, what its notice is made of out (the shape the
// renderer reads); the rendered notices are in src/templates (notice.renderer.spec.ts for what each says,
// notice.golden.spec.ts byte for byte). Then the table's own rules: layering, versions, citations.

const SENT = new Date('2026-11-19T10:00:00Z');

/** The paragraphs a shape adds, per section, as `kind:key` (nothing for sections it adds none to). */
function added(shape: NoticeShape): Partial<Record<SectionName, { start: string[]; end: string[] }>> {
  const out: Partial<Record<SectionName, { start: string[]; end: string[] }>> = {};
  const name = (s: NoticeShape['added'][SectionName]['start'][number]) =>
    s.kind === 'answer'
      ? `answer:${s.fact}:${s.yes}|${s.no}`
      : s.kind === 'words'
        ? `words:${s.field}:${s.key}`
        : `${s.kind}:${s.key}`;
  for (const section of SECTIONS) {
    const { start, end } = shape.added[section];
    if (start.length + end.length > 0) out[section] = { start: start.map(name), end: end.map(name) };
  }
  return out;
}

/** Where each section goes, only for those that do not stay under their own heading. */
const moved = (shape: NoticeShape) =>
  Object.fromEntries(Object.entries(shape.placement).filter(([section, into]) => section !== into));

describe('notice profiles: worked cases', () => {
  it('every other jurisdiction: the standard notice, and its data protection authority', () => {
    for (const jurisdiction of ['DE', 'GB', 'FR', 'AU', null]) {
      const shape = noticeShape(jurisdiction, SENT);
      expect(shape).toMatchObject({ variant: '', title: null, headings: null, complaint: 'complaint' });
      expect(shape.profiles).toEqual(['default@2018-05-25']);
      expect([...shape.omitted]).toEqual([]);
      expect(added(shape)).toEqual({});
      expect(moved(shape)).toEqual({});
      expect(shape.dated).toBe(false);
      expect(shape.required).toEqual([]);
    }
  });

  it('a US state without a profile: the FTC and its Attorney General, in place of an authority', () => {
    const shape = noticeShape('US-TX', SENT);
    expect(shape).toMatchObject({ variant: 'US', title: null, complaint: 'complaintUS', dated: false });
    expect(shape.profiles).toEqual(['default@2018-05-25', 'US@2003-07-01']);
    expect(noticeShape('US', SENT)).toBe(shape);
  });

  it("California: the statute's title and five headings, nothing between them, its date, a police delay", () => {
    const shape = noticeShape('US-CA', SENT);
    expect(shape.variant).toBe('US-CA');
    expect(shape.title).toEqual({ words: 'Notice of Data Breach', language: 'en' });
    expect(shape.headings).toEqual({
      words: {
        whatHappened: 'What Happened',
        whatInformation: 'What Information Was Involved',
        whatWeAreDoing: 'What We Are Doing',
        whatYouCanDo: 'What You Can Do',
        moreInformation: 'For More Information',
      },
      language: 'en',
    });
    expect(moved(shape)).toEqual({ impact: 'whatHappened', remedies: 'whatWeAreDoing' });
    expect(added(shape)).toEqual({
      whatHappened: {
        start: ['dated:noticeDate'],
        end: ['answer:lawEnforcementDelay:delayedByLawEnforcement|notDelayedByLawEnforcement'],
      },
    });
    expect(shape.dated).toBe(true);
    // Over the US profile: the FTC stays.
    expect(shape.complaint).toBe('complaintUS');
    expect(shape.profiles).toEqual(['default@2018-05-25', 'US@2003-07-01', 'US-CA@2016-01-01']);
    expect(shape.sources).toEqual(['PP', 'FL1', 'WA1', 'CA2']);
    // The public Security Notice (issue 16) has the title and headings, and nothing said to a person.
    const posted = noticeShape('US-CA', SENT, 'public');
    expect(posted.title).toEqual(shape.title);
    expect(posted.headings).toEqual(shape.headings);
    expect(added(posted)).toEqual({});
    expect(posted.complaint).toBeNull();
  });

  it('Massachusetts: the police report and the free freeze, never the nature of the breach', () => {
    const shape = noticeShape('US-MA', SENT);
    expect(shape.variant).toBe('US-MA');
    expect([...shape.omitted].sort()).toEqual(['description', 'location']);
    expect(added(shape)).toEqual({
      whatYouCanDo: { start: [], end: ['say:massachusettsPoliceReport', 'say:massachusettsFreeze'] },
    });
    expect(shape).toMatchObject({ title: null, headings: null, complaint: 'complaintUS', dated: false });
    // The responders' words only in the incident's Massachusetts version.
    expect(shape.wordsVersion).toBe('massachusetts');
    expect(noticeShape('US-NY', SENT).wordsVersion).toBeNull();
  });

  it("New York: the state and federal agencies' numbers and websites, after whom to ask", () => {
    const shape = noticeShape('US-NY', SENT);
    expect(shape.variant).toBe('US-NY');
    expect(added(shape)).toEqual({ moreInformation: { start: [], end: ['say:newYorkAgencies'] } });
    expect(shape.complaint).toBe('complaintUS');
    expect(shape.sources).toEqual(['PP', 'FL1', 'WA1', 'NY5']);
  });

  it("Canada: the company's complaint process and the Privacy Commissioner; Quebec: the CAI as well", () => {
    const ontario = noticeShape('CA-ON', SENT);
    expect(ontario).toMatchObject({ variant: 'CA', complaint: 'complaintCanada' });
    expect(added(ontario)).toEqual({ moreInformation: { start: [], end: ['say:complaintProcessCanada'] } });
    expect(ontario.sources).toEqual(['PP', 'CAN4']);
    expect(noticeShape('CA', SENT)).toBe(ontario);
    const quebec = noticeShape('CA-QC', SENT);
    expect(quebec).toMatchObject({ variant: 'CA-QC', complaint: 'complaintQuebec', title: null });
    expect(added(quebec)).toEqual(added(ontario));
    expect(quebec.profiles).toEqual(['default@2018-05-25', 'CA@2018-11-01', 'CA-QC@2022-09-22']);
  });

  it("Washington: the credit reporting agencies' toll-free numbers and addresses", () => {
    const shape = noticeShape('US-WA', SENT);
    expect(shape).toMatchObject({ variant: 'US-WA', complaint: 'complaintUS', title: null });
    expect(added(shape)).toEqual({ whatYouCanDo: { start: [], end: ['say:washingtonCreditAgencies'] } });
    expect(shape.sources).toEqual(['PP', 'FL1', 'WA1', 'WA3']);
    // Every US notice says when the breach happened: Florida's and Washington's ask it without "if known".
    for (const state of ['US-FL', 'US-WA', 'US-CA', 'US-OH']) {
      expect(noticeShape(state, SENT).required).toContain('occurredFrom');
    }
  });

  it('Brazil: the measures that protected the data, and the reasons a notice is late', () => {
    const shape = noticeShape('BR', SENT);
    expect(shape).toMatchObject({ variant: 'BR', complaint: 'complaint', title: null });
    expect(added(shape)).toEqual({
      whatHappened: { start: [], end: ['words:noticeDelayReasons:wordsNoticeDelayReasons'] },
      whatWeAreDoing: {
        start: ['words:securityMeasuresBefore:wordsSecurityMeasuresBefore'],
        end: [],
      },
    });
    // Art. 48 §1 III has no "if any": no Brazilian notice goes without the measures (the stricter
    // reading); the reasons for a delay (V) only of a notice going late, which the campaign's check
    // judges against the obligations (test/medium/campaign-warnings.spec.ts).
    expect(shape.required).toEqual(['securityMeasuresBefore']);
    expect(shape.requiredWhenLate).toEqual(['noticeDelayReasons']);
    expect(noticeShape('GB', SENT).requiredWhenLate).toEqual([]);
  });

  it('Singapore: how the breach was discovered; Japan and China: its cause, required', () => {
    expect(added(noticeShape('SG', SENT))).toEqual({
      whatHappened: { start: [], end: ['words:howDiscovered:wordsHowDiscovered'] },
    });
    expect(noticeShape('SG', SENT).required).toEqual([]);
    for (const jurisdiction of ['JP', 'CN']) {
      const shape = noticeShape(jurisdiction, SENT);
      expect(shape).toMatchObject({ variant: jurisdiction, complaint: 'complaint' });
      expect(added(shape)).toEqual({ whatHappened: { start: [], end: ['words:cause:wordsCause'] } });
      // PIPL Art. 57(1); the PPC's items (Rule 8), which the Japanese notice carries: never "when given".
      expect([jurisdiction, shape.required]).toEqual([jurisdiction, ['cause']]);
    }
  });

  it('India (DPDP Rules, Rule 7(1)(a)): the timing and location of the breach, required', () => {
    const shape = noticeShape('IN', new Date('2027-06-01T06:30:00Z'));
    expect(shape).toMatchObject({ variant: 'IN', title: null, headings: null, complaint: 'complaint' });
    expect(shape.required).toEqual(['location', 'occurredFrom']);
    // Nothing added or left out: the standard notice says the rest of Rule 7(1), and these when given.
    expect(added(shape)).toEqual({});
    expect([...shape.omitted]).toEqual([]);
    expect(shape.profiles).toEqual(['default@2018-05-25', 'IN@2027-05-13']);
    expect(shape.sources).toEqual(['PP', 'IN1']);
    // Before Rule 7 starts, its first version all the same (a profile says more, never less).
    expect(noticeShape('IN', SENT).required).toEqual(['location', 'occurredFrom']);
  });

  it('Korea: dispute mediation and the infringement report center', () => {
    expect(noticeShape('KR', SENT)).toMatchObject({ variant: 'KR', complaint: 'complaintKorea' });
    // PIPA Art. 34(1) ii: when it happened (a campaign waits for the incident's start).
    expect(noticeShape('KR', SENT).required).toEqual(['occurredFrom']);
  });

  it('knows what each jurisdiction changes in a notice', () => {
    const cases: Array<[string | null, string]> = [
      ['US-CA', 'US-CA'],
      ['US-MA', 'US-MA'],
      ['US-NY', 'US-NY'],
      ['US-TX', 'US'],
      ['US', 'US'],
      ['CA', 'CA'],
      ['CA-ON', 'CA'],
      ['CA-QC', 'CA-QC'],
      ['KR', 'KR'],
      ['US-WA', 'US-WA'],
      ['BR', 'BR'],
      ['SG', 'SG'],
      ['JP', 'JP'],
      ['CN', 'CN'],
      ['IN', 'IN'],
      ['DE', ''],
      ['GB-SCT', ''],
      ['USA', ''],
      ['us-ca', ''],
      ['', ''],
      [null, ''],
    ];
    for (const [jurisdiction, variant] of cases)
      expect([jurisdiction, noticeVariant(jurisdiction)]).toEqual([jurisdiction, variant]);
  });
});

// A table of made-up profiles, to see layers and versions work as the header says.
const profile = (over: Partial<NoticeProfile>): NoticeProfile => ({
  jurisdiction: null,
  effectiveFrom: '2020-01-01',
  law: 'test',
  requirements: [],
  sources: [{ key: 'T', citation: 'test', url: 'https://example.org', status: 'verified' }],
  ...over,
});
const complaint = (key: string) => ({ kind: 'complaint' as const, key, sources: ['T'] });

describe('notice profiles: layers and versions', () => {
  const table = new NoticeProfileTable([
    profile({ requirements: [complaint('base')] }),
    profile({ jurisdiction: 'XA', requirements: [complaint('country')] }),
    profile({
      jurisdiction: 'XA-B',
      effectiveFrom: '2024-06-01',
      requirements: [{ kind: 'omit', parts: ['location'], sources: ['T'] }],
    }),
    profile({
      jurisdiction: 'XA-B',
      effectiveFrom: '2026-03-01',
      requirements: [complaint('subdivision'), { kind: 'omit', parts: ['description'], sources: ['T'] }],
    }),
  ]);

  it('takes each layer in the version in effect on the day the notice goes out', () => {
    const on = (day: string) => table.shape('XA-B', new Date(`${day}T12:00:00Z`), 'individual');
    expect(on('2025-01-01').profiles).toEqual(['default@2020-01-01', 'XA@2020-01-01', 'XA-B@2024-06-01']);
    // A later version replaces the earlier: its parts left out, its complaint over the country's.
    expect([...on('2025-01-01').omitted]).toEqual(['location']);
    expect(on('2025-01-01').complaint).toBe('country');
    expect([...on('2026-03-01').omitted]).toEqual(['description']);
    expect(on('2026-03-01').complaint).toBe('subdivision');
    // The day before a version is the version before; no date (a sample) is the newest.
    expect(on('2026-02-28').complaint).toBe('country');
    expect(table.shape('XA-B', null, 'individual').complaint).toBe('subdivision');
    // Before a profile's first version, its first version (says more, never less).
    expect(on('2010-01-01').profiles).toEqual(['default@2020-01-01', 'XA@2020-01-01', 'XA-B@2024-06-01']);
    // The same shape object for every notice of a variant between two versions (kept, not rebuilt).
    expect(on('2025-02-01')).toBe(on('2025-01-01'));
    expect(table.variant('XA-C')).toBe('XA');
    expect(table.variantCodes()).toEqual({ subdivisions: ['XA-B'], countries: ['XA'] });
  });

  it('compiles a section without a statutory heading into the one named, or leaves it out', () => {
    const shape = compileShape(
      'XA',
      [
        profile({
          requirements: [
            complaint('base'),
            {
              kind: 'headings',
              headings: { words: { whatHappened: 'A', moreInformation: 'B' }, language: 'xx' },
              merge: { impact: 'whatHappened' },
              sources: ['T'],
            },
          ],
        }),
      ],
      'individual',
    );
    expect(moved(shape)).toEqual({
      impact: 'whatHappened',
      whatInformation: null,
      whatWeAreDoing: null,
      whatYouCanDo: null,
      remedies: null,
    });
  });
});

describe('notice profiles: the table', () => {
  const versions = NOTICE_PROFILES.map((p) => `${p.jurisdiction ?? 'default'}@${p.effectiveFrom}`);

  it.each(NOTICE_PROFILES.map((p) => [`${p.jurisdiction ?? 'default'}@${p.effectiveFrom}`, p] as const))(
    '%s is well-formed and cited',
    (_, p) => {
      expect(p.effectiveFrom).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Number.isNaN(Date.parse(p.effectiveFrom))).toBe(false);
      if (p.jurisdiction !== null) expect(isKnownJurisdiction(p.jurisdiction)).toBe(true);
      expect(p.requirements.length).toBeGreaterThan(0);
      const keys = new Set(p.sources.map((s) => s.key));
      expect(keys.size).toBe(p.sources.length);
      for (const source of p.sources) {
        expect(['verified', 'secondary', 'unverified']).toContain(source.status);
        // The company's own policy is a file of the project; every other source is on the web.
        if (source.key !== 'PP') expect(source.url).toMatch(/^https:\/\//);
      }
      for (const requirement of p.requirements) {
        expect(requirement.sources.length).toBeGreaterThan(0);
        // Every key a requirement cites is one of its profile's sources.
        expect([...keys]).toEqual(expect.arrayContaining([...requirement.sources]));
        if (requirement.kind === 'headings') {
          for (const [section, into] of Object.entries(requirement.merge)) {
            // Into a section the statute heads, and only from one it does not.
            expect(requirement.headings.words[into]).toBeDefined();
            expect(requirement.headings.words[section as SectionName]).toBeUndefined();
          }
        }
      }
    },
  );

  it('has one default, and versions unique per jurisdiction', () => {
    expect(NOTICE_PROFILES.filter((p) => p.jurisdiction === null)).toEqual([DEFAULT_NOTICE]);
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('gives every notice of every jurisdiction the service knows somewhere to complain', () => {
    for (const jurisdiction of [...knownJurisdictions(), null]) {
      for (const on of [new Date('2000-01-01T00:00:00Z'), SENT, null]) {
        expect([jurisdiction, noticeShape(jurisdiction, on).complaint]).toEqual([
          jurisdiction,
          expect.any(String),
        ]);
      }
    }
  });
});
