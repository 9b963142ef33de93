import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/config.js';
import { BASE_LOCALE } from './locales.js';
import { NoticeRenderer } from './notice.renderer.js';

/**
 * Stops the start, as a bad variable does, when ORGANIZATION_NAME, PUBLIC_BASE_URL and PRIVACY_CONTACT_EMAIL
 * would take the lead of an English SMS past ENGLISH_SMS_SEGMENTS (two) segments: they are what varies
 * in it, and every segment is billed (the notice after it varies with the incident's words: SmsFit).
 * Checked against the templates themselves, so a longer wording is caught as well as a longer name.
 */
@Injectable()
export class EnglishSmsCheck implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly renderer: NoticeRenderer,
  ) {}

  onModuleInit(): void {
    const { organizationName, publicBaseUrl, privacyContactEmail } = this.config;
    const problem = englishSmsProblem(this.renderer, organizationName, publicBaseUrl, privacyContactEmail);
    if (problem) {
      throw new ConfigError([`ORGANIZATION_NAME, PUBLIC_BASE_URL, PRIVACY_CONTACT_EMAIL: ${problem}`]);
    }
  }
}

/** A notice link's length: the base address, `/n/` and a 22-character token. */
const SAMPLE_TOKEN = 'A'.repeat(22);

/**
 * The segments the English SMS's lead may take: who, that the reader's data was involved, what to do
 * first, how to tell a genuine message, how to reach the company, the link (what goes alone where the
 * notice does not fit one SMS), which one segment cannot hold with a link; two GSM-7 segments can.
 */
export const ENGLISH_SMS_SEGMENTS = 2;

/**
 * Whether the English SMS of every template stays within `maxSegments` with this organization's name,
 * public address and contact email (what varies in it besides the token); a sentence naming what to
 * shorten when it does not.
 */
export function englishSmsProblem(
  renderer: NoticeRenderer,
  organization: string,
  publicBaseUrl: string,
  contactEmail: string,
  maxSegments = ENGLISH_SMS_SEGMENTS,
): string | undefined {
  for (const template of renderer.names) {
    const { sms } = renderer.renderShort(template, {
      organization,
      contactEmail,
      url: `${publicBaseUrl}/n/${SAMPLE_TOKEN}`,
      name: null,
      child: null,
      locale: BASE_LOCALE,
      timeZone: null,
      jurisdiction: null,
      exposed: [],
      incident: {
        description: null,
        occurredFrom: null,
        occurredTo: null,
        discoveredAt: new Date(0),
        containedAt: null,
        likelyConsequences: null,
        measuresTaken: null,
        measuresPlanned: null,
        adviceToIndividuals: null,
        remedies: null,
      },
    });
    if (sms.segments > maxSegments) {
      const gsm = sms.encoding === 'GSM-7';
      const holds = maxSegments === 1 ? (gsm ? 160 : 70) : (gsm ? 153 : 67) * maxSegments;
      return (
        `the English SMS of ${template} is ${sms.units} ${sms.encoding} characters with this ` +
        `ORGANIZATION_NAME, PUBLIC_BASE_URL and PRIVACY_CONTACT_EMAIL, ${sms.segments} segments where ` +
        `${maxSegments} hold ${holds}` +
        (gsm ? '' : ' (a character of the name or the email is outside GSM-7)') +
        ': shorten them'
      );
    }
  }
  return undefined;
}
