import { Clock } from '../../src/common/clock.js';
import { DeliveryEventsService } from '../../src/notifications/delivery-events.service.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import {
  DRAIN_CHUNK,
  DRAIN_CHUNKS_PER_JOB,
  DRAIN_CLAIM_MS,
  DRAIN_JOB_IDS,
  DRAIN_WAIT_MS,
  WebhookEventsService,
} from '../../src/webhooks/webhook-events.service.js';
import { WebhooksRepository } from '../../src/webhooks/webhooks.repository.js';
import { newMediumContext, type MediumContext } from './medium.js';

// The stored delivery events are applied by drains (`webhooks.process`), several of which may run at
// once: the 15 s schedule, the jobs queued as events arrive and their follow-ups, on every worker
// process. Each claims its chunks, so no event is applied by two; and a job applies a bounded number of
// chunks, then hands the rest to a follow-up, so that a burst (60,000 events after a database cut in
// the 100k fault run) does not hold a housekeeping slot for minutes.

let m: MediumContext;
/** The email messages the events name, sent (their provider id recorded). */
let messages: Array<{ id: number; ref: string }>;
let stored = 0;

beforeAll(async () => {
  m = await newMediumContext();
  const system = `drain-${Date.now()}`;
  await m.newPeople(
    system,
    [0, 1, 2, 3].map((i) => ({ externalId: `${system}-${i}`, email: `drain${i}@example.com` })),
  );
  const campaignId = await m.newCampaign(await m.newIncident(system), { channels: ['email'] });
  await m.queue.run(JobName.SendEmail);
  messages = (
    await m.query<{ id: string; provider_ref: string }>(
      "select id, provider_ref from messages where campaign_id = $1 and status = 'sent' order by id",
      [campaignId],
    )
  ).map((r) => ({ id: Number(r.id), ref: r.provider_ref }));
  expect(messages).toHaveLength(4);
  // Events another suite of this run left are applied first: the counts below are this suite's.
  while ((await m.get(WebhookEventsService).process()).followUp);
  m.queue.waiting.splice(0);
});
afterAll(() => m.close());

/** `count` SendGrid events of `kind`, naming the messages in turn (as a provider's retries would). */
async function storeEvents(count: number, kind = 'delivered'): Promise<number[]> {
  const from = stored;
  stored += count;
  const receivedAt = new Date();
  await m.get(WebhooksRepository).store(
    Array.from({ length: count }, (_, i) => {
      const message = messages[i % messages.length];
      return {
        provider: 'sendgrid',
        eventKey: `drain-spec-${process.pid}-${from + i}`,
        event: kind,
        messageId: message.id,
        providerRef: message.ref,
        receivedAt,
      };
    }),
  );
  const rows = await m.query<{ id: string }>(
    'select id from webhook_events where event_key = any($1::text[]) order by id',
    [Array.from({ length: count }, (_, i) => `drain-spec-${process.pid}-${from + i}`)],
  );
  return rows.map((r) => Number(r.id));
}

const unapplied = async (ids: number[]) =>
  (
    await m.query<{ n: number }>(
      'select count(*)::int as n from webhook_events where id = any($1::bigint[]) and processed_at is null',
      [ids],
    )
  )[0].n;

/** The clock moved on by `ahead` ms while `work` runs. */
async function later<T>(ahead: number, work: () => Promise<T>): Promise<T> {
  const clock = jest.spyOn(m.get(Clock), 'now').mockImplementation(() => new Date(Date.now() + ahead));
  try {
    return await work();
  } finally {
    clock.mockRestore();
  }
}

