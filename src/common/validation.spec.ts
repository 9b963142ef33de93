import { validate, ValidationError } from 'class-validator';
import { DrizzleQueryError } from 'drizzle-orm/errors';
import { AppError, messageOf, QueryFailed, withoutParams } from './errors.js';
import { toErrorBody } from './exception.filter.js';
import { IsZonedDateTime, parseZonedDateTime, toFieldProblems } from './validation.js';

describe('error shapes', () => {
  it('flattens nested validation errors into field paths with their rule', () => {
    const child = Object.assign(new ValidationError(), {
      property: 'email',
      value: 'not-an-address',
      constraints: { isEmail: 'email must be an email' },
    });
    const item = Object.assign(new ValidationError(), { property: '3', children: [child] });
    const list = Object.assign(new ValidationError(), { property: 'subjects', children: [item] });
    const unknown = Object.assign(new ValidationError(), {
      property: 'x',
      constraints: { whitelistValidation: 'nope' },
    });
    expect(toFieldProblems([list, unknown])).toEqual([
      { field: 'subjects.3.email', rule: 'isEmail', message: 'email must be an email' },
      { field: 'x', rule: 'unknownField', message: 'x is not a known field' },
    ]);
  });

  it('names one rule for a missing field, and only the kind for a value of the wrong kind', () => {
    const missing = Object.assign(new ValidationError(), {
      property: 'name',
      value: undefined,
      constraints: { isString: 'name must be a string', isNotEmpty: 'name should not be empty' },
    });
    const kind = Object.assign(new ValidationError(), {
      property: 'approximateRecords',
      value: '25',
      constraints: { isInt: 'must be an integer', min: 'must not be less than 0' },
    });
    const content = Object.assign(new ValidationError(), {
      property: 'title',
      value: '',
      constraints: { isNotEmpty: 'title should not be empty', minLength: 'title is too short' },
    });
    expect(toFieldProblems([missing, kind, content]).map((p) => `${p.field}:${p.rule}`)).toEqual([
      'name:isDefined',
      'approximateRecords:isInt',
      'title:isNotEmpty',
      'title:minLength',
    ]);
    expect(toFieldProblems([missing])[0].message).toBe('name is required');
  });

  it('tells a failed statement without its parameters: message, stack and properties', () => {
    const driver = Object.assign(new Error('invalid input syntax for type uuid: "Jane Doe"'), {
      code: '22P02',
    });
    const failed = new DrizzleQueryError(
      'update incidents set remedies = $1 where id = $2',
      ['Call Jane Doe at +1 415 555 2671', 'Jane Doe'],
      driver,
    );
    expect(failed.message).toContain('Jane Doe');
    const clean = withoutParams(failed) as QueryFailed;
    expect(clean).toBeInstanceOf(QueryFailed);
    expect(clean.code).toBe('22P02');
    expect(clean.message).toBe(
      'query failed (22P02): invalid input syntax for type uuid [update incidents set remedies ...]',
    );
    expect(JSON.stringify({ ...clean, message: clean.message, stack: clean.stack })).not.toMatch(/Jane|415/);
    expect(clean.stack).toMatch(/^QueryFailed: query failed/);
    expect(clean.stack).toContain('    at ');
    expect(messageOf(failed)).toBe(clean.message);
    // Anything else goes through as it is.
    const other = new Error('boom');
    expect(withoutParams(other)).toBe(other);
    expect(withoutParams('text')).toBe('text');
  });

  it('hides internals of unknown errors behind an errorId', () => {
    const { body, unexpected } = toErrorBody(new Error('password authentication failed for user "app"'));
    expect(unexpected).toBe(true);
    expect(body.statusCode).toBe(500);
    expect(body.message).not.toContain('password');
    expect(body.message).toContain(body.errorId);
  });

  it('answers a deadlock or a serialization failure, wrapped as drizzle wraps it, 503 (try again)', () => {
    for (const code of ['40P01', '40001']) {
      const driver = Object.assign(new Error('deadlock detected'), { code });
      const wrapped = Object.assign(new Error('Failed query: insert into subjects ...'), {
        query: 'insert into subjects',
        params: ['Ana Silva'],
        cause: driver,
      });
      const { body, unexpected } = toErrorBody(wrapped);
      expect(unexpected).toBe(true);
      expect(body).toMatchObject({ statusCode: 503, error: 'unavailable' });
      expect(body.message).toContain('try again');
      expect(body.message).not.toContain('Ana');
    }
  });

  it('maps body-parser errors to fixed messages that do not echo the body', () => {
    const parse = Object.assign(new SyntaxError('Unexpected token in "ana@example.com"'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    expect(toErrorBody(parse).body).toEqual({
      statusCode: 400,
      error: 'invalid_json',
      message: 'the request body is not valid JSON (an object, or an array where a route takes one)',
    });
    // The limit is said (the body never is).
    expect(
      toErrorBody(Object.assign(new Error('too big'), { type: 'entity.too.large', limit: 1048576 })).body,
    ).toEqual({
      statusCode: 413,
      error: 'payload_too_large',
      message: 'the request body is larger than the server accepts (at most 1,048,576 bytes)',
    });
  });

  it('keeps the code and details of domain errors', () => {
    const error = AppError.invalid([{ field: 'a', rule: 'r', message: 'a is wrong' }]);
    expect(toErrorBody(error).body).toEqual({
      statusCode: 400,
      error: 'validation_failed',
      message: 'a: a is wrong',
      details: { problems: [{ field: 'a', rule: 'r', message: 'a is wrong' }] },
    });
  });
});

describe('zoned date-times (every date-time of the API)', () => {
  it('takes Z or an offset, to the minute, second or fraction', () => {
    expect(parseZonedDateTime('2026-04-01T15:00:00Z')?.toISOString()).toBe('2026-04-01T15:00:00.000Z');
    expect(parseZonedDateTime('2026-04-01T17:00+02:00')?.toISOString()).toBe('2026-04-01T15:00:00.000Z');
    expect(parseZonedDateTime('2026-04-01T10:30:00.123456-04:30')?.toISOString()).toBe(
      '2026-04-01T15:00:00.123Z',
    );
  });

  it('refuses a date-time without a zone, a bare date, and a day the calendar lacks', () => {
    for (const text of [
      '2026-04-01T15:00:00',
      '2026-04-01',
      '2026-04-01 15:00:00Z',
      '2026-02-30T00:00:00Z',
      '2026-04-31T10:00Z',
      '2026-04-01T24:00:00Z',
      '2026-04-01T15:00:00+25:00',
      'yesterday',
    ])
      expect({ text, date: parseZonedDateTime(text) }).toEqual({ text, date: undefined });
    expect(parseZonedDateTime('2028-02-29T00:00:00Z')).toBeDefined();
  });

  it('refuses an instant whose UTC year is outside 1 to 9999 (PostgreSQL failed on it with a 500)', () => {
    for (const text of ['0000-01-01T00:00:00Z', '0001-01-01T00:00:00+05:00', '9999-12-31T23:59:00-01:00'])
      expect({ text, date: parseZonedDateTime(text) }).toEqual({ text, date: undefined });
    expect(parseZonedDateTime('0001-01-01T00:00:00Z')?.toISOString()).toBe('0001-01-01T00:00:00.000Z');
    expect(parseZonedDateTime('0001-01-01T00:00:00-05:00')?.toISOString()).toBe('0001-01-01T05:00:00.000Z');
    expect(parseZonedDateTime('9999-12-31T23:59:59.999Z')?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
  });

  it('is one rule for a DTO field, naming it', async () => {
    class Dated {
      @IsZonedDateTime()
      discoveredAt!: string;
    }
    const errors = await validate(Object.assign(new Dated(), { discoveredAt: '2026-04-01T15:00:00' }));
    expect(toFieldProblems(errors)).toEqual([
      {
        field: 'discoveredAt',
        rule: 'isDateTime',
        message:
          'discoveredAt must be an ISO 8601 date-time with a zone, in the years 1 to 9999 UTC, e.g. 2026-01-02T03:04:05Z',
      },
    ]);
  });
});
