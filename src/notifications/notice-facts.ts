import type { AppConfig } from '../config/config.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import type { NoticeFacts } from '../templates/notice.renderer.js';

/** What of a delivery a notice about it says: to whom, in which language, where, and what was exposed. */
export interface NoticeReader {
  recipient: 'person' | 'guardian';
  locale: string;
  timeZone: string | null;
  jurisdiction: string | null;
  /** The categories exposed for this person; none: the incident's. */
  exposed: string[];
  sentAt: Date | null;
}

/** Whom a delivery's notice addresses in a person's contact: the person, or their guardian (held in the child's). */
export function addressee(contact: SealedContact | undefined, recipient: 'person' | 'guardian') {
  return recipient === 'guardian' ? contact?.guardian : contact;
}

/** The recipient's address on a channel that has one, from the person's contact. */
export function addressOn(
  contact: SealedContact | undefined,
  recipient: 'person' | 'guardian',
  channel: 'email' | 'sms',
): string | undefined {
  const who = addressee(contact, recipient);
  return channel === 'email' ? who?.email : who?.phone;
}

/**
 * One reader's notice facts, as the send path fills them and a notice page reads them back: to the
 * person, or to the guardian about the child (the child's contact holds the guardian's), with the link
 * to the notice's page (`token`). One place, so a page never says other than what was sent.
 */
export function noticeFacts(
  config: AppConfig,
  token: string,
  reader: NoticeReader,
  contact: SealedContact | undefined,
  incident: IncidentRow,
): NoticeFacts {
  const guardian = reader.recipient === 'guardian';
  const who = addressee(contact, reader.recipient);
  return {
    organization: config.organizationName,
    contactEmail: config.privacyContactEmail,
    url: `${config.publicBaseUrl}/n/${token}`,
    name: who?.name ?? null,
    child: guardian ? (contact?.name ?? null) : null,
    locale: reader.locale,
    timeZone: reader.timeZone,
    jurisdiction: reader.jurisdiction,
    exposed: reader.exposed.length > 0 ? reader.exposed : incident.dataCategories,
    incident,
    sentAt: reader.sentAt,
  };
}
