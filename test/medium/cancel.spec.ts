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
    // 60 SMS segments a second: batches of six SMS, each about ten segments (a fifth of a second).
    m = await newMediumContext({ TWILIO_MAX_PER_SECOND: '60' });
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

  describe('a job whose SMS wait for their send slots (one SMS of several segments a second and more)', () => {
    /** Six people by SMS; the campaign approved; the times at which Twilio was called. */
    const sixBySms = async (system: string) => {
      await m.newPeople(
        system,
        Array.from({ length: 6 }, (_, i) => ({ externalId: `${system}-${i}`, phone: `+1415555${4400 + i}` })),
      );
      const id = await m.newCampaign(await m.newIncident(system), { channels: ['sms'] });
      const calls: number[] = [];
      return { id, calls };
    };
    afterEach(() => {
      m.sms.answer = (message) => ({ kind: 'sent', providerRef: `SM${message.messageId}` });
    });

    it('sends nothing more once the campaign is cancelled, though the batch is claimed and its lease live', async () => {
      const { id, calls } = await sixBySms(`cancel-wait-${Date.now()}`);
      let cancelled: Promise<number> | undefined;
      m.sms.answer = (message) => {
        calls.push(Date.now());
        // After the first SMS, while the others wait for their slots (the lease is renewed every 10 s).
        cancelled ??= m
          .get(CampaignsService)
          .cancel(m.responder, id)
          .then(() => Date.now());
        return { kind: 'sent', providerRef: `SM${message.messageId}` };
      };
      await m.queue.runNext(JobName.SendSms);
      const at = await cancelled!;
      // What was on its way when the cancel committed may leave; nothing after the next look (500 ms).
      expect(calls.filter((t) => t > at + 750)).toEqual([]);
      expect(calls.length).toBeLessThan(6);
      const statuses = await m.query<{ status: string; n: number }>(
        'select status, count(*)::int as n from messages where campaign_id = $1 group by 1 order by 1',
        [id],
      );
      expect(statuses).toEqual([
        { status: 'cancelled', n: 6 - calls.length },
        { status: 'sent', n: calls.length },
      ]);
      expect(await talliesDiffer(m, id)).toEqual([]);
    });

    it('sends nothing more once paused, gives the batch back, and sends the rest on resume', async () => {
      const { id, calls } = await sixBySms(`pause-wait-${Date.now()}`);
      let paused: Promise<number> | undefined;
      m.sms.answer = (message) => {
        calls.push(Date.now());
        paused ??= m
          .get(CampaignsService)
          .pause(m.responder, id)
          .then(() => Date.now());
        return { kind: 'sent', providerRef: `SM${message.messageId}` };
      };
      await m.queue.run(JobName.SendSms);
      const at = await paused!;
      expect(calls.filter((t) => t > at + 750)).toEqual([]);
      const before = calls.length;
      expect(before).toBeLessThan(6);
      // Nothing left claimed: the batch is back, its untried messages queued, nothing counted twice.
      const [batch] = await m.query<{ status: string }>(
        'select status from message_batches where campaign_id = $1',
        [id],
      );
      expect(batch.status).toBe('pending');
      const [campaign] = await m.query<{ possible_duplicates: number }>(
        'select possible_duplicates from campaigns where id = $1',
        [id],
      );
      expect(campaign.possible_duplicates).toBe(0);

      await m.get(CampaignsService).resume(m.responder, id);
      await m.queue.run(JobName.SendSms);
      expect(calls).toHaveLength(6);
      const [sent] = await m.query<{ n: number }>(
        "select count(*)::int as n from messages where campaign_id = $1 and status = 'sent'",
        [id],
      );
      expect(sent.n).toBe(6);
    });
  });
});
