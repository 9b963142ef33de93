import { Injectable } from '@nestjs/common';
import { DEFAULT_DATA_CATEGORIES, membersOf } from '../common/data-categories.js';
import { AppConfig } from '../config/config.js';
import type { IncidentRow } from '../incidents/incidents.repository.js';
import { NoticeRenderer } from '../templates/notice.renderer.js';
import { noticeFacts } from './notice-facts.js';
import { SMS_MAX_CHARACTERS } from '../templates/sms-segments.js';

/**
 * Room kept for what one reader's SMS says beyond the one measured: a date in a zone printed longer than
 * the one measured in, a month of a longer name across midnight, a child's name in a guardian's notice.
 */
export const SMS_FIT_MARGIN = 40;

/** Printed with the longest offset of any zone (UTC−2:30), so a reader's own zone rarely adds to it. */
const MEASURED_ZONE = 'America/St_Johns';

/**
 * The lists of data a reader of the incident may be told of, of which one is the longest: the incident's
 * categories as it names them, and with each group it names said member by member (a person recorded
 * with the members hears each one: `exposure`); an incident that names none, every known category.
 */
export function longestExposures(incident: readonly string[]): string[][] {
  if (incident.length === 0) return [[...DEFAULT_DATA_CATEGORIES]];
  const members = incident.flatMap((category) => {
    const finer = membersOf(category);
    return finer.length > 0 ? finer : [category];
  });
  return [[...incident], [...new Set(members)]];
}

/**
 * Whether an SMS can carry a reader's notice in one message (SMS_NOTICE): measured once per template,
 * locale and jurisdiction, as the send path renders it, for a reader told of the longest list of data
 * the incident may name to anyone (`longestExposures`), with SMS_FIT_MARGIN to spare. The planner
 * counts SMS as the notice only where it fits; the campaign's warnings name where it does not.
 */
@Injectable()
export class SmsFit {
  constructor(
    private readonly renderer: NoticeRenderer,
    private readonly config: AppConfig,
  ) {}

  /** The SMS's length in characters (UTF-16 code units, as Twilio counts its 1,600): the longest. */
  length(
    template: string,
    locale: string,
    jurisdiction: string | null,
    incident: IncidentRow,
    now: Date,
  ): number {
    return Math.max(
      ...longestExposures(incident.dataCategories).map(
        (exposed) =>
          this.renderer.renderSms(
            template,
            noticeFacts(
              this.config,
              'A'.repeat(22),
              { recipient: 'person', locale, timeZone: MEASURED_ZONE, jurisdiction, exposed, sentAt: now },
              undefined,
              incident,
            ),
          ).sms.body.length,
      ),
    );
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
