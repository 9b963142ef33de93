/**
 * Jurisdiction codes: an ISO 3166-1 alpha-2 country (checked against ICU's region names, which Node
 * ships), or an ISO 3166-2 subdivision of a country whose breach law differs by subdivision.
 */
// prettier-ignore
const SUBDIVISIONS: Readonly<Record<string, readonly string[]>> = {
  // The states, DC and the territories: each has its own breach-notification statute.
  US: [
    'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY',
    'LA', 'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND',
    'OH', 'OK', 'OR', 'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'DC',
    'AS', 'GU', 'MP', 'PR', 'UM', 'VI',
  ],
  // Provinces and territories: Quebec (Law 25), Alberta (PIPA) and BC differ from PIPEDA.
  CA: ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'],
  AU: ['ACT', 'NSW', 'NT', 'QLD', 'SA', 'TAS', 'VIC', 'WA'],
  GB: ['ENG', 'NIR', 'SCT', 'WLS'],
};

/** Codes ICU names that are not countries: unions, the UN, pseudo-locales, outlying regions. */
const NOT_COUNTRIES = new Set(['EU', 'EZ', 'UN', 'QO', 'XA', 'XB', 'ZZ']);
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
const countryCache = new Map<string, boolean>();

/** ICU names every assigned ISO 3166-1 code and falls back to the code itself for anything else. */
export function isKnownCountry(code: string): boolean {
  let known = countryCache.get(code);
  if (known === undefined) {
    known = /^[A-Z]{2}$/.test(code) && !NOT_COUNTRIES.has(code) && regionNames.of(code) !== code;
    countryCache.set(code, known);
  }
  return known;
}

export function isKnownJurisdiction(code: string): boolean {
  const [country, subdivision, extra] = code.split('-');
  if (!country || extra !== undefined || !isKnownCountry(country)) return false;
  return subdivision === undefined || (SUBDIVISIONS[country]?.includes(subdivision) ?? false);
}

/** The country of a jurisdiction code: `US` of `US-CA`. */
export const countryOf = (code: string): string => code.split('-')[0] ?? code;

/** Countries whose subdivisions are known codes (for error messages). */
export const COUNTRIES_WITH_SUBDIVISIONS = Object.keys(SUBDIVISIONS);

/** Every jurisdiction code the service knows: each country ICU names, and the subdivisions above. */
export function knownJurisdictions(): string[] {
  const letters = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'];
  const countries = letters.flatMap((a) => letters.map((b) => a + b)).filter(isKnownCountry);
  const subdivisions = Object.entries(SUBDIVISIONS).flatMap(([country, codes]) =>
    codes.map((code) => `${country}-${code}`),
  );
  return [...countries, ...subdivisions].filter(isKnownJurisdiction);
}
