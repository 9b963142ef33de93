import { Injectable, type OnModuleInit } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { ApiKeysService } from '../api-keys/api-keys.service.js';
import { AuditService } from '../audit/audit.service.js';
import { SYSTEM_ACTOR, type Actor } from '../common/actor.js';
import { Clock } from '../common/clock.js';
import type { NoticeTranslations } from '../common/notice-text.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from '../database/database.service.js';
import { IncidentsRepository, type IncidentRow } from '../incidents/incidents.repository.js';
import type { ObligationRow } from '../jurisdictions/obligations.repository.js';
import { PublicNoticeObligations } from '../jurisdictions/public-notice-obligations.js';
import { PublicNoticeRenderer } from '../templates/public-notice.renderer.js';
import {
  defaultLanguages,
  defaultProfile,
  longestMinimum,
  noticeIncident,
  slugOf,
  type PublishedContent,
} from './public-notice.content.js';
import {
  PublicNoticesRepository,
  type PublicNoticeRow,
  type PublicNoticeVersionRow,
} from './public-notices.repository.js';
import { PublishedNotices } from './published-notices.js';
import {
  banner,
  feed,
  noticeJson,
  noticePage,
  PAGES_PATH,
  STYLESHEET,
  type Links,
} from './public-pages.render.js';
import { tarGz } from './tar.js';

export const PublicNoticeStatus = {
  Draft: 'draft',
  Approved: 'approved',
  Published: 'published',
  Withdrawn: 'withdrawn',
} as const;

export interface DraftInput {
  jurisdictions?: string[];
  languages?: string[];
  profileJurisdiction?: string | null;
  words?: NoticeTranslations;
  updateNote?: string | null;
}

/** What an approver read: the notice's version, or the digest of the preview. */
export interface Expected {
  version?: number;
  digest?: string;
}

/** What a draft would publish, as a digest: the approval keeps it, publishing compares it. */
function digestOf(content: PublishedContent): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** Refuses words for a language the notice is not in: they would be kept and never shown. */
function checkWords(words: NoticeTranslations | undefined, languages: readonly string[]): void {
  const stray = Object.keys(words ?? {}).filter((tag) => !languages.includes(tag));
  if (stray.length > 0) {
    throw AppError.invalid(
      stray.map((tag) => ({
        field: `words.${tag}`,
        rule: 'isNoticeLanguage',
        message: `words.${tag} is for a language the notice is not in (${languages.join(', ')})`,
      })),
    );
  }
}

/** Refuses a change to a notice changed since the caller read it (its If-Match, when given). */
function checkVersion(row: PublicNoticeRow, expected: number | undefined): void {
  if (expected !== undefined && expected !== row.version)
    throw AppError.stale(`public notice ${row.id}`, row.version);
}

@Injectable()
export class PublicNoticesService implements OnModuleInit {
  constructor(
    private readonly database: DatabaseService,
    private readonly repository: PublicNoticesRepository,
    private readonly incidents: IncidentsRepository,
    private readonly audit: AuditService,
    private readonly keys: ApiKeysService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    private readonly renderer: PublicNoticeRenderer,
    private readonly published: PublishedNotices,
    private readonly obligations: PublicNoticeObligations,
  ) {}

  onModuleInit(): void {
    this.obligations.onPublicNoticeRaised((incidentId, raised) =>
      this.onPublicNoticeRaised(incidentId, raised),
    );
  }

  /**
   * Public-notice obligations were raised: a draft for their jurisdictions, or, where the incident has a
   * notice already, its jurisdictions widened (an edit: approved and published again).
   */
  async onPublicNoticeRaised(incidentId: string, raised: readonly ObligationRow[]): Promise<void> {
    const jurisdictions = [...new Set(raised.flatMap((row) => row.jurisdictions))].sort();
    const existing = (await this.repository.forIncident(incidentId)).find(
      (n) => n.status !== PublicNoticeStatus.Withdrawn,
    );
    if (!existing) {
      await this.draft(SYSTEM_ACTOR, incidentId, { jurisdictions }, raised.map((r) => r.key).join(', '));
      return;
    }
    const missing = jurisdictions.filter((j) => !existing.jurisdictions.includes(j));
    if (missing.length > 0)
      await this.edit(SYSTEM_ACTOR, existing.id, {
        jurisdictions: [...existing.jurisdictions, ...missing].sort(),
      });
  }

