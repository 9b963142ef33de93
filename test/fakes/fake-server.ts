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
  /**
   * The next N requests are taken (what they carry counts as accepted) and then their connection is cut
   * before the answer: the sender cannot know the provider has them.
   */
  lostAnswers: number;
}

/**
 * What reached a provider, counted from its own side for the fault harness: every address, number or
 * token received, each acceptance with its time, the acceptances whose answer never reached the sender,
 * and the requests arriving per second. Off unless a ledger is given (tests and benchmarks keep none).
 */
export class Ledger {
  /** Every address in every request, whatever the answer. */
  readonly received = new Map<string, number>();
  /** When each accepted request arrived, per address (one entry per acceptance). */
  readonly accepted = new Map<string, number[]>();
  /** Acceptances (times) whose answer was lost: cut by a fault, or the sender gone before it was written. */
  readonly answerLost = new Map<string, number[]>();
  /** Of those, the ones cut by the `lostAnswers` fault. */
  readonly answerCut = new Map<string, number[]>();
  /** Addresses refused as the recipient's (invalid, unregistered, unsubscribed). */
  readonly refused = new Map<string, number>();
  /** Requests arriving per Unix second, before any fault or answer: what a provider's rate limit sees. */
  readonly arrivals = new Map<number, number>();
  /** Messages accepted per Unix second. */
  readonly acceptedPerSecond = new Map<number, number>();
  /**
   * Each message taken with its text and arrival, where the provider's rate counts what the text takes
   * (Twilio sends a sender's queue on segment by segment at its rate).
   */
  readonly texts: Array<{ at: number; text: string }> = [];
  /** Requests answered with each status (0: cut without an answer; -200: a malformed 200). */
  readonly statuses = new Map<number, number>();
  /**
   * Requests refused for some of their recipients (SendGrid takes none of such a request); `answerLost`
   * when the refusal never reached the sender (the `lostAnswers` fault), which can only send it again.
   */
  readonly partlyRefused: Array<{ at: number; refused: string[]; others: string[]; answerLost?: boolean }> =
    [];

  static add<K>(map: Map<K, number>, key: K, n = 1): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  static push(map: Map<string, number[]>, key: string, at: number): void {
    const list = map.get(key);
    if (list) list.push(at);
    else map.set(key, [at]);
  }
}

/**
 * The most a provider's queue held, in units (SMS segments), when it sends on at `rate` units a second
 * what arrives (Twilio queues a sender's messages and sends their segments at its rate): what arrived at
 * once beyond what the rate had sent meanwhile. The fault harness, the medium and the e2e checks of the
 * SMS rate all read it.
 */
export function queuePeak(arrivals: ReadonlyArray<{ at: number; units: number }>, rate: number): number {
  let level = 0;
  let most = 0;
  let last = 0;
  for (const { at, units } of [...arrivals].sort((a, b) => a.at - b.at)) {
    level = Math.max(0, level - ((at - last) * rate) / 1000) + units;
    last = at;
    most = Math.max(most, level);
  }
  return most;
}

/** The request being handled: when it arrived, and the addresses its handler accepted. */
interface RequestNote {
  at: number;
  accepted: string[];
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
  /** Per-address counts, when the fault harness wants them. */
  ledger?: Ledger;
  private server?: Server;
  /** The request being handled (handlers are synchronous), so that notes land on it. */
  private current?: RequestNote;

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
      lostAnswers: 0,
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
        if (this.ledger) Ledger.add(this.ledger.arrivals, Math.floor(recorded.at / 1000));
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

  /**
   * Called by a provider's handler for each address, number or token of the request: `accepted` when it
   * takes the message, else it was refused as the recipient's (`refused`) or with the request (neither).
   */
  protected note(address: string, outcome: 'accepted' | 'refused' | 'other'): void {
    const ledger = this.ledger;
    if (!ledger) return;
    Ledger.add(ledger.received, address);
    if (outcome === 'refused') Ledger.add(ledger.refused, address);
    if (outcome !== 'accepted') return;
    // The request's arrival, not the answer's time: a slow answer does not move when it was taken.
    const at = this.current?.at ?? Date.now();
    Ledger.push(ledger.accepted, address, at);
    Ledger.add(ledger.acceptedPerSecond, Math.floor(at / 1000));
    this.current?.accepted.push(address);
  }

  private answer(recorded: Recorded, req: IncomingMessage, res: ServerResponse): void {
    const f = this.faults;
    const ledger = this.ledger;
    const status = (code: number) => ledger && Ledger.add(ledger.statuses, code);
    if (f.dropped > 0) {
      f.dropped -= 1;
      status(0);
      req.socket.destroy();
      return;
    }
    if (f.lostAnswers > 0) {
      f.lostAnswers -= 1;
      // Handled in full, the answer thrown away, the connection cut: taken, and the sender cannot know.
      const note: RequestNote = { at: recorded.at, accepted: [] };
      this.current = note;
      const sink = { writeHead: () => sink, setHeader: () => sink, end: () => sink };
      const refusals = ledger?.partlyRefused.length ?? 0;
      try {
        this.handler(recorded, sink as unknown as ServerResponse);
      } finally {
        this.current = undefined;
      }
      ledger?.partlyRefused.slice(refusals).forEach((r) => (r.answerLost = true));
      status(0);
      req.socket.destroy();
      const now = Date.now();
      for (const address of ledger ? note.accepted : []) {
        Ledger.push(ledger!.answerLost, address, now);
        Ledger.push(ledger!.answerCut, address, now);
      }
      return;
    }
    if (f.serverErrors > 0) {
      f.serverErrors -= 1;
      status(f.serverErrorStatus);
      this.faultAnswers.serverError(res, f.serverErrorStatus);
      return;
    }
    if (f.rateLimited > 0) {
      f.rateLimited -= 1;
      status(429);
      this.faultAnswers.rateLimited(res, f.retryAfterSeconds);
      return;
    }
    if (f.malformed > 0) {
      f.malformed -= 1;
      status(-200);
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"this is": not json');
      return;
    }
    if (!ledger) {
      this.handler(recorded, res);
      return;
    }
    const note: RequestNote = { at: recorded.at, accepted: [] };
    this.current = note;
    try {
      this.handler(recorded, res);
    } finally {
      this.current = undefined;
    }
    status(res.statusCode);
    // The sender went away before the answer was written (its timeout, its process killed): what this
    // request took may be sent again, and counts as a possible duplicate.
    if (note.accepted.length === 0) return;
    const lost = () => {
      const now = Date.now();
      for (const address of note.accepted) Ledger.push(ledger.answerLost, address, now);
    };
    if (req.socket.destroyed) lost();
    else res.once('close', () => res.writableFinished || lost());
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
