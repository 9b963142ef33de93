// The floor under every page: a bare Node `http` server in a process of its own, answering every request
// with one constant buffer (no routing, no framework), so a benchmark shows what this machine's Node and
// kernel give one process before any of the service's work. Its CPU per answer is read from /proc like
// the service's.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpuSeconds } from './service.mjs';

const SERVER = `
const body = Buffer.from(process.env.BARE_BODY_B64, 'base64');
const head = { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': body.length,
  'Cache-Control': 'public, max-age=60', ETag: '"bare"' };
require('node:http')
  .createServer((req, res) => { res.writeHead(200, head); res.end(body); })
  .listen(Number(process.env.BARE_PORT), '127.0.0.1', () => process.send('ready'));
`;

/** Starts the bare server on `port`, answering `body` (a Buffer); resolves once it listens. */
export async function startBareServer(port, body) {
  const child = spawn(process.execPath, ['-e', SERVER], {
    env: { PATH: process.env.PATH, BARE_PORT: String(port), BARE_BODY_B64: body.toString('base64') },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await once(child, 'message');
  return {
    url: `http://127.0.0.1:${port}`,
    cpu: () => cpuSeconds({ pid: child.pid }),
    stop: async () => {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
