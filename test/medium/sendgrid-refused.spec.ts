import { BATCH_REFUSED, type EmailBatch, type SendOutcome } from '../../src/channels/channel.port.js';
import { JobName } from '../../src/queue/queue.catalogue.js';
import { newMediumContext, type MediumContext } from './medium.js';

// SendGrid takes none of a request in which it refuses an address (test/contracts and the fake say how
// it answers: a 400 naming the personalization). One refused address in a batch of 1,000: the others go
// again at once, in the same job, and the refused one falls back alone (issue 20: the others waited for
// the job's retry, seconds later, and the refused one was in that request again).

let m: MediumContext;

beforeAll(async () => {
  m = await newMediumContext();
});
afterAll(() => m.close());

const PEOPLE = 1_000;
const REFUSED = 'refused-417@example.com';

/** SendGrid's answer: nothing taken when any address is refused; else every address. */
const sendgridLike = (batch: EmailBatch): SendOutcome[] => {
  const refused = batch.recipients.some((r) => r.to === REFUSED);
  return batch.recipients.map((r): SendOutcome => {
    if (r.to === REFUSED) return { kind: 'permanent', code: 'invalid_address' };
    if (refused) return { kind: 'transient', code: BATCH_REFUSED, retryAfterMs: 0 };
    return { kind: 'sent', providerRef: `sg-${m.email.calls.length}` };
  });
};

describe('one refused address in a SendGrid request of 1,000 (medium)', () => {
  it('sends the others at once, and falls the refused one back to SMS alone', async () => {
    const system = `refused-${Date.now()}`;
    await m.newPeople(
      system,
      Array.from({ length: PEOPLE }, (_, i) => ({
        externalId: `${system}-${i}`,
        email: i === 417 ? REFUSED : `refused-ok-${i}@example.com`,
        ...(i === 417 ? { phone: '+14155554417' } : {}),
      })),
    );
    const id = await m.newCampaign(await m.newIncident(system), { channels: ['email', 'sms'] });
    const sizes = await m.query<{ size: number }>(
      "select size from message_batches where campaign_id = $1 and channel = 'email'",
      [id],
    );
    expect(sizes).toEqual([{ size: PEOPLE }]);
    const calls = m.email.calls.length;
    m.email.answer = sendgridLike;
    try {
      // One attempt of the job: no retry needed.
      const run = await m.queue.runNext(JobName.SendEmail);
      expect(run?.error).toBeUndefined();
    } finally {
      m.email.sendAll();
    }
    const requests = m.email.calls.slice(calls);
    // Two requests: the batch, then the 999 others at once, without the refused address.
    expect(requests.map((r) => r.recipients.length)).toEqual([PEOPLE, PEOPLE - 1]);
    expect(requests[1].recipients.map((r) => r.to)).not.toContain(REFUSED);
    expect(
      await m.query(
        `select status, channel, attempts, count(*)::int as n from messages where campaign_id = $1
          group by 1, 2, 3 order by 2, 1`,
        [id],
      ),
    ).toEqual([
      { status: 'failed', channel: 'email', attempts: 1, n: 1 },
      { status: 'sent', channel: 'email', attempts: 1, n: PEOPLE - 1 },
      // The refused person's next channel, queued alone.
      { status: 'queued', channel: 'sms', attempts: 0, n: 1 },
    ]);
    await m.queue.run(JobName.SendSms);
    expect(m.sms.calls.map((c) => c.to)).toContain('+14155554417');
  });
});
