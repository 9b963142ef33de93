import { reportText, type ReportTextSource } from './report.text.js';

const incident = (over: Partial<ReportTextSource> & Record<string, unknown> = {}) => ({
  language: 'en',
  regulatorText: {},
  regulatorTranslations: {},
  translations: {},
  chronology: [],
  description: 'Your photos were readable by anyone with the link.',
  cause: 'A storage bucket was public.',
  likelyConsequences: null,
  ...over,
});

describe("the incident's words in a report's language", () => {
  it('in its own language: the words for regulators before those for the people notified', () => {
    const text = reportText(
      incident({ regulatorText: { description: 'Bucket ACL public-read on media-store for 61 hours.' } }),
      'en-GB',
    );
    expect(text.values.description).toBe('Bucket ACL public-read on media-store for 61 hours.');
    expect(text.values.cause).toBe('A storage bucket was public.');
    expect(text.values.likelyConsequences).toBeNull();
    expect(text.untranslated).toEqual([]);
  });

  it("in another: the regulators' translation, then the notice's, else as written and listed", () => {
    const text = reportText(
      incident({
        regulatorTranslations: { de: { cause: 'Ein Speicher war öffentlich.' } },
        translations: { 'de-AT': { description: 'Ihre Fotos waren für jeden lesbar.' } },
        chronology: [
          {
            at: '2026-04-01T16:05:00.000Z',
            kind: 'containment',
            text: 'Bucket made private.',
            translations: { de: 'Speicher gesperrt.' },
          },
          { at: '2026-04-01T18:00:00.000Z', kind: 'assessment', text: 'Risk assessed as high.' },
        ],
        remedies: 'A year of monitoring.',
      }),
      'de',
    );
    expect(text.values.cause).toBe('Ein Speicher war öffentlich.');
    expect(text.values.description).toBe('Ihre Fotos waren für jeden lesbar.');
    expect(text.values.remedies).toBe('A year of monitoring.');
    expect(text.chronology).toEqual(['Speicher gesperrt.', 'Risk assessed as high.']);
    expect(text.untranslated).toEqual(['remedies', 'chronology']);
  });

  it("a version for regulators is never replaced by the people's translation", () => {
    const text = reportText(
      incident({
        regulatorText: { description: 'Bucket ACL public-read.' },
        translations: { fr: { description: 'Vos photos étaient lisibles.' } },
      }),
      'fr',
    );
    expect(text.values.description).toBe('Bucket ACL public-read.');
    expect(text.untranslated).toContain('description');
  });
});
