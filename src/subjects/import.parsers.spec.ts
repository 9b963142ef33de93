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

  it('refuses a line that is not UTF-8 (Latin-1 "José") alone, never storing it with U+FFFD', async () => {
    const bytes = Buffer.concat([
      Buffer.from('{"externalId":"a","name":"Ana"}\n'),
      Buffer.from('{"externalId":"b","name":"José"}\n', 'latin1'),
      Buffer.from('{"externalId":"c","name":"José"}\n'),
    ]);
    for (const size of [1, 100]) {
      const batches = await collect(fileBatches('ndjson', chunks([bytes]), size, 0));
      expect(outcome(batches)).toEqual({ stored: ['a', 'c'], rejected: ['2:isUtf8'] });
    }
  });

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

  it('writes each piece in external id order, so concurrent writers lock rows in one order', () => {
    const lines = [
      { externalId: 'c' },
      { externalId: 'a' },
      { externalId: 'b' },
      { externalId: 'a', locale: 'fr' },
      { externalId: 'c', locale: 'de' },
      { externalId: 'a', locale: 'it' },
    ];
    const prepared = preparer.prepare(
      {
        kind: 'lines',
        firstLine: 1,
        bytes: Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join('')),
      },
      NOW,
    );
    expect(prepared.pieces.map((p) => joinedColumn(p, 'externalId'))).toEqual([
      ['a', 'b', 'c'],
      ['a', 'c'],
      ['a'],
    ]);
    expect(prepared.pieces.map((p) => joinedColumn(p, 'locale'))).toEqual([
      ['', '', ''],
      ['fr', 'de'],
      ['it'],
    ]);
  });
});

describe('CSV records', () => {
  const csv = async (pieces: Array<string | Buffer>): Promise<ParsedLine[]> =>
    collect(parseCsv(chunks(pieces)));

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

  it('quotes an unknown column only when it looks like a field name: a data row is never quoted', async () => {
    await expect(csv(['externalId,shoeSize,sh\u0000oe,jane@example.com\n', 'a,1,2,3\n'])).rejects.toThrow(
      'unknown CSV column(s) "shoeSize", column 3, column 4;',
    );
  });

  it('fails the file on a repeated column, naming it, instead of keeping its last cell', async () => {
    await expect(csv(['externalId,email,email,name\n', 'a,x@example.com,y@example.com,A\n'])).rejects.toThrow(
      'the CSV header repeats column(s) "email" (column 3); each may appear once',
    );
    await expect(csv(['externalId,name, externalId\n', 'a,A,b\n'])).rejects.toThrow(
      'the CSV header repeats column(s) "externalId" (column 3); each may appear once',
    );
  });

  const summary = (lines: ParsedLine[]) =>
    lines.map((l) =>
      l.problem
        ? `${l.line}:${l.problem.rule}`
        : `${l.line}:${(l.value as { externalId: string }).externalId}`,
    );

  it('an unclosed quote breaks its own line only: every line after it is read (they vanished)', async () => {
    const lines = await csv([
      'externalId,name\n',
      'u-2,Two\n',
      'u-3,"Three\n',
      'u-4,Four\n',
      'u-5,"Fi""ve"\n',
      'u-6,"Six,\n',
      'u-7,"Seven"\n',
      'u-8,"Eight',
    ]);
    expect(summary(lines)).toEqual([
      '2:u-2',
      '3:quoteNotClosed',
      '4:u-4',
      '5:u-5',
      '6:quoteNotClosed',
      '7:u-7',
      '8:quoteNotClosed',
    ]);
    expect(lines[3].value).toEqual({ externalId: 'u-5', name: 'Fi"ve' });
  });

  it('keeps CRLF line ends where it leaves a line out', async () => {
    const pieces = ['externalId,name\r\n', 'a,"x\r', '\n', 'b,"y\r\n', 'c,C\r\n'];
    const lines = await csv(pieces);
    expect(summary(lines)).toEqual(['2:quoteNotClosed', '3:quoteNotClosed', '4:c']);
    expect(lines.at(-1)!.bytesDone).toBe(Buffer.byteLength(pieces.join('')));
  });

  it('a stray quote breaks its line once, and the lines after it are read', async () => {
    const lines = await csv(['externalId,name\n', 'a,x"y\n', 'b,"x"y\n', 'c, "x"\n', 'd,"ok, really"\n']);
    expect(summary(lines)).toEqual(['2:isCsv', '3:isCsv', '4:isCsv', '5:d']);
  });

  it('reads quotes across chunk boundaries, a BOM before a quoted header, and counts the bytes left out', async () => {
    const file = Buffer.from('\ufeff"externalId","name"\na,"x\nb,"B ""b"""\n');
    const lines = await csv([...file].map((byte) => Buffer.from([byte])));
    expect(summary(lines)).toEqual(['2:quoteNotClosed', '3:b']);
    expect(lines[1].value).toEqual({ externalId: 'b', name: 'B "b"' });
    expect(lines.at(-1)!.bytesDone).toBe(file.length);
  });

  it('fails the file when its header line is the broken one, without taking a data row as the header', async () => {
    await expect(csv(['externalId,"name\n', 'jane,Jane\n'])).rejects.toThrow(
      'the CSV header (line 1) is not valid',
    );
  });

  it('refuses a line that is not UTF-8 (Latin-1 "José") alone, in whole chunks, byte by byte and as the last line', async () => {
    const file = Buffer.concat([
      Buffer.from('externalId,name\n'),
      Buffer.from('a,José\n'),
      Buffer.from('b,José\n', 'latin1'),
      Buffer.from('c,Zoë\n'),
      Buffer.from('d,Zoë', 'latin1'),
    ]);
    for (const pieces of [[file], [...file].map((byte) => Buffer.from([byte]))]) {
      const lines = await csv(pieces);
      expect(summary(lines)).toEqual(['2:a', '3:isUtf8', '4:c', '5:isUtf8']);
      expect(lines.map((l) => (l.value as { name?: string } | undefined)?.name)).toEqual([
        'José',
        undefined,
        'Zoë',
        undefined,
      ]);
      expect(lines.at(-1)!.bytesDone).toBe(file.length);
    }
  });

  it('fails the file when its header is not UTF-8', async () => {
    await expect(csv([Buffer.from('externalId,name\u00e9\n', 'latin1'), 'a,A\n'])).rejects.toThrow(
      'the CSV header (line 1) is not valid: the line is not valid UTF-8',
    );
  });

  it('refuses a CSV line over MAX_LINE_BYTES without holding it, and goes on after it', async () => {
    const long = `x,"${'y'.repeat(MAX_LINE_BYTES + 10)}"\n`;
    const lines = await csv(['externalId,name\n', long.slice(0, 1000), long.slice(1000), 'z,Z\n']);
    expect(summary(lines)).toEqual(['2:maxLength', '3:z']);
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
