import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { batchSizes } from './campaign.rules.js';
import type { CampaignRow } from './campaigns.repository.js';
import { DeliveriesRepository } from './deliveries.repository.js';
import { MessagesRepository } from './messages.repository.js';

/** Where a recipient goes when their notice failed for good: a send's record and a bounce alike. */
@Injectable()
export class DeliveryFallback {
  constructor(
    private readonly deliveries: DeliveriesRepository,
    private readonly messages: MessagesRepository,
    private readonly config: AppConfig,
  ) {}

  /**
   * Recipients whose notice failed for good: the next notice channel of their plan (escalate), or
   * unreachable when none is left (or in mode all, when every one failed). Inside the caller's
   * transaction; returns whether new messages wait to be sent.
   */
  async fallBack(campaign: CampaignRow, deliveryIds: number[], now: Date): Promise<boolean> {
    if (deliveryIds.length === 0) return false;
    // Two failures of one delivery recorded at once (mode all: its email and its SMS, in two batches; or
    // a bounce beside a send's failure) each saw the other's message still queued, and neither closed
    // it: it stayed pending for good. Locked first, the second waits, and its next statement sees the
    // first's commit.
    await this.deliveries.lock(deliveryIds);
    if (campaign.mode !== 'escalate') {
      await this.deliveries.markUnreachable(deliveryIds, now);
      return false;
    }
    const { escalated, exhausted } = await this.messages.escalate(deliveryIds, now);
    await this.deliveries.markUnreachable(exhausted, now);
    if (escalated.length === 0) return false;
    await this.messages.assignBatches(campaign.id, batchSizes(this.config), now);
    return true;
  }
}
