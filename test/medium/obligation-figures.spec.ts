import { plainToInstance } from 'class-transformer';
import { SYSTEM_ACTOR } from '../../src/common/actor.js';
import { ObligationsService } from '../../src/jurisdictions/obligations.service.js';
import {
  PublicNoticeObligations,
  type NotNotified,
} from '../../src/jurisdictions/public-notice-obligations.js';
import { ReachRepository, UnreachedReason } from '../../src/jurisdictions/reach.repository.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import type { ReportDocument } from '../../src/reports/report.types.js';
import { ScopeCriteriaDto } from '../../src/scoping/scoping.dto.js';
import { ScopingService } from '../../src/scoping/scoping.service.js';
import { SubjectsService } from '../../src/subjects/subjects.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// The set-wide figures the obligations read: who of the affected set was not individually notified, by
// why. The reach counts behind them (every affected person joined to their last delivery and its
// messages) are the most expensive statement an incident has at a million people.

/** The reach counts' per-person states, recognisable in a statement's text. */
const REACH_STATES = /\bstates as \(/;

const FIELD: Record<UnreachedReason, Exclude<keyof NotNotified, 'total'>> = {
  minor_without_guardian_contact: 'noContact',
  no_contact: 'noContact',
  push_only: 'pushOnly',
  all_failed: 'allFailed',
  method_not_lawful: 'methodNotLawful',
};

/** The figures as they were derived before: every total and reason from the reach counts. */
async function fromReachCounts(
  m: MediumContext,
  incidentId: string,
  campaignDone: boolean,
): Promise<Record<string, NotNotified>> {
  const out: Record<string, NotNotified> = {};
  for (const c of await m.get(ReachRepository).counts(incidentId)) {
    if (!c.jurisdiction) continue;
    const n = (out[c.jurisdiction] ??= {
      total: 0,
      noContact: 0,
      pushOnly: 0,
      allFailed: 0,
      methodNotLawful: 0,
    });
    n.total += c.people;
    if (campaignDone && c.outcome === 'unreached' && c.reason) n[FIELD[c.reason]] += c.people;
  }
  return out;
}

describe('the obligations’ figures of who was not individually notified (medium)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  it('reads only the totals, from the freeze, until a campaign completed; the reach counts after', async () => {
    const system = `figures-${Date.now()}`;
    const id = (n: number) => `${system}-${n}`;
    await m.newPeople(system, [
      { externalId: id(0), jurisdiction: 'GB', email: 'f0@example.com' },
      { externalId: id(1), jurisdiction: 'GB' },
      { externalId: id(2), jurisdiction: 'GB', pushTokens: ['figures-token-2'] },
      { externalId: id(3), jurisdiction: 'US-FL', phone: '+13055550103' },
      { externalId: id(4), jurisdiction: 'US-FL', email: 'refused4@example.com' },
      { externalId: id(5), jurisdiction: 'DE', email: 'f5@example.com' },
    ]);
    const incidentId = await m.newIncident(system);
    // Erased after the freeze: the row stays without identity, and counts.
    await m.get(SubjectsService).erase(SYSTEM_ACTOR, id(5));
    const figures = m.get(PublicNoticeObligations);

    const { result: before, statements } = await m.statements(() =>
      figures.notIndividuallyNotified(incidentId),
    );
    expect(statements.length).toBeGreaterThan(0);
    expect(statements.filter((t) => REACH_STATES.test(t))).toEqual([]);
    expect(Object.fromEntries(before)).toEqual(await fromReachCounts(m, incidentId, false));
    expect(Object.fromEntries(before)).toEqual({
      DE: { total: 1, noContact: 0, pushOnly: 0, allFailed: 0, methodNotLawful: 0 },
      GB: { total: 3, noContact: 0, pushOnly: 0, allFailed: 0, methodNotLawful: 0 },
      'US-FL': { total: 2, noContact: 0, pushOnly: 0, allFailed: 0, methodNotLawful: 0 },
    });

    m.email.refuse((to) => to.startsWith('refused'));
    try {
      const campaignId = await m.newCampaign(incidentId, { channels: ['email', 'sms', 'push'] });
      await m.drain();
      const [campaign] = await m.query<{ status: string }>('select status from campaigns where id = $1', [
        campaignId,
      ]);
      expect(campaign?.status).toBe('completed');
    } finally {
      m.email.sendAll();
    }

    const after = await figures.notIndividuallyNotified(incidentId);
    expect(Object.fromEntries(after)).toEqual(await fromReachCounts(m, incidentId, true));
    expect(Object.fromEntries(after)).toEqual({
      DE: { total: 1, noContact: 1, pushOnly: 0, allFailed: 0, methodNotLawful: 0 },
      GB: { total: 3, noContact: 1, pushOnly: 1, allFailed: 0, methodNotLawful: 0 },
      'US-FL': { total: 2, noContact: 0, pushOnly: 0, allFailed: 1, methodNotLawful: 1 },
    });
  });

  it('reads the same totals from the freeze as from the set after a supplementary freeze', async () => {
    const system = `figures-supp-${Date.now()}`;
    await m.newPeople(system, [{ externalId: `${system}-0`, jurisdiction: 'GB', email: 's0@example.com' }]);
    const incidentId = await m.newIncident(system);
    // A campaign approved makes the next freeze supplementary: it adds the newcomers to the set.
    await m.newCampaign(incidentId, { channels: ['email'] });
    await m.newPeople(system, [
      { externalId: `${system}-1`, jurisdiction: 'FR', email: 's1@example.com' },
      { externalId: `${system}-2`, jurisdiction: 'GB' },
    ]);
    await m
      .get(ScopingService)
      .freeze(m.responder, incidentId, plainToInstance(ScopeCriteriaDto, { systems: [system] }));
    await m.queue.run(JobName.ScopeFreeze);
    const [{ status } = { status: '' }] = await m.query<{ status: string }>(
      `select status from campaigns where incident_id = $1`,
      [incidentId],
    );
    expect(status).not.toBe('completed');
    const totals = await m.get(PublicNoticeObligations).notIndividuallyNotified(incidentId);
    expect(Object.fromEntries(totals)).toEqual(await fromReachCounts(m, incidentId, false));
    expect([...totals].map(([j, n]) => [j, n.total]).sort()).toEqual([
      ['FR', 1],
      ['GB', 2],
    ]);
  });

  it('lists the obligations with one read of each set-wide figure, before and after a campaign completed', async () => {
    const system = `figures-list-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-0`, jurisdiction: 'GB', email: 'l0@example.com' },
      { externalId: `${system}-1`, jurisdiction: 'GB' },
      { externalId: `${system}-2`, jurisdiction: 'US-FL', phone: '+13055550112' },
    ]);
    const incidentId = await m.newIncident(system);
    const obligations = m.get(ObligationsService);
    /** The statements of one list request that read the affected set (each a scan of it at a million). */
    const setWide = async () => {
      const { result, statements } = await m.statements(() => obligations.list(incidentId));
      expect(result.length).toBeGreaterThan(0);
      return statements.filter((t) => /\baffected_subjects\b/.test(t));
    };

    const before = await setWide();
    // The facts per jurisdiction, the clocks (first notice per jurisdiction), the unnotified: no reach counts.
    expect(before.filter((t) => REACH_STATES.test(t))).toHaveLength(0);
    expect(new Set(before).size).toBe(before.length);
    expect(before).toHaveLength(3);

    await m.newCampaign(incidentId, { channels: ['email', 'sms'] });
    await m.drain();
    const after = await setWide();
    // The same, and the reach counts once (the recomputation's substitute facts, shown by the list too).
    expect(after.filter((t) => REACH_STATES.test(t))).toHaveLength(1);
    expect(new Set(after).size).toBe(after.length);
    expect(after).toHaveLength(4);
    const listed = await obligations.list(incidentId);
    const individuals = listed.filter((o) => o.audience === 'individuals' && o.jurisdictions.includes('GB'));
    expect(individuals.length).toBeGreaterThan(0);
    for (const o of individuals) {
      expect(o.unreached).toBe(1);
      expect(o.notIndividuallyNotified).toMatchObject({ noContact: 1 });
    }
  });

  it("generates a report with the whole set's size from the freeze, without counting the whole set", async () => {
    const system = `figures-report-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-0`, jurisdiction: 'CA-QC', email: 'q0@example.com', locale: 'fr-CA' },
      { externalId: `${system}-1`, jurisdiction: 'CA-QC', email: 'q1@example.com', locale: 'fr-CA' },
      { externalId: `${system}-2`, jurisdiction: 'GB', email: 'q2@example.com' },
    ]);
    const incidentId = await m.newIncident(system);
    await m.get(SubjectsService).erase(SYSTEM_ACTOR, `${system}-1`);
    const { result: report, statements } = await m.statements(() =>
      m.newReport(incidentId, {
        regulator: 'qc-cai',
        phase: 'initial',
        delayReasons: 'The scope took long to establish.',
      }),
    );
    expect(report.status).toBe('draft');
    const fields = (report.content as unknown as ReportDocument).sections.flatMap((x) => x.fields);
    // The CAI's form asks for everyone affected (7), the Quebec residents among them apart.
    expect(fields.find((f) => f.key === 'cai.7.persons')?.value).toBe(3);
    // The frozen set's counts, only of the regulator's share (the jurisdictions it covers).
    const wholeSetCounts = statements.filter(
      (t) => /with m as materialized/.test(t) && !/a\.jurisdiction = any/.test(t),
    );
    expect(wholeSetCounts).toEqual([]);
    expect(statements.filter((t) => /with m as materialized/.test(t))).toHaveLength(1);
  });
});
