import { isUtf8 } from 'node:buffer';
import type { FieldProblem } from '../common/errors.js';
import { FieldCipher, normalizeEmail } from '../crypto/field-cipher.js';
import { guardianRouteAges, type ConsentAges } from '../jurisdictions/consent-ages.js';
import { LINE_TOO_LONG, MAX_LINE_BYTES, NOT_UTF8 } from './import.parsers.js';
import { contactOf, Subject, SubjectValidator } from './subject.validation.js';

/** The AAD that binds a person's envelope to their row. */
export const subjectAad = (externalId: string): string => `subject:${externalId}`;

/** What a preparer needs, plain data so it can cross into a worker thread. */
export interface PreparerSettings {
  categories: string[];
  minorAgeDefault: number;
  minorAges: Record<string, number>;
  keys: Array<{ id: string; key: string }>;
  hashKey: string;
}

/** One line of input: a value already parsed (CSV, bulk), or a problem found reading it. */
export interface BatchItem {
  line: number;
  value?: unknown;
  problem?: FieldProblem;
}

/**
 * A batch to prepare: raw bytes of whole NDJSON lines (ending with a newline) numbered from `firstLine`,
 * or items already parsed.
 */
export type BatchInput =
  { kind: 'lines'; firstLine: number; bytes: Uint8Array } | { kind: 'items'; items: BatchItem[] };

/**
 * Subjects ready for the set-based upsert: one array per column, in the order the SQL unnests them.
 * Lists are comma-joined (their items cannot hold commas); binary values are base64.
 */
export interface SubjectColumns {
  externalId: string[];
  locale: Array<string | null>;
  timeZone: Array<string | null>;
  jurisdiction: Array<string | null>;
  jurisdictionInferred: boolean[];
  channelPreferences: string[];
  dataCategories: string[];
  systems: string[];
  signedUpAt: Array<string | null>;
  lastActiveAt: Array<string | null>;
  hasEmail: boolean[];
  hasPhone: boolean[];
  pushTokenCount: number[];
  minor: boolean[];
  under18: boolean[];
  guardianHasEmail: boolean[];
  guardianHasPhone: boolean[];
  guardianLocale: Array<string | null>;
  keyId: string[];
  sealed: string[];
  emailHash: Array<string | null>;
  phoneHash: Array<string | null>;
  guardianEmailHash: Array<string | null>;
  guardianPhoneHash: Array<string | null>;
}

export const COLUMN_NAMES = [
  'externalId',
  'locale',
  'timeZone',
  'jurisdiction',
  'jurisdictionInferred',
  'channelPreferences',
  'dataCategories',
  'systems',
  'signedUpAt',
  'lastActiveAt',
  'hasEmail',
  'hasPhone',
  'pushTokenCount',
  'minor',
  'under18',
  'guardianHasEmail',
  'guardianHasPhone',
  'guardianLocale',
  'keyId',
  'sealed',
  'emailHash',
  'phoneHash',
  'guardianEmailHash',
  'guardianPhoneHash',
] as const satisfies ReadonlyArray<keyof SubjectColumns>;

export interface BatchRejection extends FieldProblem {
  line: number;
}

/**
 * Columns joined for the upsert (see SubjectsRepository.upsert): each column's values joined by U+001F,
 * the columns (in COLUMN_NAMES order) joined by U+001E, as one UTF-8 buffer. One buffer: it moves between
 * threads without a copy, is freed as soon as its small wrapper is collected (where megabyte strings would
 * wait for a full GC), and goes to PostgreSQL as one parameter, which the driver copies once.
 */
export interface JoinedColumns {
  rows: number;
  bytes: Uint8Array;
}

export interface PreparedBatch {
  /** To be written in order; no external id repeats within a piece, whose rows are in external id order. */
  pieces: JoinedColumns[];
  rejections: BatchRejection[];
  rejectedLines: number;
}

const VALUE_SEPARATOR = '\u001f';
const COLUMN_SEPARATOR = '\u001e';

