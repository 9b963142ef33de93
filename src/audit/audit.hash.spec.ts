import { canonicalJson, entryHash, GENESIS_HASH } from './audit.hash.js';

const entry = {
  at: new Date('2026-11-29T10:00:00.123Z'),
  actorKeyId: null,
  actorRole: 'system',
  action: 'incident.create',
  targetType: 'incident',
  targetId: 'abc',
  ip: null,
  summary: { b: 1, a: { d: [1, 2], c: 'x' } },
  prevHash: GENESIS_HASH,
};

describe('audit hashing', () => {
  it('does not depend on key order (jsonb reorders keys)', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 2], c: 'x' } })).toBe('{"a":{"c":"x","d":[1,2]},"b":1}');
    expect(entryHash({ ...entry, summary: { a: { c: 'x', d: [1, 2] }, b: 1 } })).toBe(entryHash(entry));
  });

  it('changes with every field, including the link to the previous entry', () => {
    const base = entryHash(entry);
    expect(base).toMatch(/^[0-9a-f]{64}$/);
    expect(entryHash({ ...entry, prevHash: 'f'.repeat(64) })).not.toBe(base);
    expect(entryHash({ ...entry, summary: { b: 2, a: { d: [1, 2], c: 'x' } } })).not.toBe(base);
    expect(entryHash({ ...entry, at: new Date('2026-11-29T10:00:00.124Z') })).not.toBe(base);
    expect(entryHash({ ...entry, actorRole: 'admin' })).not.toBe(base);
  });
});
