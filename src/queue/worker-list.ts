import { createPostgresBackend } from 'bullmq';

/**
 * Which workers are running, as BullMQ's `queue.getWorkers()` (and with it the dashboard) asks: a list of
 * clients in Redis's `CLIENT LIST` format, each named after its queue. On Redis that is the server's list.
 * On PostgreSQL BullMQ builds it from `pg_stat_activity` but with the names alone, and the dashboard
 * counts only clients with an address (a name without one reads as "the server would not say"): every
 * queue showed no worker. On the embedded queue database there is nothing to read at all: pglite-socket
 * runs every connection in PGlite's one session, which has one `application_name`, the last worker's.
 */

type PostgresBackendFactory = typeof createPostgresBackend;

/** One line of a client list, as BullMQ's parser reads it (space-separated key=value, no spaces in values). */
function clientLine(client: { id: string | number; addr: string; age: number; name: string }): string {
  return `id=${client.id} addr=${client.addr} age=${client.age} name=${client.name}`;
}

const SESSIONS = `
  select pid, application_name as name, host(client_addr) as host, client_port as port,
         extract(epoch from now() - backend_start)::int as age
    from pg_stat_activity
   where datname = current_database() and application_name <> ''`;

/**
 * PostgreSQL: the named sessions on the queue database, with their address (a Unix-socket session has
 * none: its server process id stands in), so that workers of every node on the database are listed.
 */
export const withAddressedClients =
  (factory: PostgresBackendFactory): PostgresBackendFactory =>
  (name, opts, factoryOpts) => {
    const backend = factory(name, opts, factoryOpts);
    backend.getClientList = async () => {
      const { rows } = await backend.connection.pool.query<{
        pid: number;
        name: string;
        host: string | null;
        port: number | null;
        age: number;
      }>(SESSIONS);
      const addr = (r: (typeof rows)[number]) =>
        r.host && r.port && r.port > 0 ? `${r.host}:${r.port}` : `local-pid-${r.pid}`;
      return [rows.map((r) => clientLine({ id: r.pid, addr: addr(r), age: r.age, name: r.name })).join('\n')];
    };
    return backend;
  };

/**
 * Embedded: the queue database belongs to this one process (DATA_DIR's lock), so the workers running
 * here are all the workers there are. Each worker's backend is listed from its creation to its close,
 * under the name BullMQ gives its connection (the queue's name, `:w:<name>` for a named worker).
 */
export const withInProcessClients = (factory: PostgresBackendFactory): PostgresBackendFactory => {
  const running = new Map<object, { id: number; name: string; since: number }>();
  let nextId = 1;
  return (name, opts, factoryOpts) => {
    const backend = factory(name, opts, factoryOpts);
    if (factoryOpts?.withBlockingConnection) {
      // A worker's options (WorkerOptions) carry its own name, if it was given one.
      const own = (opts as { name?: string }).name;
      const entry = { id: nextId++, name: own ? `${name}:w:${own}` : name, since: Date.now() };
      running.set(backend, entry);
      const close = backend.close.bind(backend);
      backend.close = (force?: boolean) => {
        running.delete(backend);
        return close(force);
      };
    }
    backend.getClientList = () => {
      const now = Date.now();
      const lines = [...running.values()].map((w) =>
        clientLine({
          id: w.id,
          addr: `process-${process.pid}`,
          age: Math.floor((now - w.since) / 1000),
          name: w.name,
        }),
      );
      return Promise.resolve([lines.join('\n')]);
    };
    return backend;
  };
};
