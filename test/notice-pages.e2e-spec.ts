import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import type { Browser } from 'playwright-core';
import { Clock } from '../src/common/clock.js';
import { Revocations } from '../src/database/revocations.js';
import { NoticePagesService } from '../src/notice-pages/notice-pages.service.js';
import { JobRepository } from '../src/queue/job.repository.js';
import {
  bearer,
  completedCampaign,
  eventually,
  generatedReport,
  publishedNotice,
  scopedIncident,
  startApp,
  TestApp,
} from './support/app.js';
import { launchBrowser, listenLocally, PHONE, screenshotPath } from './support/browser.js';
import { createScratchDatabase } from './support/global-setup.js';

// Each person's notice page behind the link in their notice: a campaign runs to the local outbox, the
// links are read from the emails as people would, and each opens that person's notice and no one else's.

const REDIS_DB = 7;
const DAY = 24 * 60 * 60_000;
const RATE_LIMIT = 60;

const PEOPLE = [
  {
    externalId: 'np-alice',
    name: 'Alice Example',
    email: 'alice@example.com',
    locale: 'en-US',
    timeZone: 'America/Los_Angeles',
    jurisdiction: 'US-CA',
    birthDate: '1990-06-01',
  },
  {
    externalId: 'np-hanako',
    name: '山田 花子',
    email: 'hanako@example.com',
    locale: 'ja-JP',
    timeZone: 'Asia/Tokyo',
    jurisdiction: 'JP',
    birthDate: '1988-02-03',
  },
  {
    externalId: 'np-kid',
    name: 'Kim Minor',
    locale: 'en-US',
    timeZone: 'America/New_York',
    jurisdiction: 'US-NY',
    birthDate: '2016-04-05',
    guardian: { name: 'Pat Guardian', email: 'pat@example.com', locale: 'en-US' },
  },
].map((p) => ({ ...p, dataCategories: ['camera_data', 'app_usage'], channelPreferences: ['email'] }));

