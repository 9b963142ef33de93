// The languages a jurisdiction reads, most read first: where a reader's own language has no notice, their
// jurisdiction's comes before English (a Turkish speaker in Germany reads German sooner than English). Not
// law (a law that fixes a language is a notice profile's `language` requirement): CLDR's likely language
// of the country, as Intl knows it, with the few countries where that one language is not the answer.

/** Countries where CLDR's one likely language misleads, with why. */
const OVERRIDES: Readonly<Record<string, readonly string[]>> = {
  // Dutch, French and German are official: French before English for a reader whose language is none.
  BE: ['nl', 'fr', 'de'],
  // German, French, Italian and Romansh.
  CH: ['de', 'fr', 'it'],
  // English and French are both federal languages (Quebec fixes French by its own profile).
  CA: ['en', 'fr'],
  // Hindi and English are both languages of the Union; CLDR says Hindi, but most readers of another of
  // India's languages read English sooner than Hindi, so English comes first (Hindi readers get Hindi).
  IN: ['en', 'hi'],
};

const CACHE = new Map<string, readonly string[]>();

/** The languages of a jurisdiction code (`DE`, `ES-CT`), most read first; none for an unknown code. */
export function jurisdictionLanguages(jurisdiction: string | null): readonly string[] {
  if (!jurisdiction) return [];
  const country = jurisdiction.split('-')[0].toUpperCase();
  let languages = CACHE.get(country);
  if (!languages) {
    languages = OVERRIDES[country] ?? likelyLanguage(country);
    if (CACHE.size > 1_000) CACHE.clear();
    CACHE.set(country, languages);
  }
  return languages;
}

function likelyLanguage(country: string): string[] {
  if (!/^[A-Z]{2}$/.test(country)) return [];
  try {
    // `und-DE` maximizes to `de-Latn-DE`: the language, script and region, which the locale chain reads.
    const likely = new Intl.Locale(`und-${country}`).maximize();
    return likely.language === 'und' ? [] : [likely.toString()];
  } catch {
    return [];
  }
}
