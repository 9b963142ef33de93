import { NOTICE_TEXT_FIELDS, type NoticeTextField } from '../common/notice-text.js';
import { untranslatedWords } from './locales.js';
import type { NoticeIncident } from './notice.types.js';

const incident = (over: Partial<NoticeIncident> = {}): NoticeIncident => ({
  description: 'Photos were exposed.',
  occurredFrom: null,
  occurredTo: null,
  discoveredAt: new Date('2026-11-04T09:15:00Z'),
  containedAt: null,
  likelyConsequences: 'Phishing.',
  measuresTaken: 'Locked down.',
  measuresPlanned: null,
  adviceToIndividuals: null,
  remedies: 'Monitoring.',
  cause: 'Misconfiguration',
  ...over,
});
const every = new Set<NoticeTextField>(NOTICE_TEXT_FIELDS);
const standard = new Set<NoticeTextField>(['description', 'likelyConsequences', 'measuresTaken', 'remedies']);

describe("the responders' words a notice would say untranslated", () => {
  it('are none in the language they are written in, whatever the region', () => {
    expect(untranslatedWords(incident(), 'en', 'en-GB', 'person', null, every)).toEqual([]);
  });

  it('are those given as written that no translation of the language and script gives, among those it says', () => {
    const words = incident({ translations: { 'fr-CA': { description: 'Des photos.' }, ja: {} } });
    expect(untranslatedWords(words, 'en', 'fr', 'person', null, standard)).toEqual([
      'likelyConsequences',
      'measuresTaken',
      'remedies',
    ]);
    // The cause is said only where a profile asks (Japan): elsewhere it is not counted.
    expect(untranslatedWords(words, 'en', 'ja', 'person', null, every)).toContain('cause');
    expect(untranslatedWords(words, 'en', 'ja', 'person', null, standard)).not.toContain('cause');
    // A Traditional Chinese translation never serves the Simplified notice.
    const chinese = incident({ translations: { 'zh-TW': { description: '照片' } } });
    expect(untranslatedWords(chinese, 'en', 'zh-Hans', 'person', null, standard)).toContain('description');
  });

  it("name the guardian's and Massachusetts versions where those notices say them", () => {
    const words = incident({
      guardianWords: {
        description: "Your child's photos were exposed.",
        remedies: 'Monitoring for your child.',
      },
      massachusettsWords: { remedies: 'Monitoring.', guardian: { remedies: 'Monitoring for your child.' } },
      translations: {
        es: {
          remedies: 'Vigilancia.',
          guardianWords: { remedies: 'Vigilancia para su hijo.' },
          // Massachusetts' version is translated in its own object: the plain remedies do not serve it.
          massachusettsWords: { remedies: 'Vigilancia.' },
        },
      },
    });
    // A guardian's notice says the guardian's version only (none given for the consequences: none said).
    expect(untranslatedWords(words, 'en', 'es', 'guardian', null, standard)).toEqual([
      'guardianWords.description',
    ]);
    expect(untranslatedWords(words, 'en', 'es', 'person', 'massachusetts', every)).toEqual([]);
    expect(untranslatedWords(words, 'en', 'es', 'guardian', 'massachusetts', every)).toEqual([
      'massachusettsWords.guardian.remedies',
    ]);
  });
});
