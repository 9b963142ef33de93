import { missingGuardianWords, type GuardianWordsFacts } from './campaign.rules.js';

const incident = (over: Partial<GuardianWordsFacts> = {}): GuardianWordsFacts => ({
  description: 'Your photos were readable.',
  likelyConsequences: 'Someone may have seen them.',
  measuresTaken: null,
  measuresPlanned: '  ',
  adviceToIndividuals: null,
  remedies: 'A support line.',
  guardianWords: {},
  massachusettsWords: {},
  translations: {},
  ...over,
});

describe("a campaign's guardians need the guardian's version of the words written to the person", () => {
  const asWritten = new Set([null]);

  it('names each field given for the person without a guardian version, and nothing else', () => {
    expect(missingGuardianWords(incident(), asWritten)).toEqual([
      'guardianWords.description',
      'guardianWords.likelyConsequences',
      'guardianWords.remedies',
    ]);
    const complete = incident({
      guardianWords: {
        description: "Your child's photos were readable.",
        likelyConsequences: 'Someone may have seen them.',
        remedies: 'A support line for you and your child.',
      },
    });
    expect(missingGuardianWords(complete, asWritten)).toEqual([]);
  });

  it('asks the same of each translation that gives words for the person', () => {
    const translated = incident({
      guardianWords: { description: 'x', likelyConsequences: 'x', remedies: 'x' },
      translations: {
        de: {
          description: 'Ihre Fotos waren lesbar.',
          guardianWords: { description: 'Die Fotos Ihres Kindes.' },
        },
        fr: { remedies: 'Une ligne d’assistance.' },
      },
    });
    expect(missingGuardianWords(translated, asWritten)).toEqual(['translations.fr.guardianWords.remedies']);
  });

  it("asks for the guardian's Massachusetts version only where a guardian's notice says it", () => {
    const massachusetts = incident({
      guardianWords: { description: 'x', likelyConsequences: 'x', remedies: 'x' },
      massachusettsWords: { remedies: 'A support line.', guardian: {} },
      translations: {
        es: { massachusettsWords: { remedies: 'Una línea de ayuda.', guardian: { remedies: 'x' } } },
      },
    });
    expect(missingGuardianWords(massachusetts, asWritten)).toEqual([]);
    expect(missingGuardianWords(massachusetts, new Set(['massachusetts' as const]))).toEqual([
      'massachusettsWords.guardian.remedies',
    ]);
  });
});
