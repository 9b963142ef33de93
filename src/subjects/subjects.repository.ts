import { Injectable } from '@nestjs/common';
import { sql, type SQL } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { COLUMN_NAMES, type JoinedColumns, type SubjectColumns } from './subject.batch.js';
import { affectedSubjects, subjects } from '../database/schema.js';
import { eq } from 'drizzle-orm';
import { AFFECTED_SETS_LOCK } from '../database/locks.js';
import { rowsOf, toBuffer } from '../database/rows.js';

export type SubjectRow = typeof subjects.$inferSelect;

@Injectable()
export class SubjectsRepository {
  constructor(private readonly database: DatabaseService) {}

  /**
   * Inserts or replaces people by external id in one set-based statement. The columns travel as one text
   * parameter (see JoinedColumns: U+001E between columns, U+001F between values; no stored plain value can
   * hold either, every one being pattern-checked, and sealed values are base64), split and unnested by
   * PostgreSQL: far cheaper than array parameters, whose every element the driver escapes. Each external id
   * may appear once per call (splitAtRepeats).
   */
  async upsert(columns: JoinedColumns, now: Date): Promise<{ created: number; updated: number }> {
    if (columns.rows === 0) return { created: 0, updated: 0 };
    // Bytes go as a binary parameter, which PostgreSQL reads as the text it is (UTF-8). PGlite converts
    // binary parameters slowly: it gets the text.
    const bytes = Buffer.from(columns.bytes.buffer, columns.bytes.byteOffset, columns.bytes.byteLength);
    const joined = this.database.kind === 'pglite' ? bytes.toString('utf8') : bytes;
    const c = (name: keyof SubjectColumns) =>
      sql`string_to_array(c[${sql.raw(String(COLUMN_NAMES.indexOf(name) + 1))}], chr(31), '')`;
    const result = await this.database.db.execute(sql`
      with columns as materialized (
        select string_to_array(${sql.param(joined)}, chr(30)) as c
      ), input as (
        select t.* from columns, unnest(
          ${c('externalId')}, ${c('locale')}, ${c('timeZone')}, ${c('jurisdiction')},
          ${c('jurisdictionInferred')}::boolean[], ${c('channelPreferences')}, ${c('dataCategories')},
          ${c('systems')}, ${c('signedUpAt')}::timestamptz[], ${c('lastActiveAt')}::timestamptz[],
          ${c('hasEmail')}::boolean[], ${c('hasPhone')}::boolean[], ${c('pushTokenCount')}::integer[],
          ${c('minor')}::boolean[], ${c('under18')}::boolean[], ${c('guardianHasEmail')}::boolean[],
          ${c('guardianHasPhone')}::boolean[],
          ${c('guardianLocale')},
          ${c('keyId')}, ${c('sealed')}, ${c('emailHash')}, ${c('phoneHash')},
          ${c('guardianEmailHash')}, ${c('guardianPhoneHash')}
        ) as t(external_id, locale, time_zone, jurisdiction, jurisdiction_inferred, channel_preferences,
               data_categories, systems, signed_up_at, last_active_at, has_email, has_phone,
               push_token_count, minor, under_18, guardian_has_email, guardian_has_phone, guardian_locale, key_id, sealed,
               email_hash, phone_hash, guardian_email_hash, guardian_phone_hash)
      ), written as (
        insert into subjects (external_id, locale, time_zone, jurisdiction, jurisdiction_inferred,
          channel_preferences, data_categories, systems, signed_up_at, last_active_at, has_email, has_phone,
          push_token_count, minor, under_18, guardian_has_email, guardian_has_phone, guardian_locale, key_id, sealed,
          email_hash, phone_hash, guardian_email_hash, guardian_phone_hash, created_at, updated_at)
        select external_id, locale, time_zone, jurisdiction, jurisdiction_inferred,
          coalesce(string_to_array(channel_preferences, ','), '{}'),
          coalesce(string_to_array(data_categories, ','), '{}'), coalesce(string_to_array(systems, ','), '{}'),
          signed_up_at, last_active_at, has_email, has_phone,
          push_token_count, minor, under_18, guardian_has_email, guardian_has_phone, guardian_locale, key_id,
          decode(sealed, 'base64'), decode(email_hash, 'base64'), decode(phone_hash, 'base64'),
          decode(guardian_email_hash, 'base64'), decode(guardian_phone_hash, 'base64'),
          ${now}, ${now}
        from input
        on conflict (external_id) do update set
          locale = excluded.locale, time_zone = excluded.time_zone, jurisdiction = excluded.jurisdiction,
          jurisdiction_inferred = excluded.jurisdiction_inferred,
          channel_preferences = excluded.channel_preferences, data_categories = excluded.data_categories,
          systems = excluded.systems, signed_up_at = excluded.signed_up_at,
          last_active_at = excluded.last_active_at, has_email = excluded.has_email,
          has_phone = excluded.has_phone, push_token_count = excluded.push_token_count,
          minor = excluded.minor, under_18 = excluded.under_18, guardian_has_email = excluded.guardian_has_email,
          guardian_has_phone = excluded.guardian_has_phone, guardian_locale = excluded.guardian_locale,
          key_id = excluded.key_id,
          sealed = excluded.sealed, email_hash = excluded.email_hash, phone_hash = excluded.phone_hash,
          guardian_email_hash = excluded.guardian_email_hash, guardian_phone_hash = excluded.guardian_phone_hash,
          updated_at = excluded.updated_at
        returning (xmax = 0) as inserted
      )
      select (count(*) filter (where inserted))::int as created,
             (count(*) filter (where not inserted))::int as updated
      from written`);
    const [row] = rowsOf<{ created: number; updated: number }>(result);
    return { created: row?.created ?? 0, updated: row?.updated ?? 0 };
  }

