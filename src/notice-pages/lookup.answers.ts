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
import { IncidentsService } from '../incidents/incidents.service.js';
import { NoticeTokens } from '../notifications/notice-token.js';
import { RetryLater } from '../queue/job.repository.js';
import { OnJob } from '../queue/on-job.decorator.js';
import { JobName, type JobPayload } from '../queue/queue.catalogue.js';
import { SendRate } from '../queue/send-rate.js';
import { subjectAad } from '../subjects/subject.batch.js';
import type { SealedContact } from '../subjects/subject.validation.js';
import { NoticeRenderer, type NoticeFacts } from '../templates/notice.renderer.js';
import { SMS_MAX_CHARACTERS, smsSize } from '../templates/sms-segments.js';
import { NoticePageView, type AnswerKind } from './notice-page.view.js';
import { addressOn, noticeFacts } from '../notifications/notice-facts.js';
import { NoticePagesRepository, type PageDelivery } from './notice-pages.repository.js';

type Channel = 'email' | 'sms';
interface Asked {
  subjectId: number;
  recipient: 'person' | 'guardian';
}

/** An SMS that counts as the notice and no longer fits one: never a lead alone recorded as the notice. */
const TOO_LONG: SendOutcome = { kind: 'permanent', code: 'sms_too_long' };

/**
 * What "Was I affected?" sends, decided in a job (LookupService queues it): to the address given, and
 * only when the directory holds it, as a person's own or as a minor's guardian's:
 * - their notice again (each child's, for a guardian), with the link to their page, recorded as a message
 *   of the delivery so the campaign counts it;
 * - in the affected set but no notice to send again (none planned yet, or cancelled): a short note that
 *   their data was involved, that their notice follows, and the public notice's address;
 * - not in the affected set: a short note that their data was not involved.
 * An SMS takes a send slot as the campaigns' do (the provider's rate holds across all of it).
 */
@Injectable()
export class LookupAnswers {
  private readonly logger = new Logger(LookupAnswers.name);

  constructor(
    private readonly repository: NoticePagesRepository,
    private readonly view: NoticePageView,
    private readonly renderer: NoticeRenderer,
    private readonly tokens: NoticeTokens,
    private readonly incidents: IncidentsService,
    private readonly crypto: CryptoService,
    private readonly rate: SendRate,
    private readonly clock: Clock,
    private readonly config: AppConfig,
    @Inject(EMAIL_PORT) private readonly email: EmailPort,
    @Inject(SMS_PORT) private readonly sms: SmsPort,
  ) {}

  @OnJob(JobName.NoticeLookup)
  async answer(payload: JobPayload<JobName.NoticeLookup>): Promise<Record<string, unknown>> {
    const asked: Asked[] = [
      ...(payload.subjectId === null ? [] : [{ subjectId: payload.subjectId, recipient: 'person' as const }]),
      ...(payload.guardianOf ?? []).map((subjectId) => ({ subjectId, recipient: 'guardian' as const })),
    ];
    if (asked.length === 0) return { sent: 0 };
    let resent = 0;
    for (const who of asked) {
      const delivery = await this.repository.resendable(payload.incidentId, who.subjectId, who.recipient);
      if (delivery && (await this.resend(delivery, payload.channel))) resent += 1;
    }
    if (resent > 0) return { sent: resent };
    const ids = asked.map((a) => a.subjectId);
    const kind: AnswerKind = (await this.repository.anyAffected(payload.incidentId, ids))
      ? 'involved'
      : 'notAffected';
    const sent = await this.note(kind, asked[0], payload.channel, payload.slug);
    this.logger.log({ channel: payload.channel, answer: kind, sent }, 'lookup answered with a note');
    return { sent: sent ? 1 : 0, answer: kind };
  }

