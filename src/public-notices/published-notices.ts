import type { OutgoingHttpHeaders } from 'node:http';
import { Injectable } from '@nestjs/common';
import { PublicNoticesRepository, type PublishedRow } from './public-notices.repository.js';

/** How long a process serves what it read before asking the database whether anything was published. */
const FRESH_MS = 1_000;

/** A rendered answer, kept until the next publication: body, ETag and content type. */
export interface CachedPage {
  body: Buffer;
  etag: string;
  type: string;
  /** Its 200's headers without and with Vary, made on the first answer and sent as they are after. */
  heads?: { plain?: OutgoingHttpHeaders; vary?: OutgoingHttpHeaders };
}

/** How many requests' answers are remembered (each a few dozen bytes beside a page kept anyway). */
const ANSWERS_MAX = 2_000;

/**
 * The published notices as the public pages read them, cached in the process: a rush of readers costs one
 * small query a second (has anything been published, updated or withdrawn?), not one per request. A
 * publication in this process clears the cache at once; in another (ROLE=public nodes) within a second.
 * Helper modules (each person's notice page) find a notice by its slug here.
 */
@Injectable()
export class PublishedNotices {
  private notices: PublishedRow[] = [];
  private bySlugMap = new Map<string, PublishedRow>();
  private generation: string | null = null;
  private checkedAt = 0;
  private loading: Promise<void> | null = null;
  private readonly pages = new Map<string, CachedPage>();
  /** A request's answer by what decides it (slug, ?lang=, Accept-Language): no negotiation next time. */
  private readonly answers = new Map<string, CachedPage>();

  constructor(private readonly repository: PublicNoticesRepository) {}

  /** The published notice at a slug (not withdrawn), or null. */
  async bySlug(slug: string): Promise<{ id: string; incidentId: string; slug: string } | null> {
    const row = await this.find(slug);
    return row ? { id: row.id, incidentId: row.incidentId, slug: row.slug } : null;
  }

  /** The published notice at a slug with its latest version and history, or null. */
  async find(slug: string): Promise<PublishedRow | null> {
    await this.fresh();
    return this.bySlugMap.get(slug) ?? null;
  }

  /** Every published notice, newest first. */
  async all(): Promise<readonly PublishedRow[]> {
    await this.fresh();
    return this.notices;
  }

  /** A rendered page by key, made once per publication. */
  async page(key: string, make: () => Promise<CachedPage | null>): Promise<CachedPage | null> {
    await this.fresh();
    const cached = this.pages.get(key);
    if (cached) return cached;
    const made = await make();
    // An unknown slug is not kept: a flood of made-up slugs must not fill the memory.
    if (made) {
      if (this.pages.size > 5_000) this.pages.clear();
      this.pages.set(key, made);
    }
    return made;
  }

  /**
   * Without waiting, for the hot path: the published notice at a slug (null: none is) when this process's
   * copy is fresh, else undefined (ask `find`).
   */
  peekRow(slug: string): PublishedRow | null | undefined {
    if (!this.isFresh()) return undefined;
    return this.bySlugMap.get(slug) ?? null;
  }

  /** Without waiting: the answer remembered for a request's key while this process's copy is fresh. */
  peekAnswer(key: string): CachedPage | undefined {
    return this.isFresh() ? this.answers.get(key) : undefined;
  }

  /** Remembers a request's answer until the next publication (made-up headers only churn this map). */
  remember(key: string, page: CachedPage): void {
    if (this.answers.size >= ANSWERS_MAX) this.answers.clear();
    this.answers.set(key, page);
  }

  /** Forget everything: the next read asks the database (called after a publication or withdrawal). */
  invalidate(): void {
    this.checkedAt = 0;
    this.generation = null;
  }

  private isFresh(): boolean {
    return Date.now() - this.checkedAt < FRESH_MS;
  }

  private async fresh(): Promise<void> {
    if (this.isFresh()) return;
    // One check at a time: the readers arriving meanwhile wait for it.
    this.loading ??= this.reload().finally(() => {
      this.loading = null;
    });
    await this.loading;
  }

  private async reload(): Promise<void> {
    const generation = await this.repository.generation();
    if (generation !== this.generation) {
      const notices = await this.repository.published();
      this.notices = notices;
      this.bySlugMap = new Map(notices.map((n) => [n.slug, n]));
      this.pages.clear();
      this.answers.clear();
      this.generation = generation;
    }
    this.checkedAt = Date.now();
  }
}
