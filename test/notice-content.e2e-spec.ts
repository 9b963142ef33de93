import {
  bearer,
  campaignCompleted,
  completedCampaign,
  eventually,
  startApp,
  TestApp,
  validIncident,
} from './support/app.js';
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

  describe("guardians' words, and Massachusetts' own", () => {
    const PERSON_WORDS = validIncident();
    const GUARDIAN_WORDS = {
      description: 'GUARDIAN: a bucket with your child’s images was public.',
      likelyConsequences: 'GUARDIAN: someone may write to your child.',
      measuresTaken: 'GUARDIAN: we closed it.',
      measuresPlanned: 'GUARDIAN: we will scan every deploy.',
      adviceToIndividuals: 'GUARDIAN: talk with your child about messages asking for passwords.',
      remedies: 'GUARDIAN: a support line for you and your child.',
    };
    const MASSACHUSETTS_WORDS = {
      measuresTaken: 'MASSACHUSETTS: we have taken steps to secure our systems.',
      remedies: 'MASSACHUSETTS: a year of identity monitoring.',
      guardian: { measuresTaken: 'MASSACHUSETTS GUARDIAN: we have taken steps to secure our systems.' },
    };
    let incidentId: string;
    const draft = (includeGuardians: boolean) =>
      t.http
        .post(`/v1/incidents/${incidentId}/campaigns`)
        .set(...responder)
        .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate', includeGuardians });

    beforeAll(async () => {
      const minor = (externalId: string, jurisdiction: string) => ({
        externalId,
        jurisdiction,
        locale: 'en',
        birthDate: '2016-05-01',
        email: `${externalId}@example.com`,
        guardian: { name: 'Sam', email: `guardian-of-${externalId}@example.com`, locale: 'en' },
      });
      await t.http
        .post('/v1/subjects/bulk')
        .set(...responder)
        .send({
          subjects: [
            minor('gw1', 'DE'),
            minor('gw2', 'US-MA'),
            { externalId: 'gw3', jurisdiction: 'US-MA', locale: 'en', email: 'gw3@example.com' },
          ],
        })
        .expect(200);
      const incident = await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send({ ...PERSON_WORDS, guardianWords: undefined, massachusettsWords: MASSACHUSETTS_WORDS })
        .expect(201);
      incidentId = incident.body.id;
      await freeze(incidentId, { externalIds: ['gw1', 'gw2', 'gw3'] });
    });

    it("refuses a campaign that would reach guardians while the guardian's words are missing", async () => {
      const refused = await draft(true).expect(409);
      expect(refused.body.details.missing).toEqual([
        'guardianWords.description',
        'guardianWords.likelyConsequences',
        'guardianWords.measuresTaken',
        'guardianWords.measuresPlanned',
        'guardianWords.adviceToIndividuals',
        'guardianWords.remedies',
        'massachusettsWords.guardian.remedies',
      ]);
      expect(refused.body.message).toContain("a guardian's notice speaks to the guardian about the child");
      // Without guardians, nothing is missing.
      const without = await draft(false).expect(201);
      await t.http
        .post(`/v1/campaigns/${without.body.id}/cancel`)
        .set(...responder)
        .expect(200);
    });

    it("tells guardians about the child in the guardian's words, and Massachusetts only its own", async () => {
      const current = await t.http
        .get(`/v1/incidents/${incidentId}`)
        .set(...responder)
        .expect(200);
      const bad = await t.http
        .patch(`/v1/incidents/${incidentId}`)
        .set(...responder)
        .set('If-Match', current.headers.etag)
        .send({ guardianWords: { description: 'x', cause: 'not a guardian field' } })
        .expect(400);
      expect(JSON.stringify(bad.body)).toContain('guardianWords: may give only description');
      await t.http
        .patch(`/v1/incidents/${incidentId}`)
        .set(...responder)
        .set('If-Match', current.headers.etag)
        .send({
          guardianWords: GUARDIAN_WORDS,
          massachusettsWords: {
            ...MASSACHUSETTS_WORDS,
            guardian: {
              ...MASSACHUSETTS_WORDS.guardian,
              remedies: 'MASSACHUSETTS GUARDIAN: monitoring for your child.',
            },
          },
        })
        .expect(200);
      const created = await draft(true).expect(201);
      await t.http
        .post(`/v1/campaigns/${created.body.id}/approve`)
        .set(...bearer(t.keys.approver))
        .expect(200);
      await campaignCompleted(t, t.keys.responder, created.body.id);

      const [toGuardian] = await emailsTo('guardian-of-gw1@example.com');
      for (const words of Object.values(GUARDIAN_WORDS)) expect(toGuardian).toContain(words);
      for (const words of [
        PERSON_WORDS.description,
        PERSON_WORDS.likelyConsequences,
        PERSON_WORDS.remedies,
      ]) {
        expect(toGuardian).not.toContain(words);
      }

      // Massachusetts: its own version only; never the description, nor words written for everyone.
      const [resident] = await emailsTo('gw3@example.com');
      expect(resident).toContain(MASSACHUSETTS_WORDS.measuresTaken);
      expect(resident).toContain(MASSACHUSETTS_WORDS.remedies);
      for (const words of [
        PERSON_WORDS.description,
        PERSON_WORDS.likelyConsequences,
        PERSON_WORDS.measuresTaken,
        PERSON_WORDS.measuresPlanned,
        PERSON_WORDS.adviceToIndividuals,
        PERSON_WORDS.remedies,
        'bucket',
      ]) {
        expect(resident).not.toContain(words);
      }
      const [massachusettsGuardian] = await emailsTo('guardian-of-gw2@example.com');
      expect(massachusettsGuardian).toContain(MASSACHUSETTS_WORDS.guardian.measuresTaken);
      expect(massachusettsGuardian).toContain('MASSACHUSETTS GUARDIAN: monitoring for your child.');
      expect(massachusettsGuardian).not.toContain('GUARDIAN: a bucket');
      expect(massachusettsGuardian).not.toContain(MASSACHUSETTS_WORDS.remedies);
    });
  });

  describe('languages', () => {
    const PEOPLE = [
      { externalId: 'ln1', jurisdiction: 'DE', locale: 'tr-DE' },
      { externalId: 'ln2', jurisdiction: 'CA-QC', locale: 'en-CA' },
      { externalId: 'ln3', jurisdiction: 'CA-QC', locale: 'fr-CA' },
      { externalId: 'ln4', jurisdiction: 'JP' },
      { externalId: 'ln5', jurisdiction: 'ES', locale: 'ca-ES' },
      { externalId: 'ln6', jurisdiction: 'KR', locale: 'ko' },
      { externalId: 'ln7', jurisdiction: 'IN', locale: 'hi' },
      { externalId: 'ln8', jurisdiction: 'IN', locale: 'ta' },
    ].map((p) => ({ ...p, email: `${p.externalId}@example.com` }));

    it("plans each notice in the locale it renders in: the reader's, else the jurisdiction's, Quebec's French first", async () => {
      const stored = await t.http
        .post('/v1/subjects/bulk')
        .set(...responder)
        .send({ subjects: PEOPLE })
        .expect(200);
      expect(stored.body).toMatchObject({ rejected: 0 });
      const incident = await t.http
        .post('/v1/incidents')
        .set(...responder)
        // India's notice must say where it took place (DPDP Rules, Rule 7(1)(a)): a campaign waits for it.
        .send(validIncident({ location: 'Our image storage in the cloud' }))
        .expect(201);
      await freeze(incident.body.id, { externalIds: PEOPLE.map((p) => p.externalId) });
      const { id } = await completedCampaign(t, incident.body.id, { channels: ['email'], mode: 'escalate' });
      const planned = await t.query<{ external_id: string; locale: string }>(
        `select s.external_id, d.locale from deliveries d join subjects s on s.id = d.subject_id
         where d.campaign_id = $1 order by s.external_id`,
        [id],
      );
      expect(Object.fromEntries(planned.map((r) => [r.external_id, r.locale]))).toEqual({
        ln1: 'de',
        ln2: 'fr+en',
        ln3: 'fr',
        ln4: 'ja',
        ln5: 'es',
        ln6: 'ko',
        ln7: 'hi',
        ln8: 'en',
      });
      const [quebec] = await emailsTo('ln2@example.com');
      expect(quebec.indexOf('Avis de sécurité')).toBe(0);
      expect(quebec).toContain('\n\n----\n\nSecurity notice');
      expect((await emailsTo('ln1@example.com'))[0]).toContain('Sicherheitshinweis');
    });
  });

  describe('statutory parts in the responders’ words', () => {
    let campaignId: string;
    const preview = async (query: string) =>
      (
        await t.http
          .get(`/v1/campaigns/${campaignId}/preview?${query}`)
          .set(...responder)
          .expect(200)
      ).body.email.text as string;

    beforeAll(async () => {
      await t.http
        .post('/v1/subjects/bulk')
        .set(...responder)
        .send({ subjects: [{ externalId: 'st1', jurisdiction: 'BR', email: 'st1@example.com' }] })
        .expect(200);
      const incident = await t.http
        .post('/v1/incidents')
        .set(...responder)
        .send(
          validIncident({
            securityMeasuresBefore: 'Passwords were hashed with bcrypt.',
            noticeDelayReasons: 'The forensic analysis took nine days.',
            howDiscovered: 'A researcher wrote to us.',
            cause: 'A storage bucket was left public.',
            translations: { 'pt-BR': { noticeDelayReasons: 'A análise forense levou nove dias.' } },
          }),
        )
        .expect(201);
      expect(incident.body).toMatchObject({ noticeDelayReasons: 'The forensic analysis took nine days.' });
      await freeze(incident.body.id, { externalIds: ['st1'] });
      const draft = await t.http
        .post(`/v1/incidents/${incident.body.id}/campaigns`)
        .set(...responder)
        .send({ template: 'breach-notice', channels: ['email'], mode: 'escalate' })
        .expect(201);
      campaignId = draft.body.id;
    });

    it('says what each jurisdiction asks, in the reader’s language, and nowhere else', async () => {
      const brazil = await preview('jurisdiction=BR&locale=pt-BR');
      expect(brazil).toContain(
        'Medidas de segurança que protegiam seus dados antes do incidente: Passwords were hashed with bcrypt.',
      );
      expect(brazil).toContain('Motivos da demora desta comunicação: A análise forense levou nove dias.');
      expect(await preview('jurisdiction=SG&locale=en')).toContain(
        'How we found out: A researcher wrote to us.',
      );
      for (const jurisdiction of ['JP', 'CN']) {
        expect(await preview(`jurisdiction=${jurisdiction}&locale=en`)).toContain(
          'What caused it: A storage bucket was left public.',
        );
      }
      const germany = await preview('jurisdiction=DE&locale=en');
      for (const words of ['bcrypt', 'nine days', 'A researcher', 'left public']) {
        expect(germany).not.toContain(words);
      }
      expect(await preview('jurisdiction=US-WA&locale=en')).toContain(
        'Equifax, 1-888-298-0045, P.O. Box 105788, Atlanta, GA 30348',
      );
      expect(await preview('jurisdiction=CA-ON&locale=en')).toContain(
        'You can also complain to us about how we handled your personal information: write to',
      );
    });
  });
});
