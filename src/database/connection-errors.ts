import type { Logger } from '@nestjs/common';
import type pg from 'pg';

/**
 * Makes a pool ride out a cut connection (`pg_terminate_backend`, a failover, a restart of PostgreSQL).
 *
 * node-postgres reports a connection that dies as an `'error'` event: on the pool for an idle client,
 * on the client itself for one that is checked out (a transaction between statements, a COPY). An
 * `'error'` event nobody listens to throws, and the process exits: a database blip of a second took the
 * API and every worker down with it. Listening is enough: the pool drops a dead idle client, a
 * checked-out one is dropped when released (it is no longer queryable), a statement in flight fails
 * with the error (callers and job retries handle it), and the next query opens a fresh connection.
 *
 * Only the SQLSTATE and the server's message are logged: a connection's error never quotes a statement
 * or its parameters.
 */
export function rideOutDisconnects(pool: pg.Pool, logger: Pick<Logger, 'warn'>, label: string): void {
  const report = (err: Error & { code?: unknown }) =>
    logger.warn(
      `${label}: a connection was lost and is dropped${typeof err.code === 'string' ? ` (${err.code})` : ''}: ${err.message}`,
    );
  // Every client listens from its start, idle or checked out (a checked-out client has no pool
  // listener: its 'error' would throw). The pool forwards an idle client's error too, once it dropped
  // it: already reported.
  pool.on('connect', (client) => client.on('error', report));
  pool.on('error', () => undefined);
}

const GUARDED = Symbol('every client listens');

/**
 * Gives every node-postgres client of the process a listener from the moment it connects, for clients
 * whose owner listens too late. BullMQ's PostgreSQL backend attaches its listener to its LISTEN client
 * only once `connect()` has resolved: a terminate that arrives in the same read as the server's ready
 * message is emitted in between, to nobody, and the process exits (seen in the database-blip test on a
 * loaded machine). This listener speaks only when it is the client's only one, so an owner's listener
 * still decides, and a pool's clients are not reported twice.
 */
export function listenOnEveryClient(pgModule: typeof pg, logger: Pick<Logger, 'warn'>, label: string): void {
  const proto = pgModule.Client.prototype as pg.Client & { [GUARDED]?: true };
  if (proto[GUARDED]) return;
  proto[GUARDED] = true;
  const connect = Reflect.get(proto, 'connect') as (this: pg.Client, ...args: unknown[]) => unknown;
  proto.connect = function (this: pg.Client, ...args: unknown[]) {
    this.on('error', function (this: pg.Client, err: Error & { code?: unknown }) {
      if (this.listenerCount('error') > 1) return;
      logger.warn(
        `${label}: a connection was lost before its owner listened${typeof err.code === 'string' ? ` (${err.code})` : ''}: ${err.message}`,
      );
    });
    return connect.apply(this, args);
  } as typeof proto.connect;
}
