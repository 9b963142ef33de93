import type { ObligationView } from '../jurisdictions/obligations.service.js';
import { deadlineOf } from './report.facts.js';
import type { ReportForm } from '../jurisdictions/rules/rule.types.js';
import { changesSince, reportLanguageChain, ReportTemplates } from './report.builder.js';
import {
  buildFixtureReport,
  FIXTURE_REGULATORS,
  FORM_CHECKLIST,
  type ReportFactsOverrides,
} from '../../test/support/report.fixtures.js';
import type { ReportDocument, ReportField } from './report.types.js';

const templates = new ReportTemplates();
const FORMS = Object.keys(FIXTURE_REGULATORS) as ReportForm[];

const build = buildFixtureReport;
const fields = (doc: ReportDocument): ReportField[] => doc.sections.flatMap((s) => s.fields);
const field = (doc: ReportDocument, key: string): ReportField => {
  const found = fields(doc).find((f) => f.key === key);
  if (!found) throw new Error(`no field ${key} in ${doc.form}`);
  return found;
};
const text = (f: ReportField) => (Array.isArray(f.value) ? f.value.join('\n') : String(f.value));

/** Per form: a fact, the field it fills, and what must be in that field (the fixture's words). */
const FILLED_FROM: Record<ReportForm, [string, ReportFactsOverrides, string][]> = {
  'gdpr-art33': [
    ['gdpr.a.description', {}, 'publicly readable storage bucket'],
    ['gdpr.c.consequences', {}, 'Phishing using the exposed email addresses'],
    ['gdpr.b.contact', {}, 'dpo@aiart.example'],
    [
      'gdpr.timing.delayReasons',
      { incident: {}, late: true, delayReasons: 'SENTINEL-DELAY' },
      'SENTINEL-DELAY',
    ],
  ],
  ico: [
    ['ico.2.howDiscovered', {}, 'security researcher'],
    ['ico.2.discoveredAt', {}, '2026-04-01 15:00 UTC'],
    ['ico.2.occurredAt', {}, '2026-03-28 22:00 UTC'],
    ['ico.2.cyberIncident', {}, 'Yes'],
    ['ico.2.cyberIncident', { incident: { cyberAttack: null } }, "Don't know"],
    ['ico.2.dataCategories', {}, 'Identification data (e.g. usernames, passwords)'],
    ['ico.2.ourCategories', {}, 'Account sign-in credentials'],
    ['ico.2.records', {}, '5200'],
    ['ico.2.subjects', {}, '1180'],
    // The ICO's children are under 18, counted from the birth dates held (not the local minors: 37).
    ['ico.2.subjectCategories', {}, 'Children under 18: 52 (of the 1100 people whose birth date we hold)'],
    ['ico.1.caseReference', { phase: 'follow-up', initialReference: 'IC-123456-A1B2' }, 'IC-123456-A1B2'],
    ['ico.6.otherOrganisations', {}, 'Police cybercrime unit'],
  ],
  'us-state-ag': [
    ['us.residentsByJurisdiction', {}, 'US-CA: 1180\nUS-NY: 54'],
    ['us.residentsTotal', {}, '1234'],
    ['us.services', {}, 'identity-theft monitoring'],
    ['us.noticeCopy', {}, 'Email notice (en, variant US-CA), as sent:'],
    ['us.noticeCopy', {}, "[greeting with the recipient's name]"],
    ['us.noticeCopy', {}, 'What Information Was Involved'],
    ['us.noticesSentAt', {}, '2026-04-02 10:00 UTC'],
  ],
  pipeda: [
    ['pipeda.a.cause', {}, 'Misconfigured storage bucket'],
    ['pipeda.f.notification', {}, 'No public notice has been published'],
    ['pipeda.d.number', {}, '1180'],
  ],
  'lgpd-anpd': [
    // "Crianças e adolescentes": under 18.
    ['lgpd.ii.minors', {}, 'menores de 18 anos: 52'],
    ['lgpd.contact.dpo', {}, 'Dana Pereira'],
    ['lgpd.iii.security', {}, 'bcrypt'],
    ['lgpd.v.delayReasons', { late: true, delayReasons: 'SENTINEL-ATRASO' }, 'SENTINEL-ATRASO'],
  ],
  'pipl-cac': [
    ['pipl.57.contact', {}, 'privacy@aiart.example'],
    ['pipl.m.unit', {}, 'Ai Art Ltd'],
    ['pipl.m.place', {}, 'photo-backups bucket'],
    ['pipl.m.time', {}, '2026-04-01 15:00 UTC'],
  ],
  'pdpa-pdpc': [
    ['pdpa.chronology', {}, 'Confirmed as a breach'],
    ['pdpa.assessed', {}, '2026-04-01 18:30 UTC'],
  ],
  'au-oaic': [
    ['au.1.identity', {}, 'Ai Art Ltd'],
    ['au.1.steps', {}, 'beware of phishing'],
  ],
  'appi-ppc': [
    ['appi.7.publication', {}, '公表'],
    ['appi.4.cause', {}, 'Misconfigured storage bucket'],
  ],
  'pipa-pipc': [
    ['pipa.3.selfProtection', {}, 'beware of phishing'],
    ['pipa.5.helpDesk', {}, 'privacy@aiart.example'],
  ],
  'dpdp-board': [
    ['dpdp.b.vi.notices', {}, 'Notices planned for 1180 people'],
    ['dpdp.b.iv.findings', {}, 'Cyber attack by a third party: Yes'],
    ['dpdp.a.extent', {}, '5200'],
  ],
  'cai-qc': [
    ['cai.7.persons', {}, '4200'],
    ['cai.7.quebec', {}, '1180'],
    ['cai.2.contact', {}, '1 Example Street, Springfield'],
    ['cai.6.aware', {}, '2026-04-01 15:00 UTC'],
  ],
  'cert-in': [
    ['cert.detected', {}, '2026-04-01 15:00 UTC'],
    ['cert.systems', {}, 'photo-backups bucket'],
  ],
};

