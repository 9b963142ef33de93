import { ObligationsService } from '../../src/jurisdictions/obligations.service.js';
import { AgeBackfill } from '../../src/subjects/age-backfill.js';
import { newMediumContext, type MediumContext } from './medium.js';

// Brazil's criteria of a notifiable incident count children and adolescents: everyone under 18, not
// only the minors of the guardian rule (under 14 in Brazil). The directory keeps who is under 18 from
// the birth date held, refreshed daily as people grow up, and a row not checked yet (written before
// the flag was kept) counts only if a minor until the refresh, run at start when any row needs it, fills
// it in, in the affected rows frozen meanwhile too.

describe('who is under 18 (medium: real repositories)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  const year = new Date().getUTCFullYear();
  /** A Brazilian whose only exposed data is no criterion of the LGPD's: their age decides. */
  const brazilian = (externalId: string, birthDate: string) => ({
    externalId,
    jurisdiction: 'BR',
    birthDate,
    email: `${externalId}@example.com`,
    dataCategories: ['device_info'],
  });
  const flags = (system: string) =>
    m.query<{ external_id: string; minor: boolean; under_18: boolean | null }>(
      `select external_id, minor, under_18 from subjects where external_id like $1 order by external_id`,
      [`${system}-%`],
    );
  const anpd = async (incidentId: string) =>
    (await m.get(ObligationsService).list(incidentId)).find((o) => o.key === 'BR/anpd/regulator')!;
  const incident = (system: string) =>
    m.newIncident(system, { dataCategories: ['device_info'], riskLevel: 'medium', approximateRecords: 2 });

  it('a 16-year-old Brazilian makes the incident notifiable to the ANPD; adults alone do not', async () => {
    const system = `u18-${Date.now()}`;
    await m.newPeople(system, [
      brazilian(`${system}-a`, '1990-06-01'),
      brazilian(`${system}-b`, `${year - 16}-01-01`),
    ]);
    expect((await flags(system)).map((r) => [r.minor, r.under_18])).toEqual([
      [false, false],
      [false, true],
    ]);
    const teen = await anpd(await incident(system));
    expect(teen.applicable).toBe(true);
    expect(teen.reason).toContain('1 under 18 affected');

    const adults = `u18-adults-${Date.now()}`;
    await m.newPeople(adults, [brazilian(`${adults}-a`, '1990-06-01')]);
    const none = await anpd(await incident(adults));
    expect(none.applicable).toBe(false);
    expect(none.reason).toContain('nobody under 18 affected');
  });

  it('a row not checked yet is filled in by the refresh at start, in the affected set frozen meanwhile too', async () => {
    const system = `u18-old-${Date.now()}`;
    await m.newPeople(system, [
      brazilian(`${system}-a`, '1990-06-01'),
      brazilian(`${system}-b`, `${year - 17}-01-01`),
    ]);
    // As a node older than the flag wrote them.
    await m.query(`update subjects set under_18 = null where external_id like $1`, [`${system}-%`]);
    const incidentId = await incident(system);
    const before = await anpd(incidentId);
    expect(before.reason).toContain('nobody under 18 affected');

    // What the next start does when anyone's age is not known: the refresh, at once.
    expect(await m.get(AgeBackfill).backfill()).toBeGreaterThanOrEqual(2);
    expect((await flags(system)).map((r) => r.under_18)).toEqual([false, true]);
    // The set frozen before is filled in too: no new freeze needed.
    const after = await anpd(incidentId);
    expect(after.applicable).toBe(true);
    expect(after.reason).toContain('1 under 18 affected');
    expect(await m.get(AgeBackfill).backfill()).toBe(0);
  });
});