  /** The notice of this delivery again, to its recipient's address on `channel`. */
  private async resend(delivery: PageDelivery, channel: Channel): Promise<boolean> {
    if (!delivery.sealed || !delivery.externalId) return false;
    const contact = this.crypto.cipher.openJson<SealedContact>(
      delivery.sealed,
      subjectAad(delivery.externalId),
    );
    const to = addressOn(contact, delivery.recipient, channel);
    if (!to) return false;
    const facts = await this.facts(delivery, contact);
    const id = await this.repository.nextMessageId();
    const outcome =
      channel === 'sms'
        ? await this.resendSms(id, to, delivery, facts)
        : await this.sendEmail(id, to, this.renderer.render(delivery.template, facts).email);
    await this.repository.recordResend(
      { id, campaignId: delivery.campaignId, deliveryId: delivery.id, channel },
      outcome.kind === 'sent'
        ? { status: 'sent', providerRef: outcome.providerRef, error: null }
        : { status: 'failed', providerRef: null, error: outcome.code },
      this.clock.now(),
    );
    this.logger.log({ deliveryId: delivery.id, channel, outcome: outcome.kind }, 'notice sent again');
    return outcome.kind === 'sent';
  }

  /** A short note (not affected, or involved with the notice to follow) to the address given. */
  private async note(
    kind: AnswerKind,
    who: Asked,
    channel: Channel,
    slug: string | undefined,
  ): Promise<boolean> {
    const row = await this.repository.contactOf(who.subjectId);
    if (!row) return false;
    const contact = this.crypto.cipher.openJson<SealedContact>(row.sealed, subjectAad(row.externalId));
    const to = addressOn(contact, who.recipient, channel);
    if (!to) return false;
    const locale =
      (who.recipient === 'guardian' ? (row.guardianLocale ?? contact.guardian?.locale) : row.locale) ?? 'en';
    const words = this.view.renderAnswer(kind, locale, {
      org: this.config.organizationName,
      contact: this.config.privacyContactEmail,
      url: `${this.config.publicBaseUrl}/security-notices${slug ? `/${slug}` : ''}`,
    });
    const id = await this.repository.nextMessageId();
    const outcome =
      channel === 'sms'
        ? await this.sendSms(id, to, { body: words.sms, segments: smsSize(words.sms).segments })
        : await this.sendEmail(id, to, { subject: words.subject, html: words.html, text: words.text });
    return outcome.kind === 'sent';
  }

  /**
   * The notice's SMS again, as the send path sends it (SMS_NOTICE): the notice where it fits one SMS; its
   * lead alone where it does not and the SMS only informs this reader; refused where it does not fit and
   * an SMS counts as their notice (the words grew since): a lead alone recorded as sent would count.
   */
  private async resendSms(id: number, to: string, delivery: PageDelivery, facts: NoticeFacts) {
    const whole = this.renderer.renderSms(delivery.template, facts).sms;
    if (whole.body.length <= SMS_MAX_CHARACTERS) return this.sendSms(id, to, whole);
    if (delivery.smsCounts) return TOO_LONG;
    return this.sendSms(
      id,
      to,
      this.renderer.renderSms(delivery.template, { ...facts, smsLeadOnly: true }).sms,
    );
  }

  private async sendSms(
    messageId: number,
    to: string,
    sms: { body: string; segments: number },
  ): Promise<SendOutcome> {
    // The provider's rate holds for these too (a rush of lookups must not push Twilio over it).
    await this.rate.takeSendSlot('sms', sms.segments).catch(() => {
      throw new RetryLater('lookup: no SMS send slot');
    });
    return this.settled(await this.sms.send({ messageId, to, body: sms.body }));
  }

  private async sendEmail(
    messageId: number,
    to: string,
    email: { subject: string; html: string; text: string },
  ): Promise<SendOutcome> {
    const [outcome] = await this.email.send({ ...email, recipients: [{ messageId, to, substitutions: {} }] });
    return this.settled(outcome);
  }

  /** A provider's "later" retries the job (with its wait); an account refused is a failure of the job. */
  private settled(outcome: SendOutcome): SendOutcome {
    if (outcome.kind === 'transient') throw new RetryLater(`lookup: ${outcome.code}`, outcome.retryAfterMs);
    return outcome;
  }

  private async facts(delivery: PageDelivery, contact: SealedContact): Promise<NoticeFacts> {
    const incident = await this.incidents.get(delivery.incidentId);
    return noticeFacts(this.config, this.tokens.token(delivery.id), delivery, contact, incident);
  }
}
