import { Injectable } from '@nestjs/common';
import type { Channel } from '../channels/channel.port.js';
import { Clock } from '../common/clock.js';
import { DatabaseService } from '../database/database.service.js';
import { Revocations } from '../database/revocations.js';
import { CampaignLifecycle } from './campaign.lifecycle.js';
import { CampaignStatus } from './campaign.rules.js';
import { CampaignsRepository } from './campaigns.repository.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { DeliveryFallback } from './delivery.fallback.js';
import { MessagesRepository } from './messages.repository.js';

/**
 * An event can come back before its send is recorded: a job records its batch once every message of it
 * has left (200 SMS take seconds), and a delivery receipt may be quicker. Such an event waits for at
 * most GIVE_UP_MS after it came (a send never recorded: its worker died, and the batch went out again
 * under another id).
 */
const GIVE_UP_MS = 60 * 60_000;

/** A stored provider event, with what its provider says it means. */
export interface ReceivedEvent {
  id: number;
  /** Delivered, failed after it had left, or nothing for its message (kept only). */
  kind: 'delivered' | 'failed' | undefined;
  /** The channel of the messages its provider sends. */
  channel: Channel;
  messageId: number | null;
  providerRef: string | null;
  /** The provider's code, else its name for the event. */
  code: string;
  receivedAt: Date;
}

/** A change an event makes to its message. */
export interface DeliveryChange {
  messageId: number;
  campaignId: string;
  kind: 'delivered' | 'failed';
  code: string;
}

/** Delivery events applied to the messages they name: delivered, or failed after they had left. */
@Injectable()
export class DeliveryEventsService {
  constructor(
    private readonly database: DatabaseService,
    private readonly messages: MessagesRepository,
    private readonly deliveries: DeliveriesRepository,
    private readonly campaigns: CampaignsRepository,
    private readonly fallback: DeliveryFallback,
    private readonly lifecycle: CampaignLifecycle,
    private readonly clock: Clock,
    private readonly revocations: Revocations,
  ) {}

  /**
   * Applies what it can of `events`: the outcome of each one applied or set aside (ignored, naming no
   * message of ours), and the ids of those that wait for their send to be recorded.
   */
  async apply(
    events: ReceivedEvent[],
    now: Date,
  ): Promise<{ outcomes: Array<{ id: number; outcome: string }>; waiting: number[] }> {
    const found = await this.messages.eventMessages(
      events.map((e) => e.messageId).filter((id): id is number => id !== null),
    );
    const byId = new Map(found.map((m) => [m.id, m]));
    const outcomes: Array<{ id: number; outcome: string }> = [];
    const changes: DeliveryChange[] = [];
    const waiting: number[] = [];
    for (const event of events) {
      const message = byId.get(event.messageId ?? -1);
      // An event must name our message and what the provider called it (the SID, the request's id).
      const ours = message?.channel === event.channel;
      const matches = ours && message.providerRef === event.providerRef;
      // Ours, with no provider id, still queued (or cancelled while on the wire): its job has not recorded
      // the send yet.
      const unrecorded =
        ours &&
        message.providerRef === null &&
        (message.status === 'queued' || message.status === 'cancelled');
      if (!event.kind) outcomes.push({ id: event.id, outcome: 'ignored' });
      else if (unrecorded && now.getTime() - event.receivedAt.getTime() < GIVE_UP_MS) waiting.push(event.id);
      else if (!message || !matches) outcomes.push({ id: event.id, outcome: 'unknown_message' });
      else {
        changes.push({
          messageId: message.id,
          campaignId: message.campaignId,
          kind: event.kind,
          code: event.code,
        });
        outcomes.push({ id: event.id, outcome: event.kind });
      }
    }
    await this.applyEvents(changes);
    return { outcomes, waiting };
  }

  /**
   * Delivery events from the providers' webhooks: delivered, or failed after it had left (a bounce, an
   * undelivered SMS), which falls back like a failure at send time. A completed campaign that gets new
   * messages this way is sending again until they are sent.
   */
  async applyEvents(events: DeliveryChange[]): Promise<void> {
    const now = this.clock.now();
    await this.messages.markDelivered(
      events.filter((e) => e.kind === 'delivered').map((e) => e.messageId),
      now,
    );
    const failures = events.filter((e) => e.kind === 'failed');
    for (const campaignId of new Set(failures.map((f) => f.campaignId))) {
      const mine = failures.filter((f) => f.campaignId === campaignId);
      let closed = false;
      const more = await this.database.transaction(async () => {
        // Its status as of now, held until this commits: a cancel comes before (nothing falls back) or
        // after (and cancels what this queues).
        const campaign = await this.campaigns.findForUpdate(campaignId);
        if (!campaign) return false;
        const reopened = await this.messages.failAfterSend(
          mine.map((f) => ({ id: f.messageId, code: f.code })),
          now,
        );
        // A cancelled campaign sends nothing more: no longer notified, and no next channel.
        if (campaign.status === CampaignStatus.Cancelled) {
          await this.deliveries.markCancelled(reopened, now);
          // Their pages close, in every process (and in this one after the commit, below).
          if (reopened.length > 0) {
            await this.revocations.announce('all');
            closed = true;
          }
          return false;
        }
        const added = await this.fallback.fallBack(campaign, reopened, now);
        if (added) await this.lifecycle.reopen(campaignId, reopened.length, now);
        return added;
      });
      if (closed) this.revocations.revoked('all');
      if (more) await this.lifecycle.topUp(campaignId);
      await this.lifecycle.finishIfIdle(campaignId);
    }
  }
}
