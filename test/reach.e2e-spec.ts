import { createScratchDatabase } from './support/global-setup.js';
import { bearer, completedCampaign, scopedIncident, startApp, type TestApp } from './support/app.js';

// Issue 19: who was not reached, and why (the affected list over HTTP), and erasure erases the local
// outbox's copies of what was sent to a person. Issue 18: Florida does not take an SMS as the notice.

const REDIS_DB = 10;

describe('who was reached, and erasure of what was sent (HTTP, outbox transport)', () => {
  let t: TestApp;
  let responder: [string, string];
  const system = `reach-e2e-${Date.now()}`;
  const person = (n: number, extra: Record<string, unknown>) => ({
    externalId: `${system}-${n}`,
    name: `Reach Person ${n}`,
    locale: 'en-US',
    timeZone: 'America/New_York',
    birthDate: '1990-06-01',
    systems: [system],
    dataCategories: ['camera_data'],
    ...extra,
  });

  beforeAll(async () => {
    t = await startApp({ DATABASE_URL: await createScratchDatabase('reach') }, REDIS_DB);
    responder = bearer(t.keys.responder);
    await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({
        subjects: [
          person(0, { jurisdiction: 'GB', email: 'reach0@example.com' }),
          person(1, { jurisdiction: 'US-FL', phone: '+13055550141' }),
          person(2, { jurisdiction: 'GB', pushTokens: [{ token: 'reach-e2e-token', platform: 'android' }] }),
          // A child of 10 in Germany with a guardian: the guardian's notice goes to the guardian's address.
          person(3, {
            jurisdiction: 'DE',
            birthDate: '2016-03-01',
            guardian: { name: 'Guardian 3', email: 'guardian3@example.com' },
          }),
        ],
      })
      .expect(200);
  }, 60_000);
  afterAll(() => t.close());

  it('lists the unreached with the reason and every send, and refuses an unknown outcome', async () => {
    const incidentId = await scopedIncident(t, t.keys.responder, { systems: [system] }, {}, 30_000);
    await completedCampaign(t, incidentId, { channels: ['email', 'sms', 'push'], mode: 'escalate' });
    const unreached = await t.http
      .get(`/v1/incidents/${incidentId}/affected?outcome=unreached`)
      .set(...responder)
      .expect(200);
    const byId = Object.fromEntries(
      unreached.body.items.map((i: { externalId: string }) => [i.externalId, i]),
    );
    expect(Object.keys(byId).sort()).toEqual([`${system}-1`, `${system}-2`]);
    expect(byId[`${system}-1`]).toMatchObject({
      jurisdiction: 'US-FL',
      outcome: 'unreached',
      reason: 'method_not_lawful',
      notifiedAt: null,
      history: [
        expect.objectContaining({ channel: 'sms', status: 'sent', lawful: false, attempts: 1, error: null }),
      ],
    });
    expect(byId[`${system}-2`]).toMatchObject({ reason: 'push_only' });
    expect(byId[`${system}-2`].history).toEqual([
      expect.objectContaining({ channel: 'push', status: 'sent', lawful: false }),
    ]);
    const notified = await t.http
      .get(`/v1/incidents/${incidentId}/affected?outcome=notified`)
      .set(...responder)
      .expect(200);
    expect(notified.body.items.map((i: { externalId: string }) => i.externalId).sort()).toEqual([
      `${system}-0`,
      `${system}-3`,
    ]);
    expect(notified.body.items[1].history).toEqual([
      expect.objectContaining({ recipient: 'guardian', channel: 'email', status: 'sent', lawful: true }),
    ]);
    const bad = await t.http
      .get(`/v1/incidents/${incidentId}/affected?outcome=reached`)
      .set(...responder)
      .expect(400);
    expect(bad.body.details.problems).toEqual([expect.objectContaining({ field: 'outcome', rule: 'isIn' })]);
  }, 120_000);

  it("erasing a person deletes the outbox's copies sent to them and their guardian, and no one else's", async () => {
    const copies = (externalId: string) =>
      t.query<{ id: string }>(
        `select o.id from outbox_messages o join messages m on m.id = o.message_id
          join deliveries d on d.id = m.delivery_id join affected_subjects a on a.id = d.affected_id
          join subjects s on s.id = a.subject_id where s.external_id = $1`,
        [externalId],
      );
    const child = (await copies(`${system}-3`)).map((r) => r.id);
    const other = (await copies(`${system}-0`)).map((r) => r.id);
    expect(child.length).toBeGreaterThan(0);
    expect(other.length).toBeGreaterThan(0);
    await t.http
      .delete(`/v1/subjects/${system}-3`)
      .set(...bearer(t.keys.admin))
      .expect(204);
    const left = await t.query<{ id: string }>(
      'select id from outbox_messages where id = any($1::bigint[])',
      [[...child, ...other]],
    );
    expect(left.map((r) => r.id).sort()).toEqual(other.sort());
    const [audit] = await t.query<{ summary: Record<string, unknown> }>(
      "select summary from audit_log where action = 'subject.erase' and target_id = $1",
      [`${system}-3`],
    );
    expect(audit.summary).toMatchObject({ outboxCopiesDeleted: child.length });
    // Their affected row stays, without identity, and still counts as notified.
    const [row] = await t.query<{ n: number }>(
      `select count(*)::int as n from affected_subjects a join deliveries d on d.affected_id = a.id
        where a.subject_id is null and d.subject_id is null and a.notified_at is not null and d.recipient = 'guardian'`,
    );
    expect(row.n).toBeGreaterThan(0);
  }, 60_000);
});
