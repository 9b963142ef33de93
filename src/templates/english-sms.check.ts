import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/config.js';
import { englishSmsProblem, NoticeRenderer } from './notice.renderer.js';

/**
 * Stops the start, as a bad variable does, when ORGANIZATION_NAME, PUBLIC_BASE_URL and PRIVACY_CONTACT_EMAIL
 * would take an English SMS notice past ENGLISH_SMS_SEGMENTS (two) segments: they are what varies in it,
 * and every segment is billed. Checked against the templates themselves, so a longer wording is caught as
 * well as a longer name.
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
