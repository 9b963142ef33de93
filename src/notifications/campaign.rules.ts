import type { Channel } from '../channels/channel.port.js';
import type { AppConfig } from '../config/config.js';
import { smsBatchSize } from '../queue/queue.catalogue.js';

export const CampaignStatus = {
  Draft: 'draft',
  Approved: 'approved',
  Sending: 'sending',
  Paused: 'paused',
  Completed: 'completed',
  Cancelled: 'cancelled',
} as const;
export type CampaignStatus = (typeof CampaignStatus)[keyof typeof CampaignStatus];

/** Campaigns of an incident that block a new one: one campaign at a time goes out per incident. */
export const ACTIVE_STATUSES: readonly string[] = [
  CampaignStatus.Draft,
  CampaignStatus.Approved,
  CampaignStatus.Sending,
  CampaignStatus.Paused,
];

/** What every notice must say (the privacy policy, GDPR Art. 34(2)): the incident needs these first. */
export const NOTICE_FACTS = ['description', 'likelyConsequences', 'measuresTaken', 'remedies'] as const;

/** The guardian's version of a template. */
export const guardianTemplate = (template: string): string => `${template}-guardian`;

/** Recipients per batch: SendGrid takes 1000 personalizations, FCM's sendEach 500; SMS per the rate. */
export const batchSizes = (config: AppConfig): Record<Channel, number> => ({
  email: 1000,
  sms: smsBatchSize(config),
  push: 500,
});

/**
 * Batches in the queue per channel and campaign at once: enough to keep every worker busy, few enough
 * that Redis holds a window of ids, not a campaign.
 */
export const WINDOW: Record<Channel, number> = { email: 16, sms: 16, push: 16 };