describe('webhook drains (medium: real repositories on PostgreSQL, scripted queue)', () => {
  it('two drains at once apply each event once: each takes chunks the other did not', async () => {
    const ids = await storeEvents(2 * DRAIN_CHUNK);
    const deliveryEvents = m.get(DeliveryEventsService);
    const apply = deliveryEvents.apply.bind(deliveryEvents);
    const seen: number[] = [];
    // Each drain's first chunk is held until the other has its own: both have read what they apply
    // before either marks anything, as two drains on two workers do.
    let arrived = 0;
    let bothIn = (): void => undefined;
    const both = new Promise<void>((done) => (bothIn = done));
    const spy = jest.spyOn(deliveryEvents, 'apply').mockImplementation(async (events, now) => {
      seen.push(...events.map((e) => e.id));
      arrived += 1;
      if (arrived === 2) bothIn();
      if (arrived <= 2) await both;
      return apply(events, now);
    });
    let results;
    try {
      const drains = m.get(WebhookEventsService);
      results = await Promise.all([drains.process(), drains.process()]);
    } finally {
      spy.mockRestore();
    }

    expect(arrived).toBeGreaterThanOrEqual(2);
    expect(seen.filter((id, i) => seen.indexOf(id) !== i)).toEqual([]);
    expect([...seen].sort((a, b) => a - b)).toEqual(ids);
    expect(results.reduce((sum, r) => sum + r.applied, 0)).toBe(ids.length);
    expect(results.map((r) => r.followUp)).toEqual([false, false]);
    const outcomes = await m.query<{ outcome: string; n: number }>(
      'select outcome, count(*)::int as n from webhook_events where id = any($1::bigint[]) group by 1',
      [ids],
    );
    expect(outcomes).toEqual([{ outcome: 'delivered', n: ids.length }]);
    const statuses = await m.query<{ status: string }>(
      'select distinct status from messages where id = any($1::bigint[])',
      [messages.map((x) => x.id)],
    );
    expect(statuses).toEqual([{ status: 'delivered' }]);
  });

  it('a job applies its budget of chunks and leaves the rest to one follow-up, which finishes them', async () => {
    const budget = DRAIN_CHUNKS_PER_JOB * DRAIN_CHUNK;
    const ids = await storeEvents(2 * budget + 250);
    const drains = () => m.queue.of(JobName.WebhooksProcess).map((j) => j.id);
    // As queued when events arrive.
    await m.queue.add(JobName.WebhooksProcess, {}, { jobId: DRAIN_JOB_IDS[0] });

    const first = await m.queue.runNext(JobName.WebhooksProcess);
    expect(first?.result).toEqual({ applied: budget, waiting: 0, followUp: true });
    expect(await unapplied(ids)).toBe(budget + 250);
    // One follow-up, under the id its job does not run under (BullMQ adds none under a running job's id).
    expect(drains()).toEqual([DRAIN_JOB_IDS[1]]);
    await m.queue.add(JobName.WebhooksProcess, {}, { jobId: DRAIN_JOB_IDS[1] });
    expect(drains()).toEqual([DRAIN_JOB_IDS[1]]);

    const second = await m.queue.runNext(JobName.WebhooksProcess);
    expect(second?.result).toEqual({ applied: budget, waiting: 0, followUp: true });
    expect(drains()).toEqual([DRAIN_JOB_IDS[0]]);

    const third = await m.queue.runNext(JobName.WebhooksProcess);
    expect(third?.result).toEqual({ applied: 250, waiting: 0, followUp: false });
    expect(drains()).toEqual([]);
    expect(await unapplied(ids)).toBe(0);
  });

  it('a drain that dies mid-chunk leaves its events to the first drain after its claim lapses', async () => {
    const ids = await storeEvents(3, 'bounce');
    const deliveryEvents = m.get(DeliveryEventsService);
    const crash = jest
      .spyOn(deliveryEvents, 'apply')
      .mockRejectedValueOnce(new Error('Connection terminated unexpectedly'));
    try {
      await expect(m.get(WebhookEventsService).process()).rejects.toThrow('Connection terminated');
    } finally {
      crash.mockRestore();
    }
    expect(await unapplied(ids)).toBe(3);
    // Held while the claim lives: a slow drain is not raced for its chunk.
    expect(await m.get(WebhookEventsService).process()).toMatchObject({ applied: 0 });
    expect(await unapplied(ids)).toBe(3);
    // Then applied again: the bounces fail the messages, once.
    expect(await later(DRAIN_CLAIM_MS + 1_000, () => m.get(WebhookEventsService).process())).toMatchObject({
      applied: 3,
    });
    expect(await unapplied(ids)).toBe(0);
    const failed = await m.query<{ id: string }>(
      "select id from messages where id = any($1::bigint[]) and status = 'failed' order by id",
      [messages.map((x) => x.id)],
    );
    expect(failed.map((r) => Number(r.id))).toEqual(messages.slice(0, 3).map((x) => x.id));
  });

  it('an event that comes before its send is recorded waits, given back, and is applied once it is', async () => {
    const [message] = messages.slice(3);
    await m.query("update messages set status = 'queued', provider_ref = null where id = $1", [message.id]);
    await m.get(WebhooksRepository).store([
      {
        provider: 'sendgrid',
        eventKey: `drain-spec-${process.pid}-early`,
        event: 'delivered',
        messageId: message.id,
        providerRef: message.ref,
        receivedAt: new Date(),
      },
    ]);
    const row = () =>
      m.query<{ outcome: string | null; waits: boolean; claimed: boolean }>(
        `select outcome, not_before is not null as waits, claimed_until is not null as claimed
          from webhook_events where event_key = $1`,
        [`drain-spec-${process.pid}-early`],
      );

    expect(await m.get(WebhookEventsService).process()).toEqual({ applied: 0, waiting: 1, followUp: false });
    expect(await row()).toEqual([{ outcome: null, waits: true, claimed: false }]);
    expect(await m.get(WebhookEventsService).process()).toEqual({ applied: 0, waiting: 0, followUp: false });

    // The job records the send; the next look, a wait later, applies the event.
    await m.query("update messages set status = 'sent', provider_ref = $2 where id = $1", [
      message.id,
      message.ref,
    ]);
    expect(await later(DRAIN_WAIT_MS + 1_000, () => m.get(WebhookEventsService).process())).toEqual({
      applied: 1,
      waiting: 0,
      followUp: false,
    });
    expect(await row()).toEqual([{ outcome: 'delivered', waits: true, claimed: false }]);
    const [status] = await m.query<{ status: string }>('select status from messages where id = $1', [
      message.id,
    ]);
    expect(status).toEqual({ status: 'delivered' });
  });
});
