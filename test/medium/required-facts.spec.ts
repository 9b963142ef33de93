import { plainToInstance } from 'class-transformer';
import { UpdateIncidentDto } from '../../src/incidents/incidents.dto.js';
import { IncidentsService } from '../../src/incidents/incidents.service.js';
import { CampaignsService } from '../../src/notifications/campaigns.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// What a jurisdiction's notice must say (its profile's `requires`: China's cause) is checked at the draft
// and the approval, and again at every send: the notice is rendered then, from the incident as it is.
// A fact cleared since the approval pauses the campaign before anything goes without it.

describe('required facts at send time (medium: real repositories, scripted providers)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  const setCause = async (incidentId: string, cause: string) => {
    const incidents = m.get(IncidentsService);
    const { version } = await incidents.get(incidentId);
    await incidents.update(m.responder, incidentId, version, plainToInstance(UpdateIncidentDto, { cause }));
  };

  it("pauses a campaign whose incident's cause was cleared after the approval; resumed once given, it sends", async () => {
    const system = `facts-send-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-cn`, email: 'facts-cn@example.com', jurisdiction: 'CN', locale: 'zh-Hans' },
    ]);
    const incidentId = await m.newIncident(system);
    const campaignId = await m.newCampaign(incidentId, { channels: ['email'] });
    await setCause(incidentId, '');
    await m.drain();

    const campaigns = m.get(CampaignsService);
    expect((await campaigns.view(campaignId)).status).toBe('paused');
    expect(m.email.calls.flatMap((b) => b.recipients.map((r) => r.to))).not.toContain('facts-cn@example.com');
    const paused = await m.query<{ details: Record<string, unknown> }>(
      "select details from incident_events where kind = 'campaign.paused' and details->>'campaignId' = $1",
      [campaignId],
    );
    expect(paused.map((p) => [p.details.reason, p.details.missing])).toEqual([
      ['incident_missing_facts', ['cause']],
    ]);

    await setCause(incidentId, 'A storage bucket left public by a configuration change.');
    await campaigns.resume(m.responder, campaignId);
    await m.drain();
    expect(m.email.calls.flatMap((b) => b.recipients.map((r) => r.to))).toContain('facts-cn@example.com');
    expect((await campaigns.view(campaignId)).status).toBe('completed');
  });
});
