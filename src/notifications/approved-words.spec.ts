import type { IncidentRow } from '../incidents/incidents.repository.js';
import { noticeShape } from '../jurisdictions/rules/notice-profiles.js';
import { approvedWords, wordsChanged, wordsScopeOf } from './approved-words.js';

const ON = new Date('2026-12-01T00:00:00Z');
const incident = {
  description: 'A bucket was public.',
  occurredFrom: new Date('2026-11-01T08:00:00Z'),
  occurredTo: null,
  discoveredAt: new Date('2026-11-04T09:15:00Z'),
  containedAt: null,
  likelyConsequences: 'Phishing.',
  measuresTaken: 'Closed.',
  measuresPlanned: null,
  adviceToIndividuals: null,
  remedies: 'A support line.',
  location: null,
  securityMeasuresBefore: null,
  noticeDelayReasons: null,
  howDiscovered: null,
  cause: null,
  lawEnforcementDelay: null,
  guardianWords: {},
  massachusettsWords: {},
  translations: { de: { description: 'Ein Speicher war öffentlich.' } },
  dataCategories: ['camera_data', 'email_address'],
  language: 'en',
} as unknown as IncidentRow;

const scope = (jurisdictions: string[], guardians = false) =>
  wordsScopeOf(
    jurisdictions.map((j) => noticeShape(j, ON)),
    guardians,
  );

describe('the words a campaign approved', () => {
  it('changes with what a reader reads: the words, a translation, the dates, the categories', () => {
    const approved = approvedWords(incident, scope(['GB']));
    expect(wordsChanged(approved, { ...incident })).toBe(false);
    for (const edit of [
      { remedies: 'A support line, every day.' },
      { translations: { de: { description: 'Anders.' } } },
      { occurredFrom: new Date('2026-10-31T08:00:00Z') },
      { dataCategories: ['camera_data'] },
    ]) {
      expect(wordsChanged(approved, { ...incident, ...edit })).toBe(true);
    }
    // The same categories in another order say the same.
    expect(wordsChanged(approved, { ...incident, dataCategories: ['email_address', 'camera_data'] })).toBe(
      false,
    );
  });

  it("not with what no reader's notice says: Brazil's measures without a Brazilian reader, guardians' words without guardians", () => {
    const gb = approvedWords(incident, scope(['GB']));
    const changed = { securityMeasuresBefore: 'Hashed.', guardianWords: { remedies: 'For your child.' } };
    expect(wordsChanged(gb, { ...incident, ...changed })).toBe(false);
    const br = approvedWords(incident, scope(['GB', 'BR'], true));
    expect(wordsChanged(br, { ...incident, securityMeasuresBefore: 'Hashed.' })).toBe(true);
    expect(wordsChanged(br, { ...incident, guardianWords: { remedies: 'For your child.' } })).toBe(true);
  });

  it('is never changed for a campaign approved before approvals were kept', () => {
    expect(wordsChanged(null, { ...incident, remedies: 'Anything.' })).toBe(false);
  });
});
