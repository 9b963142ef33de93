import type { Revoked } from '../database/revocations.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';

/** What this process keeps of one delivery's page. */
export interface KeptPage {
  /** The page as rendered for its reader (200); none when the token opens nothing (404). */
  html?: Buffer;
  /** When the page stops answering (its notice's sending plus NOTICE_PAGE_DAYS), checked on every read. */
  until: number;
  /** The incident it was rendered from: a newer read of it renders the page again. */
  incident?: IncidentRow;
  /** When it was kept (Date.now), for its time to live. */
  at: number;
}

/**
 * Each person's rendered page, kept a short while in this process's memory only (never in Redis or a
 * shared cache; the answer still says no-store) for readers who open it again and again, and the answer
 * to tokens that open nothing. Bounded by entries and bytes (the oldest go first), and for `ttlMs` each:
 * what no revocation announces (a new name in the directory, the notice's outcome changing its date)
 * shows within that. What must close a page at once is revoked (`revoke`): an erasure or a cancel drops
 * everything, an acknowledgement its page. A read that began before a revocation keeps nothing (`mark`).
 */
export class KeptPages {
  private readonly pages = new Map<number, KeptPage>();
  private bytes = 0;
  private epoch = 0;

  /** `ttlMs`: NOTICE_PAGE_KEEP_SECONDS; the answer to tokens that open nothing is kept at least 10 s. */
  constructor(
    private readonly ttlMs = 10_000,
    private readonly max = { entries: 10_000, bytes: 32 * 1024 * 1024 },
  ) {}

  /** The delivery's kept page while it is fresh. */
  get(id: number): KeptPage | undefined {
    const kept = this.pages.get(id);
    if (kept === undefined) return undefined;
    if (Date.now() - kept.at < (kept.html ? this.ttlMs : Math.max(this.ttlMs, 10_000))) return kept;
    this.drop(id, kept);
    return undefined;
  }

  /** Taken before a read: a revocation after it means the read may be older than the change. */
  mark(): number {
    return this.epoch;
  }

  /** Keeps a page read since `mark`, unless something was revoked meanwhile. */
  keep(id: number, page: Omit<KeptPage, 'at'>, mark: number): void {
    if (mark !== this.epoch || (page.html && this.ttlMs === 0)) return;
    const old = this.pages.get(id);
    if (old) this.drop(id, old);
    const size = page.html?.length ?? 0;
    for (const [oldest, kept] of this.pages) {
      if (this.pages.size < this.max.entries && this.bytes + size <= this.max.bytes) break;
      this.drop(oldest, kept);
    }
    this.pages.set(id, { ...page, at: Date.now() });
    this.bytes += size;
  }

  revoke(what: Revoked): void {
    this.epoch += 1;
    if (what === 'all') {
      this.pages.clear();
      this.bytes = 0;
      return;
    }
    const kept = this.pages.get(what);
    if (kept) this.drop(what, kept);
  }

  get size(): number {
    return this.pages.size;
  }

  private drop(id: number, kept: KeptPage): void {
    this.pages.delete(id);
    this.bytes -= kept.html?.length ?? 0;
  }
}
