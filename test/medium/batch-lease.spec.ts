import { IncidentsService } from '../../src/incidents/incidents.service.js';
import { MessagesRepository } from '../../src/notifications/messages.repository.js';
import { SendBatchService } from '../../src/notifications/send/send-batch.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A batch is one worker's at a time: the claim is a conditional update with a lease, only the holder
// gives it back, and what a worker sent is recorded whoever holds the batch by then. The repository and
// the send job are driven directly: two jobs holding one batch at once cannot be arranged through a
// queue. The steps share one batch of four emails, in order.

let m: MediumContext;
let id: string;
let batchId: number;
let size: number;
const lease = new Date(Date.now() + 60_000);
const later = () => new Date(Date.now() + 90_000);
const repository = () => m.get(MessagesRepository);

const held = async () =>
  (
    await m.query<{ status: string; lease: string | null }>(
      'select status, lease_until as lease from message_batches where id = $1',
      [batchId],
    )
  )[0];
const statuses = () =>
  m.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from messages where batch_id = $1 group by 1 order by 1',
    [batchId],
  );
/** The batch as it was before its job ran: queued, no lease, its messages queued. */
const queuedAgain = async () => {
  await m.query(
    "update message_batches set status = 'queued', lease_until = null, done_at = null where id = $1",
    [batchId],
  );
  await m.query("update messages set status = 'queued' where batch_id = $1", [batchId]);
};

beforeAll(async () => {
  m = await newMediumContext();
  const system = `lease-${Date.now()}`;
  await m.newPeople(
    system,
    [0, 1, 2, 3].map((i) => ({ externalId: `${system}-${i}`, email: `lease${i}@example.com` })),
  );
  id = await m.newCampaign(await m.newIncident(system), { channels: ['email'], mode: 'all' });
  // Planned and queued, its job not run: as it is before its job runs.
  const [batch] = await m.query<{ id: string; size: number }>(
    "select id, size from message_batches where campaign_id = $1 and channel = 'email'",
    [id],
  );
  batchId = Number(batch.id);
  size = batch.size;
  expect(size).toBe(4);
});
afterAll(() => m.close());

describe('the lease on a batch (medium: real repositories, scripted SendGrid)', () => {
  it('leases a batch to one worker at a time; what left wins over what was written meanwhile', async () => {
    const mine = await repository().claim(batchId, lease);
    expect(mine).toHaveLength(size);
    // A second job for the same batch gets nothing while the lease holds, and cannot end the first's.
    expect(await repository().claim(batchId, later())).toBeUndefined();
    expect(await repository().releaseBatch(batchId, later(), new Date())).toBe(false);
    expect(await held()).toMatchObject({ status: 'queued', lease: expect.anything() });
    // Given back with messages still queued (a retry): open for the next attempt, which claims them again.
    expect(await repository().releaseBatch(batchId, lease, new Date())).toBe(false);
    expect(await held()).toEqual({ status: 'queued', lease: null });
    const again = await repository().claim(batchId, lease);
    expect(again?.map((msg) => msg.id)).toEqual(mine!.map((msg) => msg.id));
    expect(await repository().holds(batchId, lease)).toBe(true);
    expect(await repository().holds(batchId, later())).toBe(false);
    // A paused campaign's job, or another worker whose provider refused us, cannot take it from its holder.
    await repository().returnBatch(batchId, null);
    await repository().returnBatch(batchId, later());
    expect(await held()).toMatchObject({ status: 'queued', lease: expect.anything() });
    // Sent, then given back: done. What left wins over what was written meanwhile: a cancel (its
    // delivery is notified after all), or a failure recorded by a worker that took the batch over.
    await m.query('update messages set status = $2 where id = $1', [mine![0].id, 'cancelled']);
    await m.query("update deliveries set status = 'cancelled' where id = $1", [mine![0].deliveryId]);
    await m.query('update messages set status = $2 where id = $1', [mine![1].id, 'failed']);
    await repository().markSent(
      mine!.map((msg) => ({ id: msg.id, providerRef: 'x' })),
      new Date(),
    );
    expect(await repository().releaseBatch(batchId, lease, new Date())).toBe(true);
    expect(await held()).toEqual({ status: 'done', lease: null });
    expect(await statuses()).toEqual([{ status: 'sent', n: size }]);
    const [reached] = await m.query<{ status: string }>('select status from deliveries where id = $1', [
      mine![0].deliveryId,
    ]);
    expect(reached.status).toBe('notified');
    // A closed batch stays closed; its holder's refused provider returns it to pending for the resume.
    await repository().returnBatch(batchId, null);
    expect(await held()).toEqual({ status: 'done', lease: null });
    await m.query("update message_batches set status = 'queued', lease_until = $2 where id = $1", [
      batchId,
      lease,
    ]);
    await repository().returnBatch(batchId, lease);
    expect(await held()).toEqual({ status: 'pending', lease: null });
  });
});

