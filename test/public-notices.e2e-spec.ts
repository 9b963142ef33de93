import { gunzipSync } from 'node:zlib';
import { Clock } from '../src/common/clock.js';
import { SendGridFake } from './fakes/sendgrid.fake.js';
import { TwilioFake } from './fakes/twilio.fake.js';
import {
  bearer,
  completedCampaign,
  eventually,
  generatedReport,
  scopedIncident,
  startApp,
  TestApp,
  validIncident,
} from './support/app.js';
import { launchBrowser, listenLocally, PHONE, screenshotPath } from './support/browser.js';
import { createScratchDatabase } from './support/global-setup.js';

// The public Security Notice end to end: drafted from an incident, approved by someone other than its
// author, published; its page, JSON and feed in several languages; an update with its history; the
// withdrawal refused before the longest minimum period of its jurisdictions.

const REDIS_DB = 13;

/** The files of a tar archive, by name, as text. */
function untar(tar: Buffer): Record<string, string> {
  const files: Record<string, string> = {};
  for (let at = 0; at + 512 <= tar.length;) {
    const name = tar
      .subarray(at, at + 100)
      .toString('utf8')
      .replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(
      tar
        .subarray(at + 124, at + 136)
        .toString('utf8')
        .replace(/\0.*$/s, ''),
      8,
    );
    files[name] = tar.subarray(at + 512, at + 512 + size).toString('utf8');
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return files;
}
/** The notice's ETag as a reader gets it (GET), for an edit's If-Match. */
async function etagOf(id: string): Promise<string> {
  const read = await t.http
    .get(`/v1/public-notices/${id}`)
    .set(...bearer(t.keys.responder))
    .expect(200);
  return read.headers.etag;
}

const ALERTS_TO = 'breach-desk@aiart.example';
const twilio = new TwilioFake();
const sendgrid = new SendGridFake();
let t: TestApp;

beforeAll(async () => {
  await Promise.all([twilio.start(), sendgrid.start()]);
  t = await startApp(
    {
      DATABASE_URL: await createScratchDatabase('public_notices'),
      ORGANIZATION_NAME: 'AI Art',
      PUBLIC_BASE_URL: 'https://aiart.example',
      PRIVACY_CONTACT_EMAIL: 'privacy@aiart.example',
      OBLIGATION_ALERT_EMAIL: ALERTS_TO,
      GERMAN_LAND: 'DE-BE',
      SENDGRID_API_KEY: sendgrid.apiKey,
      SENDGRID_FROM: 'security@aiart.example',
      SENDGRID_BASE_URL: sendgrid.url,
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_FROM: '+14155550000',
      TWILIO_BASE_URL: twilio.url,
      TWILIO_MAX_PER_SECOND: '500', // segments: about fifty SMS a second
    },
    REDIS_DB,
  );
}, 60_000);
afterAll(async () => {
  await t?.close();
  await Promise.all([twilio.stop(), sendgrid.stop()]);
});

describe('public Security Notice', () => {
  let incidentId: string;
  let noticeId: string;
  let slug: string;

  beforeAll(async () => {
    const incident = await t.http
      .post('/v1/incidents')
      .set(...bearer(t.keys.responder))
      .send(
        validIncident({
          translations: {
            ja: { description: '設定の誤りにより、画像とアカウントのメールアドレスが公開されていました。' },
            'pt-BR': { description: 'Um bucket mal configurado expôs imagens e e-mails de contas.' },
          },
        }),
      )
      .expect(201);
    incidentId = incident.body.id as string;
  }, 60_000);

  it('drafts from the incident: languages, the California profile, a slug; never any personal data', async () => {
    const draft = await t.http
      .post(`/v1/incidents/${incidentId}/public-notices`)
      .set(...bearer(t.keys.responder))
      .send({ jurisdictions: ['BR', 'US-CA', 'JP'] })
      .expect(201);
    noticeId = draft.body.id as string;
    slug = draft.body.slug as string;
    expect(draft.body.status).toBe('draft');
    expect(draft.body.profileJurisdiction).toBe('US-CA');
    expect(draft.body.languages).toEqual(['en', 'ja', 'pt-BR']);
    expect(draft.body.url).toBe(`https://aiart.example/security-notices/${slug}`);
    const preview = await t.http
      .get(`/v1/public-notices/${noticeId}/preview`)
      .set(...bearer(t.keys.auditor))
      .expect(200);
    expect(preview.body.texts.en.title).toBe('Notice of Data Breach');
    expect(preview.body.texts.ja.sections[0].paragraphs[0]).toContain('設定の誤り');
  });

  it('refuses unknown languages by name, and publishing before approval', async () => {
    const bad = await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', await etagOf(noticeId))
      .send({ languages: ['en', 'tlh'] })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('languages');
    // Jurisdictions: at least one, each a known code (UK names GB), the profile's too.
    for (const [body, message] of [
      [{ jurisdictions: [] }, 'jurisdictions must contain at least 1 elements'],
      [{ jurisdictions: ['BR', 'UK'] }, 'UK is not one: use GB'],
      [{ jurisdictions: ['ZZ'] }, 'jurisdictions must be an ISO 3166-1 alpha-2 country'],
      [{ profileJurisdiction: 'ZZ' }, 'profileJurisdiction must be an ISO 3166-1 alpha-2 country'],
      [{ languages: ['en', 'en'] }, 'languages must not repeat a language'],
    ] as const) {
      const refused = await t.http
        .patch(`/v1/public-notices/${noticeId}`)
        .set(...bearer(t.keys.responder))
        .send(body)
        .expect(400);
      expect(JSON.stringify(refused.body)).toContain(message);
    }
    // Words for a language the notice is not in would be kept and never shown.
    // A withdrawal gives its reason in words: spaces alone are none.
    const blank = await t.http
      .post(`/v1/public-notices/${noticeId}/withdraw`)
      .set(...bearer(t.keys.responder))
      .send({ reason: ' \u200b ' })
      .expect(400);
    expect(blank.body.details.problems).toMatchObject([{ field: 'reason', rule: 'hasText' }]);
    const stray = await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', await etagOf(noticeId))
      .send({ words: { de: { remedies: 'Eine Hotline.' } } })
      .expect(400);
    expect(stray.body.details.problems).toMatchObject([{ field: 'words.de', rule: 'isNoticeLanguage' }]);
    await t.http
      .post(`/v1/public-notices/${noticeId}/publish`)
      .set(...bearer(t.keys.responder))
      .expect(409);
  });

  it('is approved only by someone other than its author, then published', async () => {
    await t.http
      .post(`/v1/public-notices/${noticeId}/approve`)
      .set(...bearer(t.keys.admin))
      .expect(200); // the admin key is another holder than the responder's
    const published = await t.http
      .post(`/v1/public-notices/${noticeId}/publish`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    expect(published.body.status).toBe('published');
    expect(published.body.versions).toHaveLength(1);
  });

  it('an author cannot approve their own draft', async () => {
    const other = await t.http
      .post(`/v1/incidents/${incidentId}/public-notices`)
      .set(...bearer(t.keys.admin))
      .send({ jurisdictions: ['GB'] })
      .expect(201);
    expect(other.body.slug).toBe(`${slug}-2`);
    await t.http
      .post(`/v1/public-notices/${other.body.id}/approve`)
      .set(...bearer(t.keys.admin))
      .expect(403);
  });

  it("serves the page in the reader's language, with links to the others, strict headers and an ETag", async () => {
    const en = await t.http.get(`/security-notices/${slug}`).expect(200);
    expect(en.headers['content-type']).toContain('text/html');
    expect(en.text).toContain('<html lang="en">');
    expect(en.text).toContain('<h1>Notice of Data Breach</h1>');
    expect(en.text).toContain('<h2>What Happened</h2>');
    expect(en.text).not.toContain('<script');
    expect(en.headers['content-security-policy']).toContain("default-src 'none'");
    expect(en.headers['content-security-policy']).not.toContain('unsafe-inline');
    expect(en.headers['cache-control']).toContain('max-age=');
    expect(en.headers['vary']).toBe('Accept-Language');
    expect(en.text).toContain(`href="/security-notices/${slug}?lang=ja"`);
    await t.http.get(`/security-notices/${slug}`).set('If-None-Match', en.headers.etag).expect(304);
    // Again, answered ahead of Express from the kept answer: the same bytes and every header, the
    // app-wide ones too; HEAD has the headers without the body; counted under the route's pattern.
    const again = await t.http.get(`/security-notices/${slug}`).expect(200);
    expect(again.text).toBe(en.text);
    expect(again.headers.etag).toBe(en.headers.etag);
    expect(again.headers['x-content-type-options']).toBe('nosniff');
    expect(again.headers['x-frame-options']).toBe('DENY');
    expect(again.headers['referrer-policy']).toBe('strict-origin-when-cross-origin');
    const head = await t.http.head(`/security-notices/${slug}`).expect(200);
    expect(head.headers.etag).toBe(en.headers.etag);
    expect(head.headers['content-length']).toBe(en.headers['content-length']);
    expect(head.text ?? '').toBe('');
    const notModified = await t.http
      .get(`/security-notices/${slug}`)
      .set('If-None-Match', en.headers.etag)
      .expect(304);
    expect(notModified.headers['cache-control']).toBe(en.headers['cache-control']);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/security-notices\/:slug",status="200"\} [1-9]/,
    );

    const ja = await t.http
      .get(`/security-notices/${slug}`)
      .set('Accept-Language', 'ja-JP,ja;q=0.9,en;q=0.5');
    expect(ja.text).toContain('<html lang="ja">');
    expect(ja.text).toContain('設定の誤り');
    const br = await t.http.get(`/security-notices/${slug}?lang=pt-BR`).expect(200);
    expect(br.text).toContain('<html lang="pt-BR">');
    expect(br.text).toContain('Um bucket mal configurado');
    // A language it lacks: its first language.
    const de = await t.http.get(`/security-notices/${slug}`).set('Accept-Language', 'de');
    expect(de.text).toContain('<html lang="en">');
    await t.http.get('/security-notices/no-such-notice').expect(404);
    // A language the notice lacks asked by ?lang= falls back to Accept-Language: the kept answers are
    // told apart by both.
    const jaFallback = await t.http.get(`/security-notices/${slug}?lang=de`).set('Accept-Language', 'ja');
    expect(jaFallback.text).toContain('<html lang="ja">');
    const enFallback = await t.http.get(`/security-notices/${slug}?lang=de`).set('Accept-Language', 'en');
    expect(enFallback.text).toContain('<html lang="en">');
  });

  it('the JSON, the index and the Atom feed', async () => {
    const json = await t.http.get(`/security-notices/${slug}.json`).expect(200);
    expect(json.body.languages).toEqual(['en', 'ja', 'pt-BR']);
    expect(json.body.texts.ja.title).toContain('Notice of Data Breach');
    expect(json.body.history).toHaveLength(1);
    const index = await t.http.get('/security-notices').expect(200);
    expect(index.text).toContain(`/security-notices/${slug}?lang=en`);
    // Asked in no language the service has (or none), the index is in English, not the first sorted (de).
    for (const accept of [undefined, '*', 'it-IT']) {
      const request = t.http.get('/security-notices');
      const page = await (accept ? request.set('Accept-Language', accept) : request).expect(200);
      expect(page.text).toContain('<html lang="en">');
    }
    const feed = await t.http.get('/security-notices/feed.atom').expect(200);
    expect(feed.headers['content-type']).toContain('application/atom+xml');
    expect(feed.text).toContain(`<id>https://aiart.example/security-notices/${slug}</id>`);
    expect(feed.text).toContain('hreflang="ja"');
  });

  it('an update publishes a new dated version; the page shows the history', async () => {
    await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', await etagOf(noticeId))
      .send({
        words: { en: { measuresPlanned: 'An outside firm audits the storage configuration.' } },
        updateNote: 'The audit of the storage configuration is under way.',
      })
      .expect(200);
    // The page keeps the published version meanwhile.
    const before = await t.http.get(`/security-notices/${slug}?lang=en`).expect(200);
    expect(before.text).not.toContain('An outside firm');
    await t.http
      .post(`/v1/public-notices/${noticeId}/approve`)
      .set(...bearer(t.keys.approver))
      .expect(200);
    const published = await t.http
      .post(`/v1/public-notices/${noticeId}/publish`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    expect(published.body.versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const after = await t.http.get(`/security-notices/${slug}?lang=en`).expect(200);
    expect(after.text).toContain('An outside firm audits the storage configuration.');
    expect(after.text).toContain('The audit of the storage configuration is under way.');
    expect(after.text).toContain('First published');
    expect(after.text).toContain('Last updated');
  });

  it("reads in headless Chromium: Japanese at a phone's width without sideways scrolling, English on a desktop, styled under its CSP", async () => {
    const server = t.app.getHttpServer();
    const base = await listenLocally(server);
    const browser = await launchBrowser();
    try {
      const violations: string[] = [];
      const phone = await browser.newPage({ viewport: PHONE, locale: 'ja-JP', javaScriptEnabled: false });
      phone.on('console', (m) => violations.push(m.text()));
      await phone.goto(`${base}/security-notices/${slug}`);
      expect(await phone.locator('html').getAttribute('lang')).toBe('ja');
      expect(await phone.locator('h1').textContent()).toContain('Notice of Data Breach');
      expect(await phone.locator('main').textContent()).toContain('設定の誤り');
      const check = await browser.newPage({ viewport: PHONE });
      await check.goto(`${base}/security-notices/${slug}?lang=ja`);
      const fits = await check.evaluate('document.documentElement.scrollWidth <= window.innerWidth');
      expect(fits).toBe(true);
      // The stylesheet applied (a CSP refusing it would leave the browser's 8px body margin).
      expect(await check.evaluate('getComputedStyle(document.body).paddingTop')).toBe('16px');
      await phone.screenshot({ path: screenshotPath('public-notice-ja-phone'), fullPage: true });
      const desktop = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'en-US' });
      await desktop.goto(`${base}/security-notices/${slug}`);
      expect(await desktop.locator('html').getAttribute('lang')).toBe('en');
      await desktop.locator('a[hreflang="pt-BR"]').click();
      expect(await desktop.locator('html').getAttribute('lang')).toBe('pt-BR');
      await desktop.screenshot({ path: screenshotPath('public-notice-pt-BR-desktop'), fullPage: true });
      expect(violations.filter((v) => /Content Security Policy/i.test(v))).toEqual([]);
    } finally {
      await browser.close();
      await new Promise((done) => server.close(done));
    }
  }, 60_000);

  it('exports the published notice as a static bundle: a page per language, JSON, feed, stylesheet, banner', async () => {
    const res = await t.http
      .get(`/v1/public-notices/${noticeId}/export`)
      .set(...bearer(t.keys.auditor))
      .buffer(true)
      .parse((r, done) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(res.headers['content-type']).toContain('application/gzip');
    const files = untar(gunzipSync(res.body as Buffer));
    expect(Object.keys(files).sort()).toEqual(
      [
        'banner.html',
        'en.html',
        'feed.atom',
        'index.html',
        'ja.html',
        'notice.css',
        'notice.json',
        'pt-BR.html',
      ]
        .map((f) => `${slug}/${f}`)
        .sort(),
    );
    const ja = files[`${slug}/ja.html`];
    expect(ja).toContain('<html lang="ja">');
    expect(ja).toContain('href="en.html"');
    expect(ja).toContain('href="notice.css"');
    expect(files[`${slug}/index.html`]).toContain('<html lang="en">');
    expect(files[`${slug}/banner.html`]).toContain(`href="https://aiart.example/security-notices/${slug}"`);
    expect(JSON.parse(files[`${slug}/notice.json`]).version).toBe(2);
  });

  it('withdrawal is refused before the longest minimum period (LGPD 90 days), with the rule and date', async () => {
    // The draft edited down to Japan alone (an edit asks no approval) does not lift what was published.
    const before = await t.http.get(`/v1/public-notices/${noticeId}`).set(...bearer(t.keys.auditor));
    await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', await etagOf(noticeId))
      .send({ jurisdictions: ['JP'] })
      .expect(200);
    const refused = await t.http
      .post(`/v1/public-notices/${noticeId}/withdraw`)
      .set(...bearer(t.keys.responder))
      .send({ reason: 'handled' })
      .expect(409);
    expect(refused.body.details).toMatchObject({ rule: 'BR', days: 90 });
    const notice = await t.http.get(`/v1/public-notices/${noticeId}`).set(...bearer(t.keys.auditor));
    const first = new Date(notice.body.firstPublishedAt as string).getTime();
    expect(new Date(refused.body.details.until as string).getTime()).toBe(first + 90 * 86_400_000);
    // 91 days later it may come down.
    const clock = t.app.get(Clock);
    const real = clock.now.bind(clock);
    clock.now = () => new Date(first + 91 * 86_400_000);
    try {
      await t.http
        .post(`/v1/public-notices/${noticeId}/withdraw`)
        .set(...bearer(t.keys.responder))
        .send({ reason: 'handled' })
        .expect(200);
    } finally {
      clock.now = real;
    }
    await t.http.get(`/security-notices/${slug}`).expect(404);
    expect(before.body.jurisdictions).toContain('BR');
  });
});

// People of five jurisdictions; some bounce on every channel (their address and number refused), one
// Californian has no contact at all. After the campaign: a public notice is due in Brazil (anyone not
// reached), Germany (GDPR: anyone not reached) and California (no contact), not in Japan (everyone
// reached) nor in Singapore (its residents wait for the PDPC report). Washington's law has no public
// notice: the privacy policy's Security Notice is due there, beside the individual notice, which stays open
// (an email is not a lawful notice there without E-SIGN consent, so its resident is not reached). New
// York's statute has one, but only without contact, above a cost or at 500,000 people: its resident who
// bounced gets the policy's Security Notice, which does not stand in for the individual notice either.
const PEOPLE: { id: string; jurisdiction: string; bounce?: boolean; noContact?: boolean }[] = [
  { id: 'br-0', jurisdiction: 'BR', bounce: true },
  { id: 'br-1', jurisdiction: 'BR', bounce: true },
  { id: 'br-2', jurisdiction: 'BR' },
  { id: 'de-0', jurisdiction: 'DE', bounce: true },
  { id: 'de-1', jurisdiction: 'DE' },
  { id: 'ca-0', jurisdiction: 'US-CA', noContact: true },
  { id: 'ca-1', jurisdiction: 'US-CA', bounce: true },
  { id: 'ca-2', jurisdiction: 'US-CA' },
  { id: 'jp-0', jurisdiction: 'JP' },
  { id: 'jp-1', jurisdiction: 'JP' },
  { id: 'sg-0', jurisdiction: 'SG', bounce: true },
  { id: 'sg-1', jurisdiction: 'SG' },
  { id: 'wa-0', jurisdiction: 'US-WA' },
  { id: 'ny-0', jurisdiction: 'US-NY', bounce: true },
];

interface Obligation {
  id: string;
  key: string;
  audience: string;
  state: string;
  reason: string;
  metBy: Record<string, unknown> | null;
  notIndividuallyNotified: Record<string, number> | null;
  sources: string[];
}

describe('a campaign with people unreached raises the public notice the law (or the privacy policy) asks for', () => {
  let incidentId: string;
  const obligations = async () =>
    (
      await t.http
        .get(`/v1/incidents/${incidentId}/obligations`)
        .set(...bearer(t.keys.auditor))
        .expect(200)
    ).body.items as Obligation[];
  /** Approved by another holder than its author's, then published. */
  const approveAndPublish = async (id: string) => {
    await t.http
      .post(`/v1/public-notices/${id}/approve`)
      .set(...bearer(t.keys.approver))
      .expect(200);
    await t.http
      .post(`/v1/public-notices/${id}/publish`)
      .set(...bearer(t.keys.responder))
      .expect(200);
  };
  const timeline = (kind: string) =>
    t.query<{ details: Record<string, unknown> }>(
      'select details from incident_events where incident_id = $1 and kind = $2 order by id',
      [incidentId, kind],
    );

  beforeAll(async () => {
    const subjects = PEOPLE.map((p) => ({
      externalId: `pn-${p.id}`,
      jurisdiction: p.jurisdiction,
      dataCategories: ['account_credentials', 'personal_identifiers'],
      ...(p.noContact
        ? {}
        : {
            email: `pn-${p.id}@example.com`,
            phone: `+1415555${String(PEOPLE.indexOf(p)).padStart(4, '0')}`,
          }),
    }));
    for (const p of PEOPLE.filter((x) => x.bounce)) {
      const s = subjects.find((x) => x.externalId === `pn-${p.id}`)!;
      sendgrid.invalid.add(s.email!);
      twilio.invalid.add(s.phone!);
    }
    await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(t.keys.responder))
      .send({ subjects })
      .expect(200);
    incidentId = await scopedIncident(
      t,
      t.keys.responder,
      { externalIds: subjects.map((s) => s.externalId) },
      {
        dataCategories: ['account_credentials', 'personal_identifiers'],
        riskLevel: 'high',
        cyberAttack: true,
      },
    );
    await completedCampaign(t, incidentId, { channels: ['email', 'sms'], mode: 'escalate' });
  }, 120_000);

  it("the obligations list the unreached, and a public notice for Brazil, Germany and California by law, Washington by the policy's promise", async () => {
    const list = await obligations();
    const raised = list.filter((o) => o.audience === 'public');
    expect(raised.map((o) => o.key).sort()).toEqual([
      'BR/anpd/public-notice',
      'EU-GDPR/de-be-blnbdi/public-notice',
      'US-CA/us-ca-ag/public-notice',
      'US-NY/us-ny-ag/public-notice',
      'US-WA/us-wa-ag/public-notice',
    ]);
    expect(raised.find((o) => o.key.startsWith('US-NY/'))!.sources).toEqual(['PP']);
    // Washington's law has no public notice; the privacy policy promises a Security Notice beside it.
    const wa = raised.find((o) => o.key.startsWith('US-WA/'))!;
    expect(wa.reason).toContain('1 residents not individually notified');
    expect(wa.reason).toContain('it goes beside the notice to individuals, which it does not replace');
    expect(wa.sources).toEqual(['PP']);
    const br = raised.find((o) => o.key.startsWith('BR/'))!;
    expect(br.reason).toContain('2 residents not individually notified');
    expect(br.notIndividuallyNotified).toEqual({
      noContact: 0,
      allFailed: 2,
      pushOnly: 0,
      methodNotLawful: 0,
    });
    const ca = raised.find((o) => o.key.startsWith('US-CA/'))!;
    expect(ca.reason).toContain('1 residents without usable contact');
    const caIndividuals = list.find((o) => o.key === 'US-CA/us-ca-ag/individuals')!;
    // ca-2's email went, but without E-SIGN consent an email is not a lawful notice in California.
    expect(caIndividuals.notIndividuallyNotified).toEqual({
      noContact: 1,
      allFailed: 1,
      pushOnly: 0,
      methodNotLawful: 1,
    });
    expect(list.find((o) => o.key === 'JP/ppc/individuals')?.state).toBe('met');
  });

  it('the responders are told (timeline, audit, metric, email) and a draft is made once', async () => {
    const events = await t.query(
      `select count(*)::int as n from incident_events where incident_id = $1 and kind = 'obligation.public_notice'`,
      [incidentId],
    );
    expect(events[0].n).toBe(5);
    const audit = await t.query(
      `select count(*)::int as n from audit_log where action = 'obligation.alert.public_notice' and summary->>'key' like $1`,
      ['%/public-notice'],
    );
    expect(audit[0].n).toBeGreaterThanOrEqual(5);
    const metrics = await t.http.get('/metrics').expect(200);
    expect(metrics.text).toMatch(/obligation_alerts_total\{kind="public_notice"\} [5-9]/);
    await eventually(() =>
      Promise.resolve(
        sendgrid.sent.some((m) => m.to === ALERTS_TO && m.subject.includes('Public notice due')) || undefined,
      ),
    );
    await obligations(); // a second recomputation raises nothing new
    const drafts = await t.http
      .get(`/v1/incidents/${incidentId}/public-notices`)
      .set(...bearer(t.keys.auditor))
      .expect(200);
    expect(drafts.body.items).toHaveLength(1);
    expect(drafts.body.items[0].jurisdictions).toEqual(['BR', 'DE', 'US-CA', 'US-NY', 'US-WA']);
    expect(drafts.body.items[0].raisedBy).toContain('BR/anpd/public-notice');
  });

  it("publishing meets the public notices and the individuals' obligations of the unreached", async () => {
    const drafts = await t.http
      .get(`/v1/incidents/${incidentId}/public-notices`)
      .set(...bearer(t.keys.auditor));
    const id = drafts.body.items[0].id as string;
    await approveAndPublish(id);
    const list = await obligations();
    // Brazil's substitute notice is the website (or the app): publishing it is all of it.
    for (const key of ['BR/anpd/public-notice', 'BR/anpd/individuals']) {
      const o = list.find((x) => x.key === key);
      expect({ key, state: o?.state, by: o?.metBy?.kind }).toEqual({
        key,
        state: 'met',
        by: 'public_notice',
      });
    }
    // Germany's (GDPR: media where the website alone would not inform as effectively, taken as always)
    // and California's (statewide media) ask for what publishing does not do: open until the responders
    // record it, the timeline saying what is outstanding.
    const outstanding = (await timeline('obligation.means_outstanding')).map((e) => ({
      key: e.details.key,
      outstanding: e.details.outstanding,
    }));
    for (const group of ['EU-GDPR/de-be-blnbdi', 'US-CA/us-ca-ag']) {
      for (const audience of ['public-notice', 'individuals']) {
        const key = `${group}/${audience}`;
        expect(list.find((x) => x.key === key)?.state).not.toBe('met');
        expect(outstanding).toContainEqual({ key, outstanding: ['media'] });
      }
    }
    const media = list.find((x) => x.key === 'US-CA/us-ca-ag/individuals')!;
    const recorded = await t.http
      .post(`/v1/obligations/${media.id}/met`)
      .set(...bearer(t.keys.responder))
      .send({
        at: new Date().toISOString(),
        note: 'Statewide media notice: AP wire and the LA Times, 2026-11-20.',
      })
      .expect(200);
    // Recorded after its due date (the campaign ran late in this test): met, late.
    expect(recorded.body).toMatchObject({ state: 'met', metBy: { kind: 'manual' } });
    // A second version published says nothing again of what is still outstanding.
    await t.http
      .patch(`/v1/public-notices/${id}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', await etagOf(id))
      .send({ updateNote: 'A support line is open.' })
      .expect(200);
    await approveAndPublish(id);
    const again = (await timeline('obligation.means_outstanding')).map((e) => e.details.key);
    expect(again.length).toBe(new Set(again).size);
    // Singapore's law has no substitute notice: its unreached resident keeps its obligation open.
    expect(list.find((o) => o.key === 'SG/pdpc/individuals')?.state).not.toBe('met');
    // Washington's: the policy's Security Notice is published, and the individual obligation stays open.
    expect(list.find((o) => o.key === 'US-WA/us-wa-ag/public-notice')?.state).toBe('met');
    expect(list.find((o) => o.key === 'US-WA/us-wa-ag/individuals')?.state).not.toBe('met');
    // New York's statute accepts a substitute notice, but only on its own conditions, which did not hold.
    expect(list.find((o) => o.key === 'US-NY/us-ny-ag/public-notice')?.state).toBe('met');
    expect(list.find((o) => o.key === 'US-NY/us-ny-ag/individuals')?.state).not.toBe('met');
    // The ANPD's report says where the public notice is.
    const report = await generatedReport(t, bearer(t.keys.responder), incidentId, {
      regulator: 'anpd',
      phase: 'initial',
      delayReasons: 'Test: the campaign ran after the deadline.',
    });
    expect(JSON.stringify(report.body)).toContain(
      `https://aiart.example/security-notices/${drafts.body.items[0].slug}`,
    );
  });
});

describe('a public notice publishes what was approved, and no edit is lost', () => {
  let incidentId: string;
  let noticeId: string;

  beforeAll(async () => {
    const incident = await t.http
      .post('/v1/incidents')
      .set(...bearer(t.keys.responder))
      .send(validIncident({ title: 'Approved words only' }))
      .expect(201);
    incidentId = incident.body.id as string;
    const draft = await t.http
      .post(`/v1/incidents/${incidentId}/public-notices`)
      .set(...bearer(t.keys.responder))
      .send({ jurisdictions: ['GB'], languages: ['en'] })
      .expect(201);
    noticeId = draft.body.id as string;
    expect(draft.headers.etag).toBe(`"${draft.body.version}"`);
  }, 60_000);

  const editIncident = async (facts: Record<string, unknown>) => {
    const read = await t.http
      .get(`/v1/incidents/${incidentId}`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    await t.http
      .patch(`/v1/incidents/${incidentId}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', read.headers.etag)
      .send(facts)
      .expect(200);
  };

  it('an edit without If-Match is refused (428), and one from a stale read (412), not lost', async () => {
    const stale = await etagOf(noticeId);
    await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
      .send({ updateNote: 'note 0' })
      .expect(428);
    await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', stale)
      .send({ words: { en: { remedies: 'new remedies 1' } } })
      .expect(200);
    const lost = await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
      .set('If-Match', stale)
      .send({ words: { en: { remedies: 'new remedies 2' } } })
      .expect(412);
    expect(lost.body.error).toBe('precondition_failed');
    const now = await t.http.get(`/v1/public-notices/${noticeId}`).set(...bearer(t.keys.auditor));
    expect(now.body.words).toEqual({ en: { remedies: 'new remedies 1' } });
  });

  it("approving with the preview's ETag is refused (412) when the incident changed after the preview", async () => {
    const preview = await t.http
      .get(`/v1/public-notices/${noticeId}/preview`)
      .set(...bearer(t.keys.approver))
      .expect(200);
    expect(preview.headers.etag).toMatch(/^"preview-[0-9a-f]{64}"$/);
    await editIncident({ description: 'A bucket exposed images; read after the preview.' });
    await t.http
      .post(`/v1/public-notices/${noticeId}/approve`)
      .set(...bearer(t.keys.approver))
      .set('If-Match', preview.headers.etag)
      .expect(412);
    const again = await t.http
      .get(`/v1/public-notices/${noticeId}/preview`)
      .set(...bearer(t.keys.approver))
      .expect(200);
    expect(again.headers.etag).not.toBe(preview.headers.etag);
    await t.http
      .post(`/v1/public-notices/${noticeId}/approve`)
      .set(...bearer(t.keys.approver))
      .set('If-Match', again.headers.etag)
      .expect(200);
  });

  it('the incident edited after the approval: publishing is refused, the notice a draft again, nothing unapproved online', async () => {
    // (Its remedies are the notice's own words, so an edit of the incident's would change nothing.)
    await editIncident({ measuresTaken: 'UNAPPROVED measures added after the approval' });
    const refused = await t.http
      .post(`/v1/public-notices/${noticeId}/publish`)
      .set(...bearer(t.keys.responder))
      .expect(409);
    expect(refused.body.details).toMatchObject({ status: 'draft', reason: 'content_changed' });
    const notice = await t.http.get(`/v1/public-notices/${noticeId}`).set(...bearer(t.keys.auditor));
    expect(notice.body).toMatchObject({ status: 'draft', publishedVersion: null, approvedAt: null });
    await t.http.get(`/security-notices/${notice.body.slug}`).expect(404);
    const lapsed = await t.query<{ details: Record<string, unknown> }>(
      "select details from incident_events where incident_id = $1 and kind = 'public_notice.approval_lapsed'",
      [incidentId],
    );
    expect(lapsed).toHaveLength(1);

    // Approved again as it now reads, it publishes the new words.
    await t.http
      .post(`/v1/public-notices/${noticeId}/approve`)
      .set(...bearer(t.keys.approver))
      .expect(200);
    await t.http
      .post(`/v1/public-notices/${noticeId}/publish`)
      .set(...bearer(t.keys.responder))
      .expect(200);
    const page = await t.http.get(`/security-notices/${notice.body.slug}?lang=en`).expect(200);
    expect(page.text).toContain('UNAPPROVED measures added after the approval');
  });
});
