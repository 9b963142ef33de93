import { MALFORMED } from '../../src/channels/channel.port.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { newMediumContext, type MediumContext } from './medium.js';

// An answer that is not the provider's (test/provider-answers.e2e-spec.ts: a SendGrid 200 without
// X-Message-Id) leaves nobody in a wrong state: nobody is recorded sent or notified on it, nobody is
// failed over; the batch goes again and each message is counted as a possible duplicate (the provider
// may have taken it). Chaos found a thousand people counted notified whom nothing had reached.

let m: MediumContext;

beforeAll(async () => {
  m = await newMediumContext();
});
afterAll(() => m.close());

const states = (id: string) =>
  m.query<{ status: string; attempts: number; n: number }>(
    `select status, attempts, count(*)::int as n from messages where campaign_id = $1
      group by 1, 2 order by 1, 2`,
    [id],
  );
const campaign = async (id: string) =>
  (
    await m.query<{ possible_duplicates: number }>(
      'select possible_duplicates from campaigns where id = $1',
      [id],
    )
  )[0];
const deliveries = (id: string) =>
  m.query<{ status: string; n: number }>(
    'select status, count(*)::int as n from deliveries where campaign_id = $1 group by 1 order by 1',
    [id],
  );

describe('a malformed provider answer (medium: real repositories, scripted SendGrid)', () => {
  it('records nobody as sent, retries the batch and counts it as possible duplicates', async () => {
    const system = `malformed-${Date.now()}`;
    await m.newPeople(
      system,
      [0, 1, 2].map((i) => ({ externalId: `${system}-${i}`, email: `malformed${i}@example.com` })),
    );
    const id = await m.newCampaign(await m.newIncident(system), { channels: ['email'] });
    m.email.answer = (batch) => batch.recipients.map(() => MALFORMED);
    try {
      const run = await m.queue.runNext(JobName.SendEmail);
      expect(run?.error?.message).toBe('email: malformed_answer');
    } finally {
      m.email.sendAll();
    }
    expect(await states(id)).toEqual([{ status: 'queued', attempts: 1, n: 3 }]);
    expect(await deliveries(id)).not.toContainEqual(expect.objectContaining({ status: 'notified' }));
    expect((await campaign(id)).possible_duplicates).toBe(3);
    // The job's retry sends them.
    expect((await m.queue.runNext(JobName.SendEmail))?.error).toBeUndefined();
    expect(await states(id)).toEqual([{ status: 'sent', attempts: 2, n: 3 }]);
  });
});
