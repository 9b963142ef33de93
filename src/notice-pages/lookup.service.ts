import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import { CryptoService } from '../crypto/crypto.service.js';
import { normalizeEmail } from '../crypto/field-cipher.js';
import { PublishedNotices } from '../public-notices/published-notices.js';
import { JobRepository } from '../queue/job.repository.js';
import { JobName } from '../queue/queue.catalogue.js';
import { NoticePageView } from './notice-page.view.js';
import type { PageAnswer } from './notice-pages.service.js';
import { NoticePagesRepository } from './notice-pages.repository.js';
import { NoticeRateLimiter } from './notice-rate.js';

const E164 = /^\+[1-9]\d{6,14}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,253}\.[^\s@]{1,63}$/;
/** Messages to one address per minute: a form anyone can fill in must not make us spam anyone. */
const PER_ADDRESS = 1;

/**
 * "Was I affected?" on a published Security Notice: a person gives an email address or a phone number,
 * and the page says the same thing whoever gives what. What is sent goes only to that address, through
 * the channel it is (email or SMS), and only when the directory holds it, as a person's own or as the
 * guardian of a minor (LookupAnswers decides what: their notice again, or a short note). An address the
 * directory does not hold receives nothing: the form must not let anyone make us write to any address.
 * The request's work is the same for every address (a hash, one lookup, one job), so its time tells
 * nothing either.
 */
@Injectable()
export class LookupService {
  constructor(
    private readonly published: PublishedNotices,
    private readonly repository: NoticePagesRepository,
    private readonly limiter: NoticeRateLimiter,
    private readonly view: NoticePageView,
    private readonly jobs: JobRepository,
    private readonly crypto: CryptoService,
    private readonly config: AppConfig,
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
      const { person, guardianOf } = await this.repository.matchesByHash(address.kind, hash);
      await this.jobs.add(JobName.NoticeLookup, {
        incidentId: notice.incidentId,
        subjectId: person,
        guardianOf,
        slug: notice.slug,
        channel: address.kind === 'email' ? 'email' : 'sms',
      });
    }
    return { status: 200, html: say('lookup') };
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
