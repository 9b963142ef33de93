import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every depth, so the hash does not depend on jsonb's key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export interface ChainedFields {
  at: Date;
  actorKeyId: string | null;
  actorRole: string;
  action: string;
  targetType: string;
  targetId: string | null;
  ip: string | null;
  summary: Record<string, unknown>;
  prevHash: string;
}

/** The first entry's predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

export function entryHash(entry: ChainedFields): string {
  return createHash('sha256')
    .update(
      canonicalJson({
        at: entry.at.toISOString(),
        actorKeyId: entry.actorKeyId,
        actorRole: entry.actorRole,
        action: entry.action,
        targetType: entry.targetType,
        targetId: entry.targetId,
        ip: entry.ip,
        summary: entry.summary,
        prevHash: entry.prevHash,
      }),
    )
    .digest('hex');
}
