import { createReadStream, statSync } from 'node:fs';
import { request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { extname } from 'node:path';
import { formatCount, ProgressBar } from '../common/progress.js';

export interface ImportOptions {
  file: string;
  url: string;
  key: string;
  format?: 'ndjson' | 'csv';
  pollMs?: number;
}

interface ImportState {
  id: string;
  status: string;
  progress: number;
  lines: number;
  created: number;
  updated: number;
  rejected: number;
  rejections: Array<{ line: number; field: string; rule: string; message: string }>;
  error: string | null;
}

const CONTENT_TYPE = { ndjson: 'application/x-ndjson', csv: 'text/csv' } as const;

/**
 * `subjects:import FILE`: streams the file to a running service's import route (so it is checked,
 * audited and processed like any import), shows the upload and then the processing as progress bars,
 * and prints the counts and the first rejected lines. Exit code 0 when the import completed.
 */
export async function importFile(options: ImportOptions, out: NodeJS.WriteStream): Promise<number> {
  const format = options.format ?? (extname(options.file).toLowerCase() === '.csv' ? 'csv' : 'ndjson');
  const size = statSync(options.file).size;
  const upload = new ProgressBar(out, 'upload ');
  const started = await new Promise<ImportState>((resolve, reject) => {
    const url = new URL('/v1/subjects/imports', options.url);
    const send = url.protocol === 'https:' ? httpsRequest : request;
    const req = send(
      url,
      {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${options.key}`,
          'Content-Type': CONTENT_TYPE[format],
          'Content-Length': size,
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => {
          if (res.statusCode === 202) resolve(JSON.parse(body) as ImportState);
          else reject(new Error(`the service answered ${res.statusCode}: ${body}`));
        });
      },
    );
    req.on('error', reject);
    let sent = 0;
    const file = createReadStream(options.file);
    file.on('data', (chunk: Buffer | string) => {
      sent += chunk.length;
      upload.update(size ? sent / size : 1, `${formatCount(sent)} / ${formatCount(size)} bytes`);
    });
    file.on('error', reject);
    file.pipe(req);
  });
  upload.done();

  const processing = new ProgressBar(out, 'process');
  let state = started;
  for (;;) {
    processing.update(
      state.progress,
      `${formatCount(state.lines)} lines, ${formatCount(state.created)} created, ${formatCount(state.updated)} updated, ${formatCount(state.rejected)} rejected`,
    );
    if (state.status === 'completed' || state.status === 'failed') break;
    await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    state = await getJson<ImportState>(
      new URL(`/v1/subjects/imports/${started.id}`, options.url),
      options.key,
    );
  }
  processing.done();
  out.write(
    `import ${state.id} ${state.status}: ${formatCount(state.created)} created, ${formatCount(state.updated)} updated, ${formatCount(state.rejected)} rejected\n`,
  );
  if (state.error) out.write(`error: ${state.error}\n`);
  for (const r of state.rejections.slice(0, 20))
    out.write(`  line ${r.line}: ${r.field} (${r.rule}) ${r.message}\n`);
  if (state.rejected > 20) {
    out.write(`  ... all rejected lines: GET /v1/subjects/imports/${state.id}/rejections\n`);
  }
  return state.status === 'completed' ? 0 : 1;
}

async function getJson<T>(url: URL, key: string): Promise<T> {
  const res = await fetch(url, { headers: { Authorization: `Bearer ${key}` } });
  if (!res.ok) throw new Error(`the service answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}