/** Per form: a fact set to null (or a phase that needs one we do not hold), and the field that goes missing. */
const GOES_MISSING: Record<ReportForm, [ReportFactsOverrides, string][]> = {
  'gdpr-art33': [
    [{ incident: { likelyConsequences: null } }, 'gdpr.c.consequences'],
    [{ late: true, delayReasons: null }, 'gdpr.timing.delayReasons'],
    [{ affected: null }, 'gdpr.a.subjects'],
  ],
  ico: [
    [{ incident: { howDiscovered: null } }, 'ico.2.howDiscovered'],
    [{ phase: 'follow-up' }, 'ico.1.caseReference'],
    [{ incident: { dataCategories: [] } }, 'ico.2.ourCategories'],
  ],
  'us-state-ag': [
    [{ incident: { remedies: null } }, 'us.services'],
    [{ affected: null }, 'us.residentsByJurisdiction'],
  ],
  pipeda: [[{ incident: { cause: null } }, 'pipeda.a.cause']],
  'lgpd-anpd': [
    [{ organization: { dpoContact: null } }, 'lgpd.contact.dpo'],
    [{ late: true }, 'lgpd.v.delayReasons'],
  ],
  'pipl-cac': [[{ incident: { adviceToIndividuals: null } }, 'pipl.57.individuals']],
  'pdpa-pdpc': [[{ incident: { howDiscovered: null } }, 'pdpa.howDiscovered']],
  'au-oaic': [[{ incident: { adviceToIndividuals: '  ' } }, 'au.1.steps']],
  'appi-ppc': [[{ incident: { cause: null } }, 'appi.4.cause']],
  'pipa-pipc': [[{ incident: { remedies: null } }, 'pipa.4.remedy']],
  'dpdp-board': [[{ incident: { measuresPlanned: null } }, 'dpdp.b.v.prevention']],
  'cai-qc': [
    [{ allAffected: null }, 'cai.7.persons'],
    [{ incident: { otherOrganisationsTold: null } }, 'cai.11.others'],
  ],
  'cert-in': [[{ incident: { systems: [] } }, 'cert.systems']],
};

