import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig, ConfigError } from '../config/config.js';
import { GERMAN_LANDS, germanAuthorityKey } from './rules/eu-gdpr.rules.js';

/**
 * What is wrong with GERMAN_LAND for the rules, if anything: a Land the table has an authority for (or
 * BFDI), and one at all when the main establishment is in Germany, where the lead authority is a Land's
 * (BDSG §40). The configuration checks only the format.
 */
export function germanLandProblem(land: string | null, mainEstablishment: string | null): string | undefined {
  if (land !== null && !germanAuthorityKey(land)) {
    return `GERMAN_LAND: must be a German Land (${GERMAN_LANDS.join(', ')}) or BFDI (got "${land}")`;
  }
  if (land === null && mainEstablishment === 'DE') {
    return "GERMAN_LAND: required with EU_MAIN_ESTABLISHMENT=DE: the lead authority is the one of the Land of the company's seat (BDSG §40), such as DE-BY, or BFDI";
  }
  return undefined;
}

/** Stops the start, as a bad variable does, when GERMAN_LAND names no authority the rules know. */
@Injectable()
export class GermanLandCheck implements OnModuleInit {
  constructor(private readonly config: AppConfig) {}

  onModuleInit(): void {
    const problem = germanLandProblem(this.config.germanLand, this.config.euMainEstablishment);
    if (problem) throw new ConfigError([problem]);
  }
}
