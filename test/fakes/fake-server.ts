import { once } from 'node:events';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Faults a test can inject into the next requests of a fake provider. */
export interface Faults {
  /** Added before every answer. */
  latencyMs: number;
  /** The next N requests get this status (with the provider's error body). */
  serverErrors: number;
  serverErrorStatus: number;
  /** The next N requests are rate-limited, with Retry-After (seconds) where the provider sends one. */
  rateLimited: number;
  retryAfterSeconds: number;
  /** The next N requests have their connection dropped without an answer. */
  dropped: number;
  /** The next N requests get a 200 whose body is not what the provider sends. */
  malformed: number;
}

export interface Recorded {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export type Handler = (req: Recorded, res: ServerResponse) => void;

/**
 * A provider fake: real HTTP on 127.0.0.1, every request recorded, faults injected before the
 * provider-specific handler answers.
 */
export class FakeServer {
  readonly requests: Recorded[] = [];
  faults: Faults = FakeServer.noFaults();
  /** Keep what was sent (tests); a benchmark turns it off and reads the counters. */
  keep = true;
  /** Messages accepted so far. */
  accepted = 0;
  private server?: Server;

  constructor(
    private readonly handler: Handler,
    private readonly faultAnswers: {
      serverError: (res: ServerResponse, status: number) => void;
      rateLimited: (res: ServerResponse, retryAfterSeconds: number) => void;
    },
  ) {}

  static noFaults(): Faults {
    return {
      latencyMs: 0,
      serverErrors: 0,
      serverErrorStatus: 500,
      rateLimited: 0,
      retryAfterSeconds: 1,
      dropped: 0,
      malformed: 0,
    };
  }

  get url(): string {
    const { port } = this.server!.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const recorded: Recorded = {
          method: req.method ?? 'GET',
          path: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        if (this.keep) this.requests.push(recorded);
        setTimeout(() => this.answer(recorded, req, res), this.faults.latencyMs);
      });
    });
    this.server.keepAliveTimeout = 5_000;
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return this;
  }

  reset(): void {
    this.requests.length = 0;
    this.faults = FakeServer.noFaults();
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise((r) => this.server!.close(r));
  }

  private answer(recorded: Recorded, req: IncomingMessage, res: ServerResponse): void {
    const f = this.faults;
    if (f.dropped > 0) {
      f.dropped -= 1;
      req.socket.destroy();
      return;
    }
    if (f.serverErrors > 0) {
      f.serverErrors -= 1;
      this.faultAnswers.serverError(res, f.serverErrorStatus);
      return;
    }
    if (f.rateLimited > 0) {
      f.rateLimited -= 1;
      this.faultAnswers.rateLimited(res, f.retryAfterSeconds);
      return;
    }
    if (f.malformed > 0) {
      f.malformed -= 1;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"this is": not json');
      return;
    }
    this.handler(recorded, res);
  }
}

export function json(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'Content-Type': 'application/json', ...headers }).end(JSON.stringify(body));
}