/** One column as text: values joined by U+001F, null as the empty string, booleans as t/f. */
const joinColumn = (values: ReadonlyArray<string | number | boolean | null>): string =>
  values
    .map((v) => (v === null ? '' : v === true ? 't' : v === false ? 'f' : String(v)))
    .join(VALUE_SEPARATOR);

export function joinColumns(columns: SubjectColumns): JoinedColumns {
  const bytes = Buffer.from(COLUMN_NAMES.map((name) => joinColumn(columns[name])).join(COLUMN_SEPARATOR));
  // Small buffers share Node's pool: give them memory of their own so they can be transferred.
  return {
    rows: columns.externalId.length,
    bytes: bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes),
  };
}

/** One column of joined columns, as its values (nulls as empty strings): for tests and inspection. */
export function joinedColumn(joined: JoinedColumns, name: keyof SubjectColumns): string[] {
  const text = Buffer.from(joined.bytes.buffer, joined.bytes.byteOffset, joined.bytes.byteLength).toString();
  return text.split(COLUMN_SEPARATOR)[COLUMN_NAMES.indexOf(name)].split(VALUE_SEPARATOR);
}

/** The memory a prepared batch can hand to another thread without copying. */
export function transferables(batch: PreparedBatch): ArrayBuffer[] {
  return batch.pieces.map((piece) => piece.bytes.buffer as ArrayBuffer);
}

const NOT_JSON: FieldProblem = { field: 'line', rule: 'isJson', message: 'the line is not valid JSON' };

/**
 * The indexes of the lines (split at \n) whose bytes are not UTF-8: decoded, each bad byte would be a
 * U+FFFD, stored and printed in a notice ("Jos\uFFFD"). Checked per line only when the whole is not.
 */
function linesNotUtf8(bytes: Buffer): Set<number> {
  const bad = new Set<number>();
  for (let start = 0, index = 0; start < bytes.length; index += 1) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) bad.add(index);
    start = end + 1;
  }
  return bad;
}

export const emptyColumns = (): SubjectColumns =>
  Object.fromEntries(COLUMN_NAMES.map((name) => [name, []])) as unknown as SubjectColumns;

/** The rows at `indexes` of the columns, in that order. */
export function pickColumns(columns: SubjectColumns, indexes: readonly number[]): SubjectColumns {
  return Object.fromEntries(
    COLUMN_NAMES.map((name) => {
      const values = columns[name] as ReadonlyArray<unknown>;
      return [name, indexes.map((index) => values[index])];
    }),
  ) as unknown as SubjectColumns;
}

/**
 * Cuts the rows into pieces where no external id repeats, each piece's rows in external id order. Two
 * requests writing the same people in opposite orders deadlocked (40P01, a 500): rows are locked as the
 * statement writes them, so every writer takes them in one order. The first piece holds each id's first
 * row, the second each repeated id's second row, and so on: applying them in order gives "the later row
 * wins", and a piece after the first only writes rows its transaction already holds (it waits on no one).
 */
export function splitAtRepeats(columns: SubjectColumns): SubjectColumns[] {
  const ids = columns.externalId;
  const ranks: number[][] = [];
  const seen = new Map<string, number>();
  ids.forEach((id, index) => {
    const rank = seen.get(id) ?? 0;
    seen.set(id, rank + 1);
    (ranks[rank] ??= []).push(index);
  });
  // Code unit order: any order will do, as long as every writer uses the same one.
  const byId = (a: number, b: number) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0);
  return ranks.map((indexes) => pickColumns(columns, indexes.sort(byId)));
}

/**
 * Validates, seals and hashes a batch of people into columns. Pure and synchronous: it runs in import
 * worker threads (see import.pool.ts) or inline, with the same result.
 */
export class BatchPreparer {
  private readonly cipher: FieldCipher;
  private readonly validators = new Map<string, SubjectValidator>();
  private readonly ages: ConsentAges;
  private readonly categories: ReadonlySet<string>;

  constructor(settings: PreparerSettings) {
    this.cipher = new FieldCipher({
      keys: settings.keys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') })),
      hashKey: Buffer.from(settings.hashKey, 'base64'),
    });
    this.ages = guardianRouteAges(settings.minorAgeDefault, settings.minorAges);
    this.categories = new Set(settings.categories);
  }

