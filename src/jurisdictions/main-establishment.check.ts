import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/config.js';
import { EEA_COUNTRIES } from './rules/index.js';

/**
 * What is wrong with EU_MAIN_ESTABLISHMENT for the rules, if anything. The configuration checks that it is
 * a country code; whether that country has a lead authority under the GDPR's one-stop shop is the rules'
 * to say, so a change of the EEA list changes what is accepted.
 */
export function mainEstablishmentProblem(country: string | null): string | undefined {
  if (country === null || EEA_COUNTRIES.includes(country)) return undefined;
  return `EU_MAIN_ESTABLISHMENT: must be an EU/EEA country code such as IE or DE (got "${country}")`;
}

/** Stops the start, as a bad variable does, when the main establishment is not in the EU/EEA. */
@Injectable()
export class MainEstablishmentCheck implements OnModuleInit {
  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    const problem = mainEstablishmentProblem(this.config.euMainEstablishment);
    if (problem) throw new ConfigError([problem]);
  }
}
