import { DatabaseService } from '../../src/database/database.service.js';
import { MessagesRepository } from '../../src/notifications/messages.repository.js';
import { newMediumContext, type MediumContext } from './medium.js';

// The record of a send finds its messages by their key and looks up each one's provider id or error
// code without a join: joined to the batch's arrays (`unnest`), the planner rescanned the thousand values
// once per message as soon as the statistics said few messages were still queued (a million comparisons
// a batch, 230 of its 250 ms at 1M recipients), or hash-joined a scan of every message of every campaign.
// The plans are read with hash and merge joins off, as a planner misled by statistics would choose:
// a statement that joins messages to an array then shows it as a nested loop over a function scan.

let m: MediumContext;
let batchId: number;

beforeAll(async () => {
  m = await newMediumContext();
  const system = `record-${Date.now()}`;
  await m.newPeople(
    system,
    [0, 1, 2, 3].map((i) => ({ externalId: `${system}-${i}`, email: `record${i}@example.com` })),
  );
  const id = await m.newCampaign(await m.newIncident(system), { channels: ['email'], mode: 'all' });
  const [batch] = await m.query<{ id: string }>(
    "select id from message_batches where campaign_id = $1 and channel = 'email'",
    [id],
  );
  batchId = Number(batch.id);
});
afterAll(() => m.close());

interface PlanNode {
  'Node Type': string;
  Alias?: string;
  Plans?: PlanNode[];
}

/** Every node of a plan under a nested loop that scans a set-returning function (an array joined row by row). */
const loopsOverArrays = (node: PlanNode, inLoop = false): string[] => {
  const here = inLoop && node['Node Type'] === 'Function Scan' ? [node.Alias ?? 'function'] : [];
  const loop = inLoop || node['Node Type'] === 'Nested Loop';
  return [...here, ...(node.Plans ?? []).flatMap((child) => loopsOverArrays(child, loop))];
};

/** The plans of the statements `work` sends that write `messages`, with hash and merge joins off. */
async function plansOfMessageWrites(work: () => Promise<unknown>): Promise<PlanNode[]> {
  const { queries } = await m.statements(work);
  const writes = queries.filter((q) => /update messages/i.test(q.text));
  expect(writes.length).toBeGreaterThan(0);
  const client = (m.get(DatabaseService).db as unknown as { $client: import('pg').Pool }).$client;
  const connection = await client.connect();
  try {
    await connection.query('begin');
    await connection.query('set local enable_hashjoin = off');
    await connection.query('set local enable_mergejoin = off');
    const plans: PlanNode[] = [];
    for (const q of writes) {
      const { rows } = await connection.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(
        `explain (format json) ${q.text}`,
        q.values,
      );
      plans.push(rows[0]['QUERY PLAN'][0].Plan);
    }
    return plans;
  } finally {
    await connection.query('rollback');
    connection.release();
  }
}

describe('the record of a send (medium: real repositories on PostgreSQL)', () => {
  it('gives each message its own provider id and error code, found by key, never by a join to the arrays', async () => {
    const messages = m.get(MessagesRepository);
    const claimed = (await messages.claim(batchId, new Date(Date.now() + 60_000)))!;
    expect(claimed).toHaveLength(4);
    const [a, b, c, d] = claimed;
    const now = new Date();
    const sent = [
      { id: a.id, providerRef: 'ref-a' },
      { id: b.id, providerRef: 'ref-b' },
    ];
    const failed = [
      { id: c.id, code: 'bounce-c' },
      { id: d.id, code: 'invalid-d' },
    ];
    const plans = [
      ...(await plansOfMessageWrites(() => messages.markSent(sent, now))),
      ...(await plansOfMessageWrites(() => messages.markFailed(failed, now))),
      ...(await plansOfMessageWrites(() => messages.failAfterSend([{ id: b.id, code: 'bounce-b' }], now))),
    ];
    expect(plans.flatMap((plan) => loopsOverArrays(plan))).toEqual([]);

    const rows = await m.query<{
      id: string;
      status: string;
      provider_ref: string | null;
      error: string | null;
    }>('select id, status, provider_ref, error from messages where batch_id = $1 order by id', [batchId]);
    expect(rows.map((r) => ({ ...r, id: Number(r.id) }))).toEqual([
      { id: a.id, status: 'sent', provider_ref: 'ref-a', error: null },
      { id: b.id, status: 'failed', provider_ref: 'ref-b', error: 'bounce-b' },
      { id: c.id, status: 'failed', provider_ref: null, error: 'bounce-c' },
      { id: d.id, status: 'failed', provider_ref: null, error: 'invalid-d' },
    ]);
  });

  it("keeps a provider's id it cannot store as given (a NUL, a lone surrogate) spelled out, and records the send", async () => {
    const messages = m.get(MessagesRepository);
    await m.query(
      "update messages set status = 'queued', provider_ref = null, error = null where batch_id = $1",
      [batchId],
    );
    const [a, b] = await m.query<{ id: string }>(
      'select id from messages where batch_id = $1 order by id limit 2',
      [batchId],
    );
    // jsonb refuses both: the statement failed, and a batch that had left stayed queued for a retry.
    await messages.markSent(
      [
        { id: Number(a.id), providerRef: 'projects/p/messages/\ud800x' },
        { id: Number(b.id), providerRef: 'ref\u0000' },
      ],
      new Date(),
    );
    const rows = await m.query<{ status: string; provider_ref: string }>(
      'select status, provider_ref from messages where id = any($1::bigint[]) order by id',
      [[a.id, b.id]],
    );
    expect(rows).toEqual([
      { status: 'sent', provider_ref: 'projects/p/messages/\\ud800x' },
      { status: 'sent', provider_ref: 'ref\\u0000' },
    ]);
  });
});
