import { Redis } from 'ioredis';
import { AppConfig } from '../../src/config/config.js';
import { DatabaseService } from '../../src/database/database.service.js';
import type { JobRepository } from '../../src/queue/job.repository.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { SendRate } from '../../src/queue/send-rate.js';
import { smsSize } from '../../src/templates/sms-segments.js';
import { queuePeak } from '../fakes/fake-server.js';
import { REDIS_BASE } from '../support/app.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A provider's rate holds per second, per message, across every process (issue 20: with
// TWILIO_MAX_PER_SECOND=50, Twilio saw 81 in one second: the limiter spaced jobs, not messages), and per
// segment where the provider counts segments (Twilio: an SMS of nine segments is nine of its rate). Two
// processes are two SendRate instances over the same store: PostgreSQL's `send_slots` (queues on
// PostgreSQL) or a Redis key (queues on Redis).

const RATE = 20;
/**
 * What the test's own clock may add: the times are taken when each wait's timer fires, and on a loaded
 * machine (two cores, five suites) timers fire late and together. Without the slots, all 80 fire at once.
 */
const JITTER = 2;
let m: MediumContext;

beforeAll(async () => {
  m = await newMediumContext({ TWILIO_MAX_PER_SECOND: String(RATE) });
});
afterAll(() => m.close());

/** The most of `times` (ms) in any one second, sliding, and in any one Unix second. */
const busiest = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  let sliding = 0;
  for (let i = 0, j = 0; i < sorted.length; i += 1) {
    while (sorted[i] - sorted[j] >= 1000) j += 1;
    sliding = Math.max(sliding, i - j + 1);
  }
  const perSecond = new Map<number, number>();
  for (const t of sorted) perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
  return { sliding, unixSecond: Math.max(...perSecond.values()) };
};

/**
 * `n` slots taken by each of two processes at once (four callers each, as a job's SMS workers), the
 * i-th message of each caller costing `costs[i % costs.length]` units: when each was given, and its units.
 */
const twoProcesses = async (make: () => SendRate, n: number, costs = [1], during?: () => Promise<void>) => {
  const processes = [make(), make()];
  const sent: Array<{ at: number; units: number }> = [];
  await Promise.all([
    ...processes.flatMap((rate) =>
      Array.from({ length: 4 }, async () => {
        for (let i = 0; i < n / 4; i += 1) {
          const cost = costs[i % costs.length];
          await rate.takeSendSlot('sms', cost);
          sent.push({ at: Date.now(), units: cost });
        }
      }),
    ),
    during?.(),
  ]);
  return { times: sent.map((s) => s.at), sent };
};

