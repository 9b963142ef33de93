import type { FieldProblem } from './errors.js';

/** Half of a UTF-16 surrogate pair without the other: PostgreSQL would store U+FFFD for it. */
export const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** A BCP 47 language tag's shape: a language of two or three letters, then up to three subtags (pt-BR). */
export const LANGUAGE_TAG = /^[a-z]{2,3}(-[a-z0-9]{2,8}){0,3}$/i;

/**
 * Control characters, and the bidirectional overrides (U+202D, U+202E) that make a name read otherwise in a
 * notice than it is written (rule `noControlCharacters`). Embeddings and isolates stay: Hebrew and Arabic
 * names carry them.
 */
export const CONTROL = /[\u0000-\u001f\u007f\u202d\u202e]/;
/** {@link CONTROL} but tab and line ends, for text of several lines (a description, a notice's words). */
export const CONTROL_MULTILINE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u202d\u202e]/;

/**
 * Something a reader sees: a character that is not white space, a control, a format character (U+200B,
 * U+2060, U+FEFF...) or otherwise ignorable (U+3164). `"   "` and `"\u200b"` say nothing.
 */
const VISIBLE = /[^\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
export const hasVisibleText = (value: string): boolean => VISIBLE.test(value);

/** Characters that show nothing, or nothing of their own: controls, format characters, ignorables. */
export const INVISIBLE = /[\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;

const locales = new Map<string, string | null>();
/** A BCP 47 tag in its canonical form (`pt-br`: `pt-BR`), or null when Intl cannot read it (`en-12`). */
export function canonicalLocale(tag: string): string | null {
  let canonical = locales.get(tag);
  if (canonical === undefined) {
    try {
      canonical = tag.length <= 35 ? (Intl.getCanonicalLocales(tag)[0] ?? null) : null;
    } catch {
      canonical = null;
    }
    if (locales.size < 10_000) locales.set(tag, canonical);
  }
  return canonical;
}

const languageNames = new Intl.DisplayNames(['en'], { type: 'language', fallback: 'none' });

/**
 * A language tag a notice can be written in: well-formed BCP 47 ({@link canonicalLocale}) whose language
 * CLDR names (`xx`, `qaa` are well-formed, and no language).
 */
export function isKnownLanguageTag(tag: string): boolean {
  if (!/^[a-z]{2,3}(-|$)/i.test(tag)) return false;
  const canonical = canonicalLocale(tag);
  if (canonical === null) return false;
  return languageNames.of(new Intl.Locale(canonical).language) !== undefined;
}

/**
 * How deeply a JSON body may nest objects and arrays. The deepest body the API takes is four levels
 * (`{subjects: [{guardian: {...}}]}`, `{criteria: {exclude: {externalIds: [...]}}}`); validation and
 * class-transformer walk bodies recursively, and ~2,000 levels overflowed the stack (a 500).
 */
export const MAX_JSON_DEPTH = 32;

/** Control characters (C0, DEL, C1) and lone surrogates: spelled out by {@link storable}. */
const UNPRINTABLE =
  /[\u0000-\u001f\u007f-\u009f]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Text PostgreSQL can keep as given, for a message the service stores (an import's failure, a refused
 * line's field): control characters and lone surrogates spelled out as `\u0000`, and at most `max`
 * characters. A message quoting what a caller sent (a CSV column with a NUL) could not be stored: the
 * import it reported on stayed `running`.
 */
export function storable(text: string, max = 1_000): string {
  const spelled = text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return spelled.length > max ? `${spelled.slice(0, max - 1)}…` : spelled;
}

/** The text rule a string breaks, named as `field`: a NUL (PostgreSQL text cannot hold it) or a lone surrogate. */
export function textProblem(value: string, field: string): FieldProblem | undefined {
  if (value.includes('\u0000')) {
    return { field, rule: 'noNulCharacter', message: `${field} must not contain the NUL character (U+0000)` };
  }
  if (LONE_SURROGATE.test(value)) {
    return {
      field,
      rule: 'wellFormedUnicode',
      message: `${field} must be well-formed Unicode (it holds a lone surrogate)`,
    };
  }
  return undefined;
}

/**
 * The first problem of a parsed input (a JSON body, a query string's values) before anything walks it
 * recursively: nesting deeper than {@link MAX_JSON_DEPTH} (field `root`, rule `maxDepth`), then, when
 * `text` is asked for, a string or key PostgreSQL cannot keep as given, its field named as validation
 * names fields (`criteria.exclude.externalIds[2]`; a query parameter by its name). Walked with a stack of
 * its own, so no depth is a stack overflow; a problem stops the walk before the deeper levels are read.
 */
export function inputProblem(
  input: unknown,
  options: { root: string; text: boolean },
): FieldProblem | undefined {
  const pending: Array<[unknown, string, number]> = [[input, '', 0]];
  while (pending.length > 0) {
    const [value, path, depth] = pending.pop()!;
    if (typeof value === 'string') {
      const problem = options.text ? textProblem(value, path || options.root) : undefined;
      if (problem) return problem;
    } else if (value !== null && typeof value === 'object') {
      if (depth >= MAX_JSON_DEPTH) {
        return {
          field: options.root,
          rule: 'maxDepth',
          message: `${options.root} nests objects and arrays more than ${MAX_JSON_DEPTH} levels deep`,
        };
      }
      // Field names are only made when text is checked: the bulk upsert's 10,000 people need none.
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i -= 1) {
          pending.push([value[i], options.text ? `${path}[${i}]` : '', depth + 1]);
        }
        continue;
      }
      const entries = Object.entries(value as Record<string, unknown>);
      for (let i = entries.length - 1; i >= 0; i -= 1) {
        const [key, inner] = entries[i];
        if (!options.text) {
          pending.push([inner, '', depth + 1]);
          continue;
        }
        const field = path ? `${path}.${storable(key, 100)}` : storable(key, 100);
        const problem = textProblem(key, field);
        if (problem) return problem;
        pending.push([inner, field, depth + 1]);
      }
    }
  }
  return undefined;
}
