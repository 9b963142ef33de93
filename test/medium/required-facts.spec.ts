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

  const setCause = (incidentId: string, cause: string) => m.updateIncident(incidentId, { cause });

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

    // Given again in other words, which nobody approved: the campaign resumes only approved again.
    await setCause(incidentId, 'A storage bucket left public by a configuration change.');
    await expect(campaigns.resume(m.responder, campaignId)).rejects.toMatchObject({
      code: 'conflict',
      details: { reason: 'incident_changed' },
    });
    await campaigns.approve(m.approver, campaignId);
    await m.drain();
    expect(m.email.calls.flatMap((b) => b.recipients.map((r) => r.to))).toContain('facts-cn@example.com');
    expect((await campaigns.view(campaignId)).status).toBe('completed');
  });
  it('pauses a campaign whose incident was edited after the approval; nothing unapproved leaves until approved again', async () => {
    const system = `words-send-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-1`, email: 'words-1@example.com' },
      { externalId: `${system}-2`, email: 'words-2@example.com' },
    ]);
    const incidentId = await m.newIncident(system);
    const campaignId = await m.newCampaign(incidentId, { channels: ['email'] });
    await m.updateIncident(incidentId, { measuresTaken: 'UNAPPROVED measures written after the approval' });
    await m.drain();

    const campaigns = m.get(CampaignsService);
    expect((await campaigns.view(campaignId)).status).toBe('paused');
    expect(m.email.calls.flatMap((b) => b.recipients.map((r) => r.to))).not.toContain('words-1@example.com');
    const paused = await m.query<{ details: Record<string, unknown> }>(
      "select details from incident_events where kind = 'campaign.paused' and details->>'campaignId' = $1",
      [campaignId],
    );
    expect(paused.map((p) => p.details.reason)).toEqual(['incident_changed']);
    await expect(campaigns.resume(m.responder, campaignId)).rejects.toMatchObject({
      details: { reason: 'incident_changed' },
    });
    // The author cannot approve it again (four eyes); an approver can, and it sends the words they saw.
    await expect(campaigns.approve(m.responder, campaignId)).rejects.toMatchObject({ status: 403 });
    await campaigns.approve(m.approver, campaignId);
    await m.drain();
    const sent = m.email.calls.flatMap((b) => b.recipients).filter((r) => r.to.startsWith('words-'));
    expect(sent.map((r) => r.to).sort()).toEqual(['words-1@example.com', 'words-2@example.com']);
    expect(JSON.stringify(m.email.calls)).toContain('UNAPPROVED measures written after the approval');
    expect((await campaigns.view(campaignId)).status).toBe('completed');
    const reapproved = await m.query<{ n: number }>(
      "select count(*)::int as n from incident_events where kind = 'campaign.reapproved' and details->>'campaignId' = $1",
      [campaignId],
    );
    expect(reapproved).toEqual([{ n: 1 }]);
  });
  it("a fact no reader's notice says changes nothing they read: the campaign goes on", async () => {
    const system = `words-unsaid-${Date.now()}`;
    await m.newPeople(system, [{ externalId: `${system}-gb`, email: 'unsaid-gb@example.com' }]);
    const incidentId = await m.newIncident(system);
    const campaignId = await m.newCampaign(incidentId, { channels: ['email'] });
    // Brazil's security measures and Singapore's discovery, for a regulator's report: no GB notice says them.
    await m.updateIncident(incidentId, {
      securityMeasuresBefore: 'Given later, for the ANPD report.',
      howDiscovered: 'A researcher wrote to us.',
    });
    await m.drain();
    const campaigns = m.get(CampaignsService);
    expect((await campaigns.view(campaignId)).status).toBe('completed');
    expect(m.email.calls.flatMap((b) => b.recipients.map((r) => r.to))).toContain('unsaid-gb@example.com');
  });

  it('approving again does not lift a pause made by hand', async () => {
    const system = `words-held-${Date.now()}`;
    await m.newPeople(system, [{ externalId: `${system}-1`, email: 'held-1@example.com' }]);
    const incidentId = await m.newIncident(system);
    const campaignId = await m.newCampaign(incidentId, { channels: ['email'] });
    const campaigns = m.get(CampaignsService);
    // Held by hand (say, at the police's request), then the words edited.
    await campaigns.pause(m.responder, campaignId);
    await m.updateIncident(incidentId, { remedies: 'A support line, open every day.' });
    const approved = await campaigns.approve(m.approver, campaignId);
    expect(approved.status).toBe('paused');
    await m.drain();
    expect(m.email.calls.flatMap((b) => b.recipients.map((r) => r.to))).not.toContain('held-1@example.com');
    // The words are approved: the hand that held it resumes it.
    await campaigns.resume(m.responder, campaignId);
    await m.drain();
    expect(m.email.calls.flatMap((b) => b.recipients.map((r) => r.to))).toContain('held-1@example.com');
  });
});
