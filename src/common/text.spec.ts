import { inputProblem, MAX_JSON_DEPTH, storable } from './text.js';

const nested = (depth: number): unknown => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i += 1) value = i % 2 ? [value] : { a: value };
  return value;
};

describe('input text and depth', () => {
  it(`takes ${MAX_JSON_DEPTH} levels and refuses one more, at any depth without a stack overflow`, () => {
    expect(inputProblem(nested(MAX_JSON_DEPTH), { root: 'body', text: true })).toBeUndefined();
    for (const depth of [MAX_JSON_DEPTH + 1, 100_000]) {
      expect(inputProblem(nested(depth), { root: 'body', text: true })).toMatchObject({
        field: 'body',
        rule: 'maxDepth',
      });
    }
  });

  it('names the field of a NUL or a lone surrogate, in a value or a key, only when text is asked for', () => {
    const body = { a: [{ b: 'ok' }, { c: 'x\u0000' }] };
    expect(inputProblem(body, { root: 'body', text: true })).toMatchObject({
      field: 'a[1].c',
      rule: 'noNulCharacter',
    });
    expect(inputProblem(body, { root: 'body', text: false })).toBeUndefined();
    expect(inputProblem({ ['k\ud800']: 1 }, { root: 'body', text: true })).toMatchObject({
      field: 'k\\ud800',
      rule: 'wellFormedUnicode',
    });
    expect(inputProblem({ q: ['a', 'b\u0000'] }, { root: 'query', text: true })).toMatchObject({
      field: 'q[1]',
    });
  });

  it('spells out what PostgreSQL cannot keep, keeps pairs and other text, and cuts long text short', () => {
    expect(storable('a\u0000b\ud800c\u001f\u0085 é 😀')).toBe('a\\u0000b\\ud800c\\u001f\\u0085 é 😀');
    expect(storable('x'.repeat(50), 10)).toBe(`${'x'.repeat(9)}…`);
  });
});
