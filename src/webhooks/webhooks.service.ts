import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  DELIVERY_EVENT_SOURCES,
  type DeliveryEventSources,
  type EventProvider,
  type WebhookPost,
} from '../channels/delivery-events.port.js';
import { Clock } from '../common/clock.js';
import { AppError, ErrorCode } from '../common/errors.js';
import { JobRepository } from '../queue/job.repository.js';
import { JobName } from '../queue/queue.catalogue.js';
import { DRAIN_JOB_IDS } from './webhook-events.service.js';
import { WebhooksRepository } from './webhooks.repository.js';

/** Delivery events as they arrive: verified by their provider's source, stored, their application queued. */
@Injectable()
export class WebhooksService {
  private readonly logger = new Logger(WebhooksService.name);
  private kicking?: Promise<void>;

  constructor(
    private readonly repository: WebhooksRepository,
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

  /**
   * Queues the processing, without making the provider wait for it: with Redis away, adding a job waits
   * for its return, and the answer must not (the events are stored; the 15 s schedule applies them). One
   * add at a time: the one in flight queues the processing of everything stored meanwhile.
   */
  private kick(): void {
    if (this.kicking) return;
    // One job at a time, gone when done so that the next event can queue it again.
    const once = { jobId: DRAIN_JOB_IDS[0], removeOnComplete: true, removeOnFail: true };
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
