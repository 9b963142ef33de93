import { JobName } from '../../src/queue/queue.catalogue.js';
import { SubjectsService } from '../../src/subjects/subjects.service.js';
import { newMediumContext, type MediumContext } from './medium.js';

// A push alert goes to every device of the person and is sent when any took it. A token FCM says is no
// longer registered leaves the directory: the person's contact data is re-sealed without it, and the
// count planning reads follows.

describe('push tokens FCM says are gone (medium: real repositories, scripted FCM and queue)', () => {
  let m: MediumContext;
  beforeAll(async () => {
    m = await newMediumContext();
  });
  afterAll(() => m.close());

  it('sends the alert when one device took it, and drops only the tokens that are gone', async () => {
    const system = `push-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-0`, email: 'push0@example.com', pushTokens: ['dead-0', 'alive-0'] },
      { externalId: `${system}-1`, email: 'push1@example.com', pushTokens: ['dead-1'] },
      { externalId: `${system}-2`, email: 'push2@example.com', pushTokens: ['foreign-2'] },
    ]);
    m.push.answer = (message) =>
      message.token.startsWith('dead')
        ? { kind: 'permanent', code: 'messaging/registration-token-not-registered', unregistered: true }
        : message.token.startsWith('foreign')
          ? { kind: 'permanent', code: 'messaging/mismatched-credential', unregistered: false }
          : { kind: 'sent', providerRef: `fcm-${message.messageId}` };
    const id = await m.newCampaign(await m.newIncident(system), { channels: ['email', 'push'] });
    await m.queue.run();

    const alerts = await m.query<{ external_id: string; status: string; error: string | null }>(
      `select s.external_id, m.status, m.error from messages m join deliveries d on d.id = m.delivery_id
        join subjects s on s.id = d.subject_id where m.campaign_id = $1 and m.channel = 'push' order by 1`,
      [id],
    );
    expect(alerts).toEqual([
      { external_id: `${system}-0`, status: 'sent', error: null },
      { external_id: `${system}-1`, status: 'failed', error: 'messaging/registration-token-not-registered' },
      { external_id: `${system}-2`, status: 'failed', error: 'messaging/mismatched-credential' },
    ]);
    const tokens = async (i: number) =>
      (await m.get(SubjectsService).get(m.responder, `${system}-${i}`)).pushTokens.map((t) => t.token);
    expect(await tokens(0)).toEqual(['alive-0']);
    expect(await tokens(1)).toEqual([]);
    // A token of another Firebase project fails that alert alone, and stays.
    expect(await tokens(2)).toEqual(['foreign-2']);
    const counts = await m.query<{ external_id: string; push_token_count: number }>(
      'select external_id, push_token_count from subjects where external_id like $1 order by 1',
      [`${system}-%`],
    );
    expect(counts.map((c) => c.push_token_count)).toEqual([1, 0, 1]);
    // The notices went regardless: push is an alert, never the notice.
    const [campaign] = await m.query<{ status: string }>('select status from campaigns where id = $1', [id]);
    expect(campaign.status).toBe('completed');
  });
  it('sends again at once to a device whose call got no answer when another device of the person took it', async () => {
    const system = `push-again-${Date.now()}`;
    await m.newPeople(system, [
      { externalId: `${system}-0`, email: 'again0@example.com', pushTokens: ['took-0', 'lost-0'] },
      { externalId: `${system}-1`, email: 'again1@example.com', pushTokens: ['lost-1'] },
    ]);
    const tries = new Map<string, number>();
    m.push.answer = (message) => {
      const n = (tries.get(message.token) ?? 0) + 1;
      tries.set(message.token, n);
      return message.token.startsWith('lost') && n === 1
        ? { kind: 'transient', code: 'network', maybeSent: true }
        : { kind: 'sent', providerRef: `fcm-${message.messageId}-${n}` };
    };
    const id = await m.newCampaign(await m.newIncident(system), { channels: ['email', 'push'] });
    await m.queue.run(JobName.SendEmail);
    // One attempt of the push job.
    const run = await m.queue.runNext(JobName.SendPush);
    // lost-0 went again in the same attempt (its person was sent by took-0, so no retry would reach it);
    // lost-1's person has no other device: the job's retry sends it, as before.
    expect(Object.fromEntries(tries)).toEqual({ 'took-0': 1, 'lost-0': 2, 'lost-1': 1 });
    expect(run?.error?.message).toBe('push: network');
    await m.queue.run(JobName.SendPush);
    expect(tries.get('lost-1')).toBe(2);
    expect(
      await m.query(
        "select status, count(*)::int as n from messages where campaign_id = $1 and channel = 'push' group by 1",
        [id],
      ),
    ).toEqual([{ status: 'sent', n: 2 }]);
    // Each call sent again after no answer may have reached the device twice: both counted.
    const [campaign] = await m.query<{ possible_duplicates: number }>(
      'select possible_duplicates from campaigns where id = $1',
      [id],
    );
    expect(campaign.possible_duplicates).toBe(2);
  });
});
