import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../../common/clock.js';
import { messageOf } from '../../common/errors.js';
import { AppConfig } from '../../config/config.js';
import { MessagesRepository } from '../messages.repository.js';

/**
 * How long a job may keep renewing its batch's lease: far past any provider's timeouts (200 SMS at eight
 * at a time, each up to 30 s, is 12.5 min), so that a job stuck on something that never returns lets
 * its lease lapse and the batch go on.
 */
const RENEWAL_LIMIT_MS = 20 * 60_000;

/**
 * How often a job that works looks whether its campaign still sends, between renewals: a cancel or a
 * pause stops what has not left within this, not at the next renewal (a third of the lease, 10 s by
 * default), while an SMS job's messages wait for their send slots.
 */
const STOP_CHECK_MS = 500;

/** A batch's lease as its job holds it: renewed while the job works. */
export interface HeldLease {
  until: Date;
  /** A renewal found it no longer this job's: handed on by the reconciler, or the batch closed. */
  lost: boolean;
  /** The campaign no longer sends (cancelled or paused) or the batch was closed: nothing more starts. */
  stopped: boolean;
  /** Whether a provider call may still start: not once the lease is lost or in its last third. */
  readonly mayStart: () => boolean;
  /** Stops renewing, waiting for a renewal in flight; `until` is then the lease the job records under. */
  readonly stop: () => Promise<void>;
}

/** A send job's claim on its batch: taken with a lease, renewed while the job works. */
@Injectable()
export class BatchLeases {
  private readonly logger = new Logger(BatchLeases.name);

  constructor(
    private readonly messages: MessagesRepository,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  /**
   * Claims the batch under a lease of DELIVERY_LEASE_MS; undefined when another worker holds it (a job of
   * a re-queued batch, or a stalled one run again): it is theirs. Once claimed, the lease is renewed
   * while the job sends (a slow provider, a job of 200 SMS), so it never lapses under a live worker; one
   * that dies stops renewing, and the reconciler hands its batch on.
   */
  async claim(batchId: number, now: Date) {
    const until = new Date(now.getTime() + this.config.deliveryLeaseMs);
    const claimed = await this.messages.claim(batchId, until);
    if (!claimed) return undefined;
    return { claimed, lease: this.keep(batchId, until) };
  }

  /**
   * Moves the batch's lease on every third of its length while the job works (for at most
   * RENEWAL_LIMIT_MS), from where it stands then; `lease.until` follows, and the job records under the
   * last one. A renewal that finds the lease no longer its own (handed on, or the batch closed by a
   * cancel) marks it lost and stops: the job starts nothing more, and records only what left. Between
   * renewals, every STOP_CHECK_MS, it looks whether the campaign still sends: once cancelled or paused,
   * nothing more starts, and what did not leave stays queued (the job's next attempt finds the campaign
   * paused and gives the batch back, or cancelled and its batch closed). One statement at a time;
   * `stop` waits for the one in flight.
   */
  private keep(batchId: number, until: Date): HeldLease {
    const started = Date.now();
    const leaseMs = this.config.deliveryLeaseMs;
    const working = () => !lease.lost && Date.now() - started <= RENEWAL_LIMIT_MS;
    // Renewals keep their own timer, as before the stop check: a look in flight never delays one.
    const renewal = this.repeat(
      batchId,
      Math.max(250, Math.floor(leaseMs / 3)),
      working,
      'lease renewal failed',
      async () => {
        const next = new Date(this.clock.now().getTime() + leaseMs);
        if (await this.messages.renewLease(batchId, lease.until, next)) lease.until = next;
        else lease.lost = true;
      },
    );
    const look = this.repeat(
      batchId,
      STOP_CHECK_MS,
      () => working() && !lease.stopped,
      'campaign stop check failed',
      async () => {
        if (!(await this.messages.stillSending(batchId))) lease.stopped = true;
      },
    );
    const lease: HeldLease = {
      until,
      lost: false,
      stopped: false,
      // Nothing starts once the lease is lost, or has run down to its last third (renewals stalled):
      // the batch may be another worker's by the time the call leaves; nor once the campaign stopped.
      mayStart: () =>
        !lease.lost && !lease.stopped && this.clock.now().getTime() < lease.until.getTime() - leaseMs / 3,
      stop: () => Promise.all([renewal.stop(), look.stop()]).then(() => undefined),
    };
    return lease;
  }

  /**
   * Runs `step` for the batch every `everyMs` while `going()`, one at a time (a tick while one runs is
   * skipped); a failure is logged as `failed` and tried at the next tick. `stop` ends it, waiting for a
   * step in flight.
   */
  private repeat(
    batchId: number,
    everyMs: number,
    going: () => boolean,
    failed: string,
    step: () => Promise<void>,
  ) {
    let inFlight: Promise<void> | undefined;
    const timer = setInterval(() => {
      if (inFlight) return;
      if (!going()) {
        clearInterval(timer);
        return;
      }
      inFlight = step()
        .catch((err: unknown) => this.logger.warn({ batchId, err: messageOf(err) }, failed))
        .finally(() => (inFlight = undefined));
    }, everyMs);
    timer.unref();
    return {
      stop: async () => {
        clearInterval(timer);
        await inFlight;
      },
    };
  }
}
