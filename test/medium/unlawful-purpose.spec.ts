import { IncidentsService } from '../../src/incidents/incidents.service.js';
import { ObligationsService } from '../../src/jurisdictions/obligations.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// Japan reports a breach done for an unlawful purpose whatever the number (APPI Enforcement Rules Art.
// 7(iii)): an insider's as much as an attack's. Until 2026-12-08 only an attack counted.

describe("an incident's unlawful purpose (medium: real repositories)", () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  it('an insider selling 40 Japanese profiles owes the PPC a report and a final one in 60 days', async () => {
    const system = `insider-${Date.now()}`;
    await m.newPeople(
      system,
      Array.from({ length: 40 }, (_, i) => ({
        externalId: `${system}-${i}`,
        email: `insider-${i}@example.com`,
        jurisdiction: 'JP',
        locale: 'ja',
      })),
    );
    const incidentId = await m.newIncident(system, {
      cyberAttack: false,
      unlawfulPurpose: false,
      dataCategories: ['device_info'],
      riskLevel: 'high',
    });
    const obligations = m.get(ObligationsService);
    const jp = async () => {
      await obligations.recompute(incidentId);
      const rows = await obligations.stored(incidentId);
      return Object.fromEntries(rows.filter((o) => o.ruleId === 'JP').map((o) => [o.key, o.applicable]));
    };
    expect(await jp()).toMatchObject({ 'JP/ppc/regulator': false, 'JP/ppc/individuals': false });

    await m.updateIncident(incidentId, { unlawfulPurpose: true });
    expect(await jp()).toMatchObject({
      'JP/ppc/regulator': true,
      'JP/ppc/individuals': true,
      'JP/ppc/regulator.final': false,
      'JP/ppc/regulator.final-unlawful': true,
    });
    expect((await m.get(IncidentsService).get(incidentId)).unlawfulPurpose).toBe(true);
  });
});
