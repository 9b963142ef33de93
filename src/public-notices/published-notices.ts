import { Injectable } from '@nestjs/common';
import { PublicNoticesRepository, type PublishedRow } from './public-notices.repository.js';

/** How long a process serves what it read before asking the database whether anything was published. */
const FRESH_MS = 1_000;

/** A rendered answer, kept until the next publication: body, ETag and content type. */
export interface CachedPage {
  body: Buffer;
  etag: string;
  type: string;
}

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

  /** Forget everything: the next read asks the database (called after a publication or withdrawal). */
  invalidate(): void {
    this.checkedAt = 0;
    this.generation = null;
  }

  private async fresh(): Promise<void> {
    if (Date.now() - this.checkedAt < FRESH_MS) return;
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
      this.generation = generation;
    }
    this.checkedAt = Date.now();
  }
}
