import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '../common/clock.js';
import { messageOf } from '../common/errors.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { Revocations } from '../database/revocations.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { NoticeTokens } from '../notifications/notice-token.js';
import { subjectAad } from '../subjects/subject.batch.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import { substitute } from '../channels/substitutions.js';
import { formatDate, NoticeRenderer, noticeVariant, type NoticeFacts } from '../templates/notice.renderer.js';
import { KeptPages } from './kept-pages.js';
import { NoticePageView, type MessageKind } from './notice-page.view.js';
import { noticeFacts } from '../notifications/notice-facts.js';
import { NoticePagesRepository, type PageDelivery } from './notice-pages.repository.js';
import { NoticeRateLimiter } from './notice-rate.js';

/** What a page request answers: a status, the HTML, and for a 429 when to come back. */
export interface PageAnswer {
  status: number;
  html: string | Buffer;
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
 * A page read is kept a short while (KeptPages), and so is the answer to tokens that open nothing; an
 * erasure, a cancel or an acknowledgement drops what is kept at once in every process (Revocations),
 * and a process that may have missed one reads every page again until it hears them again.
 */
@Injectable()
export class NoticePagesService {
  private readonly logger = new Logger(NoticePagesService.name);
  private readonly messages = new Map<string, Buffer>();
  private readonly pages = new Map<string, { locale: string; html: string }>();
  private readonly kept: KeptPages;
  private listening = false;

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
    private readonly revocations: Revocations,
  ) {
    this.kept = new KeptPages(config.noticePageKeepMs);
  }

  /** How many pages and answers this process keeps now (tests see that a page is kept). */
  get keptPages(): number {
    return this.kept.size;
  }

  get contentSecurityPolicy(): string {
    return this.view.contentSecurityPolicy;
  }

  /**
   * GET /n/<token>: at once from what this process keeps (the hot path of a rush, and of a flood of
   * made-up tokens, which all open the one delivery NO_DELIVERY), else once the delivery is read.
   */
  show(token: string, client: string, acceptLanguage: string | undefined): PageAnswer | Promise<PageAnswer> {
    const busy = this.limiter.count('page', client);
    if (busy !== undefined) return this.busy(acceptLanguage, busy);
    const id = this.tokens.verify(token) ?? NO_DELIVERY;
    const kept = this.keptPage(id);
    if (kept === undefined) return this.read(token, id, acceptLanguage);
    if (kept.html === undefined || this.clock.now().getTime() > kept.until) return this.gone(acceptLanguage);
    return { status: 200, html: kept.html };
  }

  /** What is kept of a delivery's page, when it may be served: every revocation heard, the same incident. */
  private keptPage(id: number) {
    if (!this.listening) {
      this.listening = true;
      this.revocations.subscribe((what) => this.kept.revoke(what));
    }
    if (!this.revocations.trusted) return undefined;
    const kept = this.kept.get(id);
    if (kept?.incident && kept.incident !== this.incidents.recentNow(kept.incident.id)) return undefined;
    return kept;
  }

  /**
   * The delivery's page read, rendered and kept (a page past its days is not: its 404 is read each
   * time). A token that does not verify is looked up as NO_DELIVERY, so a made-up token and an expired
   * one cost the same.
   */
  private async read(token: string, id: number, acceptLanguage: string | undefined): Promise<PageAnswer> {
    const mark = this.kept.mark();
    const delivery = await this.repository.delivery(id);
    if (!opens(delivery)) {
      this.keep(id, { until: 0 }, mark);
      return this.gone(acceptLanguage);
    }
    const until = this.pageUntil(delivery);
    if (this.clock.now().getTime() > until) return this.gone(acceptLanguage);
    const incident = await this.incidents.recent(delivery.incidentId);
    const html = Buffer.from(this.render(token, delivery, incident), 'utf8');
    this.keep(id, { html, until, incident }, mark);
    return { status: 200, html };
  }

  /** Keeps what was read, unless a revocation may have been missed (then every read goes to the database). */
  private keep(id: number, page: Parameters<KeptPages['keep']>[1], mark: number): void {
    if (this.revocations.trusted) this.kept.keep(id, page, mark);
  }

  /** The page of a reader: their notice, as their email said it, and their acknowledgement. */
  private render(token: string, delivery: PageDelivery, incident: IncidentRow): string {
    const facts = noticeFacts(this.config, token, delivery, this.contact(delivery), incident);
    const shared = this.sharedPage(delivery, incident, facts);
    const acknowledgedOn = delivery.acknowledgedAt
      ? this.view.acknowledged(
          shared.locale,
          formatDate(delivery.acknowledgedAt, shared.locale.split('+')[0], delivery.timeZone),
        )
      : null;
    // What differs per person (their name, the child's, what of theirs, dates in their zone), as the
    // email's substitutions put it in; then their acknowledgement.
    return substitute(shared.html, this.renderer.substitutions(delivery.template, facts)).replace(
      ACK,
      this.view.renderAck(shared.locale, acknowledgedOn),
    );
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
    const busy = this.limiter.count('page', client);
    if (busy !== undefined) return this.busy(acceptLanguage, busy);
    const delivery = await this.live(token);
    if (!delivery) return this.gone(acceptLanguage);
    if (await this.repository.acknowledge(delivery.id, this.clock.now())) {
      // Its page says so from now on, in every process.
      await this.revocations.announce(delivery.id);
      this.revocations.revoked(delivery.id);
    }
    return { status: 303, html: '' };
  }

  /** The one answer to every link that opens nothing. */
  gone(acceptLanguage: string | undefined): PageAnswer {
    return { status: 404, html: this.message('gone', this.view.negotiate(acceptLanguage)) };
  }

  private busy(acceptLanguage: string | undefined, retryAfter: number): PageAnswer {
    return { status: 429, html: this.message('busy', this.view.negotiate(acceptLanguage)), retryAfter };
  }

  private message(kind: MessageKind, locale: string): Buffer {
    const key = `${kind}|${locale}`;
    let html = this.messages.get(key);
    if (html === undefined) {
      html = Buffer.from(
        this.view.renderMessage(kind, locale, {
          org: this.config.organizationName,
          contact: this.config.privacyContactEmail,
        }),
        'utf8',
      );
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
    if (!opens(delivery)) return undefined;
    if (this.clock.now().getTime() > this.pageUntil(delivery)) return undefined;
    return delivery;
  }

  /** When a delivery's page stops answering: NOTICE_PAGE_DAYS after its notice went out. */
  private pageUntil(delivery: { sentAt: Date }): number {
    return delivery.sentAt.getTime() + this.config.noticePageMs;
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

/** Whether a delivery has a page at all (its days aside): sent or started, not cancelled, not erased. */
function opens(delivery: PageDelivery | undefined): delivery is PageDelivery & { sentAt: Date } {
  return !!delivery?.sentAt && !!delivery.externalId && delivery.status !== 'cancelled';
}
