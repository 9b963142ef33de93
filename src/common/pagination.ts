import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { parseZonedDateTime } from './date-time.js';
import { AppError } from './errors.js';

/**
 * A query parameter that is an integer, written in digits only: `Number()` also read `1e2`, `0x10`,
 * `  5` and `5.0` as numbers, each then taken. Anything else stays the text it was, for `@IsInt()` to
 * refuse naming the parameter.
 */
export const QueryInt = (): PropertyDecorator =>
  Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value,
  );

/** Keyset paging: `limit` items after the opaque `cursor` returned by the previous page. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Items per page', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @QueryInt()
  @IsInt({ message: 'limit must be a whole number written in digits, such as 50' })
  @Min(1)
  @Max(200)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'The `nextCursor` of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export function encodeCursor(parts: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/**
 * The cursor of the page after `rows`: made from its last row's key, or null when the page is the last
 * (it holds fewer rows than asked).
 */
export function nextCursor<T>(
  rows: readonly T[],
  limit: number,
  key: (last: T) => Record<string, string | number>,
): string | null {
  const last = rows.at(-1);
  return rows.length === limit && last !== undefined ? encodeCursor(key(last)) : null;
}

/** The key of rows paged by their numeric id. */
export const byId = (row: { id: number }): { id: number } => ({ id: row.id });

type CursorKind = 'integer' | 'date' | 'uuid';
type Decoded<S extends Record<string, CursorKind>> = {
  [K in keyof S]: S[K] extends 'integer' ? number : S[K] extends 'date' ? Date : string;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function decodeValue(kind: CursorKind, value: unknown): number | Date | string | undefined {
  switch (kind) {
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
    case 'date':
      // The rule of every date-time the API reads: a forged one without a zone, off the calendar or out of
      // PostgreSQL's years failed the query with a 500, or was read in the server's zone.
      return typeof value === 'string' ? parseZonedDateTime(value) : undefined;
    case 'uuid':
      return typeof value === 'string' && UUID.test(value) ? value : undefined;
  }
}

/**
 * Decodes a cursor made by {@link encodeCursor} and checks each part's kind, so a tampered cursor is a 400
 * on `cursor` (never a 500, never silently the first page).
 */
export function decodeCursor<S extends Record<string, CursorKind>>(cursor: string, shape: S): Decoded<S> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const decoded: Record<string, unknown> = {};
  const ok =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.entries(shape).every(([key, kind]) => {
      decoded[key] = decodeValue(kind, (parsed as Record<string, unknown>)[key]);
      return decoded[key] !== undefined;
    });
  if (!ok) {
    throw AppError.invalid([
      { field: 'cursor', rule: 'isCursor', message: 'cursor is not a cursor this API returned' },
    ]);
  }
  return decoded as Decoded<S>;
}
