import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { AppConfig } from '../config/config.js';
import { DatabaseService } from './database.service.js';

/** PostgreSQL's channel for them; the payload is `all` or one delivery's id. */
const CHANNEL = 'notice_pages_revoked';
const RECONNECT_MS = 1_000;

/** What changed: every kept page may be wrong (`all`: an erasure, a cancel), or one delivery's page. */
export type Revoked = 'all' | number;

/**
 * Changes after which what a process keeps of a person's notice page must go at once, in every process:
 * an erasure, a cancelled delivery (every page), an acknowledgement (its page). Where the change commits,
 * `announce` (inside its transaction) sends a PostgreSQL NOTIFY, which every process listening hears when
 * it commits, and `revoked` (after the commit) tells this process's listeners at once. A process whose
 * listening connection is down may have missed some: `trusted` is false until it is listening again, and
 * its listeners hear `all` when it goes down and again when it is back. The embedded database is one
 * process (its folder is locked): nothing to hear from elsewhere, always trusted.
 */
@Injectable()
export class Revocations implements OnApplicationShutdown {
  private readonly logger = new Logger(Revocations.name);
  private readonly listeners: Array<(what: Revoked) => void> = [];
  private client?: pg.Client;
  private listening = false;
  private closed = false;
  /** Notifications heard from PostgreSQL (tests wait for one). */
  heard = 0;

  constructor(
    private readonly database: DatabaseService,
    private readonly config: AppConfig,
  ) {}

  /** Whether what is kept may be served: every revocation since it was kept has been heard. */
  get trusted(): boolean {
    return this.config.database.kind !== 'postgres' || this.listening;
  }

  /** Listens from now on (the first listener starts listening to PostgreSQL). */
  subscribe(listener: (what: Revoked) => void): void {
    this.listeners.push(listener);
    if (this.config.database.kind === 'postgres' && !this.client) {
      const { url, connectTimeoutMs } = this.config.database;
      this.listen({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
    }
  }

  /** Tells every other process, when the current transaction commits (at once outside one). */
  async announce(what: Revoked): Promise<void> {
    if (this.config.database.kind !== 'postgres') return;
    await this.database.db.execute(sql`select pg_notify(${CHANNEL}, ${String(what)})`);
  }

  /** Tells this process's listeners now: call it after the change committed. */
  revoked(what: Revoked): void {
    for (const listener of this.listeners) listener(what);
  }

  /** A connection that cannot be opened in PG_CONNECT_TIMEOUT_MS is down: tried again in a second. */
  private listen(connection: pg.ClientConfig): void {
    const client = new pg.Client(connection);
    this.client = client;
    const down = (err?: Error) => {
      if (this.client !== client) return;
      this.client = undefined;
      this.listening = false;
      this.revoked('all');
      client.removeAllListeners();
      client.on('error', () => undefined);
      void client.end().catch(() => undefined);
      if (this.closed) return;
      if (err) this.logger.warn({ err: err.message }, 'not hearing revocations: pages are read each time');
      setTimeout(() => {
        if (!this.closed && !this.client) this.listen(connection);
      }, RECONNECT_MS).unref();
    };
    client.on('error', down);
    client.on('end', () => down());
    client.on('notification', (message) => {
      this.heard += 1;
      const id = Number(message.payload);
      this.revoked(message.payload === 'all' || !Number.isSafeInteger(id) ? 'all' : id);
    });
    client
      .connect()
      .then(() => client.query(`listen ${CHANNEL}`))
      .then(
        () => {
          if (this.client !== client) return;
          this.listening = true;
          // Anything kept before this point may predate a revocation missed while not listening.
          this.revoked('all');
        },
        (err: Error) => down(err),
      );
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = undefined;
    this.listening = false;
    await client?.end().catch(() => undefined);
  }
}