describe('buildReport', () => {
  describe.each(FORMS)('%s', (form) => {
    const doc = build(form);

    it('has every checklist field, filled from the facts, and nothing missing', () => {
      const keys = fields(doc).map((f) => f.key);
      for (const key of FORM_CHECKLIST[form]) {
        expect(keys).toContain(key);
        expect(field(doc, key)).toMatchObject({ missing: false });
        expect(text(field(doc, key)).trim()).not.toBe('');
      }
      expect(doc.missing).toEqual([]);
      expect(new Set(keys).size).toBe(keys.length);
    });

    it.each(FILLED_FROM[form])('fills %s from the facts', (key, over, expected) => {
      expect(text(field(build(form, over), key))).toContain(expected);
    });

    it.each(GOES_MISSING[form])('lists a missing fact by its label (%j)', (over, key) => {
      const missingDoc = build(form, over);
      const f = field(missingDoc, key);
      expect(f).toMatchObject({ value: null, missing: true });
      expect(missingDoc.missing).toContainEqual({ key, label: f.label });
      expect(f.label).not.toBe(`field.${key}`);
    });

    it('has the common sections, in order around the form', () => {
      const keys = doc.sections.map((s) => s.key);
      expect(keys[0]).toBe('common.report');
      expect(keys.slice(-4)).toEqual([
        'common.handling',
        'common.publicNotice',
        'common.timeline',
        'common.obligations',
      ]);
      expect(doc).toMatchObject({
        form,
        regulator: { id: FIXTURE_REGULATORS[form].id },
        phase: 'initial',
        incident: { reference: 'INC-2026-0042' },
        generatedAt: '2026-04-03T09:30:00.000Z',
        changes: null,
      });
      expect(doc.deliveriesOverTime).toHaveLength(3);
    });

    it('says when a late report was due and why it is late, once, in its form or else in its head', () => {
      const late = build(form, { late: true, delayReasons: 'The forensic vendor needed five days.' });
      const said = fields(late).filter((f) => text(f).includes('The forensic vendor needed five days.'));
      expect(said).toHaveLength(1);
      if (said[0].key === 'common.report.delayReasons') {
        expect(field(late, 'common.report.dueAt')).toMatchObject({ missing: false });
        expect(text(field(late, 'common.report.dueAt'))).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/);
      }
      expect(fields(doc).map((f) => f.key)).not.toContain('common.report.delayReasons');
    });

    it('labels every field and section in its language (no label key shows through)', () => {
      const variants = [
        doc,
        build(form, { phase: 'follow-up', late: true, delayReasons: 'x' }),
        build(form, {
          publicNotice: { url: 'https://x.example/n', publishedAt: new Date(0), languages: ['en'] },
        }),
        build(form, {
          affected: null,
          incident: { riskLevel: 'low', nature: ['integrity', 'availability'] },
        }),
      ];
      for (const d of variants) {
        expect(d.title).not.toMatch(/^title\./);
        for (const s of d.sections) {
          expect(s.title).not.toMatch(/^section\./);
          for (const f of s.fields) {
            expect(f.label).not.toMatch(/^field\./);
            expect(JSON.stringify(f.value)).not.toMatch(
              /"(value|ui|col|phase|nature|ico|fact|chronology|state|campaign|placeholder|cnGrade|channel|category)\.[a-zA-Z]/,
            );
          }
          for (const t of s.tables ?? []) expect(t.columns.join()).not.toMatch(/col\./);
        }
      }
    });
  });

  it('reports handling per channel and per jurisdiction, with how many said they read their notice', () => {
    const doc = build('us-state-ag');
    const handling = doc.sections.find((s) => s.key === 'common.handling')!;
    const [channels, jurisdictions] = handling.tables!;
    expect(channels.columns).toEqual([
      'Channel',
      'Planned',
      'Sent',
      'Delivered',
      'Failed',
      'Unreachable',
      'Acknowledged',
    ]);
    expect(channels.rows).toEqual([
      ['Email', 1234, 1224, 1194, 30, 0, 0],
      ['SMS', 30, 30, 28, 2, 0, 0],
      ['Push', 0, 0, 0, 0, 0, 0],
      ['Total', 1234, 1224, 1194, 30, 10, 0],
    ]);
    expect(jurisdictions.rows.map((r) => r[0])).toEqual(['US-CA', 'US-NY']);
    expect(field(doc, 'common.handling.acknowledgement').value).toBe(0);
    expect(field(doc, 'common.handling.summary').value).toContain('1194 confirmed delivered');
  });

  it('says clearly when no public notice was published, and gives it when there is one', () => {
    expect(field(build('ico'), 'common.publicNotice.status').value).toBe(
      'No public notice has been published.',
    );
    const doc = build('ico', {
      publicNotice: {
        url: 'https://aiart.example/security-notice',
        publishedAt: new Date('2026-04-02T08:00:00Z'),
        languages: ['en', 'de'],
      },
    });
    expect(field(doc, 'common.publicNotice.url').value).toBe('https://aiart.example/security-notice');
    expect(field(doc, 'common.publicNotice.publishedAt').value).toBe('2026-04-02 08:00 UTC');
    expect(field(doc, 'common.publicNotice.languages').value).toEqual(['en', 'de']);
  });

  it("has the incident's own story and this regulator's obligations as tables, in the report's words", () => {
    const doc = build('pipeda');
    const timeline = doc.sections.find((s) => s.key === 'common.timeline')!.tables![0];
    expect(timeline.rows.slice(0, 3)).toEqual([
      ['2026-03-28 22:00 UTC', 'The breach began', ''],
      ['2026-04-01 15:00 UTC', 'We became aware of it', ''],
      ['2026-04-01 15:20 UTC', 'Detection', 'The researcher report was verified.'],
    ]);
    const obligations = doc.sections.find((s) => s.key === 'common.obligations')!.tables![0];
    expect(obligations.rows).toEqual([['Initial report', '2026-04-04 15:00 UTC', 'Open']]);
    // A German report: every word of these tables in German, no internal name or id.
    const german = build('gdpr-art33');
    const tables = german.sections
      .filter((s) => ['common.timeline', 'common.obligations', 'common.handling'].includes(s.key))
      .flatMap((s) => [
        ...(s.tables ?? []).flatMap((t) => [t.columns, ...t.rows]),
        ...s.fields.map((f) => f.value),
      ]);
    const words = JSON.stringify(tables);
    expect(words).toContain('Kenntnisnahme');
    expect(words).toContain('Eindämmung');
    expect(words).toContain('Offen');
    expect(words).toContain('Abgeschlossen (gestartet');
    for (const internal of ['cmp_01', 'completed', 'transition', 'created', '"due"', 'obligation.'])
      expect(words).not.toContain(internal);
  });

  it("says which of the incident's words have no translation in the report's language", () => {
    const doc = build('gdpr-art33', { untranslated: ['remedies', 'chronology'] });
    expect(field(doc, 'common.report.untranslated').value).toEqual([
      'Angebotene Abhilfe',
      'Die Schritte der Chronologie',
    ]);
    expect(fields(build('gdpr-art33')).map((f) => f.key)).not.toContain('common.report.untranslated');
  });

  it('asks of each US state what it asks: Texas, Massachusetts and Florida', () => {
    const only = (jurisdictions: string[], over: ReportFactsOverrides = {}) =>
      build('us-state-ag', { jurisdictions, ...over });
    expect(fields(only(['US-CA'])).map((f) => f.key)).not.toEqual(
      expect.arrayContaining(['us.lawEnforcement']),
    );
    const texas = only(['US-TX']);
    expect(field(texas, 'us.lawEnforcement').value).toBe('Yes');
    expect(field(texas, 'us.measuresPlanned').value).toContain('Automated checks of bucket permissions');
    const unknown = only(['US-TX'], { incident: { lawEnforcementInvestigating: null } });
    expect(unknown.missing.map((m) => m.key)).toContain('us.lawEnforcement');
    const mass = only(['US-MA']);
    expect(field(mass, 'us.wisp').value).toBe('Yes');
    expect(
      only(['US-MA'], { organization: { writtenSecurityProgram: null } }).missing.map((m) => m.key),
    ).toContain('us.wisp');
    expect(field(only(['US-FL']), 'us.postalAddress').value).toBe('1 Example Street, Springfield');
    expect(only(['US-FL'], { organization: { postalAddress: null } }).missing.map((m) => m.key)).toContain(
      'us.postalAddress',
    );
  });

  it("China: graded on the Measures' own scale, and judged by the deadline that applied under its law", () => {
    const doc = build('pipl-cac', {
      late: true,
      delayReasons: 'The provincial office was unreachable.',
      deadline: {
        dueAt: new Date('2026-04-01T19:00:00Z'),
        wording: '4 hours from awareness',
        basis:
          'National Cybersecurity Incident Reporting Measures (CAC, 2025-09-11, in force 2025-11-01), Art. 4',
      },
    });
    // In Chinese, the Measures' words; in another language, its grade's name beside them.
    expect(field(doc, 'pipl.m.level').value).toBe('一般');
    const inEnglish = { regulator: { ...FIXTURE_REGULATORS['pipl-cac'], language: 'en' } };
    expect(field(build('pipl-cac', inEnglish), 'pipl.m.level').value).toBe('General (一般)');
    expect(
      field(
        build('pipl-cac', {
          ...inEnglish,
          affected: { total: 1_200_000, byJurisdiction: { CN: 1_200_000 }, byCategory: {}, minors: 0 },
        }),
        'pipl.m.level',
      ).value,
    ).toBe('Relatively major (较大)');
    expect(field(doc, 'pipl.timing.deadline')).toMatchObject({
      value: '2026-04-01 19:00 UTC',
      basis: expect.stringContaining('Incident Reporting Measures'),
    });
    expect(field(doc, 'pipl.timing.late').value).toBe('是');
    expect(field(doc, 'pipl.timing.delayReasons').basis).not.toMatch(/GDPR/);
    expect(JSON.stringify(doc)).not.toMatch(/GDPR/);
  });

  it('writes the GDPR report in German, the ANPD one in Portuguese and the PPC one in Japanese', () => {
    expect(build('gdpr-art33')).toMatchObject({ language: 'de' });
    expect(field(build('gdpr-art33'), 'gdpr.a.subjects').label).toMatch(/betroffenen Personen/);
    const lgpd = build('lgpd-anpd');
    expect(lgpd.language).toBe('pt-BR');
    expect(field(lgpd, 'lgpd.contact.dpo').label).toMatch(/Encarregado/i);
    expect(build('appi-ppc').language).toBe('ja');
    // The PIPC in Korean, the CAC in Simplified Chinese (a zh-CN regulator takes the zh-Hans labels).
    expect(build('pipa-pipc').language).toBe('ko');
    expect(field(build('pipa-pipc'), 'pipa.3.selfProtection').label).toBe(
      '정보주체가 피해를 최소화하기 위해 할 수 있는 방법',
    );
    expect(build('pipl-cac').language).toBe('zh-Hans');
    expect(field(build('pipl-cac'), 'pipl.57.contact').label).toBe('个人信息处理者的联系方式');
  });

  describe('changes since the previous report', () => {
    const initial = build('gdpr-art33');

    it('lists the fields whose value changed, with the value before and after', () => {
      const followUp = build(
        'gdpr-art33',
        {
          phase: 'follow-up',
          incident: { measuresPlanned: 'Bucket policy scanner deployed.', approximateRecords: 6100 },
        },
        initial,
      );
      const byKey = new Map(followUp.changes!.map((c) => [c.key, c]));
      expect(byKey.get('gdpr.d.measuresPlanned')).toEqual({
        key: 'gdpr.d.measuresPlanned',
        label: field(followUp, 'gdpr.d.measuresPlanned').label,
        before: 'Automated checks of bucket permissions in CI; backups encrypted with a managed key.',
        after: 'Bucket policy scanner deployed.',
      });
      expect(byKey.get('gdpr.a.records')).toMatchObject({ before: 5200, after: 6100 });
      expect(byKey.has('gdpr.timing.phase')).toBe(true);
      expect(byKey.has('gdpr.a.description')).toBe(false);
    });

    it('has a fact that became known, and one that became unknown', () => {
      const gap = build('ico', { incident: { howDiscovered: null } });
      const filled = build('ico', { phase: 'follow-up' }, gap);
      expect(filled.changes).toContainEqual(
        expect.objectContaining({ key: 'ico.2.howDiscovered', before: null, after: expect.any(String) }),
      );
      // A field the previous report did not have, still unknown now, is no change.
      expect(filled.changes!.map((c) => c.key)).not.toContain('ico.1.caseReference');
    });

    it('is empty when nothing changed, and null without a previous report', () => {
      expect(
        changesSince(
          initial,
          initial.sections.flatMap((s) => s.fields),
        ),
      ).toEqual([]);
      expect(build('gdpr-art33', { phase: 'final' }).changes).toBeNull();
    });
  });
});

