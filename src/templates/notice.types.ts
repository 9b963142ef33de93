import type {
  GuardianWords,
  MassachusettsWords,
  NoticeTextField,
  NoticeTranslations,
} from '../common/notice-text.js';
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
  /** The security measures that protected the data before the breach (where a profile asks: Brazil). */
  securityMeasuresBefore?: string | null;
  /** Why the notice goes out late (where a profile asks: Brazil). */
  noticeDelayReasons?: string | null;
  /** How the company found out (where a profile asks: Singapore). */
  howDiscovered?: string | null;
  /** What caused it (where a profile asks: Japan, China). */
  cause?: string | null;
  /** Whether notifying people was delayed for law enforcement (where a profile asks); null: not known. */
  lawEnforcementDelay?: boolean | null;
  /** The guardian's version of the words written to the person: a guardian's notice says these. */
  guardianWords?: GuardianWords | null;
  /** The version without the nature of the breach (and its guardian's) that a Massachusetts notice says. */
  massachusettsWords?: MassachusettsWords | null;
  /** The responders' words in other languages (per BCP 47 tag); a notice takes its language's. */
  translations?: NoticeTranslations | null;
}

/** The responders' words one notice says, per field (its language, audience and jurisdiction's version). */
export type NoticeWords = Readonly<Record<NoticeTextField, string | null | undefined>>;

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
  /**
   * The SMS cannot carry this reader's notice within one message and does not count as it (SMS_NOTICE):
   * it goes with its lead alone, which points to the notice.
   */
  smsLeadOnly?: boolean;
}

export interface RenderedNotice {
  template: string;
  /** The locale the notice is in, after the fallback chain. */
  locale: string;
  email: { subject: string; html: string; text: string };
  sms: { body: string } & SmsSize;
  push: { title: string; body: string };
}
