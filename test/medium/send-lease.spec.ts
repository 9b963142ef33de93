import { Clock } from '../../src/common/clock.js';
import { AppConfig } from '../../src/config/config.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A send job starts no provider call once its lease is lost or has run down to its last third
// (renewals stalled): the batch may be another worker's by the time the call leaves. What is left stays
// queued and untried, no attempt counted: for the job's retry, or on its last attempt for a new job.

let m: MediumContext;

/** A campaign of three people reachable by SMS only, planned: one SMS batch of three, its job waiting. */
const smsCampaign = async (name: string) => {
  const system = `${name}-${Date.now()}`;
  await m.newPeople(
    system,
    [0, 1, 2].map((i) => ({ externalId: `${system}-${i}`, phone: `+1415555${4200 + i}` })),
  );
  return m.newCampaign(await m.newIncident(system), { channels: ['sms'] });
};
const states = (id: string) =>
  m.query<{ status: string; attempts: number; n: number }>(
    `select status, attempts, count(*)::int as n from messages where campaign_id = $1
      group by 1, 2 order by 1, 2`,
    [id],
  );
const batchOf = async (id: string) =>
  (
    await m.query<{ status: string; lease_until: Date | null; queuings: number }>(
      'select status, lease_until, queuings from message_batches where campaign_id = $1',
      [id],
    )
  )[0];
/**
 * The first call ends with the lease all but run out (renewals stalled: the clock jumps while it is on
 * the wire, and stays until `restore`); the others find it so and do not start.
 */
const slowFirstCall = () => {
  let ahead = 0;
  const clock = jest.spyOn(m.get(Clock), 'now').mockImplementation(() => new Date(Date.now() + ahead));
  let first = true;
  m.sms.answer = (message) => {
    if (first) {
      first = false;
      ahead = m.get(AppConfig).deliveryLeaseMs;
    }
    return Promise.resolve({ kind: 'sent', providerRef: `slow-${message.messageId}` });
  };
  return () => {
    clock.mockRestore();
    m.sms.answer = (message) => ({ kind: 'sent', providerRef: `SM${message.messageId}` });
  };
};

describe('a send job whose lease runs low (medium: real repositories, scripted Twilio and queue)', () => {
  beforeAll(async () => {
    // 30 SMS segments a second: one batch of three SMS (about ten segments each).
    m = await newMediumContext({ TWILIO_MAX_PER_SECOND: '30' });
  });
  afterAll(() => m.close());

  it('leaves the rest untried for the job’s retry, which sends them', async () => {
    const id = await smsCampaign('lease-retry');
    const restore = slowFirstCall();
    try {
      const run = await m.queue.runNext(JobName.SendSms);
      expect(run?.error?.message).toBe('sms: lease_lost');
    } finally {
      restore();
    }
    expect(await states(id)).toEqual([
      { status: 'queued', attempts: 0, n: 2 },
      { status: 'sent', attempts: 1, n: 1 },
    ]);
    expect(await batchOf(id)).toMatchObject({ status: 'queued', lease_until: null });
    // The retry (the same job's next attempt) sends the rest.
    expect((await m.queue.runNext(JobName.SendSms))?.error).toBeUndefined();
    expect(await states(id)).toEqual([{ status: 'sent', attempts: 1, n: 3 }]);
  });

  it('on the job’s last attempt, hands the rest to a new job through the window, failing nobody', async () => {
    const id = await smsCampaign('lease-last');
    const [job] = m.queue.of(JobName.SendSms);
    job.attemptsMade = 7;
    const { queuings } = await batchOf(id);
    const restore = slowFirstCall();
    try {
      expect((await m.queue.runNext(JobName.SendSms))?.error).toBeUndefined();
    } finally {
      restore();
    }
    expect(await states(id)).toEqual([
      { status: 'queued', attempts: 0, n: 2 },
      { status: 'sent', attempts: 1, n: 1 },
    ]);
    // Back to pending and queued again at once by the window: a new job, with attempts of its own.
    expect(await batchOf(id)).toMatchObject({ status: 'queued', lease_until: null, queuings: queuings + 1 });
    expect(m.queue.of(JobName.SendSms).map((j) => j.attemptsMade)).toEqual([0]);
    await m.queue.run();
    expect(await states(id)).toEqual([{ status: 'sent', attempts: 1, n: 3 }]);
    expect((await batchOf(id)).status).toBe('done');
  });
});
