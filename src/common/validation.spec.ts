import { ValidationError } from 'class-validator';
import { AppError } from './errors.js';
import { toErrorBody } from './exception.filter.js';
import { toFieldProblems } from './validation.js';

describe('error shapes', () => {
  it('flattens nested validation errors into field paths with their rule', () => {
    const child = Object.assign(new ValidationError(), {
      property: 'email',
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

  it('hides internals of unknown errors behind an errorId', () => {
    const { body, unexpected } = toErrorBody(new Error('password authentication failed for user "app"'));
    expect(unexpected).toBe(true);
    expect(body.statusCode).toBe(500);
    expect(body.message).not.toContain('password');
    expect(body.message).toContain(body.errorId);
  });

  it('maps body-parser errors to fixed messages that do not echo the body', () => {
    const parse = Object.assign(new SyntaxError('Unexpected token in "ana@example.com"'), {
      type: 'entity.parse.failed',
      status: 400,
    });
    expect(toErrorBody(parse).body).toEqual({
      statusCode: 400,
      error: 'invalid_json',
      message: 'the request body is not valid JSON',
    });
    expect(
      toErrorBody(Object.assign(new Error('too big'), { type: 'entity.too.large' })).body.statusCode,
    ).toBe(413);
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
