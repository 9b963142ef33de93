import { Readable } from 'node:stream';
import { FileFormatError, MAX_LINE_BYTES, parseLines, type ParsedLine } from './import.parsers.js';

async function collect(format: 'ndjson' | 'csv', pieces: Array<string | Buffer>): Promise<ParsedLine[]> {
  const chunks = Readable.from(pieces.map((piece) => (Buffer.isBuffer(piece) ? piece : Buffer.from(piece))));
  const out: ParsedLine[] = [];
  for await (const line of parseLines(format, chunks)) out.push(line);
  return out;
}

const summary = (lines: ParsedLine[]) =>
  lines.map((l) => (l.problem ? `${l.line}:${l.problem.rule}` : `${l.line}:${JSON.stringify(l.value)}`));

describe('NDJSON lines', () => {
  it('numbers lines as an editor does, across chunk boundaries and split UTF-8 characters', async () => {
    const text = '{"a":1}\n\n{"b":"é"}\r\n{bad\n{"c":3}';
    const bytes = Buffer.from(text);
    const cut = bytes.indexOf(0xa9); // inside é
    const lines = await collect('ndjson', [
      bytes.subarray(0, 3),
      bytes.subarray(3, cut),
      bytes.subarray(cut),
    ]);
    expect(summary(lines)).toEqual(['1:{"a":1}', '3:{"b":"é"}', '4:isJson', '5:{"c":3}']);
    expect(lines.at(-1)!.bytesDone).toBe(bytes.length + 1);
  });

  it('refuses an over-long line without holding it, and goes on after it', async () => {
    const long = 'x'.repeat(MAX_LINE_BYTES + 10);
    const lines = await collect('ndjson', [
      '{"a":1}\n',
      long.slice(0, 1000),
      long.slice(1000),
      '\n{"b":2}\n',
    ]);
    expect(summary(lines)).toEqual(['1:{"a":1}', '2:maxLength', '3:{"b":2}']);
  });
});

describe('CSV lines', () => {
  it('maps columns to subject fields, with lists, push tokens and the guardian', async () => {
    const lines = await collect('csv', [
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
    const lines = await collect('csv', ['externalId,name\n', 'a,1\n', 'b\n', 'c,"unterminated\n', 'd,4\n']);
    expect(summary(lines).slice(0, 2)).toEqual(['2:{"externalId":"a","name":"1"}', '3:columnCount']);
    const numbers = lines.map((l) => l.line);
    expect([...numbers].sort((x, y) => x - y)).toEqual(numbers);
  });

  it('fails the whole file on an unknown column', async () => {
    await expect(collect('csv', ['externalId,shoeSize\n', 'a,42\n'])).rejects.toThrow(FileFormatError);
  });
});