describe('personal notice pages (/n/<token>)', () => {
  let t: TestApp;
  let campaignId: string;
  let incidentId: string;
  let databaseUrl: string;
  /** Each recipient's link, by the address it was sent to. */
  const links = new Map<string, string>();
  jest.setTimeout(120_000);

  const page = (path: string, language = 'en') => t.http.get(path).set('Accept-Language', language);

  beforeAll(async () => {
    t = await startApp(
      {
        DATABASE_URL: (databaseUrl = await createScratchDatabase('notice_pages')),
        ORGANIZATION_NAME: 'Ai Art',
        PUBLIC_BASE_URL: 'https://notice.example.org',
        NOTICE_PAGE_RATE_LIMIT: String(RATE_LIMIT),
      },
      REDIS_DB,
    );
    await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(t.keys.responder))
      .send({ subjects: PEOPLE })
      .expect(200);
    incidentId = await scopedIncident(t, t.keys.responder, { everyone: true });
    const { id } = await completedCampaign(t, incidentId, {
      channels: ['email'],
      mode: 'escalate',
      includeGuardians: true,
    });
    campaignId = id;
    const outbox = await t.http
      .get('/v1/outbox?channel=email&limit=100')
      .set(...bearer(t.keys.admin))
      .expect(200);
    for (const item of outbox.body.items as Array<{ content: { to: string; text: string } }>) {
      const link = /https:\/\/notice\.example\.org(\/n\/[A-Za-z0-9_-]{22})\b/.exec(item.content.text);
      if (link?.[1]) links.set(item.content.to, link[1]);
    }
    expect([...links.keys()].sort()).toEqual(['alice@example.com', 'hanako@example.com', 'pat@example.com']);
  });
  afterAll(() => t.close());

  it("shows each person their own notice, in their language, and no one else's", async () => {
    const alice = await page(links.get('alice@example.com')!).expect(200);
    expect(alice.headers['content-type']).toMatch(/^text\/html/);
    expect(alice.text).toContain('<html lang="en">');
    expect(alice.text).toContain('Alice Example');
    expect(alice.text).toContain('photos and images you took or uploaded');
    expect(alice.text).toContain('A misconfigured bucket exposed generated images');
    // California's statutory title and headings, as her email had them.
    expect(alice.text).toContain('Notice of Data Breach');
    expect(alice.text).not.toContain('山田');
    expect(alice.text).not.toContain('Kim Minor');
    expect(alice.text).not.toContain('alice@example.com');

    // Japanese, whatever the browser asks: the page is in the language of her notice.
    const hanako = await page(links.get('hanako@example.com')!, 'en-US').expect(200);
    expect(hanako.text).toContain('<html lang="ja">');
    expect(hanako.text).toContain('山田 花子 様');
    expect(hanako.text).toContain('撮影またはアップロードされた写真・画像');
    expect(hanako.text).toContain('この通知を読みました');
    // Dates in her zone (JST), not the server's.
    expect(hanako.text).toMatch(/JST|GMT\+9/);
    expect(hanako.text).not.toContain('Alice');

    // The guardian reads about the child, by the child's name.
    const guardian = await page(links.get('pat@example.com')!).expect(200);
    expect(guardian.text).toContain('Pat Guardian');
    expect(guardian.text).toContain('Kim Minor');
    expect(guardian.text).toContain('your child');
  });

  it('sends headers that keep the page private: no referrer, no shared cache, no script', async () => {
    const res = await page(links.get('alice@example.com')!).expect(200);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['cache-control']).toBe('private, no-store');
    expect(res.headers['x-robots-tag']).toBe('noindex');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/script-src|unsafe-inline/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/]+=*'/);
    expect(res.text).not.toContain('<script');
  });

  it('answers a wrong, a mangled and an expired link alike: the same 404 page', async () => {
    const alice = links.get('alice@example.com')!;
    const token = alice.slice(3);
    const wrong = await page(`/n/${token.slice(0, 21)}${token[21] === 'A' ? 'B' : 'A'}`).expect(404);
    const made = await page(`/n/${'Q'.repeat(22)}`).expect(404);
    const mangled = await page('/n/%E0%A4%A').expect(404);
    const nul = await page(`/n/${token}%00`).expect(404);
    const bare = await page('/n/').expect(404);
    const clock = jest.spyOn(t.app.get(Clock), 'now');
    try {
      clock.mockImplementation(() => new Date(Date.now() + 366 * DAY));
      const expired = await page(alice).expect(404);
      for (const other of [made, mangled, nul, bare, expired]) {
        expect(other.text).toBe(wrong.text);
        expect(other.headers['content-type']).toBe(wrong.headers['content-type']);
        expect(other.headers['cache-control']).toBe('private, no-store');
        expect(other.headers['referrer-policy']).toBe('no-referrer');
      }
      expect(wrong.text).toContain('This link does not open a notice');
      // A reader asking for French is told in French; the same words for wrong and expired links.
      const frenchExpired = await page(alice, 'fr-CA,fr;q=0.9').expect(404);
      const frenchWrong = await page(`/n/${'Q'.repeat(22)}`, 'fr-CA,fr;q=0.9').expect(404);
      expect(frenchExpired.text).toBe(frenchWrong.text);
      expect(frenchExpired.text).toContain('Ce lien n’ouvre aucun avis');
      // Acknowledging an expired page records nothing.
      await t.http.post(alice).expect(404);
      clock.mockImplementation(() => new Date(Date.now() + 364 * DAY));
      await page(alice).expect(200);
    } finally {
      clock.mockRestore();
    }
    expect(await t.query('select 1 from deliveries where acknowledged_at is not null')).toEqual([]);
  });

  it('records "I have read this" once, counts it in the campaign and in the regulator report', async () => {
    const alice = links.get('alice@example.com')!;
    const before = await page(alice).expect(200);
    expect(before.text).toContain('<form method="post">');
    expect(before.text).toContain('I have read this');
    const posted = await t.http.post(alice).type('form').send('').expect(303);
    expect(posted.headers.location).toBe(alice);
    const after = await page(alice).expect(200);
    expect(after.text).not.toContain('<form');
    expect(after.text).toContain('Thank you. You told us you read this notice on');
    const [first] = await t.query<{ acknowledged_at: Date }>(
      'select acknowledged_at from deliveries where acknowledged_at is not null',
    );
    // A second click keeps the first time and counts nothing more.
    await t.http.post(alice).expect(303);
    const again = await t.query<{ acknowledged_at: Date }>(
      'select acknowledged_at from deliveries where acknowledged_at is not null',
    );
    expect(again).toEqual([first]);

    const campaign = await t.http
      .get(`/v1/campaigns/${campaignId}`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    expect(campaign.body.progress.acknowledged).toBe(1);
    // An acknowledgement is no status of its own: the three recipients keep theirs (whether an email
    // notifies is each one's law: the emails went out, so the links work).
    const statuses = campaign.body.progress.deliveries as Record<string, number>;
    expect(Object.keys(statuses)).not.toContain('acknowledged');
    expect(Object.values(statuses).reduce((a, b) => a + b, 0)).toBe(3);

    const report = await generatedReport(t, bearer(t.keys.responder), incidentId, {
      regulator: 'us-ca-ag',
      phase: 'initial',
      delayReasons: 'Worked case.',
    });
    const fields = (report.body.content.sections as { fields: { key: string; value: unknown }[] }[]).flatMap(
      (s) => s.fields,
    );
    expect(fields.find((f) => f.key === 'common.handling.acknowledgement')?.value).toBe(1);
  });

  it('limits requests per client address: 429 with Retry-After, then open again the next minute', async () => {
    const alice = links.get('alice@example.com')!;
    const clock = jest.spyOn(t.app.get(Clock), 'now');
    // A minute of its own (the counters are per minute), a day after the notice.
    const start = Math.ceil((Date.now() + DAY) / 60_000) * 60_000;
    try {
      clock.mockImplementation(() => new Date(start + 15_000));
      for (let i = 0; i < RATE_LIMIT; i += 1) await page(alice).expect(200);
      const limited = await page(alice).expect(429);
      expect(limited.headers['retry-after']).toBe('45');
      expect(limited.headers['cache-control']).toBe('private, no-store');
      expect(limited.text).toContain('Too many requests');
      // Wrong tokens count too: guessing is as slow as reading.
      await page(`/n/${'Q'.repeat(22)}`).expect(429);
      clock.mockImplementation(() => new Date(start + 60_000));
      await page(alice).expect(200);
    } finally {
      clock.mockRestore();
    }
    // Counted in Redis, under a hash of the address: no address in any key.
    const keys = await t.app.get(JobRepository).redis()!.keys('notice-rate:*');
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.join(' ')).not.toContain('127.0.0.1');
  });
  it('"Was I affected?" answers everyone alike; only an affected address receives its notice again', async () => {
    const slug = await publishedNotice(t, incidentId, { jurisdictions: ['US-CA'] }, t.keys.admin);
    const notice = await t.http.get(`/security-notices/${slug}`).expect(200);
    expect(notice.text).toContain(`<form method="post" action="/security-notices/${slug}/lookup"`);
    expect(notice.text).toContain('Was I affected?');

    const emails = async () =>
      (
        await t.http
          .get('/v1/outbox?channel=email&limit=100')
          .set(...bearer(t.keys.admin))
          .expect(200)
      ).body.items as Array<{ content: { to: string; text: string } }>;
    const before = await emails();
    const ask = (contact: string) =>
      t.http.post(`/security-notices/${slug}/lookup`).type('form').send({ contact, lang: 'en' });
    // Alice (affected, written as people write), a stranger, an unknown number: the same page.
    const affected = await ask('  Alice@Example.com ').expect(200);
    const stranger = await ask('nobody@example.com').expect(200);
    const number = await ask('+1 (415) 555-0199').expect(200);
    expect(stranger.text).toBe(affected.text);
    expect(number.text).toBe(affected.text);
    expect(affected.text).toContain('If this email address or phone number is one we hold');
    expect(affected.text).not.toMatch(/alice|nobody|555-?0199/i);
    expect(affected.headers['cache-control']).toBe('private, no-store');

    // Alice's notice again, to her address, with her link; nothing to the stranger.
    const sent = await eventually(async () => {
      const now = await emails();
      return now.length > before.length ? now : undefined;
    });
    const again = sent.filter((m) => !before.some((b) => b === m || JSON.stringify(b) === JSON.stringify(m)));
    expect(again.map((m) => m.content.to)).toEqual(['alice@example.com']);
    expect(again[0].content.text).toContain(`https://notice.example.org${links.get('alice@example.com')!}`);
    expect(again[0].content.text).toContain('Alice Example');
    // Recorded as a message of her delivery: the campaign counts what it sent.
    const campaign = await t.http
      .get(`/v1/campaigns/${campaignId}`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    expect(campaign.body.progress.messages.email.sent).toBe(4);

    // The same address again within the minute: the same page, no second message.
    await ask('alice@example.com').expect(200);
    await new Promise((r) => setTimeout(r, 1_500));
    expect((await emails()).length).toBe(sent.length);
    // Not an address: a 400 page that says what to give; an unknown notice: 404.
    const bad = await ask('hello').expect(400);
    expect(bad.text).toContain('Give an email address, or a phone number in international form');
    await t.http
      .post('/security-notices/no-such-notice/lookup')
      .type('form')
      .send({ contact: 'a@b.co' })
      .expect(404);
  });

  it('a ROLE=public node serves the personal pages and "Was I affected?", and none of the API', async () => {
    // No Redis for this node: its rate counts stay in the process, its lookups queue in PostgreSQL.
    const edge = await startApp({
      DATABASE_URL: databaseUrl,
      ROLE: 'public',
      PUBLIC_BASE_URL: 'https://notice.example.org',
    });
    try {
      const alice = await edge.http.get(links.get('alice@example.com')!).expect(200);
      expect(alice.text).toContain('Alice Example');
      expect(alice.headers['referrer-policy']).toBe('no-referrer');
      await edge.http.get(`/n/${'Q'.repeat(22)}`).expect(404);
      const [slug] = await t.query<{ slug: string }>(
        "select slug from public_notices where status = 'published'",
      );
      const notice = await edge.http.get(`/security-notices/${slug.slug}`).expect(200);
      expect(notice.text).toContain('Was I affected?');
      await edge.http
        .post(`/security-notices/${slug.slug}/lookup`)
        .type('form')
        .send({ contact: 'nobody@example.com' })
        .expect(200);
      await edge.http
        .get(`/v1/campaigns/${campaignId}`)
        .set(...bearer(t.keys.admin))
        .expect(404);
    } finally {
      await edge.close();
    }
  });

  it('answers a request line in absolute-form as it answers the path: the notice, not JSON', async () => {
    // `GET http://host/n/<token> HTTP/1.1` is legal HTTP/1.1 (what a client behind a proxy sends);
    // supertest only sends origin-form, so these go on a socket as written.
    const base = new URL(await listenLocally(t.app.getHttpServer()));
    const get = (target: string) =>
      raw(Number(base.port), [
        `GET ${target} HTTP/1.1`,
        'Host: notice.example.org',
        'Accept-Language: en',
        'Connection: close',
      ]);
    const alice = await get(`http://notice.example.org${links.get('alice@example.com')!}`);
    expect(alice.status).toBe(200);
    expect(alice.headers).toMatch(/^content-type: text\/html/im);
    expect(alice.body).toContain('Alice Example');
    const wrong = await get(`http://notice.example.org/n/${'Q'.repeat(22)}`);
    expect(wrong.status).toBe(404);
    expect(wrong.body).toContain('This link does not open a notice');
    const [{ slug }] = await t.query<{ slug: string }>(
      "select slug from public_notices where status = 'published'",
    );
    const notice = await get(`https://notice.example.org/security-notices/${slug}?lang=en`);
    expect(notice.status).toBe(200);
    expect(notice.body).toContain('Was I affected?');
  });

  describe('in headless Chromium, without script', () => {
    let browser: Browser;
    let base: string;

    beforeAll(async () => {
      base = await listenLocally(t.app.getHttpServer());
      browser = await launchBrowser();
    });
    afterAll(() => browser?.close());

    it('shows a Japanese notice readable at a phone width, styled under its CSP', async () => {
      const context = await browser.newContext({
        viewport: PHONE,
        javaScriptEnabled: false,
        locale: 'ja-JP',
      });
      const page = await context.newPage();
      const refused: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') refused.push(m.text());
      });
      await page.goto(`${base}${links.get('hanako@example.com')!}`);
      expect(await page.locator('html').getAttribute('lang')).toBe('ja');
      await expect(page.locator('h1').first().isVisible()).resolves.toBe(true);
      expect(await page.locator('li').allTextContents()).toContain('撮影またはアップロードされた写真・画像');
      // Nothing wider than the phone: no sideways scrolling.
      // (Strings run in the page: the tests' TypeScript has no DOM types.)
      const widths = await page.evaluate<number[]>(
        '[document.documentElement.scrollWidth, window.innerWidth]',
      );
      expect(widths[0]).toBeLessThanOrEqual(widths[1]);
      // The inline style sheet ran (its hash is in the CSP): the button has its colour, a thumb's height.
      const button = page.locator('#acknowledge');
      expect(
        await page.evaluate<string>(
          "getComputedStyle(document.getElementById('acknowledge')).backgroundColor",
        ),
      ).toBe('rgb(11, 87, 208)');
      expect((await button.boundingBox())!.height).toBeGreaterThanOrEqual(44);
      expect(refused).toEqual([]);
      const file = screenshotPath('notice-page-ja-phone');
      await page.screenshot({ path: file, fullPage: true });
      expect(existsSync(file)).toBe(true);
      await context.close();
    });

    it('records the acknowledgement from a click on the button, and says so', async () => {
      const context = await browser.newContext({ viewport: PHONE, javaScriptEnabled: false });
      const page = await context.newPage();
      const link = links.get('pat@example.com')!;
      await page.goto(`${base}${link}`);
      await page.screenshot({ path: screenshotPath('notice-page-guardian-phone'), fullPage: true });
      await Promise.all([page.waitForURL(`${base}${link}`), page.locator('#acknowledge').click()]);
      await page.locator('#acknowledged').waitFor();
      expect(await page.locator('#acknowledged').textContent()).toContain('Thank you');
      expect(await page.locator('#acknowledge').count()).toBe(0);
      await page.screenshot({ path: screenshotPath('notice-page-acknowledged-phone'), fullPage: true });
      const acknowledged = await t.query(
        `select 1 from deliveries d join subjects s on s.id = d.subject_id
         where s.external_id = 'np-kid' and d.acknowledged_at is not null`,
      );
      expect(acknowledged).toHaveLength(1);
      await context.close();
    });
  });

  it('an acknowledgement and an erasure reach what every process keeps: here at once, on a ROLE=public node when it hears', async () => {
    const link = links.get('hanako@example.com')!;
    const edge = await startApp({
      DATABASE_URL: databaseUrl,
      ROLE: 'public',
      PUBLIC_BASE_URL: 'https://notice.example.org',
    });
    try {
      // Each process keeps her page once it hears revocations (the edge's first read starts listening).
      await edge.http.get(link).expect(200);
      const heard = edge.app.get(Revocations);
      await eventually(() => Promise.resolve(heard.trusted || undefined));
      for (const http of [t.http, edge.http]) {
        const first = await http.get(link).expect(200);
        const again = await http.get(link).expect(200);
        expect(again.text).toBe(first.text);
        expect(again.text).toContain('山田 花子 様');
      }
      expect(t.app.get(NoticePagesService).keptPages).toBeGreaterThan(0);
      expect(edge.app.get(NoticePagesService).keptPages).toBeGreaterThan(0);
      expect((await edge.http.get(link).expect(200)).text).toContain('<form method="post">');

      // "I have read this" here: this process's page says so at once, the edge's once it heard of it.
      const acked = heard.heard;
      await t.http.post(link).expect(303);
      expect((await page(link).expect(200)).text).not.toContain('<form method="post">');
      await eventually(() => Promise.resolve(heard.heard > acked || undefined));
      expect((await edge.http.get(link).expect(200)).text).not.toContain('<form method="post">');
      const before = heard.heard;

      await t.http
        .delete('/v1/subjects/np-hanako')
        .set(...bearer(t.keys.admin))
        .expect(204);
      // Here, the next read: no waiting.
      const here = await page(link).expect(404);
      expect(here.text).toContain('This link does not open a notice');
      // There, once PostgreSQL's notification of the commit arrived: then at once, not after a time to live.
      await eventually(() => Promise.resolve(heard.heard > before || undefined));
      await edge.http.get(link).expect(404);
    } finally {
      await edge.close();
    }
  });
});

/** One request written on a socket as given, and the answer read until the server closes it. */
function raw(port: number, lines: string[]): Promise<{ status: number; headers: string; body: string }> {
  return new Promise((done, fail) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', fail);
    socket.on('end', () => {
      const answer = Buffer.concat(chunks).toString('utf8');
      const split = answer.indexOf('\r\n\r\n');
      const head = answer.slice(0, split);
      done({
        status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]),
        headers: head,
        body: answer.slice(split + 4),
      });
    });
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
  });
}
