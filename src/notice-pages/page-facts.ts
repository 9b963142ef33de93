import type { AppConfig } from '../config/config.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import type { NoticeFacts } from '../templates/notice.renderer.js';
import type { PageDelivery } from './notice-pages.repository.js';

/**
 * What a delivery's notice says, as its email said it: to the person, or to the guardian about the child
 * (the child's contact holds the guardian's), with the link to its page (`token`).
 */
export function deliveryFacts(
  config: AppConfig,
  token: string,
  delivery: PageDelivery,
  contact: SealedContact | undefined,
  incident: IncidentRow,
): NoticeFacts {
  const guardian = delivery.recipient === 'guardian';
  const who = guardian ? contact?.guardian : contact;
  return {
    organization: config.organizationName,
    contactEmail: config.privacyContactEmail,
    url: `${config.publicBaseUrl}/n/${token}`,
    name: who?.name ?? null,
    child: guardian ? (contact?.name ?? null) : null,
    locale: delivery.locale,
    timeZone: delivery.timeZone,
    jurisdiction: delivery.jurisdiction,
    exposed: delivery.exposed.length > 0 ? delivery.exposed : incident.dataCategories,
    incident,
    sentAt: delivery.sentAt,
  };
}
