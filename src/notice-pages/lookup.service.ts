import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  EMAIL_PORT,
  SMS_PORT,
  type EmailPort,
  type SendOutcome,
  type SmsPort,
} from '../channels/channel.port.js';
import { Clock } from '../common/clock.js';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { normalizeEmail } from '../crypto/field-cipher.js';
import { IncidentsService } from '../incidents/incidents.service.js';
import { NoticeTokens } from '../notifications/notice-token.js';
import { PublishedNotices } from '../public-notices/published-notices.js';
import { RetryLater, JobRepository } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, type JobPayload } from '../queue/queue.catalogue.js';
import { subjectAad } from '../subjects/subject.batch.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import { NoticeRenderer, type NoticeFacts } from '../templates/notice.renderer.js';
import { NoticePageView } from './notice-page.view.js';
import type { PageAnswer } from './notice-pages.service.js';
import { NoticePagesRepository, type PageDelivery } from './notice-pages.repository.js';
import { NoticeRateLimiter } from './notice-rate.js';

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{1,63}$/;
/** Messages to one address per minute: a form anyone can fill in must not make us spam anyone. */
const PER_ADDRESS = 1;

/**
 * "Was I affected?" on a published Security Notice: a person gives an email address or a phone number,
 * and the page says the same thing whoever gives what. Only the person the address belongs to, if they
 * were in the incident's affected set and a notice was planned for them, is sent their notice again, to
 * that address, through the channel it is (email or SMS). Anyone else receives nothing: no message tells
 * a stranger's address that it is not in the set. The request's work is the same for every address
 * (a hash, one lookup, one job), so its time tells nothing either; the job decides.
 */
@Injectable()
export class LookupService {
  private readonly logger = new Logger(LookupService.name);

  constructor(
    private readonly published: PublishedNotices,
    private readonly repository: NoticePagesRepository,
    private readonly limiter: NoticeRateLimiter,
    private readonly view: NoticePageView,
    private readonly jobs: JobRepository,
    private readonly renderer: NoticeRenderer,
    private readonly tokens: NoticeTokens,
    private readonly incidents: IncidentsService,
    private readonly crypto: CryptoService,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @Inject(EMAIL_PORT) private readonly email: EmailPort,
    @Inject(SMS_PORT) private readonly sms: SmsPort,
  ) {}

  async ask(slug: string, given: unknown, client: string, language: string | undefined): Promise<PageAnswer> {
    // The form says the language of the page it is on; else what the browser asks.
    const lang = (given as { lang?: unknown } | undefined)?.lang;
    const locale = this.view.negotiate(typeof lang === 'string' ? lang : language);
    const say = (kind: 'lookup' | 'bad' | 'busy' | 'gone') =>
      this.view.renderMessage(kind, locale, {
        org: this.config.organizationName,
        contact: this.config.privacyContactEmail,
      });
    const busy = await this.limiter.take('lookup', client);
    if (busy !== undefined) return { status: 429, html: say('busy'), retryAfter: busy };
    const notice = await this.published.bySlug(slug);
    if (!notice) return { status: 404, html: say('gone') };
    const address = addressOf(given);
    if (!address) return { status: 400, html: say('bad') };
    // The same answer when one address is asked about again and again; only the first of a minute is sent.
    const again = await this.limiter.take('lookup-address', address.normalized, PER_ADDRESS);
    if (again === undefined) {
      const hash = this.crypto.cipher.keyedHash(address.kind, address.normalized);
      const subjectId = await this.repository.subjectByHash(address.kind, hash);
      await this.jobs.add(JobName.NoticeLookup, {
        incidentId: notice.incidentId,
        subjectId,
        channel: address.kind === 'email' ? 'email' : 'sms',
      });
    }
    return { status: 200, html: say('lookup') };
  }

  /** The job: the person's notice again, to the address they gave (theirs: it hashed to them). */
  @OnJob(JobName.NoticeLookup)
  async resend(payload: JobPayload<JobName.NoticeLookup>): Promise<Record<string, unknown>> {
    if (payload.subjectId === null) return { sent: false };
    const delivery = await this.repository.resendable(payload.incidentId, payload.subjectId);
    if (!delivery?.sealed || !delivery.externalId) return { sent: false };
    const contact = this.crypto.cipher.openJson<SealedContact>(
      delivery.sealed,
      subjectAad(delivery.externalId),
    );
    const to = payload.channel === 'email' ? contact.email : contact.phone;
    if (!to) return { sent: false };
    const facts = await this.facts(delivery, contact);
    const id = await this.repository.nextMessageId();
    const outcome = await this.send(payload.channel, delivery.template, facts, id, to);
    if (outcome.kind === 'transient') throw new RetryLater(`lookup: ${outcome.code}`, outcome.retryAfterMs);
    await this.repository.recordResend(
      { id, campaignId: delivery.campaignId, deliveryId: delivery.id, channel: payload.channel },
      outcome.kind === 'sent'
        ? { status: 'sent', providerRef: outcome.providerRef, error: null }
        : { status: 'failed', providerRef: null, error: outcome.code },
      this.clock.now(),
    );
    this.logger.log(
      { deliveryId: delivery.id, channel: payload.channel, outcome: outcome.kind },
      'notice sent again',
    );
    return { sent: outcome.kind === 'sent' };
  }

  private async send(
    channel: 'email' | 'sms',
    template: string,
    facts: NoticeFacts,
    messageId: number,
    to: string,
  ): Promise<SendOutcome> {
    if (channel === 'sms') {
      const { sms } = this.renderer.renderShort(template, facts);
      return this.sms.send({ messageId, to, body: sms.body });
    }
    const { email } = this.renderer.render(template, facts);
    const [outcome] = await this.email.send({ ...email, recipients: [{ messageId, to, substitutions: {} }] });
    return outcome;
  }

  private async facts(delivery: PageDelivery, contact: SealedContact): Promise<NoticeFacts> {
    const incident = await this.incidents.get(delivery.incidentId);
    return {
      organization: this.config.organizationName,
      contactEmail: this.config.privacyContactEmail,
      url: `${this.config.publicBaseUrl}/n/${this.tokens.token(delivery.id)}`,
      name: contact.name ?? null,
      child: null,
      locale: delivery.locale,
      timeZone: delivery.timeZone,
      jurisdiction: delivery.jurisdiction,
      exposed: delivery.exposed.length > 0 ? delivery.exposed : incident.dataCategories,
      incident,
      sentAt: delivery.sentAt,
    };
  }
}

/** An email address or an E.164 number from the form's `contact`, normalized as the directory hashes it. */
export function addressOf(given: unknown): { kind: 'email' | 'phone'; normalized: string } | undefined {
  const body = (given ?? {}) as Record<string, unknown>;
  const raw = typeof body.contact === 'string' ? body.contact.trim() : '';
  if (raw.length === 0 || raw.length > 254) return undefined;
  if (raw.includes('@'))
    return EMAIL.test(raw) ? { kind: 'email', normalized: normalizeEmail(raw) } : undefined;
  // People write numbers with spaces, dots, dashes and brackets: the directory holds E.164.
  const phone = raw.replace(/[\s().-]/g, '');
  return E164.test(phone) ? { kind: 'phone', normalized: phone } : undefined;
}
