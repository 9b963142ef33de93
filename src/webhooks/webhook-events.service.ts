import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Job } from 'bullmq';
import {
  DELIVERY_EVENT_SOURCES,
  type DeliveryEventSource,
  type DeliveryEventSources,
  type EventProvider,
} from '../channels/delivery-events.port.js';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { DeliveryEventsService } from '../notifications/delivery-events.service.js';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName } from '../queue/queue.catalogue.js';
import { WebhookEventRow, WebhooksRepository } from './webhooks.repository.js';

export const DRAIN_CHUNK = 500;
/**
 * Chunks one job applies at most (5,000 events, a few seconds): after a burst (60,000 events followed a
 * database cut in the 100k fault run) a drain that looped until none was left held a housekeeping slot
 * for minutes, and the sweeps waited. The rest goes to a follow-up job, behind what waits meanwhile.
 */
export const DRAIN_CHUNKS_PER_JOB = 10;
/**
 * How long a drain holds the events it claimed: far more than a chunk takes to apply. A drain that dies
 * leaves its chunk to the first one after that, to be applied again.
 */
export const DRAIN_CLAIM_MS = 60_000;
/**
 * An event can come back before its send is recorded (a job records its batch once every message of it
 * has left): such an event is looked at again every DRAIN_WAIT_MS, for as long as DeliveryEventsService lets
 * it wait.
 */
export const DRAIN_WAIT_MS = 15_000;
/**
 * The follow-ups' two job ids: BullMQ adds no job under the id of one that waits or runs, so a drain
 * queues its follow-up under the id it does not run under itself, and at most one of each waits. The
 * first is also the id WebhooksService queues arriving events under.
 */
export const DRAIN_JOB_IDS = ['webhooks-process', 'webhooks-process-more'] as const;

/** What a drain did (its job's result): events applied or set aside, events waiting, a follow-up queued. */
export interface DrainResult {
  applied: number;
  waiting: number;
  followUp: boolean;
}

/**
 * The stored events applied, from the queue (the provider's answer never waits for it): each with what
 * its provider's source says it means, to the messages it names (DeliveryEventsService); each stored as
 * applied, set aside, or waiting for its send to be recorded. Several drains may run at once (the 15 s
 * schedule, the jobs queued as events arrive, on every worker process): each claims its chunks, so none
 * applies an event another holds.
 */
@Injectable()
export class WebhookEventsService {
  private readonly logger = new Logger(WebhookEventsService.name);

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly deliveryEvents: DeliveryEventsService,
    private readonly jobs: JobRepository,
    private readonly clock: Clock,
    @Inject(DELIVERY_EVENT_SOURCES) private readonly sources: DeliveryEventSources,
  ) {}

  /**
   * Applies stored events in arrival order, a claimed chunk at a time, until none is left or the job's
   * DRAIN_CHUNKS_PER_JOB are spent; then, with events perhaps left, queues a follow-up job.
   */
  @OnJob(JobName.WebhooksProcess)
  async process(_data?: unknown, job?: Pick<Job, 'id'>): Promise<DrainResult> {
    let applied = 0;
    let waiting = 0;
    for (let chunk = 0; chunk < DRAIN_CHUNKS_PER_JOB; chunk += 1) {
      const now = this.clock.now();
      const events = await this.repository.claim(DRAIN_CHUNK, now, new Date(now.getTime() + DRAIN_CLAIM_MS));
      const waited = await this.apply(events);
      applied += events.length - waited;
      waiting += waited;
      if (events.length < DRAIN_CHUNK) return { applied, waiting, followUp: false };
    }
    const jobId = job?.id === DRAIN_JOB_IDS[1] ? DRAIN_JOB_IDS[0] : DRAIN_JOB_IDS[1];
    // Not queued (Redis away): the 15 s schedule applies the rest. The job does not fail for it: its
    // retry would only be one more drain.
    const followUp = await this.jobs
      .add(JobName.WebhooksProcess, {}, { jobId, removeOnComplete: true, removeOnFail: true })
      .then(
        () => true,
        (err: unknown) => {
          this.logger.warn(`webhook processing follow-up not queued: ${messageOf(err)}`);
          return false;
        },
      );
    return { applied, waiting, followUp };
  }

  /** Applies what it can of `events`; returns how many wait for their send to be recorded. */
  private async apply(events: WebhookEventRow[]): Promise<number> {
    if (events.length === 0) return 0;
    const now = this.clock.now();
    const { outcomes, waiting } = await this.deliveryEvents.apply(
      events.map((event) => {
        const source = this.sources[event.provider as EventProvider] as DeliveryEventSource | undefined;
        return {
          id: event.id,
          kind: source?.outcomeOf(event.event),
          channel: source?.channel ?? 'email',
          messageId: event.messageId,
          providerRef: event.providerRef,
          code: event.code ?? event.event,
          receivedAt: event.receivedAt,
        };
      }),
      now,
    );
    await this.repository.done(outcomes, now);
    await this.repository.wait(waiting, new Date(now.getTime() + DRAIN_WAIT_MS));
    return waiting.length;
  }
}
