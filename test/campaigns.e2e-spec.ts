import { lawfulMethods } from '../src/jurisdictions/rules/notice-methods.js';
import {
  bearer,
  campaignCompleted,
  completedCampaign,
  eventually,
  scopedIncident,
  startApp,
  talliesDiffer,
  TestApp,
  validIncident,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';
import pg from 'pg';
import { EMAIL_PORT, SMS_PORT, type EmailPort, type SmsPort } from '../src/channels/channel.port.js';
import { Clock } from '../src/common/clock.js';
import { DeliveriesRepository } from '../src/notifications/deliveries.repository.js';
import { ReportsRepository } from '../src/reports/reports.repository.js';
import { SendBatchService } from '../src/notifications/send/send-batch.service.js';
import { Reconciler } from '../src/notifications/reconciler.service.js';
import { CampaignLifecycle } from '../src/notifications/campaign.lifecycle.js';
import { TalliesRepository } from '../src/notifications/tallies.repository.js';
import { OutboxService } from '../src/channels/outbox/outbox.service.js';
import { noticeVariantSql } from '../src/notifications/batching.sql.js';
import { DatabaseService } from '../src/database/database.service.js';
import { rowsOf } from '../src/database/rows.js';
import { noticeVariant } from '../src/templates/notice.renderer.js';
import { sql } from 'drizzle-orm';
import { JobRepository } from '../src/queue/job.repository.js';
import { QueueName } from '../src/queue/queue.catalogue.js';
import { smsSize } from '../src/templates/sms-segments.js';

// A few hundred people across locales, jurisdictions and channels, minors with and without guardians;
// the campaign runs through the real Redis and PostgreSQL to the local outbox, and every person must end
// with exactly the outcome the plan says.

const REDIS_DB = 12;
const PLACES = [
  {
    jurisdiction: 'US-CA',
    locale: 'en-US',
    timeZone: 'America/Los_Angeles',
    phone: '+1415555',
    template: 'en',
  },
  { jurisdiction: 'ES', locale: 'es-ES', timeZone: 'Europe/Madrid', phone: '+3461234', template: 'es' },
  { jurisdiction: 'FR', locale: 'fr-FR', timeZone: 'Europe/Paris', phone: '+3361234', template: 'fr' },
  { jurisdiction: 'DE', locale: 'de-DE', timeZone: 'Europe/Berlin', phone: '+491511234', template: 'de' },
  {
    jurisdiction: 'BR',
    locale: 'pt-BR',
    timeZone: 'America/Sao_Paulo',
    phone: '+551191234',
    template: 'pt-BR',
  },
  {
    jurisdiction: 'CN',
    locale: 'zh-CN',
    timeZone: 'Asia/Shanghai',
    phone: '+861381234',
    template: 'zh-Hans',
  },
  { jurisdiction: 'JP', locale: 'ja-JP', timeZone: 'Asia/Tokyo', phone: '+81901234', template: 'ja' },
  { jurisdiction: 'IT', locale: 'it-IT', timeZone: 'Europe/Rome', phone: '+3934712', template: 'en' },
];

interface Person {
  externalId: string;
  place: (typeof PLACES)[number];
  email?: string;
  phone?: string;
  push: boolean;
  minor: boolean;
  guardianEmail?: string;
  prefersSms: boolean;
}

/** Reachability varies with i: every combination of email, phone and push, minors every 9th. */
function people(count: number): Person[] {
  return Array.from({ length: count }, (_, i) => {
    const place = PLACES[i % PLACES.length];
    const channels = i % 6; // 0: email+sms+push, 1: email, 2: sms, 3: push only, 4: nothing, 5: email+sms
    const minor = i % 9 === 4;
    return {
      externalId: `c-${i}`,
      place,
      email: [0, 1, 5].includes(channels) ? `person${i}@example.com` : undefined,
      phone: [0, 2, 5].includes(channels) ? `${place.phone}${String(1000 + i).padStart(4, '0')}` : undefined,
      push: [0, 3].includes(channels),
      minor,
      guardianEmail: minor && i % 2 === 0 ? `guardian${i}@example.com` : undefined,
      prefersSms: i % 4 === 0,
    };
  });
}

const subjectOf = (p: Person) => ({
  externalId: p.externalId,
  name: `Person ${p.externalId}`,
  locale: p.place.locale,
  timeZone: p.place.timeZone,
  jurisdiction: p.place.jurisdiction,
  ...(p.email ? { email: p.email } : {}),
  ...(p.phone ? { phone: p.phone } : {}),
  ...(p.push ? { pushTokens: [{ token: `tok-${p.externalId}`, platform: 'android' }] } : {}),
  birthDate: p.minor ? '2015-06-01' : '1990-06-01',
  // Guardians read German, whatever their child's language: their notice must be in theirs.
  ...(p.guardianEmail
    ? { guardian: { name: `Guardian of ${p.externalId}`, email: p.guardianEmail, locale: 'de-DE' } }
    : {}),
  channelPreferences: p.prefersSms ? ['sms', 'email'] : ['email', 'sms'],
  dataCategories: ['camera_data', 'app_usage'],
  lastActiveAt: '2026-11-01T00:00:00Z',
});

/**
 * What the plan says for a person in an `escalate` campaign on email, sms and push, all accepted: the
 * channels their law accepts as the notice first (ESIGN_CONSENT unset: none in California), and notified
 * only by one of them; told on another, they stay unreachable.
 */
function expected(p: Person) {
  const guardian = p.minor && p.guardianEmail !== undefined;
  const lawful = lawfulMethods(p.place.jurisdiction, new Date().toISOString().slice(0, 10), 'none');
  const notice = (
    guardian
      ? ['email']
      : (p.prefersSms ? ['sms', 'email'] : ['email', 'sms']).filter((c) =>
          c === 'email' ? p.email : p.phone,
        )
  ).sort((a, b) => Number(lawful.includes(b as 'email')) - Number(lawful.includes(a as 'email')));
  return {
    recipient: guardian ? 'guardian' : 'person',
    status: notice.length > 0 && lawful.includes(notice[0] as 'email') ? 'notified' : 'unreachable',
    sent: [...notice.slice(0, 1), ...(!guardian && p.push ? ['push'] : [])].sort(),
  };
}

describe('notice campaigns through HTTP (PostgreSQL + Redis, outbox transport)', () => {
  let t: TestApp;
  let responder: [string, string];
  let approver: [string, string];
  let incidentId: string;
  let databaseUrl: string;
  const everyone = people(280);
  jest.setTimeout(120_000);

  const completed = (id: string) => campaignCompleted(t, t.keys.responder, id);
  /** A batch as it was before its job ran: queued, no lease (its messages are the caller's to reset). */
  const queuedAgain = (batchId: number | string) =>
    t.query(
      "update message_batches set status = 'queued', lease_until = null, done_at = null where id = $1",
      [batchId],
    );

  beforeAll(async () => {
    t = await startApp(
      {
        DATABASE_URL: (databaseUrl = await createScratchDatabase('campaigns')),
        ORGANIZATION_NAME: 'Ai Art',
        PUBLIC_BASE_URL: 'https://notice.example.org',
        TWILIO_MAX_PER_SECOND: '200', // segments: about twenty SMS a second, in batches of 20
      },
      REDIS_DB,
    );
    responder = bearer(t.keys.responder);
    approver = bearer(t.keys.approver);
    const stored = await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({ subjects: everyone.map(subjectOf) })
      .expect(200);
    expect(stored.body.rejections).toEqual([]);
    expect(stored.body).toMatchObject({ created: everyone.length, rejected: 0 });
    incidentId = await scopedIncident(
      t,
      t.keys.responder,
      { dataCategories: ['camera_data'] },
      {
        dataCategories: ['camera_data'],
      },
    );
  });
  afterAll(() => t.close());

  it('refuses a campaign the notice cannot be written for, or that names no template', async () => {
    const bare = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident({ likelyConsequences: undefined, remedies: undefined, dataCategories: [] }))
      .expect(201);
    const refused = await t.http
      .post(`/v1/incidents/${bare.body.id}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
      .expect(409);
    expect(refused.body.details.missing).toEqual(['likelyConsequences', 'remedies', 'dataCategories']);
    const unknown = await t.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...responder)
      .send({ template: 'nope', channels: ['fax'], mode: 'sometimes' })
      .expect(400);
    expect(unknown.body.details.problems.map((p: { field: string }) => p.field).sort()).toEqual([
      'channels',
      'mode',
    ]);
    // Push alone is an alert pointing to a notice that never comes.
    const pushOnly = await t.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['push'], mode: 'all' })
      .expect(400);
    expect(pushOnly.body.details.problems).toEqual([
      expect.objectContaining({ field: 'channels', rule: 'hasNoticeChannel' }),
    ]);
  });

  it('sends every person exactly what the plan says, after an approval by someone else', async () => {
    const draft = await t.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email', 'sms', 'push'], mode: 'escalate' })
      .expect(201);
    expect(draft.body).toMatchObject({ status: 'draft', recipients: null });
    const id = draft.body.id as string;

    // Nothing leaves before the approval; the author cannot approve; a second campaign must wait.
    expect(await t.query('select 1 from deliveries where campaign_id = $1', [id])).toEqual([]);
    await t.http
      .post(`/v1/campaigns/${id}/approve`)
      .set(...responder)
      .expect(403);
    const again = await t.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'all' })
      .expect(409);
    expect(again.body.details.campaignId).toBe(id);
    const approved = await t.http
      .post(`/v1/campaigns/${id}/approve`)
      .set(...approver)
      .expect(200);
    expect(approved.body).toMatchObject({ status: 'approved', approvedBy: expect.any(String) });

    const done = await completed(id);
    expect(done.recipients).toBe(everyone.length);
    expect(done.possibleDuplicates).toBe(0);
    // The planned batches are numbered along the directory, every locale and channel together (windows
    // take them in id order, so the people being sent to stay in one stretch of the tables).
    const firsts = await t.query<{ first: string }>(
      `select min(m.delivery_id) as first from message_batches b join messages m on m.batch_id = b.id
       where b.campaign_id = $1 and b.created_at = (select min(created_at) from message_batches where campaign_id = $1)
       group by b.id order by b.id`,
      [id],
    );
    expect(firsts.length).toBeGreaterThan(10);
    const starts = firsts.map((f) => Number(f.first));
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    // Notices before alerts: no push batch was queued while an email batch still waited (a later
    // statement, after a send job ran, so a later millisecond).
    const [order] = await t.query<{ firstPush: Date; lastNotice: Date; pushes: number }>(
      `select min(queued_at) filter (where channel = 'push') as "firstPush",
              max(queued_at) filter (where channel = 'email') as "lastNotice",
              count(*) filter (where channel = 'push')::int as pushes
         from message_batches where campaign_id = $1`,
      [id],
    );
    expect(order.pushes).toBeGreaterThan(0);
    expect(order.firstPush.getTime()).toBeGreaterThan(order.lastNotice.getTime());

    const rows = await t.query<{ external_id: string; recipient: string; status: string; sent: string[] }>(
      `select s.external_id, d.recipient, d.status,
              coalesce(array_agg(m.channel order by m.channel) filter (where m.status = 'sent'), '{}') as sent
         from deliveries d join subjects s on s.id = d.subject_id left join messages m on m.delivery_id = d.id
        where d.campaign_id = $1 group by 1, 2, 3`,
      [id],
    );
    const actual = Object.fromEntries(
      rows.map((r) => [r.external_id, { recipient: r.recipient, status: r.status, sent: r.sent }]),
    );
    expect(actual).toEqual(Object.fromEntries(everyone.map((p) => [p.externalId, expected(p)])));
    expect(done.progress.deliveries).toEqual({
      notified: everyone.filter((p) => expected(p).status === 'notified').length,
      unreachable: everyone.filter((p) => expected(p).status === 'unreachable').length,
    });

    // The affected set knows who was notified (a later scope is then supplementary).
    const notified = await t.query<{ n: number }>(
      'select count(*)::int as n from affected_subjects where incident_id = $1 and notified_at is not null',
      [incidentId],
    );
    expect(notified[0].n).toBe(done.progress.deliveries.notified);

    // The last minute's sends (the campaign took seconds: all of them); no rate once it is done.
    const [sentCount] = await t.query<{ n: number }>(
      "select count(*)::int as n from messages where campaign_id = $1 and status in ('sent', 'delivered')",
      [id],
    );
    expect(sentCount.n).toBeGreaterThan(0);
    expect(done.progress.sentLastMinute).toBe(sentCount.n);
    expect(done.progress.ratePerSecond).toBe(0);
    expect(done.progress.etaSeconds).toBe(0);

    // The reconciler folds tallies past the rate's minute: the same counts, from one row per status.
    await t.app.get(TalliesRepository).foldTallies(0);
    const perStatus = await t.query<{ n: number }>(
      'select count(*)::int as n from campaign_tallies where campaign_id = $1 group by kind, channel, status',
      [id],
    );
    expect(perStatus.length).toBeGreaterThan(3);
    expect(perStatus.every((r) => r.n === 1)).toBe(true);
    const after = await t.http
      .get(`/v1/campaigns/${id}`)
      .set(...responder)
      .expect(200);
    expect(after.body.progress.deliveries).toEqual(done.progress.deliveries);
    expect(after.body.progress.messages).toEqual(done.progress.messages);
    expect(await talliesDiffer(t, id)).toEqual([]);

    const timeline = await t.http
      .get(`/v1/incidents/${incidentId}/timeline`)
      .set(...responder)
      .expect(200);
    const kinds = (timeline.body.items as Array<{ kind: string }>).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining([
        'campaign.created',
        'campaign.approved',
        'campaign.sending',
        'campaign.completed',
      ]),
    );
  });

  it('fails a person whose contact data does not open alone: the rest of the batch goes, the campaign completes', async () => {
    const ids = ['unreadable-0', 'unreadable-1', 'unreadable-2'];
    await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({
        subjects: ids.map((externalId) => ({
          externalId,
          email: `${externalId}@mail.example.com`,
          jurisdiction: 'DE',
          dataCategories: ['camera_data'],
        })),
      })
      .expect(200);
    const incident = await scopedIncident(t, t.keys.responder, { externalIds: ids }, {});
    // One envelope damaged (a byte of its ciphertext): it no longer opens.
    await t.query(
      `update subjects set sealed = set_byte(sealed, length(sealed) - 1, get_byte(sealed, length(sealed) - 1) # 1)
        where external_id = $1`,
      ['unreadable-1'],
    );
    const { id, done } = await completedCampaign(t, incident, {
      channels: ['email', 'sms'],
      mode: 'escalate',
    });
    expect(done.progress.deliveries).toEqual({ notified: 2, unreachable: 1 });
    const rows = await t.query<{
      external_id: string;
      status: string;
      channel: string;
      error: string | null;
    }>(
      `select s.external_id, m.status, m.channel, m.error from messages m
         join deliveries d on d.id = m.delivery_id join subjects s on s.id = d.subject_id
        where m.campaign_id = $1 order by 1, 3`,
      [id],
    );
    expect(rows).toEqual([
      { external_id: 'unreadable-0', status: 'sent', channel: 'email', error: null },
      { external_id: 'unreadable-1', status: 'failed', channel: 'email', error: 'contact_unreadable' },
      { external_id: 'unreadable-2', status: 'sent', channel: 'email', error: null },
    ]);
  });

  it('counts people, not deliveries, for the regulator, and leaves notifying them open while one is unreached', async () => {
    const ids = ['counted-once-0', 'counted-once-1'];
    await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({
        subjects: [
          {
            externalId: ids[0],
            email: 'counted-once-0@mail.example.com',
            jurisdiction: 'AT',
            dataCategories: ['camera_data'],
          },
          // No contact at all: unreachable by every campaign.
          { externalId: ids[1], jurisdiction: 'AT', dataCategories: ['camera_data'] },
        ],
      })
      .expect(200);
    const incident = await scopedIncident(t, t.keys.responder, { externalIds: ids }, {});
    // A second campaign tries again whoever the first did not reach.
    for (const expected of [2, 1]) {
      const { done } = await completedCampaign(t, incident, { channels: ['email'], mode: 'escalate' });
      expect(done.recipients).toBe(expected);
    }
    const handling = await t.app.get(ReportsRepository).handling(incident, ['AT']);
    expect(handling.total).toMatchObject({ planned: 2, sent: 1, unreachable: 1 });
    // Per channel, messages: one email; the person without contact had no channel to be unreachable on.
    expect(handling.byChannel.email).toMatchObject({ planned: 1, sent: 1, unreachable: 0 });
    const obligations = await t.http
      .get(`/v1/incidents/${incident}/obligations`)
      .set(...responder)
      .expect(200);
    // Nor is telling them met while one was never reached: it waits for a substitute notice or a reason.
    const individuals = (obligations.body.items as Array<Record<string, unknown>>).find(
      (o) => o.audience === 'individuals',
    );
    expect(individuals).toMatchObject({
      key: 'EU-GDPR/at-dsb/individuals',
      state: 'due',
      metAt: null,
      unreached: 1,
    });
    const regulator = (obligations.body.items as Array<Record<string, unknown>>).find(
      (o) => o.audience === 'regulator',
    );
    expect(regulator?.unreached).toBeNull();
  });

  it('previews the notice per locale, jurisdiction and channel, with SMS segments', async () => {
    // A draft: rendered from the incident as it reads now (a finished campaign shows what it sent).
    const draft = await t.http
      .post(`/v1/incidents/${incidentId}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email', 'sms'], mode: 'escalate' })
      .expect(201);
    const id = draft.body.id as string;
    const california = await t.http
      .get(`/v1/campaigns/${id}/preview?locale=en-US&jurisdiction=US-CA&channel=email`)
      .set(...bearer(t.keys.auditor))
      .expect(200);
    expect(california.body.locale).toBe('en');
    expect(california.body.email.subject).toMatch(/^Notice of Data Breach/);
    expect(california.body.email.html).toContain('What Information Was Involved');
    expect(california.body.sms).toBeUndefined();
    const sms = await t.http
      .get(`/v1/campaigns/${id}/preview?locale=pt-BR&channel=sms&timeZone=America/Sao_Paulo`)
      .set(...responder)
      .expect(200);
    expect(sms.body).toMatchObject({
      locale: 'pt-BR',
      sms: { encoding: 'UCS-2', segments: expect.any(Number) },
    });
    expect(sms.body.sms.body).toContain('https://notice.example.org/n/');
    const guardian = await t.http
      .get(`/v1/campaigns/${id}/preview?locale=de&recipient=guardian`)
      .set(...responder)
      .expect(200);
    expect(guardian.body.email.text).toContain('Erziehungsberechtigte');
    const bad = await t.http
      .get(`/v1/campaigns/${id}/preview?locale=x&channel=fax`)
      .set(...responder)
      .expect(400);
    expect(bad.body.details.problems.map((p: { field: string }) => p.field).sort()).toEqual([
      'channel',
      'locale',
    ]);
    // Shaped like a zone, unknown to ICU: a 400 naming it, never a 500.
    const zone = await t.http
      .get(`/v1/campaigns/${id}/preview?timeZone=Mars/Phobos`)
      .set(...responder)
      .expect(400);
    expect(zone.body.details.problems).toEqual([
      expect.objectContaining({ field: 'timeZone', rule: 'isTimeZone' }),
    ]);
    // The responders' words in the notice's language, when they gave them.
    const translated = await scopedIncident(
      t,
      t.keys.responder,
      { externalIds: ['p-0'] },
      {
        translations: { de: { description: 'Ein Speicher mit Bildern war öffentlich lesbar.' } },
      },
    );
    const german = await t.http
      .post(`/v1/incidents/${translated}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
      .expect(201);
    const de = await t.http
      .get(`/v1/campaigns/${german.body.id}/preview?locale=de&channel=email`)
      .set(...responder)
      .expect(200);
    expect(de.body.email.text).toContain('Ein Speicher mit Bildern war öffentlich lesbar.');
    await t.http
      .post(`/v1/campaigns/${german.body.id}/cancel`)
      .set(...responder)
      .expect(200);
    // A jurisdiction nobody can have: refused as the directory refuses it, not previewed as generic.
    for (const jurisdiction of ['ZZ', 'US-XX']) {
      const unknown = await t.http
        .get(`/v1/campaigns/${id}/preview?jurisdiction=${jurisdiction}&channel=sms`)
        .set(...responder)
        .expect(400);
      expect(unknown.body.details.problems).toEqual([
        expect.objectContaining({ field: 'jurisdiction', rule: 'isJurisdiction' }),
      ]);
    }
    await t.http
      .post(`/v1/campaigns/${id}/cancel`)
      .set(...responder)
      .expect(200);
  });

  it('keeps every rendered message in the outbox, sealed, for admins only, audited', async () => {
    await t.http
      .get('/v1/outbox')
      .set(...responder)
      .expect(403);
    const page = await t.http
      .get('/v1/outbox?channel=email&limit=500')
      .set(...bearer(t.keys.admin))
      .expect(200);
    const emails = page.body.items as Array<{
      content: { to: string; subject: string; text: string; html: string };
    }>;
    const german = everyone.find(
      (p) =>
        p.place.jurisdiction === 'DE' &&
        expected(p).recipient === 'person' &&
        expected(p).sent.includes('email'),
    )!;
    const mail = emails.find((m) => m.content.to === german.email)!;
    expect(mail.content.text).toContain(`Guten Tag Person ${german.externalId},`);
    expect(mail.content.text).toMatch(/https:\/\/notice\.example\.org\/n\/[A-Za-z0-9_-]{22}\b/);
    const guardian = everyone.find((p) => p.guardianEmail && p.place.template !== 'de')!;
    const toGuardian = emails.find((m) => m.content.to === guardian.guardianEmail)!;
    expect(toGuardian.content.text).toContain(`Person ${guardian.externalId}`);
    expect(toGuardian.content.text).toContain('Erziehungsberechtigte');
    // Sealed at rest: no address in the raw table.
    const raw = await t.query<{ sealed: Buffer }>('select sealed from outbox_messages');
    expect(raw.some((r) => r.sealed.toString('latin1').includes('@example.com'))).toBe(false);
    const audit = await t.query("select 1 from audit_log where action = 'outbox.read'");
    expect(audit.length).toBeGreaterThan(0);
  });

  it('records a send again when PostgreSQL ends the record for a deadlock: nothing goes twice', async () => {
    const other = await scopedIncident(t, t.keys.responder, { everyone: true }, {});
    const { id } = await completedCampaign(t, other, {
      channels: ['email'],
      mode: 'escalate',
      includeGuardians: false,
    });
    // One batch put back as before its job ran, driven directly (as above) so the deadlock can be timed.
    const [batch] = await t.query<{ id: string; size: number }>(
      "select id, size from message_batches where campaign_id = $1 and channel = 'email' order by id limit 1",
      [id],
    );
    const batchId = Number(batch.id);
    await queuedAgain(batchId);
    await t.query("update messages set status = 'queued', sent_at = null where batch_id = $1", [batchId]);
    await t.query(
      "update deliveries set status = 'pending', notified_at = null where id in (select delivery_id from messages where batch_id = $1)",
      [batchId],
    );
    await t.query("update campaigns set status = 'sending' where id = $1", [id]);
    const outboxBefore = (await t.query<{ n: number }>('select count(*)::int as n from outbox_messages'))[0]
      .n;

    // A transaction of ours holds the batch's deliveries; the record, holding the batch row, waits on them;
    // then ours asks for the batch row: a deadlock, which PostgreSQL breaks by ending the record (its
    // check runs after 1 s of waiting; ours is told to wait 30 s first).
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query("set local deadlock_timeout = '30s'");
      await locker.query(
        'select 1 from deliveries where id in (select delivery_id from messages where batch_id = $1) for update',
        [batchId],
      );
      const sending = t.app.get(SendBatchService).sendBatch('email', batchId);
      await eventually(async () => {
        const [w] = await t.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
        );
        return w.n > 0 ? true : undefined;
      });
      // Granted only once the record's transaction is gone: PostgreSQL ended it.
      await locker.query('select 1 from message_batches where id = $1 for update', [batchId]);
      await locker.query('rollback');
      // The record ran again, and everything that left is recorded once.
      await expect(sending).resolves.toMatchObject({ claimed: batch.size, sent: batch.size });
    } finally {
      await locker.end();
    }
    const after = await t.query<{ status: string; n: number }>(
      'select status, count(*)::int as n from messages where batch_id = $1 group by 1',
      [batchId],
    );
    expect(after).toEqual([{ status: 'sent', n: batch.size }]);
    const outboxAfter = (await t.query<{ n: number }>('select count(*)::int as n from outbox_messages'))[0].n;
    expect(outboxAfter - outboxBefore).toBe(batch.size);
    const [campaign] = await t.query<{ possible_duplicates: number }>(
      'select possible_duplicates from campaigns where id = $1',
      [id],
    );
    expect(campaign.possible_duplicates).toBe(0);
  });

  it('closes a delivery whose email and SMS fail at the same moment (mode all): never left pending', async () => {
    await t.http
      .post('/v1/subjects/bulk')
      .set(...responder)
      .send({
        subjects: [
          {
            externalId: 'both-fail',
            email: 'both-fail@mail.example.com',
            phone: '+4915112345699',
            jurisdiction: 'DE',
            dataCategories: ['camera_data'],
          },
        ],
      })
      .expect(200);
    const incident = await scopedIncident(t, t.keys.responder, { externalIds: ['both-fail'] }, {});
    const { id } = await completedCampaign(t, incident, { channels: ['email', 'sms'], mode: 'all' });
    // Both messages put back as before their jobs ran; this time both are refused for good, and both
    // records are let go at the same moment (our transaction held their messages).
    const batches = await t.query<{ id: number; channel: 'email' | 'sms' }>(
      'select id::int, channel from message_batches where campaign_id = $1 order by channel',
      [id],
    );
    expect(batches.map((b) => b.channel)).toEqual(['email', 'sms']);
    await t.query(
      "update message_batches set status = 'queued', lease_until = null, done_at = null where campaign_id = $1",
      [id],
    );
    await t.query("update messages set status = 'queued', sent_at = null where campaign_id = $1", [id]);
    await t.query("update deliveries set status = 'pending', notified_at = null where campaign_id = $1", [
      id,
    ]);
    await t.query("update campaigns set status = 'sending' where id = $1", [id]);
    // The outbox is one object behind both ports: one stand-in answers either shape.
    const outbox = t.app.get<EmailPort & SmsPort>(EMAIL_PORT);
    expect(t.app.get(SMS_PORT)).toBe(outbox);
    const refuse = jest.spyOn(outbox as unknown as { send: (m: object) => Promise<unknown> }, 'send');
    const stranded = jest.spyOn(t.app.get(DeliveriesRepository), 'settleStranded');
    refuse.mockImplementation((message) =>
      Promise.resolve(
        'recipients' in message
          ? (message as { recipients: unknown[] }).recipients.map(() => ({
              kind: 'permanent',
              code: 'bounce',
            }))
          : { kind: 'permanent', code: 'twilio_21614' },
      ),
    );
    const locker = new pg.Client({ connectionString: databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('select 1 from messages where campaign_id = $1 for update', [id]);
      const service = t.app.get(SendBatchService);
      const both = Promise.all(batches.map((b) => service.sendBatch(b.channel, b.id)));
      await eventually(async () => {
        const [w] = await t.query<{ n: number }>(
          "select count(*)::int as n from pg_stat_activity where wait_event_type = 'Lock' and datname = current_database()",
        );
        return w.n >= 2 ? true : undefined;
      });
      await locker.query('rollback');
      await both;
      // Closed by the second record itself, not by the completion's safety net.
      expect(stranded).not.toHaveBeenCalled();
    } finally {
      refuse.mockRestore();
      stranded.mockRestore();
      await locker.end();
    }
    const [delivery] = await t.query<{ status: string }>(
      'select status from deliveries where campaign_id = $1',
      [id],
    );
    expect(delivery.status).toBe('unreachable');
  });

  it('refuses delivery events it has no way to verify (no SendGrid key, no Twilio account)', async () => {
    for (const provider of ['sendgrid', 'twilio']) {
      const res = await t.http
        .post(`/v1/webhooks/${provider}`)
        .set('Content-Type', 'application/json')
        .send([{ event: 'delivered', sg_event_id: 'e1', message_id: '1' }])
        .expect(403);
      expect(res.body.message).toMatch(/^webhook refused: (no SENDGRID_WEBHOOK_PUBLIC_KEY|Twilio is not)/);
    }
    expect(await t.query('select 1 from webhook_events')).toEqual([]);
  });

  it('cuts batches by the same notice variants the renderer knows', async () => {
    const jurisdictions = ['US-CA', 'US-MA', 'US-NY', 'US-TX', 'US', 'CA', 'CA-QC', 'KR', 'DE', 'USA', null];
    const rows = rowsOf<{ j: string | null; v: string }>(
      await t.app.get(DatabaseService).db.execute(sql`
        select j, ${noticeVariantSql(sql`j`)} as v from unnest(${sql.param(jurisdictions)}::text[]) as x(j)`),
    );
    expect(rows.map((r) => [r.j, r.v])).toEqual(jurisdictions.map((j) => [j, noticeVariant(j)]));
  });

  it('renders each jurisdiction its own email even in a batch planned before batches were cut by it', async () => {
    // One Californian's email and one Italian's (both in English), in one batch as a planner before
    // migration 0014 would have made it: variant '' and california false.
    const pick = (variant: string) =>
      t.query<{ id: string; campaign_id: string }>(
        `select m.id, b.campaign_id from messages m join message_batches b on b.id = m.batch_id
          where b.channel = 'email' and b.locale = 'en' and b.variant = $1 and b.template = 'breach-notice'
          order by m.id limit 1`,
        [variant],
      );
    const [[californian], [italian]] = await Promise.all([pick('US-CA'), pick('')]);
    const campaignId = californian.campaign_id;
    const [{ id: batchId }] = await t.query<{ id: string }>(
      `insert into message_batches (campaign_id, channel, template, locale, california, size, status, created_at)
       values ($1, 'email', 'breach-notice', 'en', false, 2, 'queued', now()) returning id`,
      [campaignId],
    );
    const ids = [californian.id, italian.id];
    const before = await t.query<{ id: string; batch_id: string }>(
      'select id, batch_id from messages where id = any($1::bigint[])',
      [ids],
    );
    await t.query("update messages set batch_id = $2, status = 'queued' where id = any($1::bigint[])", [
      ids,
      batchId,
    ]);
    await t.query("update campaigns set status = 'sending' where id = $1", [campaignId]);
    const email = t.app.get<EmailPort>(EMAIL_PORT);
    const sends = jest.spyOn(email, 'send');
    try {
      await t.app.get(SendBatchService).sendBatch('email', Number(batchId));
      const requests = sends.mock.calls.map(([batch]) => ({
        title: batch.subject.startsWith('Notice of Data Breach'),
        ftc: batch.text.includes('IdentityTheft.gov'),
        recipients: batch.recipients.map((r) => String(r.messageId)),
      }));
      expect(requests.sort((a, b) => Number(a.title) - Number(b.title))).toEqual([
        { title: false, ftc: false, recipients: [italian.id] },
        { title: true, ftc: true, recipients: [californian.id] },
      ]);
    } finally {
      sends.mockRestore();
      for (const m of before) {
        await t.query("update messages set batch_id = $2, status = 'sent' where id = $1", [m.id, m.batch_id]);
      }
      await t.query("update message_batches set status = 'done' where id = $1", [batchId]);
      await t.query("update campaigns set status = 'completed' where id = $1", [campaignId]);
    }
  });

  it("sends a batch planned larger than today's rate allows at today's rate", async () => {
    // Three SMS batches of one campaign made one (as if planned when the rate was higher), pending again,
    // and the campaign sending: the window takes it and a worker sends it.
    const batches = await t.query<{ id: number; campaign_id: string }>(
      `select id, campaign_id from message_batches where channel = 'sms'
        and campaign_id = (select campaign_id from message_batches where channel = 'sms' order by id limit 1)
        order by id limit 3`,
    );
    const [merged, ...others] = batches.map((b) => Number(b.id));
    const campaignId = batches[0].campaign_id;
    await t.query('update messages set batch_id = $1 where batch_id = any($2::bigint[])', [merged, others]);
    await t.query("update messages set status = 'queued' where batch_id = $1", [merged]);
    const [{ n }] = await t.query<{ n: number }>(
      'select count(*)::int as n from messages where batch_id = $1',
      [merged],
    );
    expect(n).toBeGreaterThan(40);
    await t.query(
      "update message_batches set status = 'pending', lease_until = null, done_at = null, size = $2 where id = $1",
      [merged, n],
    );
    const queue = t.app
      .get(JobRepository)
      .allQueues()
      .find((q) => q.name === String(QueueName.Sms))!;
    await t.query("update campaigns set status = 'sending' where id = $1", [campaignId]);
    try {
      await t.app.get(CampaignLifecycle).topUp(campaignId);
      const started = Date.now();
      await eventually(async () => {
        const [b] = await t.query('select status from message_batches where id = $1', [merged]);
        return b.status === 'done' ? true : undefined;
      });
      // TWILIO_MAX_PER_SECOND is 200 segments: each message takes the send slots of its segments, so this
      // job's n messages leave over their segments (the last one's aside) / 200 s at least, however the
      // batch was planned.
      const outbox = await t.http
        .get('/v1/outbox?channel=sms&limit=500')
        .set(...bearer(t.keys.admin))
        .expect(200);
      const ids = new Set(
        (await t.query<{ id: string }>('select id from messages where batch_id = $1', [merged])).map((r) =>
          Number(r.id),
        ),
      );
      type Item = { messageId: number; createdAt: string; content: { body: string } };
      const segments = (outbox.body.items as Item[])
        .filter((item) => ids.has(item.messageId) && Date.parse(item.createdAt) >= started)
        .map((item) => smsSize(item.content.body).segments);
      expect(segments.length).toBeGreaterThanOrEqual(n);
      const span = segments.reduce((a, b) => a + b, 0) - Math.max(...segments);
      expect(Date.now() - started).toBeGreaterThanOrEqual(Math.floor((1000 * span) / 200));
    } finally {
      await queue.removeRateLimitKey();
      await t.query("update campaigns set status = 'completed' where id = $1 and status = 'sending'", [
        campaignId,
      ]);
    }
  });

  it('keeps reconciling when folding the tallies fails: folding is housekeeping', async () => {
    const fold = jest
      .spyOn(t.app.get(TalliesRepository), 'foldTallies')
      .mockRejectedValueOnce(new Error('canceling statement due to lock timeout'));
    try {
      await expect(t.app.get(Reconciler).reconcile()).resolves.toMatchObject({
        folded: 0,
        reclaimed: expect.any(Number),
        requeuedBatches: expect.any(Number),
      });
    } finally {
      fold.mockRestore();
    }
  });

  it("four eyes compare holders: another key of the author's holder cannot approve", async () => {
    const other = await scopedIncident(
      t,
      t.keys.responder,
      { dataCategories: ['app_usage'] },
      {
        dataCategories: ['app_usage'],
      },
    );
    const draft = await t.http
      .post(`/v1/incidents/${other}/campaigns`)
      .set(...responder)
      .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate', includeGuardians: false })
      .expect(201);
    // The support keys are held by `<role>@e2e.test`; the admin makes the author a second key.
    const same = await t.http
      .post('/v1/api-keys')
      .set(...bearer(t.keys.admin))
      .send({ name: 'the responder, approving', role: 'approver', holder: ' Responder@E2E.test ' })
      .expect(201);
    expect(same.body.holder).toBe('responder@e2e.test');
    const refused = await t.http
      .post(`/v1/campaigns/${draft.body.id}/approve`)
      .set(...bearer(same.body.key as string))
      .expect(403);
    expect(refused.body.message).toBe(
      "a campaign must be approved by someone other than its author: this key and the author's have the same holder",
    );
    expect((await t.http.get(`/v1/campaigns/${draft.body.id}`).set(...responder)).body.status).toBe('draft');
    await t.http
      .post(`/v1/campaigns/${draft.body.id}/cancel`)
      .set(...responder)
      .expect(200);
  });

  it('pauses, resumes and cancels; four eyes hold for admins too', async () => {
    const other = await scopedIncident(
      t,
      t.keys.responder,
      { dataCategories: ['app_usage'] },
      {
        dataCategories: ['app_usage'],
      },
    );
    const admin = bearer(t.keys.admin);
    const draft = await t.http
      .post(`/v1/incidents/${other}/campaigns`)
      .set(...admin)
      .send({ template: 'breach-notice', channels: ['sms'], mode: 'all', includeGuardians: false })
      .expect(201);
    const id = draft.body.id as string;
    const own = await t.http
      .post(`/v1/campaigns/${id}/approve`)
      .set(...admin)
      .expect(403);
    expect(own.body.message).toContain('someone other than its author');
    // Nor with an approver key the author makes for the purpose after drafting.
    const minted = await t.http
      .post('/v1/api-keys')
      .set(...admin)
      .send({ name: 'second key', role: 'approver' })
      .expect(201);
    const second = await t.http
      .post(`/v1/campaigns/${id}/approve`)
      .set(...bearer(minted.body.key as string))
      .expect(403);
    expect(second.body.message).toContain('made by its author after the draft');
    // Nor through a key in between: the author makes an admin key, which makes the approver key.
    const between = await t.http
      .post('/v1/api-keys')
      .set(...admin)
      .send({ name: 'in between', role: 'admin' })
      .expect(201);
    const third = await t.http
      .post('/v1/api-keys')
      .set(...bearer(between.body.key as string))
      .send({ name: 'third key', role: 'approver' })
      .expect(201);
    await t.http
      .post(`/v1/campaigns/${id}/approve`)
      .set(...bearer(third.body.key as string))
      .expect(403);
    await t.http
      .post(`/v1/campaigns/${id}/resume`)
      .set(...responder)
      .expect(409);
    await t.http
      .post(`/v1/campaigns/${id}/approve`)
      .set(...approver)
      .expect(200);
    const paused = await t.http
      .post(`/v1/campaigns/${id}/pause`)
      .set(...responder)
      .expect(200);
    expect(paused.body.status).toBe('paused');
    const view = async () =>
      (
        await t.http
          .get(`/v1/campaigns/${id}`)
          .set(...responder)
          .expect(200)
      ).body;
    const first = await view();
    expect(first.progress.asOf).toEqual(expect.any(String));
    // Paused: nothing moves, so no rate and no time left.
    expect(first.progress).toMatchObject({ ratePerSecond: 0, etaSeconds: null });
    await t.http
      .post(`/v1/campaigns/${id}/approve`)
      .set(...approver)
      .expect(409);
    const resumed = await t.http
      .post(`/v1/campaigns/${id}/resume`)
      .set(...responder)
      .expect(200);
    expect(['approved', 'sending']).toContain(resumed.body.status);
    // Planned and sending (twenty SMS a second: seconds to go) before the cancel.
    const sending = await eventually(async () => {
      const v = await view();
      return v.status === 'sending' ? v : undefined;
    });
    expect(sending.progress.deliveries.pending).toBeGreaterThan(0);
    // The rate over the seconds since sending started (not a full minute it has not had), and the time
    // left at it.
    const window = (Date.parse(sending.progress.asOf) - Date.parse(sending.startedAt)) / 1000;
    expect(window).toBeLessThan(60);
    expect(sending.progress.ratePerSecond).toBe(
      Math.round((sending.progress.sentLastMinute / Math.max(1, window)) * 10) / 10,
    );
    if (sending.progress.ratePerSecond > 0) {
      expect(sending.progress.etaSeconds).toBe(
        Math.ceil(sending.progress.remaining / sending.progress.ratePerSecond),
      );
    }
    const sentCount = async () =>
      (
        await t.query<{ n: number }>(
          "select count(*)::int as n from messages where campaign_id = $1 and status in ('sent', 'delivered')",
          [id],
        )
      )[0].n;
    await eventually(async () => ((await sentCount()) > 0 ? true : undefined));
    // A pause mid-send: what a worker holds finishes, then nothing more leaves until the resume.
    await t.http
      .post(`/v1/campaigns/${id}/pause`)
      .set(...responder)
      .expect(200);
    await eventually(async () => {
      const [held] = await t.query<{ n: number }>(
        'select count(*)::int as n from message_batches where campaign_id = $1 and lease_until is not null',
        [id],
      );
      return held.n === 0 ? true : undefined;
    });
    const atPause = await sentCount();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(await sentCount()).toBe(atPause);
    const pausedView = await view();
    expect(pausedView.progress.deliveries.pending).toBeGreaterThan(0);
    // Paused mid-send, with the last minute's sends on record: no rate, and no time left.
    expect(pausedView.progress.sentLastMinute).toBeGreaterThan(0);
    expect(pausedView.progress).toMatchObject({ ratePerSecond: 0, etaSeconds: null });
    await t.http
      .post(`/v1/campaigns/${id}/resume`)
      .set(...responder)
      .expect(200);
    await eventually(async () => ((await sentCount()) > atPause ? true : undefined));
    const cancelled = await t.http
      .post(`/v1/campaigns/${id}/cancel`)
      .set(...responder)
      .expect(200);
    expect(cancelled.body.status).toBe('cancelled');
    await t.http
      .post(`/v1/campaigns/${id}/cancel`)
      .set(...responder)
      .expect(409);
    // Nothing waits after a cancel: no queued message, no open batch.
    const open = await t.query(
      "select 1 from messages where campaign_id = $1 and status = 'queued' union all select 1 from message_batches where campaign_id = $1 and status <> 'done'",
      [id],
    );
    expect(open).toEqual([]);
    // Progress follows at once: what waited is cancelled, and the tallies still match the rows.
    const afterCancel = await view();
    expect(Date.parse(afterCancel.progress.asOf)).toBeGreaterThan(Date.parse(first.progress.asOf));
    expect(afterCancel.progress.messages.sms?.queued).toBeUndefined();
    expect(afterCancel.progress.remaining).toBe(0);
    expect(afterCancel.progress.deliveries.pending).toBeUndefined();
    expect(afterCancel.progress.deliveries.cancelled).toBeGreaterThan(0);
    const counts = Object.values(afterCancel.progress.deliveries as Record<string, number>);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(afterCancel.recipients);
    expect(await talliesDiffer(t, id)).toEqual([]);

    const kinds = (
      (
        await t.http
          .get(`/v1/incidents/${other}/timeline`)
          .set(...responder)
          .expect(200)
      ).body.items as Array<{
        kind: string;
      }>
    ).map((e) => e.kind);
    expect(kinds).toEqual(
      expect.arrayContaining(['campaign.paused', 'campaign.resumed', 'campaign.cancelled']),
    );
  });

  // Last: it empties the outbox.
  it('deletes outbox messages past OUTBOX_RETENTION_DAYS (30), hourly, audited', async () => {
    const outbox = async () =>
      (await t.query<{ n: number }>('select count(*)::int as n from outbox_messages'))[0].n;
    // The earlier cases' send jobs may still be writing (a loaded machine): counted once none is left.
    await eventually(async () => {
      const open = await t.query(
        "select 1 from message_batches b join campaigns c on c.id = b.campaign_id where c.status = 'sending' and b.status in ('pending', 'queued')",
      );
      return open.length === 0 ? true : undefined;
    }, 60_000);
    const stored = await outbox();
    expect(stored).toBeGreaterThan(0);
    const service = t.app.get(OutboxService);
    const clock = jest.spyOn(t.app.get(Clock), 'now');
    try {
      clock.mockReturnValue(new Date(Date.now() + 29 * 24 * 3_600_000));
      expect(await service.prune()).toEqual({ deleted: 0 });
      expect(await outbox()).toBe(stored);
      clock.mockReturnValue(new Date(Date.now() + 31 * 24 * 3_600_000));
      expect(await service.prune()).toEqual({ deleted: stored });
    } finally {
      clock.mockRestore();
    }
    expect(await outbox()).toBe(0);
    const [audit] = await t.query<{ summary: { deleted: number } }>(
      "select summary from audit_log where action = 'outbox.prune'",
    );
    expect(audit.summary.deleted).toBe(stored);
  });
});
