import { Inject, Injectable } from '@nestjs/common';
import {
  DELIVERY_EVENT_SOURCES,
  type DeliveryEventSource,
  type DeliveryEventSources,
  type EventProvider,
} from '../channels/delivery-events.port.js';
import { Clock } from '../common/clock.js';
import { DeliveryEventsService } from '../notifications/delivery-events.service.js';
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

/**
 * The stored events applied, from the queue (the provider's answer never waits for it): each with what
 * its provider's source says it means, to the messages it names (DeliveryEventsService); each stored as
 * applied, set aside, or waiting for its send to be recorded.
 */
@Injectable()
export class WebhookEventsService {
  constructor(
    private readonly repository: WebhooksRepository,
    private readonly deliveryEvents: DeliveryEventsService,
    private readonly clock: Clock,
    @Inject(DELIVERY_EVENT_SOURCES) private readonly sources: DeliveryEventSources,
  ) {}

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
}