  /** A draft from the incident's facts and translations; `raisedBy` names the obligation that asked for it. */
  async draft(actor: Actor, incidentId: string, input: DraftInput, raisedBy: string | null = null) {
    const incident = await this.incident(incidentId);
    const now = this.clock.now();
    const jurisdictions = input.jurisdictions ?? (await this.repository.affectedJurisdictions(incidentId));
    this.checkLanguages(input.languages);
    const languages = input.languages ?? defaultLanguages(this.renderer, incident, jurisdictions);
    checkWords(input.words, languages);
    return this.database.transaction(async () => {
      const row = await this.repository.insert({
        incidentId,
        slug: await this.freeSlug(slugOf(incident.reference)),
        status: PublicNoticeStatus.Draft,
        jurisdictions,
        profileJurisdiction:
          input.profileJurisdiction !== undefined
            ? input.profileJurisdiction
            : defaultProfile(jurisdictions, now),
        languages,
        words: input.words ?? {},
        updateNote: input.updateNote ?? null,
        raisedBy,
        createdBy: actor.keyId,
        createdAt: now,
        draftedBy: actor.keyId,
        draftedAt: now,
        updatedAt: now,
      });
      await this.record(actor, row, 'public_notice.drafted', { raisedBy, jurisdictions });
      return row;
    });
  }

  /**
   * Edits the draft; a published notice keeps its page until the edit is approved and published.
   * `expected`: the version the editor read (If-Match); another edit since is refused (412), not lost.
   */
  async edit(actor: Actor, id: string, input: DraftInput, expected?: number): Promise<PublicNoticeRow> {
    this.checkLanguages(input.languages);
    return this.database.transaction(async () => {
      const current = await this.locked(id);
      checkVersion(current, expected);
      if (current.status === PublicNoticeStatus.Withdrawn) throw this.refused(current, 'edit');
      // The words kept as well as those sent: a language dropped takes its words with it, or is refused.
      checkWords(input.words ?? current.words, input.languages ?? current.languages);
      const now = this.clock.now();
      const row = await this.repository.update(id, {
        ...(input.jurisdictions ? { jurisdictions: input.jurisdictions } : {}),
        ...(input.languages ? { languages: input.languages } : {}),
        ...(input.profileJurisdiction !== undefined
          ? { profileJurisdiction: input.profileJurisdiction }
          : {}),
        ...(input.words ? { words: input.words } : {}),
        ...(input.updateNote !== undefined ? { updateNote: input.updateNote } : {}),
        status: PublicNoticeStatus.Draft,
        approvedBy: null,
        approvedAt: null,
        approvedDigest: null,
        draftedBy: actor.keyId,
        draftedAt: now,
        updatedAt: now,
      });
      await this.record(actor, row, 'public_notice.edited', { fields: Object.keys(input) });
      return row;
    });
  }

  /**
   * Four eyes: not the draft's author, nor another key of theirs (the campaigns' rule). What it approves
   * is what the draft would publish now, from the incident as it stands: its digest is kept, and publishing
   * checks it again. `expected`: what the approver read (If-Match): the notice's version (its ETag), or
   * the preview's digest (the preview's ETag), refused (412) if it changed.
   */
  async approve(actor: Actor, id: string, expected: Expected = {}): Promise<PublicNoticeRow> {
    const notice = await this.get(id);
    await this.keys.checkFourEyes(actor, notice.draftedBy, notice.draftedAt, 'a public notice');
    return this.database.transaction(async () => {
      const current = await this.locked(id);
      checkVersion(current, expected.version);
      if (current.status !== PublicNoticeStatus.Draft) throw this.refused(current, 'approve');
      const now = this.clock.now();
      const incident = await this.incident(current.incidentId);
      const digest = digestOf(this.content(current, incident, now));
      if (expected.digest !== undefined && expected.digest !== digest) {
        throw new AppError(
          ErrorCode.PreconditionFailed,
          `public notice ${id} would publish other words than the preview you read (the notice or its incident changed since): read the preview again`,
          { version: current.version },
        );
      }
      const row = await this.repository.update(id, {
        status: PublicNoticeStatus.Approved,
        approvedBy: actor.keyId,
        approvedAt: now,
        approvedDigest: digest,
        updatedAt: now,
      });
      await this.record(actor, row, 'public_notice.approved', {});
      return row;
    });
  }