  async findByExternalId(externalId: string): Promise<SubjectRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(subjects)
      .where(eq(subjects.externalId, externalId))
      .limit(1);
    return row;
  }

  /** People whose email or phone hashes to these values: lookup without decrypting anyone. */
  async findByHashes(
    hashes: { emailHash?: Buffer; phoneHash?: Buffer },
    limit: number,
  ): Promise<SubjectRow[]> {
    const conditions = [];
    if (hashes.emailHash) conditions.push(sql`${subjects.emailHash} = ${hashes.emailHash}`);
    if (hashes.phoneHash) conditions.push(sql`${subjects.phoneHash} = ${hashes.phoneHash}`);
    if (conditions.length === 0) return [];
    return this.database.db
      .select()
      .from(subjects)
      .where(sql.join(conditions, sql` or `))
      .orderBy(subjects.id)
      .limit(limit);
  }

  /**
   * Deletes the person and the local outbox's copies of what was sent to them (or to their guardian: they
   * hold the addresses and the name); their affected-set rows and deliveries stay, without identity.
   * Returns how many incidents kept a row and how many outbox copies went.
   */
  async erase(externalId: string): Promise<{ erased: boolean; incidents: number; outbox: number }> {
    const row = await this.findByExternalId(externalId);
    if (!row) return { erased: false, incidents: 0, outbox: 0 };
    // Waits for freezes in progress: none can then commit a row naming this person.
    await this.database.db.execute(sql`select pg_advisory_xact_lock(${AFFECTED_SETS_LOCK})`);
    const [outbox] = rowsOf<{ n: number }>(
      await this.database.db.execute(sql`
        with gone as (
          delete from outbox_messages o using messages m, deliveries d, affected_subjects a
          where o.message_id = m.id and m.delivery_id = d.id and d.affected_id = a.id and a.subject_id = ${row.id}
          returning 1)
        select count(*)::int as n from gone`),
    );
    await this.database.db.execute(sql`update deliveries set subject_id = null where subject_id = ${row.id}
      and affected_id in (select id from affected_subjects where subject_id = ${row.id})`);
    const kept = await this.database.db
      .update(affectedSubjects)
      .set({ subjectId: null })
      .where(eq(affectedSubjects.subjectId, row.id))
      .returning({ incidentId: affectedSubjects.incidentId });
    await this.database.db.delete(subjects).where(eq(subjects.id, row.id));
    return {
      erased: true,
      incidents: new Set(kept.map((k) => k.incidentId)).size,
      outbox: Number(outbox?.n ?? 0),
    };
  }

  /** A page of rows whose envelope is not under `keyId`, in id order. */
  async pageNotUnderKey(
    keyId: string,
    afterId: number,
    limit: number,
  ): Promise<Array<{ id: number; externalId: string; sealed: Buffer }>> {
    return this.sealedPage(sql`${subjects.keyId} <> ${keyId}`, afterId, limit);
  }

  async countNotUnderKey(keyId: string): Promise<number> {
    const [row] = await this.database.db
      .select({ n: sql<number>`count(*)::int` })
      .from(subjects)
      .where(sql`${subjects.keyId} <> ${keyId}`);
    return row?.n ?? 0;
  }

  /** A page of people whose guardian has an email or a phone but no hash of it yet, in id order. */
  async guardiansWithoutHashes(
    afterId: number,
    limit: number,
  ): Promise<Array<{ id: number; externalId: string; sealed: Buffer }>> {
    return this.sealedPage(
      sql`(${subjects.guardianHasEmail} and ${subjects.guardianEmailHash} is null)
          or (${subjects.guardianHasPhone} and ${subjects.guardianPhoneHash} is null)`,
      afterId,
      limit,
    );
  }

  /** The sealed contact of up to `limit` people matching `where` after `afterId`, in id order. */
  private async sealedPage(
    where: SQL,
    afterId: number,
    limit: number,
  ): Promise<Array<{ id: number; externalId: string; sealed: Buffer }>> {
    const rows = await this.database.db
      .select({ id: subjects.id, externalId: subjects.externalId, sealed: subjects.sealed })
      .from(subjects)
      .where(sql`${subjects.id} > ${afterId} and (${where})`)
      .orderBy(subjects.id)
      .limit(limit);
    return rows.map((r) => ({ ...r, sealed: toBuffer(r.sealed) }));
  }

  async setGuardianHashes(
    rows: Array<{ id: number; emailHash: Buffer | null; phoneHash: Buffer | null }>,
  ): Promise<void> {
    const base64 = (b: Buffer | null) => (b ? b.toString('base64') : null);
    await this.database.db.execute(sql`
      update subjects s set guardian_email_hash = decode(t.email_hash, 'base64'),
                            guardian_phone_hash = decode(t.phone_hash, 'base64')
      from unnest(${sql.param(rows.map((r) => r.id))}::bigint[],
                  ${sql.param(rows.map((r) => base64(r.emailHash)))}::text[],
                  ${sql.param(rows.map((r) => base64(r.phoneHash)))}::text[]) as t(id, email_hash, phone_hash)
      where s.id = t.id`);
  }

  async replaceSealed(rows: Array<{ id: number; keyId: string; sealed: Buffer }>): Promise<void> {
    if (rows.length === 0) return;
    await this.database.db.execute(sql`
      update subjects s set key_id = t.key_id, sealed = decode(t.sealed, 'base64')
      from unnest(${sql.param(rows.map((r) => r.id))}::bigint[],
                  ${sql.param(rows.map((r) => r.keyId))}::text[],
                  ${sql.param(rows.map((r) => r.sealed.toString('base64')))}::text[]) as t(id, key_id, sealed)
      where s.id = t.id`);
  }

  /** These people's sealed contact data, their rows locked until the caller's transaction ends. */
  async sealedForUpdate(ids: number[]): Promise<Array<{ id: number; externalId: string; sealed: Buffer }>> {
    if (ids.length === 0) return [];
    const rows = rowsOf<{ id: string | number; external_id: string; sealed: Uint8Array }>(
      await this.database.db.execute(sql`
        select id, external_id, sealed from subjects where id = any(${sql.param(ids)}::bigint[]) for update`),
    );
    return rows.map((r) => ({ id: Number(r.id), externalId: r.external_id, sealed: toBuffer(r.sealed) }));
  }

  /** Contact data re-sealed with fewer push tokens, and their count (planning reads it in clear). */
  async replacePushTokens(
    rows: Array<{ id: number; keyId: string; sealed: Buffer; tokenCount: number }>,
    now: Date,
  ): Promise<void> {
    for (const row of rows) {
      await this.database.db.execute(sql`
        update subjects set key_id = ${row.keyId}, sealed = ${row.sealed}, push_token_count = ${row.tokenCount},
          updated_at = ${now}
        where id = ${row.id}`);
    }
  }

  /**
   * A page of people flagged as minors or under 18, or not checked yet (`under_18` null: written before
   * the column), or everyone with `all`, for the age refresh.
   */
  async pageForAgeCheck(
    all: boolean,
    afterId: number,
    limit: number,
  ): Promise<
    Array<{
      id: number;
      externalId: string;
      jurisdiction: string | null;
      minor: boolean;
      under18: boolean | null;
      sealed: Buffer;
    }>
  > {
    const rows = await this.database.db
      .select({
        id: subjects.id,
        externalId: subjects.externalId,
        jurisdiction: subjects.jurisdiction,
        minor: subjects.minor,
        under18: subjects.under18,
        sealed: subjects.sealed,
      })
      .from(subjects)
      .where(
        all
          ? sql`${subjects.id} > ${afterId}`
          : sql`(${subjects.minor} or ${subjects.under18} is not false) and ${subjects.id} > ${afterId}`,
      )
      .orderBy(subjects.id)
      .limit(limit);
    return rows.map((r) => ({ ...r, sealed: toBuffer(r.sealed) }));
  }

  /**
   * Each person's age flags as the refresh found them (one statement for the page), and `under_18` in
   * their affected rows frozen before it was known (null), which the freeze would have copied.
   */
  async setAges(rows: Array<{ id: number; minor: boolean; under18: boolean }>): Promise<void> {
    if (rows.length === 0) return;
    const x = sql`unnest(${sql.param(rows.map((r) => r.id))}::bigint[], ${sql.param(rows.map((r) => r.minor))}::boolean[],
                  ${sql.param(rows.map((r) => r.under18))}::boolean[]) as x(id, minor, under_18)`;
    await this.database.db.execute(sql`
      update subjects s set minor = x.minor, under_18 = x.under_18 from ${x} where s.id = x.id`);
    await this.database.db.execute(sql`
      update affected_subjects a set under_18 = x.under_18 from ${x}
      where a.subject_id = x.id and a.under_18 is null`);
  }

  /** Whether any person's `under_18` is not known yet (written before it was kept, or by an older node). */
  async anyAgeUnchecked(): Promise<boolean> {
    const rows = await this.database.db
      .select({ id: subjects.id })
      .from(subjects)
      // Through the age refresh's partial index (whose predicate a null passes): at every start, the
      // flagged few rows instead of the whole directory once every age is known.
      .where(sql`(${subjects.minor} or ${subjects.under18} is not false) and ${subjects.under18} is null`)
      .limit(1);
    return rows.length > 0;
  }
}
