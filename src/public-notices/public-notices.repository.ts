import { Injectable } from '@nestjs/common';
import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { DatabaseService } from '../database/database.service.js';
import { rowsOf } from '../database/rows.js';
import { publicNotices, publicNoticeVersions } from '../database/schema.js';

export type PublicNoticeRow = typeof publicNotices.$inferSelect;
export type NewPublicNoticeRow = typeof publicNotices.$inferInsert;
export type PublicNoticeVersionRow = typeof publicNoticeVersions.$inferSelect;

/** A published notice as the public pages read it: its latest version and the dates of every version. */
export interface PublishedRow {
  id: string;
  incidentId: string;
  slug: string;
  firstPublishedAt: Date;
  version: PublicNoticeVersionRow;
  history: { version: number; publishedAt: Date; note: string | null }[];
}

@Injectable()
export class PublicNoticesRepository {
  constructor(private readonly database: DatabaseService) {}

  async insert(row: NewPublicNoticeRow): Promise<PublicNoticeRow> {
    const [inserted] = await this.database.db.insert(publicNotices).values(row).returning();
    return inserted;
  }

  async findById(id: string): Promise<PublicNoticeRow | undefined> {
    const [row] = await this.database.db
      .select()
      .from(publicNotices)
      .where(eq(publicNotices.id, id))
      .limit(1);
    return row;
  }

  /** Locks the notice's row for a change of state (approve, publish, withdraw, edit). */
  async lock(id: string): Promise<PublicNoticeRow | undefined> {
    const rows = rowsOf<{ id: string }>(
      await this.database.db.execute(sql`select id from public_notices where id = ${id}::uuid for update`),
    );
    return rows.length ? this.findById(id) : undefined;
  }

  async forIncident(incidentId: string): Promise<PublicNoticeRow[]> {
    return this.database.db
      .select()
      .from(publicNotices)
      .where(eq(publicNotices.incidentId, incidentId))
      .orderBy(desc(publicNotices.createdAt));
  }

  /** The jurisdictions of an incident's affected set (its frozen people), sorted. */
  async affectedJurisdictions(incidentId: string): Promise<string[]> {
    const rows = rowsOf<{ jurisdiction: string }>(
      await this.database.db.execute(sql`
        select distinct jurisdiction from affected_subjects
        where incident_id = ${incidentId}::uuid and jurisdiction is not null order by 1`),
    );
    return rows.map((r) => r.jurisdiction);
  }

  /** Whether a slug is taken. */
  async slugTaken(slug: string): Promise<boolean> {
    const [row] = await this.database.db
      .select({ id: publicNotices.id })
      .from(publicNotices)
      .where(eq(publicNotices.slug, slug))
      .limit(1);
    return Boolean(row);
  }

  /** Changes the row and counts the change (its `version`, the ETag). */
  async update(id: string, set: Partial<NewPublicNoticeRow>): Promise<PublicNoticeRow> {
    const [row] = await this.database.db
      .update(publicNotices)
      .set({ ...set, version: sql`${publicNotices.version} + 1` })
      .where(eq(publicNotices.id, id))
      .returning();
    return row;
  }

  async addVersion(row: typeof publicNoticeVersions.$inferInsert): Promise<PublicNoticeVersionRow> {
    const [inserted] = await this.database.db.insert(publicNoticeVersions).values(row).returning();
    return inserted;
  }

  async versions(noticeId: string): Promise<PublicNoticeVersionRow[]> {
    return this.database.db
      .select()
      .from(publicNoticeVersions)
      .where(eq(publicNoticeVersions.noticeId, noticeId))
      .orderBy(asc(publicNoticeVersions.version));
  }

  /** Every published notice (not withdrawn), newest first, with its latest version and its history. */
  async published(slug?: string): Promise<PublishedRow[]> {
    const notices = await this.database.db
      .select()
      .from(publicNotices)
      .where(
        and(
          isNotNull(publicNotices.publishedVersion),
          sql`${publicNotices.withdrawnAt} is null`,
          slug === undefined ? undefined : eq(publicNotices.slug, slug),
        ),
      )
      .orderBy(desc(publicNotices.firstPublishedAt));
    if (notices.length === 0) return [];
    const versions = await this.database.db
      .select()
      .from(publicNoticeVersions)
      .where(
        inArray(
          publicNoticeVersions.noticeId,
          notices.map((n) => n.id),
        ),
      )
      .orderBy(asc(publicNoticeVersions.version));
    return notices.flatMap((notice) => {
      const own = versions.filter((v) => v.noticeId === notice.id);
      const latest = own.find((v) => v.version === notice.publishedVersion);
      if (!latest || !notice.firstPublishedAt) return [];
      return [
        {
          id: notice.id,
          incidentId: notice.incidentId,
          slug: notice.slug,
          firstPublishedAt: notice.firstPublishedAt,
          version: latest,
          history: own.map((v) => ({ version: v.version, publishedAt: v.publishedAt, note: v.note })),
        },
      ];
    });
  }

  /** A mark that changes whenever a notice is published, updated or withdrawn: the page caches compare it. */
  async generation(): Promise<string> {
    const [row] = rowsOf<{ g: string | null }>(
      await this.database.db.execute(
        sql`select concat(count(*), '/', max(updated_at)::text) as g from public_notices`,
      ),
    );
    return row?.g ?? '';
  }
}