  /**
   * Publishes the approved draft as a new dated version; the pages show it at once. Where it would say
   * something other than what was approved (the incident's words, dates or categories edited since, or
   * an approval from before approvals were kept), the approval lapses: the notice goes back to draft, on
   * the timeline, and the publication is refused (409) until it is approved again.
   */
  async publish(actor: Actor, id: string): Promise<PublicNoticeRow> {
    const outcome = await this.database.transaction(async () => {
      const current = await this.locked(id);
      if (current.status !== PublicNoticeStatus.Approved) throw this.refused(current, 'publish');
      const incident = await this.incident(current.incidentId);
      const now = this.clock.now();
      const approvedAt = current.approvedAt ?? now;
      if (
        current.approvedDigest === null ||
        digestOf(this.content(current, incident, approvedAt)) !== current.approvedDigest
      ) {
        const lapsed = await this.repository.update(id, {
          status: PublicNoticeStatus.Draft,
          approvedBy: null,
          approvedAt: null,
          approvedDigest: null,
          updatedAt: now,
        });
        await this.record(actor, lapsed, 'public_notice.approval_lapsed', { reason: 'content_changed' });
        return { lapsed, published: null };
      }
      const version = (current.publishedVersion ?? 0) + 1;
      await this.repository.addVersion({
        noticeId: id,
        version,
        publishedAt: now,
        publishedBy: actor.keyId,
        approvedBy: current.approvedBy,
        note: current.updateNote,
        content: this.content(current, incident, now) as unknown as Record<string, unknown>,
      });
      const published = await this.repository.update(id, {
        status: PublicNoticeStatus.Published,
        publishedVersion: version,
        firstPublishedAt: current.firstPublishedAt ?? now,
        updateNote: null,
        updatedAt: now,
      });
      await this.record(actor, published, 'public_notice.published', { version, slug: published.slug });
      const met = await this.obligations.meetByPublicNotice(
        current.incidentId,
        id,
        current.jurisdictions,
        now,
      );
      if (met.length > 0)
        await this.record(actor, published, 'public_notice.met', { obligations: met.map((o) => o.key) });
      return { lapsed: null, published };
    });
    const { published } = outcome;
    if (!published) {
      throw new AppError(
        ErrorCode.Conflict,
        `public notice ${id} would publish words other than those approved (the incident changed since the approval): it is a draft again, to be approved again`,
        { status: PublicNoticeStatus.Draft, reason: 'content_changed' },
      );
    }
    this.published.invalidate();
    return published;
  }

  /** Takes the notice down; refused (409) before the longest minimum period of its jurisdictions ends. */
  async withdraw(actor: Actor, id: string, reason: string): Promise<PublicNoticeRow> {
    const row = await this.database.transaction(async () => {
      const current = await this.locked(id);
      if (current.status === PublicNoticeStatus.Withdrawn || !current.firstPublishedAt)
        throw this.refused(current, 'withdraw');
      const incident = await this.incident(current.incidentId);
      const now = this.clock.now();
      // The jurisdictions of every version published, not only the draft's: a draft edited down to none
      // (no approval asked for an edit) must not lift the minimum of what the public was shown.
      const shown = (await this.repository.versions(id)).flatMap(
        (v) => (v.content as unknown as PublishedContent).jurisdictions,
      );
      const minimum = longestMinimum(
        [...new Set([...current.jurisdictions, ...shown])],
        incident.discoveredAt,
        current.firstPublishedAt,
      );
      if (minimum && now < minimum.until) {
        throw new AppError(
          ErrorCode.Conflict,
          `public notice ${id} must stay up until ${minimum.until.toISOString()}: ${minimum.ruleId} asks for at least ${minimum.days} days${minimum.uncertain ? ' (unverified period, kept as the stricter reading)' : ''}`,
          {
            rule: minimum.ruleId,
            days: minimum.days,
            until: minimum.until.toISOString(),
            sources: minimum.sources,
          },
        );
      }
      const withdrawn = await this.repository.update(id, {
        status: PublicNoticeStatus.Withdrawn,
        withdrawnAt: now,
        withdrawnBy: actor.keyId,
        withdrawnReason: reason,
        updatedAt: now,
      });
      await this.record(actor, withdrawn, 'public_notice.withdrawn', { reason });
      return withdrawn;
    });
    this.published.invalidate();
    return row;
  }

