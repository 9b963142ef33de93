import { Readable } from 'node:stream';
import { DEFAULT_DATA_CATEGORIES } from '../config/config.js';
import { fileBatches, type FileBatch } from './import.batches.js';
import { CSV_COLUMNS, FileFormatError, MAX_LINE_BYTES, parseCsv, type ParsedLine } from './import.parsers.js';
import { SubjectValidator } from './subject.validation.js';
import { consentAges } from '../jurisdictions/consent-ages.js';
import { BatchPreparer, joinedColumn } from './subject.batch.js';

const chunks = (pieces: Array<string | Buffer>) =>
  Readable.from(pieces.map((piece) => (Buffer.isBuffer(piece) ? piece : Buffer.from(piece))));

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

const preparer = new BatchPreparer({
  categories: [...DEFAULT_DATA_CATEGORIES],
  minorAgeDefault: 14,
  minorAges: {},
  keys: [{ id: 'k1', key: Buffer.alloc(32, 1).toString('base64') }],
  hashKey: Buffer.alloc(32, 2).toString('base64'),
});
const NOW = new Date('2026-11-29T00:00:00Z');

/** Each batch prepared: the stored external ids and the rejections, with line numbers. */
function outcome(batches: FileBatch[]) {
  const stored: string[] = [];
  const rejected: string[] = [];
  for (const batch of batches) {
    const prepared = preparer.prepare(batch.input, NOW);
    for (const piece of prepared.pieces) stored.push(...joinedColumn(piece, 'externalId'));
    rejected.push(...prepared.rejections.map((r) => `${r.line}:${r.rule}`));
  }
  return { stored, rejected };
}

describe('NDJSON batches', () => {
  const file = [
    '{"externalId":"a"}',
    '',
    '{"externalId":"b","locale":"é-x"}\r',
    '{bad',
    '{"externalId":"c"}',
  ].join('\n');

  it('numbers lines as an editor does, across chunk boundaries and split UTF-8 characters', async () => {
    const bytes = Buffer.from(file);
    const cut = bytes.indexOf(0xa9); // inside é
    for (const size of [1, 2, 100]) {
      const batches = await collect(
        fileBatches(
          'ndjson',
          chunks([bytes.subarray(0, 3), bytes.subarray(3, cut), bytes.subarray(cut)]),
          size,
          0,
        ),
      );
      expect(outcome(batches)).toEqual({ stored: ['a', 'c'], rejected: ['3:isLocale', '4:isJson'] });
      expect(batches.at(-1)).toMatchObject({ lastLine: 5, bytesDone: bytes.length });
    }
  });

  it('gathers whole batches across chunks, each checkpointed at the end of its last line', async () => {
    const lines = Array.from({ length: 7 }, (_, i) => `{"externalId":"p${i}"}\n`);
    const bytes = Buffer.from(lines.join(''));
    // Chunks of 5 bytes: every line spans chunks, and no chunk holds a whole batch.
    const pieces = Array.from({ length: Math.ceil(bytes.length / 5) }, (_, i) =>
      bytes.subarray(i * 5, i * 5 + 5),
    );
    const batches = await collect(fileBatches('ndjson', chunks(pieces), 3, 0));
    expect(batches.map((b) => b.lastLine)).toEqual([3, 6, 7]);
    expect(batches.map((b) => b.bytesDone)).toEqual([3, 6, 7].map((n) => lines.slice(0, n).join('').length));
    expect(batches.map((b) => b.input.kind === 'lines' && Buffer.from(b.input.bytes).toString())).toEqual([
      lines.slice(0, 3).join(''),
      lines.slice(3, 6).join(''),
      lines[6],
    ]);
    expect(outcome(batches).stored).toEqual(lines.map((_, i) => `p${i}`));
  });

  it('resumes after the last committed line', async () => {
    const batches = await collect(fileBatches('ndjson', chunks([file]), 2, 3));
    expect(outcome(batches)).toEqual({ stored: ['c'], rejected: ['4:isJson'] });
  });

  it('refuses an over-long line without holding it, and goes on after it', async () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 10);
    const batches = await collect(
      fileBatches(
        'ndjson',
        chunks(['{"externalId":"a"}\n', long.slice(0, 1000), long.slice(1000), '\n{"externalId":"b"}\n']),
        10,
        0,
      ),
    );
    expect(outcome(batches)).toEqual({ stored: ['a', 'b'], rejected: ['2:maxLength'] });
    expect(batches.at(-1)!.lastLine).toBe(3);
  });

  it('closes the partial batch before an over-long line, checkpointed at the line before it', async () => {
    const line = (id: string) => `{"externalId":"${id}"}\n`;
    const long = 'x'.repeat(MAX_LINE_BYTES + 10);
    const head = line('a') + line('b');
    const batches = await collect(
      fileBatches(
        'ndjson',
        // The long line starts in the chunk that holds the batch's lines and runs over two more.
        chunks([head + long.slice(0, 100), long.slice(100, 200_000), long.slice(200_000), `\n${line('c')}`]),
        10,
        0,
      ),
    );
    expect(batches.map((b) => [b.input.kind, b.lastLine, b.bytesDone])).toEqual([
      ['lines', 2, head.length],
      // Refused when it outgrew the limit, before its end arrived.
      ['items', 3, head.length + long.length],
      ['lines', 4, head.length + long.length + 1 + line('c').length],
    ]);
    expect(outcome(batches)).toEqual({ stored: ['a', 'b', 'c'], rejected: ['3:maxLength'] });
  });

  it('splits a batch where an external id repeats, so the later row wins', () => {
    const prepared = preparer.prepare(
      {
        kind: 'lines',
        firstLine: 1,
        bytes: Buffer.from('{"externalId":"a"}\n{"externalId":"b"}\n{"externalId":"a","locale":"fr"}\n'),
      },
      NOW,
    );
    expect(prepared.pieces.map((p) => joinedColumn(p, 'externalId'))).toEqual([['a', 'b'], ['a']]);
    expect(joinedColumn(prepared.pieces[1], 'locale')).toEqual(['fr']);
  });
});