  /** `now` decides minors and "not in the future"; it comes with each batch so a faked clock applies. */
  prepare(input: BatchInput, now: Date): PreparedBatch {
    const validator = this.validatorFor(now);
    const columns = emptyColumns();
    const rejections: BatchRejection[] = [];
    let rejectedLines = 0;
    const take = (line: number, value: unknown, problem?: FieldProblem) => {
      let problems = problem ? [problem] : undefined;
      if (!problems) {
        const result = validator.validate(value);
        if (result.ok) return this.append(columns, result.subject);
        problems = result.problems;
      }
      rejectedLines += 1;
      for (const p of problems) rejections.push({ line, ...p });
    };
    if (input.kind === 'items') {
      for (const item of input.items) take(item.line, item.value, item.problem);
    } else {
      const bytes = Buffer.from(input.bytes.buffer, input.bytes.byteOffset, input.bytes.byteLength);
      const notUtf8 = isUtf8(bytes) ? undefined : linesNotUtf8(bytes);
      const lines = bytes.toString('utf8').split('\n');
      lines.pop();
      lines.forEach((raw, index) => {
        const line = input.firstLine + index;
        if (raw.trim() === '') return;
        if (notUtf8?.has(index)) return take(line, undefined, NOT_UTF8);
        if (raw.length > MAX_LINE_BYTES || Buffer.byteLength(raw, 'utf8') > MAX_LINE_BYTES) {
          return take(line, undefined, LINE_TOO_LONG);
        }
        let value: unknown;
        try {
          value = JSON.parse(raw);
        } catch {
          return take(line, undefined, NOT_JSON);
        }
        take(line, value);
      });
    }
    return { pieces: splitAtRepeats(columns).map(joinColumns), rejections, rejectedLines };
  }

  private validatorFor(now: Date): SubjectValidator {
    // One validator per instant (batches of one import share it); kept small.
    const key = now.toISOString();
    let validator = this.validators.get(key);
    if (!validator) {
      if (this.validators.size > 16) this.validators.clear();
      validator = new SubjectValidator(this.categories, this.ages, () => now);
      this.validators.set(key, validator);
    }
    return validator;
  }

  private append(c: SubjectColumns, s: Subject): void {
    const cipher = this.cipher;
    c.externalId.push(s.externalId);
    c.locale.push(s.locale ?? null);
    c.timeZone.push(s.timeZone ?? null);
    c.jurisdiction.push(s.jurisdiction ?? null);
    c.jurisdictionInferred.push(s.jurisdictionInferred);
    c.channelPreferences.push(s.channelPreferences.join(','));
    c.dataCategories.push(s.dataCategories.join(','));
    c.systems.push(s.systems.join(','));
    c.signedUpAt.push(s.createdAt?.toISOString() ?? null);
    c.lastActiveAt.push(s.lastActiveAt?.toISOString() ?? null);
    c.hasEmail.push(s.email !== undefined);
    c.hasPhone.push(s.phone !== undefined);
    c.pushTokenCount.push(s.pushTokens.length);
    c.minor.push(s.minor);
    c.under18.push(s.under18);
    c.guardianHasEmail.push(s.guardian?.email !== undefined);
    c.guardianHasPhone.push(s.guardian?.phone !== undefined);
    c.guardianLocale.push(s.guardian?.locale ?? null);
    c.keyId.push(cipher.currentKeyId);
    c.sealed.push(cipher.sealJson(contactOf(s), subjectAad(s.externalId)).toString('base64'));
    c.emailHash.push(s.email ? cipher.keyedHash('email', normalizeEmail(s.email)).toString('base64') : null);
    c.phoneHash.push(s.phone ? cipher.keyedHash('phone', s.phone).toString('base64') : null);
    const guardian = s.guardian;
    c.guardianEmailHash.push(
      guardian?.email ? cipher.keyedHash('email', normalizeEmail(guardian.email)).toString('base64') : null,
    );
    c.guardianPhoneHash.push(
      guardian?.phone ? cipher.keyedHash('phone', guardian.phone).toString('base64') : null,
    );
  }
}
