import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { AppError } from './errors.js';

/** Keyset paging: `limit` items after the opaque `cursor` returned by the previous page. */
export class PageQueryDto {
  @ApiPropertyOptional({ description: 'Items per page', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
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

/** Decodes a cursor and checks its shape; a tampered cursor is a 400 on `cursor`, never a 500. */
export function decodeCursor<K extends string>(cursor: string, keys: readonly K[]): Record<K, string> {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof parsed === 'object' && parsed !== null && keys.every((k) => k in parsed)) {
      const values = parsed as Record<K, unknown>;
      return Object.fromEntries(keys.map((k) => [k, String(values[k])])) as Record<K, string>;
    }
  } catch {
    // fall through to the 400 below
  }
  throw AppError.invalid([
    { field: 'cursor', rule: 'isCursor', message: 'cursor is not a cursor this API returned' },
  ]);
}
