import { KeptPages } from './kept-pages.js';

describe('KeptPages', () => {
  const html = (text: string) => Buffer.from(text);

  it('keeps a page read since its mark, and nothing read across a revocation', () => {
    const kept = new KeptPages();
    kept.keep(1, { html: html('one'), until: 10 }, kept.mark());
    expect(kept.get(1)?.html?.toString()).toBe('one');
    // A read that began before an erasure may hold the row as it was: it is not kept.
    const mark = kept.mark();
    kept.revoke('all');
    kept.keep(2, { html: html('two'), until: 10 }, mark);
    expect(kept.get(2)).toBeUndefined();
    expect(kept.get(1)).toBeUndefined();
  });

  it("drops one delivery's page for its acknowledgement, and everything for an erasure or a cancel", () => {
    const kept = new KeptPages();
    for (const id of [1, 2, 3]) kept.keep(id, { html: html(`page ${id}`), until: 10 }, kept.mark());
    kept.keep(-1, { until: 0 }, kept.mark());
    kept.revoke(2);
    expect([1, 2, 3, -1].map((id) => kept.get(id) !== undefined)).toEqual([true, false, true, true]);
    kept.revoke('all');
    expect(kept.size).toBe(0);
  });

  it('with no time to keep pages (NOTICE_PAGE_KEEP_SECONDS=0) keeps only the answer to tokens that open nothing', () => {
    const kept = new KeptPages(0);
    kept.keep(1, { html: html('one'), until: 10 }, kept.mark());
    kept.keep(-1, { until: 0 }, kept.mark());
    expect(kept.get(1)).toBeUndefined();
    expect(kept.get(-1)).toBeDefined();
  });

  it('holds at most its entries and bytes, the oldest going first', () => {
    const kept = new KeptPages(10_000, { entries: 3, bytes: 10 });
    for (const id of [1, 2, 3, 4]) kept.keep(id, { html: html('ab'), until: 10 }, kept.mark());
    expect([1, 2, 3, 4].map((id) => kept.get(id) !== undefined)).toEqual([false, true, true, true]);
    kept.keep(5, { html: html('0123456789'), until: 10 }, kept.mark());
    expect(kept.size).toBe(1);
    expect(kept.get(5)).toBeDefined();
  });
});