  /**
   * The static bundle of the published notice, for the company's own website or a CDN: a page per
   * language (index.html the first), the JSON, the feed, the stylesheet and an embeddable banner.
   */
  async export(id: string): Promise<{ name: string; file: Buffer }> {
    const notice = await this.get(id);
    const row = notice.withdrawnAt ? null : await this.published.find(notice.slug);
    if (!row) throw this.refused(notice, 'export (it is not published)');
    const { publicBaseUrl: base, organizationName: org } = this.config;
    const url = `${base}${PAGES_PATH}/${row.slug}`;
    const links: Links = { css: 'notice.css', feed: 'feed.atom', page: (_slug, lang) => `${lang}.html` };
    const languages = (row.version.content as { languages: string[] }).languages;
    const text = (body: string) => Buffer.from(body, 'utf8');
    const files = [
      { name: 'index.html', body: text(noticePage(row, languages[0], this.renderer, links)) },
      ...languages.map((l) => ({ name: `${l}.html`, body: text(noticePage(row, l, this.renderer, links)) })),
      { name: 'notice.json', body: text(JSON.stringify(noticeJson(row, base), null, 2)) },
      { name: 'feed.atom', body: text(feed([row], base, this.renderer, org)) },
      { name: 'notice.css', body: text(STYLESHEET) },
      { name: 'banner.html', body: text(banner(row, url, this.renderer)) },
    ].map((f) => ({ ...f, name: `${row.slug}/${f.name}` }));
    return {
      name: `${row.slug}-v${row.version.version}.tar.gz`,
      file: tarGz(files, row.version.publishedAt),
    };
  }

  async get(id: string): Promise<PublicNoticeRow> {
    const row = await this.repository.findById(id);
    if (!row) throw AppError.notFound('public notice', id);
    return row;
  }

  async list(incidentId: string): Promise<PublicNoticeRow[]> {
    await this.incident(incidentId);
    return this.repository.forIncident(incidentId);
  }

  async versions(id: string): Promise<PublicNoticeVersionRow[]> {
    await this.get(id);
    return this.repository.versions(id);
  }

  /** What the draft would publish now, per language (the preview), with its digest: its ETag. */
  async preview(id: string): Promise<{ content: PublishedContent; digest: string }> {
    const notice = await this.get(id);
    const content = this.content(notice, await this.incident(notice.incidentId), this.clock.now());
    return { content, digest: digestOf(content) };
  }

  private content(notice: PublicNoticeRow, incident: IncidentRow, on: Date): PublishedContent {
    const input = {
      organization: this.config.organizationName,
      contactEmail: this.config.privacyContactEmail,
      profileJurisdiction: notice.profileJurisdiction,
      incident: noticeIncident(incident, notice.words),
      dataCategories: incident.dataCategories,
      on,
    };
    return {
      organization: input.organization,
      contactEmail: input.contactEmail,
      jurisdictions: notice.jurisdictions,
      profileJurisdiction: notice.profileJurisdiction,
      languages: notice.languages,
      texts: Object.fromEntries(notice.languages.map((l) => [l, this.renderer.render(input, l)])),
    };
  }

  private checkLanguages(languages: string[] | undefined): void {
    const known = this.renderer.locales();
    const unknown = (languages ?? []).filter((l) => !known.includes(l));
    if (unknown.length > 0) {
      throw AppError.invalid([
        {
          field: 'languages',
          rule: 'isIn',
          message: `languages must be among ${known.join(', ')} (got ${unknown.join(', ')})`,
        },
      ]);
    }
  }

  private async incident(id: string): Promise<IncidentRow> {
    const incident = await this.incidents.findById(id);
    if (!incident) throw AppError.notFound('incident', id);
    return incident;
  }

  private async locked(id: string): Promise<PublicNoticeRow> {
    const row = await this.repository.lock(id);
    if (!row) throw AppError.notFound('public notice', id);
    return row;
  }

  private async freeSlug(base: string): Promise<string> {
    for (let n = 1; ; n += 1) {
      const slug = n === 1 ? base : `${base}-${n}`;
      if (!(await this.repository.slugTaken(slug))) return slug;
    }
  }

  private refused(row: PublicNoticeRow, action: string): AppError {
    return new AppError(ErrorCode.Conflict, `public notice ${row.id} is ${row.status}: cannot ${action} it`, {
      status: row.status,
    });
  }

  private async record(actor: Actor, row: PublicNoticeRow, kind: string, details: Record<string, unknown>) {
    const summary = { publicNoticeId: row.id, slug: row.slug, status: row.status, ...details };
    await this.incidents.addEvent({
      incidentId: row.incidentId,
      at: this.clock.now(),
      kind,
      details: summary,
      actorKeyId: actor.keyId,
    });
    await this.audit.record(actor, { action: kind, targetType: 'public_notice', targetId: row.id, summary });
  }
}
