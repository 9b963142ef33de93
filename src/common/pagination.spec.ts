import { AppError } from './errors.js';
import { byId, decodeCursor, encodeCursor, nextCursor } from './pagination.js';

const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('cursors', () => {
  it('round-trip with typed parts', () => {
    const at = new Date('2026-11-29T10:00:00.000Z');
    const id = '3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
    expect(
      decodeCursor(encodeCursor({ createdAt: at.toISOString(), id }), { createdAt: 'date', id: 'uuid' }),
    ).toEqual({
      createdAt: at,
      id,
    });
    expect(decodeCursor(encodeCursor({ id: 42 }), { id: 'integer' })).toEqual({ id: 42 });
  });

  it.each([
    ['not base64 JSON', 'abc'],
    ['a bare number', forged(5)],
    ['a missing part', forged({})],
    ['an id that is text', forged({ id: 'x' })],
    ['a negative id', forged({ id: -1 })],
    ['a fractional id', forged({ id: 1.5 })],
  ])('refuses %s with a 400 on cursor', (_label, cursor) => {
    expect(() => decodeCursor(cursor, { id: 'integer' })).toThrow(AppError);
    try {
      decodeCursor(cursor, { id: 'integer' });
    } catch (err) {
      expect((err as AppError).details?.problems?.[0]).toMatchObject({ field: 'cursor', rule: 'isCursor' });
    }
  });

  it.each([
    ['year 0', '0000-01-01T00:00:00Z'],
    ['year 275760', '+275760-09-13T00:00:00.000Z'],
    ['a year past 9999 once in UTC', '9999-12-31T23:59:00-01:00'],
    ['no zone (read in the server’s)', '2026-12-07T19:49:53.846'],
    ['a day the calendar lacks', '2026-02-30T10:00:00.000Z'],
  ])('refuses a date part of %s with a 400 on cursor', (_label, createdAt) => {
    const cursor = forged({ createdAt, id: '3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' });
    expect(() => decodeCursor(cursor, { createdAt: 'date', id: 'uuid' })).toThrow(AppError);
    try {
      decodeCursor(cursor, { createdAt: 'date', id: 'uuid' });
    } catch (err) {
      expect((err as AppError).details?.problems).toEqual([
        { field: 'cursor', rule: 'isCursor', message: 'cursor is not a cursor this API returned' },
      ]);
    }
  });

  it('refuses a bad date or uuid part', () => {
    expect(() =>
      decodeCursor(forged({ createdAt: 'soon', id: '3f2c1d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f' }), {
        createdAt: 'date',
        id: 'uuid',
      }),
    ).toThrow(AppError);
    expect(() =>
      decodeCursor(forged({ createdAt: '2026-01-01T00:00:00Z', id: "1' or 1=1" }), {
        createdAt: 'date',
        id: 'uuid',
      }),
    ).toThrow(AppError);
  });
});

describe('nextCursor', () => {
  it("points after a full page's last row, and is null on a page shorter than asked (the last)", () => {
    const rows = [{ id: 7 }, { id: 9 }];
    expect(decodeCursor(nextCursor(rows, 2, byId)!, { id: 'integer' })).toEqual({ id: 9 });
    expect(nextCursor(rows, 3, byId)).toBeNull();
    expect(nextCursor([], 50, byId)).toBeNull();
  });
});
