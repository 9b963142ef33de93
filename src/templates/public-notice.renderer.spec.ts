import { PublicNoticeRenderer, type PublicNoticeInput } from './public-notice.renderer.js';

const renderer = new PublicNoticeRenderer();

const input = (over: Partial<PublicNoticeInput> = {}): PublicNoticeInput => ({
  organization: 'AI Art',
  contactEmail: 'privacy@aiart.example',
  profileJurisdiction: null,
  on: new Date('2026-12-01T10:00:00Z'),
  dataCategories: ['account_credentials'],
  incident: {
    description: 'An attacker copied part of the account database.',
    occurredFrom: new Date('2026-11-20T08:00:00Z'),
    occurredTo: null,
    discoveredAt: new Date('2026-11-25T09:00:00Z'),
    containedAt: null,
    likelyConsequences: 'Someone may try your password elsewhere.',
    measuresTaken: 'We reset every password.',
    measuresPlanned: null,
    adviceToIndividuals: 'Change your password.',
    remedies: null,
    translations: { ja: { description: '攻撃者がアカウントデータベースの一部を複製しました。' } },
  },
  ...over,
});

describe('PublicNoticeRenderer', () => {
  it('has every locale of the individual notice', () => {
    // English first: the index's language when the reader asks for none the service has.
    expect(renderer.locales()).toEqual(['en', 'de', 'es', 'fr', 'hi', 'ja', 'ko', 'pt', 'pt-BR', 'zh-Hans']);
    expect(renderer.resolve('pt-PT')).toBe('pt');
    expect(renderer.resolve('zh-CN')).toBe('zh-Hans');
    expect(renderer.resolve('tr')).toBe('en');
  });

  it("says the standard sections with the incident's words, the data kinds and how to learn whether one is affected", () => {
    const text = renderer.render(input(), 'en');
    expect(text.title).toBe('Security Notice');
    expect(text.sections.map((s) => s.heading)).toEqual([
      'What happened',
      'What information was involved',
      'What this may mean for you',
      'What we are doing',
      'What you can do',
      'For more information',
    ]);
    expect(text.sections[0].paragraphs[0]).toBe('An attacker copied part of the account database.');
    expect(text.sections[1].paragraphs[0]).toBe('The following kinds of information may have been involved:');
    expect(text.sections[1].items.length).toBe(1);
    expect(text.sections.at(-1)!.paragraphs.join(' ')).toContain('write to privacy@aiart.example');
  });

  it("takes the translation of the notice's language, and California's statutory title and headings", () => {
    const ja = renderer.render(input(), 'ja');
    expect(ja.sections[0].paragraphs[0]).toBe('攻撃者がアカウントデータベースの一部を複製しました。');
    expect(ja.title).toBe('セキュリティに関するお知らせ');
    const ca = renderer.render(input({ profileJurisdiction: 'US-CA' }), 'en');
    expect(ca.title).toBe('Notice of Data Breach');
    expect(ca.sections.map((s) => s.heading)).toContain('What Information Was Involved');
  });
});