describe('ReportTemplates', () => {
  it('falls back along the chain: regional to language, a bare language to its variant, then English', () => {
    expect(templates.labels('pt-BR').language).toBe('pt-BR');
    expect(templates.labels('pt').language).toBe('pt-BR');
    expect(templates.labels('pt-PT').language).toBe('pt-BR');
    expect(templates.labels('de-AT').language).toBe('de');
    expect(templates.labels('fr-CA').language).toBe('fr');
    expect(templates.labels('ja-JP').language).toBe('ja');
    expect(templates.labels('en-GB').language).toBe('en');
    expect(templates.labels('it').language).toBe('en');
    expect(templates.labels('not a tag').language).toBe('en');
    expect(templates.labels('de')).toBe(templates.labels('de'));
  });

  it('builds the chain from the available files', () => {
    expect(reportLanguageChain('pt', ['en', 'pt-BR'])).toEqual(['pt', 'pt-Latn', 'pt-BR', 'en']);
  });
});

describe('the deadline a report is judged by', () => {
  const obligation = (key: string, over: Partial<ObligationView>): ObligationView =>
    ({
      id: key,
      key,
      ruleId: 'CN',
      ruleVersion: '2025-11-01',
      law: 'PIPL Art. 57 and National Cybersecurity Incident Reporting Measures (CAC, 2025)',
      audience: 'regulator',
      regulatorId: 'cac',
      phase: 'initial',
      applicable: true,
      state: 'due',
      dueAt: null,
      deadline: 'immediately after awareness',
      sources: ['CN1'],
      ...over,
    }) as ObligationView;

  it("China below the relatively major tier: PIPL's 'immediately', not the Measures' 4 hours that do not apply", () => {
    const owed = [
      obligation('CN/cac/regulator.incident-report', {
        applicable: false,
        state: 'not_applicable',
        dueAt: new Date('2026-04-01T19:00:00Z'),
        deadline: '4 hours from awareness',
        sources: ['CN2', 'CN3'],
      }),
      obligation('CN/cac/regulator', {}),
    ];
    expect(deadlineOf(owed, 'initial')).toEqual({
      dueAt: null,
      wording: 'immediately after awareness',
      basis: 'PIPL Art. 57 (English translation)',
    });
    const major = deadlineOf([{ ...owed[0], applicable: true, state: 'due' }, owed[1]], 'initial');
    expect(major.dueAt?.toISOString()).toBe('2026-04-01T19:00:00.000Z');
    expect(major.basis).toMatch(/^National Cybersecurity Incident Reporting Measures/);
    expect(major.basis).not.toMatch(/GDPR/);
  });
});
