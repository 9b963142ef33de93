/** node-postgres answers `{rows}`, PGlite's drizzle answers `{rows}` too; both typed loosely by drizzle. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows?: T[] }).rows ?? (result as T[]);
}

/** Both drivers give bytea back, as Buffer (pg) or Uint8Array (PGlite). */
export const toBuffer = (value: Uint8Array): Buffer =>
  Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