describe('the send rate, per message across processes (medium)', () => {
  jest.setTimeout(60_000);

  it('holds on PostgreSQL (queues without Redis)', async () => {
    const make = () =>
      new SendRate(m.queue as unknown as JobRepository, m.get(DatabaseService), m.get(AppConfig));
    const started = Date.now();
    const { times } = await twoProcesses(make, 2 * RATE);
    expect(times).toHaveLength(4 * RATE);
    expect(busiest(times).sliding).toBeLessThanOrEqual(RATE + JITTER);
    // Not slower than the rate (less the margin) either: 80 slots at 20/s is just under 4 s.
    expect(Date.now() - started).toBeLessThan(6_000);
  });

  it('holds on Redis (one key, Redis’s clock)', async () => {
    const redis = new Redis(`${REDIS_BASE}/5`);
    try {
      await redis.del('send-rate:sms');
      const jobs = { redis: () => redis } as unknown as JobRepository;
      const { times } = await twoProcesses(
        () => new SendRate(jobs, m.get(DatabaseService), m.get(AppConfig)),
        2 * RATE,
      );
      expect(times).toHaveLength(4 * RATE);
      expect(busiest(times).sliding).toBeLessThanOrEqual(RATE + JITTER);
    } finally {
      redis.disconnect();
    }
  });

  describe('an SMS of several segments takes as many units of the rate (Twilio counts segments)', () => {
    // Messages of one and three segments, from two processes: 40 of them, 80 units, at 20 units a second.
    const COSTS = [1, 3];

    it('on PostgreSQL', async () => {
      const make = () =>
        new SendRate(m.queue as unknown as JobRepository, m.get(DatabaseService), m.get(AppConfig));
      const { sent } = await twoProcesses(make, RATE, COSTS);
      expect(sent).toHaveLength(2 * RATE);
      // What Twilio would hold at its rate: about one message. Counted per message instead, it held 30.
      expect(queuePeak(sent, RATE)).toBeLessThanOrEqual(2 * Math.max(...COSTS));
    });

    it('on Redis, flushed while the processes send (the slots handed out are not sent beside new ones)', async () => {
      const redis = new Redis(`${REDIS_BASE}/5`);
      try {
        await redis.del('send-rate:sms');
        const jobs = { redis: () => redis } as unknown as JobRepository;
        const { sent } = await twoProcesses(
          () => new SendRate(jobs, m.get(DatabaseService), m.get(AppConfig)),
          RATE,
          COSTS,
          async () => {
            for (const at of [1_000, 2_000]) {
              await new Promise((r) => setTimeout(r, at === 1_000 ? at : 1_000));
              await redis.del('send-rate:sms');
            }
          },
        );
        expect(sent).toHaveLength(2 * RATE);
        // 6 measured with the seen end (two processes' timers late together), 24 without it.
        expect(queuePeak(sent, RATE)).toBeLessThanOrEqual(3 * Math.max(...COSTS));
      } finally {
        redis.disconnect();
      }
    });
  });

  it('does not hold SMS back by a slot end seen far ahead (a Redis clock that jumped forward and back)', async () => {
    const redis = new Redis(`${REDIS_BASE}/5`);
    try {
      await redis.del('send-rate:sms');
      const rate = new SendRate(
        { redis: () => redis } as unknown as JobRepository,
        m.get(DatabaseService),
        m.get(AppConfig),
      );
      // What this process saw while Redis's clock was an hour ahead.
      (rate as unknown as { seenEnd: Map<string, number> }).seenEnd.set(
        'sms',
        (Date.now() + 3_600_000) * 1000,
      );
      const started = Date.now();
      for (let i = 0; i < 3; i += 1) await rate.takeSendSlot('sms');
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      redis.disconnect();
    }
  });

  it('gives up a slot woken up late (a busy event loop) instead of sending with the others due meanwhile', async () => {
    const make = () =>
      new SendRate(m.queue as unknown as JobRepository, m.get(DatabaseService), m.get(AppConfig));
    // The event loop busy for 700 ms, a second into the run: the timers due meanwhile fire together
    // after it, and their messages would leave at once.
    const stall = setTimeout(() => {
      const until = Date.now() + 700;
      while (Date.now() < until);
    }, 1_000);
    try {
      const { times } = await twoProcesses(make, 2 * RATE);
      expect(times).toHaveLength(4 * RATE);
      // No allowance for the test's clock here: without giving up late slots the stall put 25 in one second.
      expect(busiest(times).sliding).toBeLessThanOrEqual(RATE);
    } finally {
      clearTimeout(stall);
    }
  });

  it('still sends when every slot is late (a store that always answers late), at a third of the rate', async () => {
    const slow = new SendRate(m.queue as unknown as JobRepository, m.get(DatabaseService), m.get(AppConfig));
    // Each slot answered 150 ms after its moment: never on time.
    let next = Date.now() * 1000;
    jest.spyOn(slow as unknown as { take: () => Promise<number> }, 'take').mockImplementation(async () => {
      const slot = Math.max(next, Date.now() * 1000);
      next = slot + 1_000_000 / RATE;
      await new Promise((r) => setTimeout(r, 150));
      return slot;
    });
    const started = Date.now();
    for (let i = 0; i < 3; i += 1) await slow.takeSendSlot('sms');
    // Three late slots each (two given up), 150 ms apiece: under two seconds, not forever.
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('paces each message of a send job by its segments, not only the jobs', async () => {
    const system = `rate-${Date.now()}`;
    const n = RATE;
    await m.newPeople(
      system,
      Array.from({ length: n }, (_, i) => ({
        externalId: `${system}-${i}`,
        phone: `+1415556${String(1000 + i)}`,
      })),
    );
    const sent: Array<{ at: number; units: number }> = [];
    m.sms.answer = (message) => {
      sent.push({ at: Date.now(), units: smsSize(message.body).segments });
      return { kind: 'sent', providerRef: `SM${message.messageId}` };
    };
    await m.newCampaign(await m.newIncident(system), { channels: ['sms'] });
    // Batches of a second's worth (two SMS of ten segments): the jobs run one after another with no
    // limiter between them (a scripted queue), as two workers' jobs would start together.
    await m.queue.run(JobName.SendSms);
    expect(sent).toHaveLength(n);
    // Each SMS is the notice, several segments long: Twilio's queue holds no more than one of them.
    const longest = Math.max(...sent.map((s) => s.units));
    expect(longest).toBeGreaterThan(1);
    expect(queuePeak(sent, RATE)).toBeLessThanOrEqual(longest + JITTER);
  });
});
