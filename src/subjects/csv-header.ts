import { FIELD_NAME } from './subject.validation.js';

/**
 * Why a CSV header that names a column twice is refused, if it does: csv-parse keeps the last cell of the
 * two, silently (`externalId,email,email`). A column is quoted only when it looks like a field name, as
 * for an unknown one: a data row taken for the header is never quoted.
 */
export function repeatedColumnsProblem(names: readonly string[]): string | undefined {
  const repeated = names.flatMap((name, i) =>
    names.indexOf(name) < i
      ? [FIELD_NAME.test(name) ? `"${name}" (column ${i + 1})` : `column ${i + 1}`]
      : [],
  );
  return repeated.length > 0
    ? `the CSV header repeats column(s) ${repeated.join(', ')}; each may appear once`
    : undefined;
}