describe('CSV records', () => {
  const csv = async (pieces: string[]): Promise<ParsedLine[]> => collect(parseCsv(chunks(pieces)));

  it('maps columns to subject fields, with lists, push tokens and the guardian', async () => {
    const lines = await csv([
      'externalId,name,dataCategories,pushTokens,guardianEmail\r\n',
      'c-1,"Silva, Ana",camera_data; app_usage,android:abc:def;ios:xyz,p@example.com\r\n',
      'c-2,,,,\r\n',
    ]);
    expect(lines.map((l) => [l.line, l.value])).toEqual([
      [
        2,
        {
          externalId: 'c-1',
          name: 'Silva, Ana',
          dataCategories: ['camera_data', 'app_usage'],
          pushTokens: [
            { platform: 'android', token: 'abc:def' },
            { platform: 'ios', token: 'xyz' },
          ],
          guardian: { email: 'p@example.com' },
        },
      ],
      [3, { externalId: 'c-2' }],
    ]);
  });

  it('reports broken lines in file order among good ones', async () => {
    const lines = await csv(['externalId,name\n', 'a,1\n', 'b\n', 'c,"unterminated\n', 'd,4\n']);
    expect(
      lines.slice(0, 2).map((l) => (l.problem ? `${l.line}:${l.problem.rule}` : `${l.line}:ok`)),
    ).toEqual(['2:ok', '3:columnCount']);
    const numbers = lines.map((l) => l.line);
    expect([...numbers].sort((x, y) => x - y)).toEqual(numbers);
  });

  it('fails the whole file on an unknown column', async () => {
    await expect(csv(['externalId,shoeSize\n', 'a,42\n'])).rejects.toThrow(FileFormatError);
  });

  it("has a column for every field of a person's record, and no other", async () => {
    // The columns come from the validator's list of fields: a field added there is a column here.
    expect(CSV_COLUMNS).toEqual([
      ...['externalId', 'name', 'email', 'phone', 'pushTokens', 'locale', 'timeZone', 'jurisdiction'],
      ...['birthDate', 'guardianName', 'guardianEmail', 'guardianPhone', 'guardianLocale'],
      ...['channelPreferences', 'dataCategories', 'systems', 'createdAt', 'lastActiveAt'],
    ]);
    const [line] = await csv([
      `${CSV_COLUMNS.join(',')}\n`,
      'c-1,Ana,ana@example.com,+5511912345678,android:t1,pt-BR,America/Sao_Paulo,BR,2015-03-04,' +
        'Rui,rui@example.com,+5511912345679,pt-BR,email;sms,camera_data,media-store,' +
        '2024-01-01T00:00:00Z,2026-11-01T00:00:00Z\n',
    ]);
    const validation = new SubjectValidator(
      new Set(DEFAULT_DATA_CATEGORIES),
      consentAges(14, {}),
      () => NOW,
    ).validate(line.value);
    expect(validation).toMatchObject({ ok: true, subject: { guardian: { name: 'Rui' }, minor: true } });
  });

  it('batches CSV records with their line numbers, resuming after a checkpoint', async () => {
    const batches = await collect(fileBatches('csv', chunks(['externalId\n', 'a\n', 'b\n', 'c\n']), 2, 2));
    expect(outcome(batches)).toEqual({ stored: ['b', 'c'], rejected: [] });
    expect(batches.at(-1)).toMatchObject({ lastLine: 4 });
  });
});
