import { CampaignsService } from '../../src/notifications/campaigns.service.js';
import { DeliveryEventsService } from '../../src/notifications/delivery-events.service.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { talliesDiffer } from '../support/app.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A cancel stops what has not left. What was on the wire at that moment is recorded as the provider
// answered (sent wins over cancelled), and a bounce of it afterwards falls back to nothing: a cancelled
// campaign sends nothing more.

describe('a cancel with a message on the wire (medium: real repositories, scripted Twilio and queue)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  it('records the SMS that left, and its later bounce plans nothing and leaves nothing pending', async () => {
    const system = `cancel-${Date.now()}`;
    await m.newPeople(system, [
      {
        externalId: `${system}-0`,
        phone: '+14155554300',
        email: 'cancel0@example.com',
        channelPreferences: ['sms', 'email'],
      },
    ]);
    const id = await m.newCampaign(await m.newIncident(system), { channels: ['sms', 'email'] });
    // The cancel comes while the SMS is with Twilio, which then takes it.
    m.sms.answer = async (message) => {
      await m.get(CampaignsService).cancel(m.responder, id);
      return { kind: 'sent', providerRef: `SM${message.messageId}` };
    };
    try {
      expect((await m.queue.runNext(JobName.SendSms))?.error).toBeUndefined();
    } finally {
      m.sms.answer = (message) => ({ kind: 'sent', providerRef: `SM${message.messageId}` });
    }
    const [sms] = await m.query<{ id: string; status: string; delivery: string }>(
      `select m.id, m.status, d.status as delivery from messages m join deliveries d on d.id = m.delivery_id
        where m.campaign_id = $1`,
      [id],
    );
    expect(sms).toMatchObject({ status: 'sent', delivery: 'notified' });
    // Nothing waits after a cancel: no queued message, no open batch.
    const open = await m.query(
      "select 1 from messages where campaign_id = $1 and status = 'queued' union all select 1 from message_batches where campaign_id = $1 and status <> 'done'",
      [id],
    );
    expect(open).toEqual([]);

    // Twilio's status callback: undelivered. No longer notified, and no email planned in its place.
    await m
      .get(DeliveryEventsService)
      .applyEvents([{ messageId: Number(sms.id), campaignId: id, kind: 'failed', code: 'twilio_30003' }]);
    const [after] = await m.query<{ status: string; messages: number }>(
      `select d.status, (select count(*)::int from messages x where x.delivery_id = d.id) as messages
        from deliveries d where d.campaign_id = $1`,
      [id],
    );
    expect(after).toEqual({ status: 'cancelled', messages: 1 });
    const [campaign] = await m.query<{ status: string }>('select status from campaigns where id = $1', [id]);
    expect(campaign.status).toBe('cancelled');
    expect(m.queue.of()).toEqual([]);
    expect(await talliesDiffer(m, id)).toEqual([]);
  });
});
