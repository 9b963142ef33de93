import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { NoticeTokens } from '../notifications/notice-token.js';
import { subjectAad } from '../subjects/subject.batch.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import { substitute } from '../channels/substitutions.js';
import { formatDate, NoticeRenderer, noticeVariant, type NoticeFacts } from '../templates/notice.renderer.js';
import { NoticePageView, type MessageKind } from './notice-page.view.js';
import { NoticePagesRepository, type PageDelivery } from './notice-pages.repository.js';
import { NoticeRateLimiter } from './notice-rate.js';

/** What a page request answers: a status, the HTML, and for a 429 when to come back. */
export interface PageAnswer {
  status: number;
  html: string;
  retryAfter?: number;
}

/** Where a kept page takes its reader's acknowledgement (no `%`: never a substitution's token). */
const ACK = '\u0000ack\u0000';

/** No delivery has this id: a token that does not verify is looked up as this, so both cost one query. */
const NO_DELIVERY = -1;

/**
 * Each person's notice page behind the link in their notice: the notice as it was sent to them (their
 * language, time zone, what of theirs was involved; for a guardian, about the child), and "I have read
 * this". A wrong token, an expired one, a cancelled or erased person's: one answer, the same 404 page.
 */
@Injectable()
export class NoticePagesService {
  private readonly logger = new Logger(NoticePagesService.name);
  private readonly messages = new Map<string, string>();
  private readonly pages = new Map<string, { locale: string; html: string }>();

  constructor(
    private readonly repository: NoticePagesRepository,
    private readonly renderer: NoticeRenderer,
    private readonly view: NoticePageView,
    private readonly tokens: NoticeTokens,
    private readonly crypto: CryptoService,
    private readonly incidents: IncidentsService,
    private readonly limiter: NoticeRateLimiter,
    private readonly clock: Clock,
    private readonly config: AppConfig,
  ) {}

  get contentSecurityPolicy(): string {
    return this.view.contentSecurityPolicy;
  }

  async show(token: string, client: string, acceptLanguage: string | undefined): Promise<PageAnswer> {
    const busy = await this.limiter.take('page', client);
    if (busy !== undefined) return this.busy(acceptLanguage, busy);
    const delivery = await this.live(token);
    if (!delivery) return this.gone(acceptLanguage);
    const incident = await this.incidents.recent(delivery.incidentId);
    const contact = this.contact(delivery);
    const guardian = delivery.recipient === 'guardian';
    const who = guardian ? contact?.guardian : contact;
    const facts: NoticeFacts = {
      organization: this.config.organizationName,
      contactEmail: this.config.privacyContactEmail,
      url: `${this.config.publicBaseUrl}/n/${token}`,
      name: who?.name ?? null,
      child: guardian ? (contact?.name ?? null) : null,
      locale: delivery.locale,
      timeZone: delivery.timeZone,
      jurisdiction: delivery.jurisdiction,
      exposed: delivery.exposed.length > 0 ? delivery.exposed : incident.dataCategories,
      incident,
      sentAt: delivery.sentAt,
    };
    const shared = this.sharedPage(delivery, incident, facts);
    const acknowledgedOn = delivery.acknowledgedAt
      ? this.view.acknowledged(
          shared.locale,
          formatDate(delivery.acknowledgedAt, shared.locale.split('+')[0], delivery.timeZone),
        )
      : null;
    // What differs per person (their name, the child's, what of theirs, dates in their zone), as the
    // email's substitutions put it in; then their acknowledgement.
    const html = substitute(shared.html, this.renderer.substitutions(delivery.template, facts)).replace(
      ACK,
      this.view.renderAck(shared.locale, acknowledgedOn),
    );
    return { status: 200, html };
  }

  /**
   * The page of a notice variant, rendered once and kept: everyone of one template, locale, variant and
   * day reads the same page but for the `%token%`s of the email's substitutions. A new version of the
   * incident is another page.
   */
  private sharedPage(
    delivery: PageDelivery,
    incident: IncidentRow,
    facts: NoticeFacts,
  ): { locale: string; html: string } {
    const key = [
      delivery.template,
      delivery.locale,
      noticeVariant(delivery.jurisdiction),
      delivery.sentAt?.toISOString().slice(0, 10),
      incident.id,
      incident.version,
      incident.updatedAt.getTime(),
    ].join('|');
    let shared = this.pages.get(key);
    if (shared === undefined) {
      const { locale, notices } = this.renderer.page(delivery.template, facts, true);
      const title = (notices[0]?.t as { title?: string } | undefined)?.title ?? '';
      shared = { locale, html: this.view.renderPage({ locale, title, notices, ack: ACK }) };
      if (this.pages.size >= 1_000) this.pages.delete(this.pages.keys().next().value!);
      this.pages.set(key, shared);
    }
    return shared;
  }

  /**
   * "I have read this": recorded once, then the page again (which says so). A token that opens no page
   * answers as its page would, recording nothing.
   */
  async acknowledge(token: string, client: string, acceptLanguage: string | undefined): Promise<PageAnswer> {
    const busy = await this.limiter.take('page', client);
    if (busy !== undefined) return this.busy(acceptLanguage, busy);
    const delivery = await this.live(token);
    if (!delivery) return this.gone(acceptLanguage);
    await this.repository.acknowledge(delivery.id, this.clock.now());
    return { status: 303, html: '' };
  }

  /** The one answer to every link that opens nothing. */
  gone(acceptLanguage: string | undefined): PageAnswer {
    return { status: 404, html: this.message('gone', this.view.negotiate(acceptLanguage)) };
  }

  private busy(acceptLanguage: string | undefined, retryAfter: number): PageAnswer {
    return { status: 429, html: this.message('busy', this.view.negotiate(acceptLanguage)), retryAfter };
  }

  private message(kind: MessageKind, locale: string): string {
    const key = `${kind}|${locale}`;
    let html = this.messages.get(key);
    if (html === undefined) {
      html = this.view.renderMessage(kind, locale, {
        org: this.config.organizationName,
        contact: this.config.privacyContactEmail,
      });
      this.messages.set(key, html);
    }
    return html;
  }

  /**
   * The delivery a token opens, while its page lives: sent (or its campaign started), not cancelled, the
   * person not erased, and within NOTICE_PAGE_DAYS of the notice. A token that does not verify costs the
   * same query as one that does, so the answer's time does not tell a made-up token from an expired one.
   */
  private async live(token: string): Promise<PageDelivery | undefined> {
    const delivery = await this.repository.delivery(this.tokens.verify(token) ?? NO_DELIVERY);
    if (!delivery?.sentAt || !delivery.externalId || delivery.status === 'cancelled') return undefined;
    if (this.clock.now().getTime() > delivery.sentAt.getTime() + this.config.noticePageMs) return undefined;
    return delivery;
  }

  /** The person's sealed contact data (their name, a guardian's), opened for the page; none if it does not open. */
  private contact(delivery: PageDelivery): SealedContact | undefined {
    if (!delivery.sealed || !delivery.externalId) return undefined;
    try {
      return this.crypto.cipher.openJson<SealedContact>(delivery.sealed, subjectAad(delivery.externalId));
    } catch (err) {
      // The page says the notice without names rather than nothing (the id only: never the data).
      this.logger.error({ deliveryId: delivery.id, err: messageOf(err) }, 'contact data does not open');
      return undefined;
    }
  }
}
