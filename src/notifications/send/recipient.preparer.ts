import { Injectable, Logger } from '@nestjs/common';
import type { SendOutcome } from '../../channels/channel.port.js';
import { messageOf } from '../../common/errors.js';
import { AppConfig } from '../../config/config.js';
import { CryptoService } from '../../crypto/crypto.service.js';
import { UnknownKeyError } from '../../crypto/field-cipher.js';
import type { IncidentRow } from '../../incidents/incidents.repository.js';
import { subjectAad } from '../../subjects/subject.batch.js';
import type { SealedContact } from '../../subjects/subject.validation.js';
import type { BatchRow, ClaimedMessage } from '../messages.types.js';
import { addressOn, noticeFacts } from '../notice-facts.js';
import { NoticeTokens } from '../notice-token.js';
import type { Prepared } from './sending.js';

/** Opens each claimed recipient's contact data for the channel at hand and gathers their notice's facts. */
@Injectable()
export class RecipientPreparer {
  private readonly logger = new Logger(RecipientPreparer.name);

  constructor(
    private readonly crypto: CryptoService,
    private readonly tokens: NoticeTokens,
    private readonly config: AppConfig,
  ) {}

  /**
   * Opens the person's sealed contact data, only here, only for the channel at hand. One that does not
   * open is that recipient's outcome, logged (below); thrown, it held up the whole batch for good.
   */
  prepare(message: ClaimedMessage, batch: BatchRow, incident: IncidentRow, sentAt: Date): Prepared {
    let contact: SealedContact | undefined;
    let problem: SendOutcome | undefined;
    try {
      contact =
        message.sealed && message.externalId
          ? this.crypto.cipher.openJson<SealedContact>(message.sealed, subjectAad(message.externalId))
          : undefined;
    } catch (err) {
      // A key this worker is not given (ENCRYPTION_KEYS out of step across nodes) is configuration: tried
      // again, and past an outage's tries the campaign pauses. A row that does not open with its key is
      // that person's: they fail on this channel.
      problem =
        err instanceof UnknownKeyError
          ? { kind: 'transient', code: 'contact_key_unknown' }
          : { kind: 'permanent', code: 'contact_unreadable' };
      this.logger.error(
        { deliveryId: message.deliveryId, err: messageOf(err) },
        'contact data does not open',
      );
    }
    const { channel } = batch;
    const address =
      channel === 'email' || channel === 'sms' ? addressOn(contact, message.recipient, channel) : undefined;
    const tokens =
      channel === 'push' && message.recipient !== 'guardian'
        ? (contact?.pushTokens ?? []).map((t) => t.token)
        : [];
    const { recipient, timeZone, jurisdiction, exposed } = message;
    const reader = { recipient, locale: batch.locale, timeZone, jurisdiction, exposed, sentAt };
    return {
      message,
      address,
      tokens,
      problem,
      facts: noticeFacts(this.config, this.tokens.token(message.deliveryId), reader, contact, incident),
    };
  }
}
