import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/config.js';
import { englishSmsProblem, NoticeRenderer } from './notice.renderer.js';

/**
 * Stops the start, as a bad variable does, when ORGANIZATION_NAME and PUBLIC_BASE_URL would take an English
 * SMS notice past one segment: they are what varies in it, and every segment is billed. Checked against
 * the templates themselves, so a longer wording is caught as well as a longer name.
 */
@Injectable()
export class EnglishSmsCheck implements OnModuleInit {
  constructor(
    private readonly config: AppConfig,
    private readonly renderer: NoticeRenderer,
  ) {}

  onModuleInit(): void {
    const problem = englishSmsProblem(this.renderer, this.config.organizationName, this.config.publicBaseUrl);
    if (problem) throw new ConfigError([`ORGANIZATION_NAME, PUBLIC_BASE_URL: ${problem}`]);
  }
}
