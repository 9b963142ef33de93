import type { Channel } from '../channels/channel.port.js';
import { AppError, ErrorCode } from '../common/errors.js';
import type { AppConfig } from '../config/config.js';
import { IncidentState } from '../incidents/incident.lifecycle.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import {
  GUARDIAN_TEXT_FIELDS,
  MASSACHUSETTS_TEXT_FIELDS,
  type GuardianTextField,
} from '../common/notice-text.js';
import type { WordsVersion } from '../jurisdictions/rules/notice-profile.types.js';
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

/** What of an incident the guardian-words check reads. */
export type GuardianWordsFacts = Pick<
  IncidentRow,
  GuardianTextField | 'guardianWords' | 'massachusettsWords' | 'translations'
>;

/**
 * The guardian versions a campaign that notifies guardians still needs, as the fields to give (in the
 * API's terms): wherever words for the person are given (as written or in a translation), their
 * guardian's version, for each version of the words the guardians' notices say (as written, or a
 * jurisdiction's own: Massachusetts). A guardian's notice never says the person's words in their place.
 */
export function missingGuardianWords(
  incident: GuardianWordsFacts,
  versions: ReadonlySet<WordsVersion | null>,
): string[] {
  const given = (text: string | null | undefined) => Boolean(text?.trim());
  const missing: string[] = [];
  const check = <F extends string>(
    prefix: string,
    fields: readonly F[],
    person: Partial<Record<F, string | null>> | undefined,
    guardian: Partial<Record<F, string>> | undefined,
    into: string,
  ) => {
    for (const field of fields) {
      if (given(person?.[field]) && !given(guardian?.[field])) missing.push(`${prefix}${into}.${field}`);
    }
  };
  const tags = Object.keys(incident.translations).sort();
  if (versions.has(null)) {
    check('', GUARDIAN_TEXT_FIELDS, incident, incident.guardianWords, 'guardianWords');
    for (const tag of tags) {
      const words = incident.translations[tag];
      check(`translations.${tag}.`, GUARDIAN_TEXT_FIELDS, words, words.guardianWords, 'guardianWords');
    }
  }
  if (versions.has('massachusetts')) {
    const own = incident.massachusettsWords;
    check('', MASSACHUSETTS_TEXT_FIELDS, own, own.guardian, 'massachusettsWords.guardian');
    for (const tag of tags) {
      const words = incident.translations[tag].massachusettsWords;
      check(
        `translations.${tag}.`,
        MASSACHUSETTS_TEXT_FIELDS,
        words,
        words?.guardian,
        'massachusettsWords.guardian',
      );
    }
  }
  return missing;
}

/** Whether the incident gives a fact: words that are not blank, or a date. */
export const given = (value: string | Date | null): boolean =>
  value instanceof Date || (typeof value === 'string' && value.trim() !== '');

const CLOSED_INCIDENT = new Set<string>([IncidentState.Closed, IncidentState.Dismissed]);

/** A notice can go out for the incident: not closed, and every part the law asks a notice to say is there. */
export function checkNoticeable(incident: IncidentRow): void {
  if (CLOSED_INCIDENT.has(incident.state)) {
    throw new AppError(ErrorCode.Conflict, `the incident is ${incident.state}: no notice goes out for it`);
  }
  const missing: string[] = NOTICE_FACTS.filter((field) => !given(incident[field]));
  // Each notice names the person's data that was involved, from these when the scope did not say.
  if (incident.dataCategories.length === 0) missing.push('dataCategories');
  if (missing.length > 0) {
    throw new AppError(
      ErrorCode.Conflict,
      `every notice must say what happened, what data was involved, its possible impact, the measures taken and the remedies: the incident has no ${missing.join(', ')}`,
      { missing },
    );
  }
}
