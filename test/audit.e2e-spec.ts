import { sql } from 'drizzle-orm';
import { createScratchDatabase } from './support/global-setup.js';
import { ADMIN_KEY, bearer, startApp, TestApp, validIncident } from './support/app.js';

describe('hash-chained audit log', () => {
  let t: TestApp;

  beforeAll(async () => {
    // Its own database: the tampering test leaves the chain broken on purpose.
    t = await startApp({ DATABASE_URL: await createScratchDatabase('audit') }, 3);
  });
  afterAll(() => t.close());

  const auditor = () => bearer(t.keys.auditor);

  it('records every change with who, what, on what, when and from where', async () => {
    const responder = bearer(t.keys.responder);
    const created = await t.http
      .post('/v1/incidents')
      .set(...responder)
      .send(validIncident())
      .expect(201);
    const id: string = created.body.id;
    await t.http
      .patch(`/v1/incidents/${id}`)
      .set(...responder)
      .set('If-Match', '"1"')
      .send({ riskLevel: 'low' })
      .expect(200);
    await t.http
      .post(`/v1/incidents/${id}/transitions`)
      .set(...responder)
      .send({ to: 'assessing' })
      .expect(200);
    // A refused change leaves no entry.
    await t.http
      .post(`/v1/incidents/${id}/transitions`)
      .set(...responder)
      .send({ to: 'closed' })
      .expect(409);

    const entries = await t.http
      .get('/v1/audit')
      .query({ targetType: 'incident', targetId: id })
      .set(...auditor())
      .expect(200);
    expect(entries.body.items.map((e: { action: string }) => e.action)).toEqual([
      'incident.transition',
      'incident.update',
      'incident.create',
    ]);
    const [transition, update] = entries.body.items;
    expect(transition).toMatchObject({
      actorRole: 'responder',
      targetType: 'incident',
      summary: { from: 'detected', to: 'assessing' },
    });
    expect(transition.actorKeyId).toMatch(/^[0-9a-f-]{36}$/);
    expect(transition.ip).toMatch(/127\.0\.0\.1/);
    expect(update.summary).toEqual({ fields: ['riskLevel'], version: 2 });
    // The summary names fields, never their content.
    expect(JSON.stringify(entries.body)).not.toContain('Object storage bucket exposed');

    const keyCreated = await t.http
      .post('/v1/api-keys')
      .set(...bearer(ADMIN_KEY))
      .send({ name: 'a', role: 'auditor' })
      .expect(201);
    await t.http
      .delete(`/v1/api-keys/${keyCreated.body.id}`)
      .set(...bearer(ADMIN_KEY))
      .expect(204);
    const keyEntries = await t.http
      .get('/v1/audit')
      .query({ targetId: keyCreated.body.id })
      .set(...auditor())
      .expect(200);
    expect(keyEntries.body.items.map((e: { action: string }) => e.action)).toEqual([
      'api_key.revoke',
      'api_key.create',
    ]);
    expect(JSON.stringify(keyEntries.body)).not.toContain(keyCreated.body.key);

    const byAction = await t.http
      .get('/v1/audit')
      .query({ action: 'incident.update', limit: 200 })
      .set(...auditor())
      .expect(200);
    expect(byAction.body.items.every((e: { action: string }) => e.action === 'incident.update')).toBe(true);
    const future = await t.http
      .get('/v1/audit')
      .query({ from: '2999-01-01T00:00:00Z' })
      .set(...auditor())
      .expect(200);
    expect(future.body.items).toEqual([]);
  });

  it('pages through the whole log without gaps or repeats', async () => {
    const ids: number[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: { id: number }[]; nextCursor: string | null } } = await t.http
        .get('/v1/audit')
        .query({ limit: 3, ...(cursor ? { cursor } : {}) })
        .set(...auditor())
        .expect(200);
      ids.push(...page.body.items.map((e) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const rows = await t.query('select count(*)::int as n from audit_log');
    expect(ids).toHaveLength(rows[0].n);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it('keeps the chain intact under concurrent writes', async () => {
    const responder = bearer(t.keys.responder);
    await Promise.all(
      Array.from({ length: 12 }, () =>
        t.http
          .post('/v1/incidents')
          .set(...responder)
          .send(validIncident())
          .expect(201),
      ),
    );
    const verify = await t.http
      .get('/v1/audit/verify')
      .set(...auditor())
      .expect(200);
    expect(verify.body).toMatchObject({ valid: true, firstBrokenId: null });
  });

  it('detects a tampered entry, and a deleted one', async () => {
    const before = await t.http
      .get('/v1/audit/verify')
      .set(...auditor())
      .expect(200);
    expect(before.body.valid).toBe(true);
    const rows = await t.query('select id from audit_log order by id limit 3 offset 2');
    const [target, next] = rows.map((r) => Number(r.id));

    await t.database.db.execute(sql`update audit_log set summary = '{"role":"admin"}' where id = ${target}`);
    const tampered = await t.http
      .get('/v1/audit/verify')
      .set(...auditor())
      .expect(200);
    expect(tampered.body).toMatchObject({ valid: false, firstBrokenId: target });

    // Rewriting the hash too does not help: the next entry's link breaks.
    const fixed = await t.query('select * from audit_log where id = $1', [target]);
    const { entryHash } = await import('../src/audit/audit.hash.js');
    const row = fixed[0];
    const rehash = entryHash({
      at: row.at,
      actorKeyId: row.actor_key_id,
      actorRole: row.actor_role,
      action: row.action,
      targetType: row.target_type,
      targetId: row.target_id,
      ip: row.ip,
      summary: row.summary,
      prevHash: row.prev_hash,
    });
    await t.database.db.execute(sql`update audit_log set hash = ${rehash} where id = ${target}`);
    const relinked = await t.http
      .get('/v1/audit/verify')
      .set(...auditor())
      .expect(200);
    expect(relinked.body).toMatchObject({ valid: false, firstBrokenId: next });

    await t.database.db.execute(sql`delete from audit_log where id >= ${target}`);
    const truncatedTail = await t.http
      .get('/v1/audit/verify')
      .set(...auditor())
      .expect(200);
    expect(truncatedTail.body.valid).toBe(true);
    await t.http
      .post('/v1/incidents')
      .set(...bearer(t.keys.responder))
      .send(validIncident())
      .expect(201);
    await t.database.db.execute(sql`delete from audit_log where id = (select min(id) + 1 from audit_log)`);
    const gap = await t.http
      .get('/v1/audit/verify')
      .set(...auditor())
      .expect(200);
    expect(gap.body.valid).toBe(false);
  });
});
