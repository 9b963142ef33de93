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

/**
 * Codes ICU names as regions that are not ISO 3166-1 codes of a country today, with the code(s) to use:
 * those exceptionally reserved (UK, the Canaries...) and those withdrawn (DD, SU...). Taken as given,
 * "UK" was stored beside "GB": one country's residents counted, scoped and reported on in two halves.
 */
const REPLACED_BY: Readonly<Record<string, string>> = {
  UK: 'GB',
  AC: 'SH',
  TA: 'SH',
  CP: 'FR',
  DG: 'IO',
  EA: 'ES',
  IC: 'ES',
  FX: 'FR',
  DD: 'DE',
  SU: 'RU',
  TP: 'TL',
  ZR: 'CD',
  BU: 'MM',
  AN: 'CW, SX or BQ',
  CS: 'RS or ME',
  YU: 'RS, ME, BA, HR, MK or SI',
};
const regionNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'code' });
const countryCache = new Map<string, boolean>();

/** ICU names every assigned ISO 3166-1 code and falls back to the code itself for anything else. */
export function isKnownCountry(code: string): boolean {
  let known = countryCache.get(code);
  if (known === undefined) {
    known =
      /^[A-Z]{2}$/.test(code) &&
      !NOT_COUNTRIES.has(code) &&
      !Object.hasOwn(REPLACED_BY, code) &&
      regionNames.of(code) !== code;
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

/**
 * Why a code is not a jurisdiction, for the error of the field named `field`: the rule, and for a code
 * that stands for a country under another code (UK), which one to use.
 */
export function jurisdictionRule(field: string, code?: unknown): string {
  const rule = `${field} must be an ISO 3166-1 alpha-2 country or a subdivision of ${COUNTRIES_WITH_SUBDIVISIONS.join(', ')} (e.g. US-CA)`;
  const country = typeof code === 'string' ? (code.toUpperCase().split('-')[0] ?? '') : '';
  const instead = Object.hasOwn(REPLACED_BY, country) ? REPLACED_BY[country] : undefined;
  return instead ? `${rule}; ${country} is not one: use ${instead}` : rule;
}
