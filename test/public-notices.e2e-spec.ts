import { Clock } from '../src/common/clock.js';
import { bearer, startApp, TestApp, validIncident } from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

// The public Security Notice end to end: drafted from an incident, approved by someone other than its
// author, published; its page, JSON and feed in several languages; an update with its history; the
// withdrawal refused before the longest minimum period of its jurisdictions.

const REDIS_DB = 13;

describe('public Security Notice', () => {
  let t: TestApp;
  let incidentId: string;
  let noticeId: string;
  let slug: string;

  beforeAll(async () => {
    t = await startApp(
      {
        DATABASE_URL: await createScratchDatabase('public_notices'),
        ORGANIZATION_NAME: 'AI Art',
        PUBLIC_BASE_URL: 'https://aiart.example',
        PRIVACY_CONTACT_EMAIL: 'privacy@aiart.example',
      },
      REDIS_DB,
    );
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
  afterAll(() => t?.close());

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
      .send({ languages: ['en', 'tlh'] })
      .expect(400);
    expect(JSON.stringify(bad.body)).toContain('languages');
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
  });

  it('the JSON, the index and the Atom feed', async () => {
    const json = await t.http.get(`/security-notices/${slug}.json`).expect(200);
    expect(json.body.languages).toEqual(['en', 'ja', 'pt-BR']);
    expect(json.body.texts.ja.title).toContain('Notice of Data Breach');
    expect(json.body.history).toHaveLength(1);
    const index = await t.http.get('/security-notices').expect(200);
    expect(index.text).toContain(`/security-notices/${slug}?lang=en`);
    const feed = await t.http.get('/security-notices/feed.atom').expect(200);
    expect(feed.headers['content-type']).toContain('application/atom+xml');
    expect(feed.text).toContain(`<id>https://aiart.example/security-notices/${slug}</id>`);
    expect(feed.text).toContain('hreflang="ja"');
  });

  it('an update publishes a new dated version; the page shows the history', async () => {
    await t.http
      .patch(`/v1/public-notices/${noticeId}`)
      .set(...bearer(t.keys.responder))
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

  it('withdrawal is refused before the longest minimum period (LGPD 90 days), with the rule and date', async () => {
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
  });
});
