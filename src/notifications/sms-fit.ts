import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/config.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { SMS_MAX_CHARACTERS } from '../templates/sms-segments.js';

/**
 * Room kept for what one reader's SMS says beyond the one measured: a date in a zone printed longer than
 * the one measured in, a month of a longer name across midnight, a child's name in a guardian's notice.
 */
export const SMS_FIT_MARGIN = 40;

/** Printed with the longest offset of any zone (UTC−2:30), so a reader's own zone rarely adds to it. */
const MEASURED_ZONE = 'America/St_Johns';

/**
 * Whether an SMS can carry a reader's notice in one message (SMS_NOTICE): measured once per template,
 * locale and jurisdiction, as the send path renders it, for a reader told of every data category of the
 * incident, with SMS_FIT_MARGIN to spare. The planner counts SMS as the notice only where it fits; the
 * campaign's warnings name where it does not.
 */
@Injectable()
export class SmsFit {
  constructor(
    private readonly renderer: NoticeRenderer,
    private readonly config: AppConfig,
  ) {}

  /** The SMS's length in characters (UTF-16 code units, as Twilio counts its 1,600). */
  length(
    template: string,
    locale: string,
    jurisdiction: string | null,
    incident: IncidentRow,
    now: Date,
  ): number {
    return this.renderer.renderSms(template, {
      organization: this.config.organizationName,
      contactEmail: this.config.privacyContactEmail,
      url: `${this.config.publicBaseUrl}/n/${'A'.repeat(22)}`,
      name: null,
      child: null,
      locale,
      timeZone: MEASURED_ZONE,
      jurisdiction,
      exposed: incident.dataCategories,
      incident,
      sentAt: now,
    }).sms.body.length;
  }

  fits(
    template: string,
    locale: string,
    jurisdiction: string | null,
    incident: IncidentRow,
    now: Date,
  ): boolean {
    return this.length(template, locale, jurisdiction, incident, now) + SMS_FIT_MARGIN <= SMS_MAX_CHARACTERS;
  }
}