describe('a send job and the lease it holds (medium)', () => {
  it('gives the lease back at once when a job fails before the provider call', async () => {
    // Reading the incident fails (the database went away: a failure only a mock can cause on cue); the
    // job's retry claims the batch again instead of waiting for the lease to lapse.
    await queuedAgain();
    const service = m.get(SendBatchService);
    const lost = jest
      .spyOn(m.get(IncidentsService), 'recent')
      .mockRejectedValueOnce(new Error('connection terminated'));
    try {
      await expect(service.sendBatch('email', batchId)).rejects.toThrow('connection terminated');
    } finally {
      lost.mockRestore();
    }
    expect(await held()).toEqual({ status: 'queued', lease: null });
    expect(await statuses()).toEqual([{ status: 'queued', n: size }]);
  });

  it('records only what left when a worker outlived its lease: the new holder decides the rest', async () => {
    // SendGrid's answer moves the lease to another holder while the call is out.
    const taken = new Date(Date.now() + 3_600_000);
    const answer = m.email.answer;
    m.email.answer = async (sent) => {
      await m.query('update message_batches set lease_until = $2 where id = $1', [batchId, taken]);
      return sent.recipients.map((r, i) =>
        i === 0
          ? { kind: 'permanent', code: 'bounced' }
          : { kind: 'sent', providerRef: `late-${r.messageId}` },
      );
    };
    try {
      await m.get(SendBatchService).sendBatch('email', batchId);
    } finally {
      m.email.answer = answer;
    }
    expect(await statuses()).toEqual([
      { status: 'queued', n: 1 },
      { status: 'sent', n: size - 1 },
    ]);
    expect(await held()).toEqual({ status: 'queued', lease: expect.anything() });
    expect(await repository().holds(batchId, taken)).toBe(true);
  });

  it('hands a dead worker’s batch on past its lease, counting what may have gone twice', async () => {
    const duplicates = async () =>
      (await m.query<{ n: number }>('select possible_duplicates as n from campaigns where id = $1', [id]))[0]
        .n;
    const before = await duplicates();
    await m.query(
      "update message_batches set status = 'queued', lease_until = now() - interval '1 second' where id = $1",
      [batchId],
    );
    await m.query("update messages set status = 'queued' where batch_id = $1", [batchId]);
    // Nobody else could claim it meanwhile.
    expect(await repository().claim(batchId, lease)).toBeUndefined();
    await repository().reclaimExpired(new Date());
    expect(await held()).toEqual({ status: 'pending', lease: null });
    expect(await duplicates()).toBe(before + size);
  });
});

describe('the claim of a batch planned by an older node (medium)', () => {
  it('reads the categories of a delivery without its own copy (a rolling upgrade) from the affected set', async () => {
    await queuedAgain();
    const [older] = await m.query<{ id: string; exposed: string[] }>(
      `update deliveries d set exposed = null from affected_subjects a
       where a.id = d.affected_id and d.id = (select min(delivery_id) from messages where batch_id = $1)
       returning d.id, a.exposed_categories as exposed`,
      [batchId],
    );
    // Without the fallback the claim would give none, and the notice would list all the incident's.
    expect(older.exposed.length).toBeGreaterThan(0);
    const claimed = await repository().claim(batchId, lease);
    expect(claimed?.find((msg) => msg.deliveryId === Number(older.id))?.exposed).toEqual(older.exposed);
    expect(await repository().releaseBatch(batchId, lease, new Date())).toBe(false);
  });
});
