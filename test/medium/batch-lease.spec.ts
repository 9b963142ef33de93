import { MessagesRepository } from '../../src/notifications/messages.repository.js';
import { SendBatchService } from '../../src/notifications/send/send-batch.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A batch is one worker's at a time: the claim is a conditional update with a lease, only the holder
// gives it back, and what a worker sent is recorded whoever holds the batch by then. The repository and
// the send job are driven directly: two jobs holding one batch at once cannot be arranged through a queue.

describe('the lease on a batch (medium: real repositories, scripted SendGrid)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  it('leases a batch to one worker at a time, and counts what an expired lease may have sent twice', async () => {
    const system = `lease-${Date.now()}`;
    await m.newPeople(
      system,
      [0, 1, 2, 3].map((i) => ({ externalId: `${system}-${i}`, email: `lease${i}@example.com` })),
    );
    const id = await m.newCampaign(await m.newIncident(system), { channels: ['email'], mode: 'all' });
    // Planned and queued, its job not run: as it is before its job runs.
    const [batch] = await m.query<{ id: string; size: number }>(
      "select id, size from message_batches where campaign_id = $1 and channel = 'email'",
      [id],
    );
    const batchId = Number(batch.id);
    expect(batch.size).toBe(4);
    const held = async () =>
      (
        await m.query<{ status: string; lease: string | null }>(
          'select status, lease_until as lease from message_batches where id = $1',
          [batchId],
        )
      )[0];
    const queuedAgain = () =>
      m.query(
        "update message_batches set status = 'queued', lease_until = null, done_at = null where id = $1",
        [batchId],
      );
    const repository = m.get(MessagesRepository);
    const lease = new Date(Date.now() + 60_000);
    const mine = await repository.claim(batchId, lease);
    expect(mine).toHaveLength(batch.size);
    // A second job for the same batch gets nothing while the lease holds, and cannot end the first's.
    expect(await repository.claim(batchId, new Date(Date.now() + 90_000))).toBeUndefined();
    expect(await repository.releaseBatch(batchId, new Date(Date.now() + 90_000), new Date())).toBe(false);
    expect(await held()).toMatchObject({ status: 'queued', lease: expect.anything() });
    // Given back with messages still queued (a retry): open for the next attempt, which claims them again.
    expect(await repository.releaseBatch(batchId, lease, new Date())).toBe(false);
    expect(await held()).toEqual({ status: 'queued', lease: null });
    const again = await repository.claim(batchId, lease);
    expect(again?.map((msg) => msg.id)).toEqual(mine!.map((msg) => msg.id));
    expect(await repository.holds(batchId, lease)).toBe(true);
    expect(await repository.holds(batchId, new Date(Date.now() + 90_000))).toBe(false);
    // A paused campaign's job, or another worker whose provider refused us, cannot take it from its holder.
    await repository.returnBatch(batchId, null);
    await repository.returnBatch(batchId, new Date(Date.now() + 90_000));
    expect(await held()).toMatchObject({ status: 'queued', lease: expect.anything() });
    // Sent, then given back: done. What left wins over what was written meanwhile: a cancel (its
    // delivery is notified after all), or a failure recorded by a worker that took the batch over.
    await m.query('update messages set status = $2 where id = $1', [mine![0].id, 'cancelled']);
    await m.query("update deliveries set status = 'cancelled' where id = $1", [mine![0].deliveryId]);
    await m.query('update messages set status = $2 where id = $1', [mine![1].id, 'failed']);
    await repository.markSent(
      mine!.map((msg) => ({ id: msg.id, providerRef: 'x' })),
      new Date(),
    );
    expect(await repository.releaseBatch(batchId, lease, new Date())).toBe(true);
    expect(await held()).toEqual({ status: 'done', lease: null });
    const statuses = await m.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from messages where batch_id = $1 group by 1',
      [batchId],
    );
    expect(statuses).toEqual([{ status: 'sent', n: batch.size }]);
    const [reached] = await m.query<{ status: string }>('select status from deliveries where id = $1', [
      mine![0].deliveryId,
    ]);
    expect(reached.status).toBe('notified');
    // A closed batch stays closed; its holder's refused provider returns it to pending for the resume.
    await repository.returnBatch(batchId, null);
    expect(await held()).toEqual({ status: 'done', lease: null });
    await m.query("update message_batches set status = 'queued', lease_until = $2 where id = $1", [
      batchId,
      lease,
    ]);
    await repository.returnBatch(batchId, lease);
    expect(await held()).toEqual({ status: 'pending', lease: null });

    // A job that fails before the provider call (here reading the incident: the database went away, a
    // failure only a mock can cause on cue) gives the lease back at once, so its retry claims the batch
    // again.
    await queuedAgain();
    await m.query("update messages set status = 'queued' where batch_id = $1", [batchId]);
    const service = m.get(SendBatchService);
    const lost = jest
      .spyOn(service as unknown as { incident: () => Promise<unknown> }, 'incident')
      .mockRejectedValueOnce(new Error('connection terminated'));
    try {
      await expect(service.sendBatch('email', batchId)).rejects.toThrow('connection terminated');
    } finally {
      lost.mockRestore();
    }
    expect(await held()).toEqual({ status: 'queued', lease: null });
    const untouched = await m.query<{ n: number }>(
      "select count(*)::int as n from messages where batch_id = $1 and status = 'queued'",
      [batchId],
    );
    expect(untouched[0].n).toBe(batch.size);

    // A worker that outlives its lease (the batch went to another meanwhile) records what left and nothing
    // else: the new holder decides the rest. SendGrid's answer moves the lease while the call is out.
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
      await service.sendBatch('email', batchId);
    } finally {
      m.email.answer = answer;
    }
    const late = await m.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from messages where batch_id = $1 group by 1 order by 1',
      [batchId],
    );
    expect(late).toEqual([
      { status: 'queued', n: 1 },
      { status: 'sent', n: batch.size - 1 },
    ]);
    expect(await held()).toEqual({ status: 'queued', lease: expect.anything() });
    expect(await repository.holds(batchId, taken)).toBe(true);

    // A worker that dies holding the batch: past its lease the reconciler hands it on, counting every
    // message still queued in it as a possible duplicate. Nobody else could claim it meanwhile.
    const [before] = await m.query<{ n: number }>(
      'select possible_duplicates as n from campaigns where id = $1',
      [id],
    );
    await m.query(
      "update message_batches set status = 'queued', lease_until = now() - interval '1 second' where id = $1",
      [batchId],
    );
    await m.query("update messages set status = 'queued' where batch_id = $1", [batchId]);
    expect(await repository.claim(batchId, lease)).toBeUndefined();
    await repository.reclaimExpired(new Date());
    expect(await held()).toEqual({ status: 'pending', lease: null });
    const [counted] = await m.query<{ n: number }>(
      'select possible_duplicates as n from campaigns where id = $1',
      [id],
    );
    expect(counted.n).toBe(before.n + batch.size);
  });
});
