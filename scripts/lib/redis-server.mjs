// A Redis server of our own, for tests, benchmarks and the fault harness: started from the redis-server
// binary on a free port of 127.0.0.1, keeping nothing on disk, so nothing we run ever touches a user's
// Redis (not even its database 0). It can be restarted on the same port (the harness's "Redis restart").
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createConnection, createServer } from 'node:net';

/** A port nothing listens on now. */
export function freePort() {
  return new Promise((done, fail) => {
    const server = createServer()
      .once('error', fail)
      .listen(0, '127.0.0.1', () => {
        const { port } = server.address();
        server.close(() => done(port));
      });
  });
}

function answers(port) {
  return new Promise((done) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
    socket.setTimeout(500);
    socket.once('data', (data) => {
      socket.destroy();
      done(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => done(false));
    socket.once('timeout', () => {
      socket.destroy();
      done(false);
    });
  });
}

/**
 * Starts `redis-server` (REDIS_SERVER_BIN, else on PATH) on `port` (a free one by default) and waits
 * until it answers. `stop()` ends it; `restart()` stops and starts it again on the same port, empty.
 * `detached` lets it outlive this process (jest's global setup hands it to the teardown by pid).
 */
export async function startRedis({ port, detached = false, args = [] } = {}) {
  const chosen = port ?? (await freePort());
  const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
  let child;
  const start = async () => {
    child = spawn(
      bin,
      [
        '--port',
        String(chosen),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--maxmemory-policy',
        'noeviction',
        '--protected-mode',
        'no',
        ...args,
      ],
      { stdio: 'ignore', detached },
    );
    const failed = once(child, 'error').then(([err]) => {
      throw new Error(
        `redis-server did not start (${err.message}): install it (apt-get install redis-server)`,
      );
    });
    if (detached) child.unref();
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (await Promise.race([answers(chosen), failed])) return;
      if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
      if (Date.now() > deadline) throw new Error(`redis-server on ${chosen} did not answer in 10 s`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    port: chosen,
    url: `redis://127.0.0.1:${chosen}`,
    get pid() {
      return child.pid;
    },
    stop,
    restart: async () => {
      await stop();
      await start();
    },
  };
}
