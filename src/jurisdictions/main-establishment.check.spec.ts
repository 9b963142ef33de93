import { ConfigError, loadConfig } from '../config/config.js';
import { MainEstablishmentCheck, mainEstablishmentProblem } from './main-establishment.check.js';

describe('MainEstablishmentCheck (at boot)', () => {
  const check = (env: Record<string, string>) => () =>
    new MainEstablishmentCheck(loadConfig(env)).onModuleInit();

  it('accepts no main establishment, or one in the EU/EEA (Norway is EEA, not EU)', () => {
    expect(check({})).not.toThrow();
    expect(check({ EU_MAIN_ESTABLISHMENT: 'IE' })).not.toThrow();
    expect(check({ EU_MAIN_ESTABLISHMENT: 'NO' })).not.toThrow();
  });

  it('stops the start naming the variable for a country without a lead authority under the GDPR', () => {
    expect(check({ EU_MAIN_ESTABLISHMENT: 'US' })).toThrow(ConfigError);
    expect(check({ EU_MAIN_ESTABLISHMENT: 'US' })).toThrow(
      'EU_MAIN_ESTABLISHMENT: must be an EU/EEA country code such as IE or DE (got "US")',
    );
    // The United Kingdom left: its ICO is not a lead authority for EU residents.
    expect(mainEstablishmentProblem('GB')).toMatch(/^EU_MAIN_ESTABLISHMENT: /);
  });
});
