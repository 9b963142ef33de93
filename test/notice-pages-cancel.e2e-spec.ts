import { Revocations } from '../src/database/revocations.js';
import { NoticePagesService } from '../src/notice-pages/notice-pages.service.js';
import { NoticeTokens } from '../src/notifications/notice-token.js';
import { JobRepository } from '../src/queue/job.repository.js';
import { QueueName } from '../src/queue/queue.catalogue.js';
import { bearer, eventually, scopedIncident, startApp, TestApp } from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

// A cancelled campaign closes the pages of the notices it withdrew: a delivery's page answers from the
// moment its campaign started sending (a reader may follow the link before the provider's answer is
// recorded), and a cancel turns what had not gone out into cancelled deliveries, whose pages are the
// one 404 of every link that opens nothing. A page already read is kept in memory
// (NOTICE_PAGE_KEEP_SECONDS): the cancel drops it in its own process after the commit and, through
// PostgreSQL's NOTIFY, in every other once heard (the process that cancelled hears its own too, so the
// read here passes with either one; without both it is the kept page, 200). A notice that had gone out
// keeps its page: the person was told, and the cancel stops only the rest. Emails are held (their queue
// paused) so that two notices are still planned and unsent when the cancel comes.

const REDIS_DB = 8;

const PEOPLE = [
  { externalId: 'nc-read', name: 'Rita Reader', email: 'rita@example.com' },
  { externalId: 'nc-unread', name: 'Uma Unread', email: 'uma@example.com' },
  { externalId: 'nc-sms', name: 'Sam Sent', phone: '+353851234567' },
].map((p) => ({
  ...p,
  locale: 'en-IE',
  timeZone: 'Europe/Dublin',
  jurisdiction: 'IE',
  birthDate: '1985-03-04',
  dataCategories: ['camera_data'],
  channelPreferences: [p.email ? 'email' : 'sms'],
}));

describe('personal notice pages of a cancelled campaign', () => {
  let t: TestApp;
  let edge: TestApp | undefined;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await createScratchDatabase('notice_cancel');
    t = await startApp(
      { DATABASE_URL: databaseUrl, PUBLIC_BASE_URL: 'https://notice.example.org' },
      REDIS_DB,
    );
    await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(t.keys.responder))
      .send({ subjects: PEOPLE })
      .expect(200);
  });
  afterAll(async () => {
    await edge?.close();
    await t?.close();
  });

  it('answers 404 once cancelled, here at once and on another node when it hears, a page read before included', async () => {
    const incidentId = await scopedIncident(t, t.keys.responder, { everyone: true });
    // No email leaves while the test looks: the two email readers' notices wait, planned and unsent.
    const email = t.app
      .get(JobRepository)
      .allQueues()
      .find((q) => q.name === String(QueueName.Email));
    await email!.pause();
    const created = await t.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...bearer(t.keys.responder))
      .send({ template: 'breach-notice', channels: ['email', 'sms'], mode: 'escalate' })
      .expect(201);
    const campaignId = created.body.id as string;
    await t.http
      .post(`/v1/campaigns/${campaignId}/approve`)
      .set(...bearer(t.keys.approver))
      .expect(200);
    // Planned and sending: the SMS has gone out, the emails wait.
    const deliveries = await eventually(async () => {
      const rows = await t.query<{ id: string; status: string; external_id: string }>(
        `select d.id, d.status, s.external_id from deliveries d join subjects s on s.id = d.subject_id
         where d.campaign_id = $1`,
        [campaignId],
      );
      const status = Object.fromEntries(rows.map((r) => [r.external_id, r.status]));
      return status['nc-sms'] === 'notified' &&
        status['nc-read'] === 'pending' &&
        status['nc-unread'] === 'pending'
        ? rows
        : undefined;
    });
    // Each reader's link, as their notice carries it.
    const tokens = t.app.get(NoticeTokens);
    const link = (externalId: string) =>
      `/n/${tokens.token(Number(deliveries.find((d) => d.external_id === externalId)!.id))}`;
    const [read, unread, sent] = [link('nc-read'), link('nc-unread'), link('nc-sms')];

    // This node and a second one (ROLE=public) keep pages once they hear revocations (a process that
    // may have missed one keeps nothing): the first read starts listening.
    await t.http.get(read).expect(200);
    await eventually(() => Promise.resolve(t.app.get(Revocations).trusted || undefined));
    edge = await startApp({
      DATABASE_URL: databaseUrl,
      ROLE: 'public',
      PUBLIC_BASE_URL: 'https://notice.example.org',
    });
    const heard = edge.app.get(Revocations);
    await edge.http.get(read).expect(200);
    await eventually(() => Promise.resolve(heard.trusted || undefined));
    // Read, so kept, on both nodes: Rita's page (not sent yet, her campaign sending) and Sam's.
    for (const node of [t, edge]) {
      for (const path of [read, sent]) {
        const first = await node.http.get(path).expect(200);
        expect((await node.http.get(path).expect(200)).text).toBe(first.text);
      }
      expect((await node.http.get(read).expect(200)).text).toContain('Rita Reader');
      expect(node.app.get(NoticePagesService).keptPages).toBeGreaterThan(0);
    }
    const before = heard.heard;

    await t.http
      .post(`/v1/campaigns/${campaignId}/cancel`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    const statuses = await t.query<{ external_id: string; status: string }>(
      `select s.external_id, d.status from deliveries d join subjects s on s.id = d.subject_id
       where d.campaign_id = $1 order by s.external_id`,
      [campaignId],
    );
    expect(statuses).toEqual([
      { external_id: 'nc-read', status: 'cancelled' },
      { external_id: 'nc-sms', status: 'notified' },
      { external_id: 'nc-unread', status: 'cancelled' },
    ]);

    // Here, the next read: the page kept before the cancel is gone, and the one never read opens nothing.
    const gone = await t.http.get(read).expect(404);
    expect(gone.text).toContain('This link does not open a notice');
    expect(gone.text).not.toContain('Rita Reader');
    expect((await t.http.get(unread).expect(404)).text).toBe(gone.text);
    expect((await t.http.get(sent).expect(200)).text).toContain('Sam Sent');
    // There, once PostgreSQL's notification of the commit arrived: then at once, not after the keeping time.
    await eventually(() => Promise.resolve(heard.heard > before || undefined));
    expect((await edge.http.get(read).expect(404)).text).toBe(gone.text);
    await edge.http.get(unread).expect(404);
    expect((await edge.http.get(sent).expect(200)).text).toContain('Sam Sent');
  });
});
