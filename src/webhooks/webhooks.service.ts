import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DELIVERY_EVENT_SOURCES,
  type DeliveryEventSource,
  type DeliveryEventSources,
  type EventProvider,
  type WebhookPost,
} from '../channels/delivery-events.port.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { DeliveryEventsService } from '../notifications/delivery-events.service.js';
import { JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName } from '../queue/queue.catalogue.js';
import { WebhookEventRow, WebhooksRepository } from './webhooks.repository.js';

const PROCESS_CHUNK = 500;
/**
 * An event can come back before its send is recorded (a job records its batch once every message of it
 * has left): such an event is looked at again every WAIT_MS, for as long as DeliveryEventsService lets
 * it wait.
 */
const WAIT_MS = 15_000;

@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private kicking?: Promise<void>;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly deliveryEvents: DeliveryEventsService,
    private readonly jobs: JobRepository,
    private readonly clock: Clock,
    @Inject(DELIVERY_EVENT_SOURCES) private readonly sources: DeliveryEventSources,
  ) {}

  /**
   * A provider's post: its source checks the signature and reads the events (no addresses, no free
   * text); they are stored, and their application queued. A forged, unsigned or stale post is a 403.
   */
  async receive(provider: EventProvider, post: WebhookPost): Promise<number> {
    const source = this.sources[provider];
    const now = this.clock.now();
    const parsed = source.parseEventBody(post, now);
    if ('refused' in parsed) throw this.refuse(provider, parsed.refused);
    const stored = await this.repository.store(
      parsed.events.map((e) => ({ provider, ...e, receivedAt: now })),
    );
    this.kick();
    return stored;
  }

  /** Applies stored events in arrival order, a chunk at a time, until none is left. */
  @OnJob(JobName.WebhooksProcess)
  async process(): Promise<Record<string, number>> {
    let applied = 0;
    let waiting = 0;
    for (;;) {
      const events = await this.repository.pending(PROCESS_CHUNK, this.clock.now());
      if (events.length === 0) break;
      const waited = await this.apply(events);
      applied += events.length - waited;
      waiting += waited;
    }
    return { applied, waiting };
  }

  /** Applies what it can of `events`; returns how many wait for their send to be recorded. */
  private async apply(events: WebhookEventRow[]): Promise<number> {
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
    await this.repository.wait(waiting, new Date(now.getTime() + WAIT_MS));
    return waiting.length;
  }

  /**
   * Queues the processing, without making the provider wait for it: with Redis away, adding a job waits
   * for its return, and the answer must not (the events are stored; the 15 s schedule applies them). One
   * add at a time: the one in flight queues the processing of everything stored meanwhile.
   */
  private kick(): void {
    if (this.kicking) return;
    // One job at a time, gone when done so that the next event can queue it again.
    const once = { jobId: 'webhooks-process', removeOnComplete: true, removeOnFail: true };
    this.kicking = this.jobs
      .add(JobName.WebhooksProcess, {}, once)
      .then(
        () => undefined,
        (err: Error) => this.logger.warn(`webhook processing not queued: ${err.message}`),
      )
      .finally(() => (this.kicking = undefined));
  }

  private refuse(provider: string, reason: string): AppError {
    this.logger.warn({ provider, reason }, 'webhook refused');
    return new AppError(ErrorCode.Forbidden, `webhook refused: ${reason}`);
  }
}
