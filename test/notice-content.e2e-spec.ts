import { bearer, completedCampaign, eventually, startApp, TestApp, validIncident } from './support/app.js';
import { createScratchDatabase } from './support/global-setup.js';

// What a notice says, through the whole service (issue 18): finer data categories from the directory
// and the incident to the notice each person gets.

const REDIS_DB = 14;

describe('what notices say, through HTTP (PostgreSQL + Redis, outbox transport)', () => {
  let t: TestApp;
  let responder: [string, string];

  const freeze = async (incidentId: string, criteria: object) => {
    await t.http
      .post(`/v1/incidents/${incidentId}/scope`)
      .set(...responder)
      .send({ criteria })
      .expect(202);
    return eventually(async () => {
      const run = await t.http
        .get(`/v1/incidents/${incidentId}/scope`)
        .set(...responder)
        .expect(200);
      return run.body.status === 'completed' ? run.body : undefined;
    });
  };
  const emailsTo = async (address: string) => {
    const page = await t.http
      .get('/v1/outbox?channel=email&limit=500')
      .set(...bearer(t.keys.admin))
      .expect(200);
    return (page.body.items as Array<{ content: { to: string; text: string } }>)
      .filter((m) => m.content.to === address)
      .map((m) => m.content.text);
  };

  beforeAll(async () => {
    t = await startApp(
      { DATABASE_URL: await createScratchDatabase('notice_content'), ORGANIZATION_NAME: 'Ai Art' },
      REDIS_DB,
    );
    responder = bearer(t.keys.responder);
  });
  afterAll(() => t.close());

  describe('finer data categories', () => {
    const person = (externalId: string, dataCategories: string[]) => ({
      externalId,
      jurisdiction: 'DE',
      locale: 'en',
      email: `${externalId}@example.com`,
      dataCategories,
    });
    const PEOPLE = [
      // Recorded with the whole group of identifiers: may hold an email address.
      person('fc1', ['personal_identifiers', 'camera_data']),
      person('fc2', ['email_address', 'phone_number']),
      person('fc3', ['account_credentials']),
      // Only a phone number: no email address of theirs leaked.
      person('fc4', ['phone_number']),
      person('fc5', ['photos']),
    ];
    let incidentId: string;

    beforeAll(async () => {
      await t.http
        .post('/v1/subjects/bulk')
        .set(...responder)
        .send({ subjects: PEOPLE })
        .expect(200);
      const incident = await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(validIncident({ dataCategories: ['email_address', 'password_hash'] }))
        .expect(201);
      incidentId = incident.body.id;
    });

    it('scopes, counts and freezes by finer categories and their groups alike', async () => {
      const criteria = { dataCategories: ['email_address', 'password_hash'] };
      const preview = await t.http
        .post(`/v1/incidents/${incidentId}/scope/preview`)
        .set(...responder)
        .send({ criteria })
        .expect(200);
      expect(preview.body).toMatchObject({
        total: 3,
        byDataCategory: { email_address: 2, password_hash: 1 },
      });
      const excluded = await t.http
        .post(`/v1/incidents/${incidentId}/scope/preview`)
        .set(...responder)
        .send({ criteria: { ...criteria, exclude: { dataCategories: ['email_address'] } } })
        .expect(200);
      // Leaving out email addresses leaves out who surely has one, not everyone with identifiers.
      expect(excluded.body.total).toBe(2);

      await freeze(incidentId, criteria);
      const rows = await t.http
        .get(`/v1/incidents/${incidentId}/affected?limit=50`)
        .set(...responder)
        .expect(200);
      const exposed = Object.fromEntries(
        (rows.body.items as Array<{ externalId: string; exposedCategories: string[] }>).map((r) => [
          r.externalId,
          r.exposedCategories,
        ]),
      );
      expect(exposed).toEqual({
        fc1: ['email_address'],
        fc2: ['email_address'],
        fc3: ['password_hash'],
      });
      const byGroup = await t.http
        .get(`/v1/incidents/${incidentId}/affected?limit=50&category=personal_identifiers`)
        .set(...responder)
        .expect(200);
      expect((byGroup.body.items as Array<{ externalId: string }>).map((r) => r.externalId).sort()).toEqual([
        'fc1',
        'fc2',
      ]);
    });

    it('tells each person what of theirs leaked, as finely as the directory and the incident know', async () => {
      await completedCampaign(t, incidentId, { channels: ['email'], mode: 'escalate' });
      const [toGroup] = await emailsTo('fc1@example.com');
      expect(toGroup).toContain('- your email address\n');
      expect(toGroup).not.toContain('personal identifiers');
      expect(toGroup).not.toContain('your password, in scrambled');
      const [toCredentials] = await emailsTo('fc3@example.com');
      expect(toCredentials).toContain('- your password, in scrambled (hashed) form\n');
      expect(toCredentials).not.toContain('your email address');
    });
  });
});
