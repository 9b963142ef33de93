import { ConfigError, loadConfig } from '../config/config.js';
import { GermanLandCheck, germanLandProblem } from './german-land.check.js';

describe('GERMAN_LAND', () => {
  it('takes a Land with an authority, or BFDI, and may be unset without a German main establishment', () => {
    expect(germanLandProblem('DE-BY', null)).toBeUndefined();
    expect(germanLandProblem('BFDI', 'DE')).toBeUndefined();
    expect(germanLandProblem(null, 'IE')).toBeUndefined();
    expect(germanLandProblem(null, null)).toBeUndefined();
  });

  it('refuses a code no Land has, naming the variable and the Länder', () => {
    const problem = germanLandProblem('DE-XX', null);
    expect(problem).toMatch(
      /^GERMAN_LAND: must be a German Land \(DE-BW, DE-BY, .*DE-TH\) or BFDI \(got "DE-XX"\)$/,
    );
  });

  it('is required when the main establishment is in Germany (the lead is a Land authority)', () => {
    expect(germanLandProblem(null, 'DE')).toMatch(/^GERMAN_LAND: required with EU_MAIN_ESTABLISHMENT=DE/);
  });
});

describe('GermanLandCheck (at boot)', () => {
  const check = (env: Record<string, string>) => () => new GermanLandCheck(loadConfig(env)).onModuleInit();

  it('stops the start naming the variable', () => {
    expect(check({ GERMAN_LAND: 'DE-NW' })).not.toThrow();
    expect(check({ EU_MAIN_ESTABLISHMENT: 'DE' })).toThrow(ConfigError);
    expect(check({ GERMAN_LAND: 'DE-ZZ' })).toThrow('GERMAN_LAND: must be a German Land');
    // The format is the configuration's own check.
    expect(() => loadConfig({ GERMAN_LAND: 'Bavaria' })).toThrow(
      'GERMAN_LAND: must be a German Land as ISO 3166-2 such as DE-BY or DE-NW, or BFDI (got "Bavaria")',
    );
  });
});
