import { JobName } from '../../src/queue/queue.catalogue.js';
import { CampaignsService } from '../../src/notifications/campaigns.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A provider's outage is never the recipients' doing: past a job, its batch goes to a new one; past four
// jobs' tries the campaign pauses for a person to look. A few numbers failing while the rest of their
// batch went are those numbers' trouble; throttling never is.

let m: MediumContext;

/** A campaign of `n` people reachable by SMS only, planned: one SMS batch, its job waiting. */
const smsCampaign = async (name: string, n = 3) => {
  const system = `${name}-${Date.now()}`;
  await m.newPeople(
    system,
    Array.from({ length: n }, (_, i) => ({ externalId: `${system}-${i}`, phone: `+1415555${4100 + i}` })),
  );
  const id = await m.newCampaign(await m.newIncident(system), { channels: ['sms'] });
  expect(m.queue.of(JobName.SendSms)).toHaveLength(1);
  return id;
};
const states = (id: string) =>
  m.query<{ status: string; attempts: number; error: string | null; n: number }>(
    `select status, attempts, error, count(*)::int as n from messages where campaign_id = $1
      group by 1, 2, 3 order by 1, 2`,
    [id],
  );
const status = async (id: string) =>
  (await m.query<{ status: string }>('select status from campaigns where id = $1', [id]))[0].status;
/** Runs every attempt of the waiting SMS job (8), and no other job. */
const oneJob = async () => {
  const [job] = m.queue.of(JobName.SendSms);
  const runs = [];
  while (m.queue.of(JobName.SendSms).includes(job)) runs.push(await m.queue.runNext(JobName.SendSms));
  return runs;
};

/**
 * A campaign whose one number (of three) Twilio keeps answering `code` for, through its first job's
 * every attempt, while it takes the others.
 */
const lone = async (code: string) => {
  const id = await smsCampaign(`lone-${code}`);
  const [first] = await m.query<{ id: string }>('select min(id) as id from messages where campaign_id = $1', [
    id,
  ]);
  m.sms.answer = (message) =>
    message.messageId === Number(first.id)
      ? { kind: 'transient', code }
      : { kind: 'sent', providerRef: `SM${message.messageId}` };
  const runs = await oneJob();
  expect(runs[0]?.error?.message).toBe(`sms: ${code}`);
  return id;
};

describe('sending through an outage (medium: real repositories, scripted Twilio and queue)', () => {
  beforeAll(async () => {
    // Thirty-two tries of three SMS of several segments: at the default 10 segments a second their send
    // slots alone would take minutes.
    m = await newMediumContext({ TWILIO_MAX_PER_SECOND: '10000' });
  });
  afterAll(() => m.close());

  it('hands an outage on to a new job, never failing anyone, and pauses after four jobs of tries', async () => {
    const id = await smsCampaign('outage');
    m.sms.answer = () => ({ kind: 'transient', code: 'http_503' });
    const first = await oneJob();
    expect(first).toHaveLength(8);
    expect(first.slice(0, 7).every((r) => r?.error?.message === 'sms: http_503')).toBe(true);
    // Its last attempt: nobody failed, every try counted, the batch queued again for a new job.
    expect(first[7]?.error).toBeUndefined();
    expect(await states(id)).toEqual([{ status: 'queued', attempts: 8, error: null, n: 3 }]);
    expect(m.queue.of(JobName.SendSms)).toHaveLength(1);
    expect(await status(id)).toBe('sending');

    // Three more jobs of it: the campaign pauses, on its timeline, and nothing is queued.
    for (let job = 2; job <= 4; job += 1) await oneJob();
    expect(await status(id)).toBe('paused');
    expect(await states(id)).toEqual([{ status: 'queued', attempts: 32, error: null, n: 3 }]);
    expect(m.queue.of(JobName.SendSms)).toEqual([]);
    const [paused] = await m.query<{ details: Record<string, unknown> }>(
      "select details from incident_events where kind = 'campaign.paused' and details->>'campaignId' = $1",
      [id],
    );
    expect(paused.details).toMatchObject({
      reason: 'provider_unavailable',
      channel: 'sms',
      code: 'http_503',
    });

    // Twilio is back; resumed by hand, the campaign sends and completes.
    m.sms.answer = (message) => ({ kind: 'sent', providerRef: `SM${message.messageId}` });
    await m.get(CampaignsService).resume(m.responder, id);
    await m.queue.run();
    expect(await status(id)).toBe('completed');
    expect(await states(id)).toEqual([{ status: 'sent', attempts: 33, error: null, n: 3 }]);
  });

  it('fails over one number still failing when Twilio took the rest of its batch, never for throttling', async () => {
    const failing = await lone('http_503');
    expect(await states(failing)).toEqual([
      { status: 'failed', attempts: 8, error: 'retries_exhausted:http_503', n: 1 },
      { status: 'sent', attempts: 1, error: null, n: 2 },
    ]);
    // SMS was that person's only channel: unreachable, and the campaign is done.
    expect(await status(failing)).toBe('completed');

    const throttled = await lone('twilio_20429');
    expect(await states(throttled)).toEqual([
      { status: 'queued', attempts: 8, error: null, n: 1 },
      { status: 'sent', attempts: 1, error: null, n: 2 },
    ]);
    expect(await status(throttled)).toBe('sending');
    // The throttled number goes with a new job once Twilio lets it.
    m.sms.answer = (message) => ({ kind: 'sent', providerRef: `SM${message.messageId}` });
    await m.queue.run();
    expect(await status(throttled)).toBe('completed');
    expect(await states(throttled)).toEqual([
      { status: 'sent', attempts: 1, error: null, n: 2 },
      { status: 'sent', attempts: 9, error: null, n: 1 },
    ]);
  });
});
