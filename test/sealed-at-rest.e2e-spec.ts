import { spawnTracked } from './support/processes.js';
import { Redis } from 'ioredis';
import {
  bearer,
  completedCampaign,
  publishedNotice,
  REDIS_BASE,
  scopedIncident,
  startApp,
  TestApp,
} from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

// Contact data only sealed at rest: a campaign on every channel (to the local outbox), each person's
// notice page read and acknowledged, "Was I affected?" asked by address and by number, a public Security
// Notice published; then a raw `pg_dump` of the database and every key and value of the run's Redis are
// searched for every address, number, name, push token and notice-page token: none may be there, in any
// spelling a dump or a log would carry (as given, lower case, URL-encoded, as bytea hex).

const REDIS_DB = 12;

const PEOPLE = [
  {
    externalId: 'sr-1',
    name: 'Quirinus Vandersloot',
    email: 'Quirinus.Vandersloot@example.com',
    phone: '+14155550163',
    pushTokens: [{ token: 'sr-push-token-7Yk2qWm9Lx4aBcDeFgHiJkLm', platform: 'android' }],
    locale: 'en-US',
    jurisdiction: 'US-CA',
  },
  {
    externalId: 'sr-2',
    name: 'Ottilie Brennecke',
    email: 'ottilie.brennecke@example.de',
    phone: '+4915112345678',
    locale: 'de-DE',
    jurisdiction: 'DE',
  },
  {
    externalId: 'sr-3',
    name: 'Casimir Minor',
    locale: 'en-US',
    jurisdiction: 'US-NY',
    birthDate: '2016-04-05',
    guardian: { name: 'Perpetua Guardian', email: 'perpetua.guardian@example.org', locale: 'en-US' },
  },
].map((p) => ({ ...p, dataCategories: ['camera_data', 'app_usage'] }));

/** Every value that must never be found outside a sealed column, with its kind. */
function needles(links: string[]): Map<string, string> {
  const found = new Map<string, string>();
  const add = (value: string, kind: string) => {
    for (const v of [
      value,
      value.toLowerCase(),
      encodeURIComponent(value),
      Buffer.from(value).toString('hex'),
    ])
      found.set(v, kind);
  };
  for (const p of PEOPLE) {
    add(p.name, 'name');
    if (p.email) add(p.email, 'email');
    if (p.phone) {
      add(p.phone, 'phone');
      add(p.phone.slice(1), 'phone');
    }
    for (const token of p.pushTokens ?? []) add(token.token, 'push token');
    if (p.guardian) {
      add(p.guardian.name, 'name');
      add(p.guardian.email, 'email');
    }
  }
  for (const link of links) add(link.slice('/n/'.length), 'notice-page token');
  return found;
}

function pgDump(databaseUrl: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawnTracked('pg_dump', ['--no-owner', '--data-only', databaseUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    let err = '';
    child.stdout!.on('data', (c: Buffer) => out.push(c));
    child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out).toString('utf8'))
        : reject(new Error(`pg_dump: ${code} ${err}`)),
    );
  });
}

async function redisText(url: string): Promise<string> {
  const redis = new Redis(url);
  try {
    const parts: string[] = [];
    for (const key of await redis.keys('*')) {
      const type = await redis.type(key);
      const value =
        type === 'string'
          ? await redis.get(key)
          : type === 'hash'
            ? JSON.stringify(await redis.hgetall(key))
            : type === 'list'
              ? JSON.stringify(await redis.lrange(key, 0, -1))
              : type === 'set'
                ? JSON.stringify(await redis.smembers(key))
                : type === 'zset'
                  ? JSON.stringify(await redis.zrange(key, '0', '-1'))
                  : type === 'stream'
                    ? JSON.stringify(await redis.xrange(key, '-', '+'))
                    : '';
      parts.push(`${key}\t${value}`);
    }
    return parts.join('\n');
  } finally {
    redis.disconnect();
  }
}

function hits(text: string, found: Map<string, string>): string[] {
  return [...found].filter(([value]) => text.includes(value)).map(([value, kind]) => `${kind} ${value}`);
}

describe('contact data is only sealed at rest', () => {
  let t: TestApp;
  let databaseUrl: string;
  const links: string[] = [];
  jest.setTimeout(120_000);

  beforeAll(async () => {
    t = await startApp(
      {
        DATABASE_URL: (databaseUrl = await createScratchDatabase('sealed_at_rest')),
        ORGANIZATION_NAME: 'Ai Art',
        PUBLIC_BASE_URL: 'https://notice.example.org',
      },
      REDIS_DB,
    );
    await t.http
      .post('/v1/subjects/bulk')
      .set(...bearer(t.keys.responder))
      .send({ subjects: PEOPLE })
      .expect(200);
    const incidentId = await scopedIncident(t, t.keys.responder, { everyone: true });
    await completedCampaign(t, incidentId, {
      channels: ['email', 'sms', 'push'],
      mode: 'all',
      includeGuardians: true,
    });
    const outbox = await t.http
      .get('/v1/outbox?limit=100')
      .set(...bearer(t.keys.admin))
      .expect(200);
    for (const item of outbox.body.items as Array<{ content: Record<string, unknown> }>) {
      const text = JSON.stringify(item.content);
      const link = /https:\/\/notice\.example\.org(\/n\/[A-Za-z0-9_-]{22})\b/.exec(text);
      if (link?.[1] && !links.includes(link[1])) links.push(link[1]);
    }
    // Each person's page, read and acknowledged.
    for (const link of links) {
      await t.http.get(link).expect(200);
      await t.http.post(link).type('form').send('').expect(303);
    }
    // A public Security Notice, and "Was I affected?" asked by address and by number.
    const slug = await publishedNotice(t, incidentId);
    for (const contact of [PEOPLE[0].email, PEOPLE[1].phone]) {
      await t.http
        .post(`/security-notices/${slug}/lookup`)
        .type('form')
        .send({ contact, lang: 'en' })
        .expect(200);
    }
  });
  afterAll(() => t.close());

  it('ran the whole path: a link for each person, on each channel that carries one', () => {
    // Email to Quirinus, Ottilie and Casimir's guardian, SMS to Quirinus and Ottilie, push to Quirinus:
    // one page token per delivery that carries a link (at least one per person).
    expect(links.length).toBeGreaterThanOrEqual(3);
  });

  it('a raw dump of the database holds no contact value in clear', async () => {
    const dump = await pgDump(databaseUrl);
    // The dump is the real one: the directory's rows and their external ids are in it.
    expect(dump).toContain('sr-1');
    expect(dump).toContain('outbox_messages');
    expect(hits(dump, needles(links))).toEqual([]);
  });

  it("the run's Redis holds no contact value, in keys, values or job payloads", async () => {
    const text = await redisText(`${REDIS_BASE}/${REDIS_DB}`);
    expect(text.length).toBeGreaterThan(0);
    expect(hits(text, needles(links))).toEqual([]);
  });

  it('the scan finds a value when one is there (the needles are right)', () => {
    const planted = `x ${encodeURIComponent(PEOPLE[1].phone!)} ${PEOPLE[0].email!.toLowerCase()} ${links[0]}`;
    expect(hits(planted, needles(links)).map((h) => h.split(' ')[0])).toEqual(
      expect.arrayContaining(['phone', 'email', 'notice-page']),
    );
  });
});
