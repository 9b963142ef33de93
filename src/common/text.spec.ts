import {
  CONTROL,
  CONTROL_MULTILINE,
  hasVisibleText,
  inputProblem,
  isKnownLanguageTag,
  MAX_JSON_DEPTH,
  storable,
} from './text.js';

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

describe('text rules shared by the directory and the incidents', () => {
  it('visible text is more than white space and invisible characters', () => {
    for (const nothing of ['', '   ', '\t\n', '\u200b', '\u2060\ufeff', '\u00a0\u3000', '\u3164']) {
      expect(hasVisibleText(nothing)).toBe(false);
    }
    for (const something of ['a', ' . ', '\u200bx', 'שלום', '日本'])
      expect(hasVisibleText(something)).toBe(true);
  });

  it('text of several lines keeps its tabs and line ends, and never a bidirectional override', () => {
    expect(CONTROL_MULTILINE.test('one\r\ntwo\tthree')).toBe(false);
    expect(CONTROL.test('one\ntwo')).toBe(true);
    for (const bad of ['a\u202eb', 'a\u202db', 'a\u0007b', 'a\u007fb', 'a\u000bb']) {
      expect(CONTROL_MULTILINE.test(bad)).toBe(true);
    }
    // Embeddings and isolates stay: Hebrew and Arabic text carries them.
    expect(CONTROL_MULTILINE.test('a\u202bb\u202c\u2067c\u2069')).toBe(false);
  });

  it('a language tag is well-formed and of a known language', () => {
    for (const tag of ['en', 'de', 'pt-BR', 'pt-br', 'zh-Hant-TW', 'gsw', 'fil'])
      expect(isKnownLanguageTag(tag)).toBe(true);
    for (const tag of ['en-12', 'xx', 'qaa', 'english', 'e', '', 'en_US'])
      expect(isKnownLanguageTag(tag)).toBe(false);
  });
});
