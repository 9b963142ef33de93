import type { NoticeTranslations } from '../incidents/notice-text.js';
import type { SmsSize } from './sms-segments.js';

/** The incident's words, as the responders wrote them. */
export interface NoticeIncident {
  description: string | null;
  occurredFrom: Date | null;
  occurredTo: Date | null;
  discoveredAt: Date;
  containedAt: Date | null;
  likelyConsequences: string | null;
  measuresTaken: string | null;
  measuresPlanned: string | null;
  adviceToIndividuals: string | null;
  remedies: string | null;
  /** Where it took place, in the responders' words. */
  location?: string | null;
  /** Whether notifying people was delayed for law enforcement (where a profile asks); null: not known. */
  lawEnforcementDelay?: boolean | null;
  /** The responders' words in other languages (per BCP 47 tag); a notice takes its language's. */
  translations?: NoticeTranslations | null;
}

/** Everything one recipient's notice says. */
export interface NoticeFacts {
  organization: string;
  contactEmail: string;
  /** The recipient's personal notice page. */
  url: string;
  /** The recipient's name (the guardian's, for a guardian's notice). */
  name: string | null;
  /** The minor's name, in a guardian's notice. */
  child: string | null;
  locale: string | null;
  timeZone: string | null;
  jurisdiction: string | null;
  /** What of the person was exposed (data category ids). */
  exposed: readonly string[];
  incident: NoticeIncident;
  /** When the notice goes out (where a profile asks, the notice gives its date); none in a sample. */
  sentAt?: Date | null;
}

export interface RenderedNotice {
  template: string;
  /** The locale the notice is in, after the fallback chain. */
  locale: string;
  email: { subject: string; html: string; text: string };
  sms: { body: string } & SmsSize;
  push: { title: string; body: string };
}
