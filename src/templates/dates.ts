// Formatting a date for a reader: their language and time zone. A campaign formats the incident's few
// dates for every recipient, so formatters and texts are kept.

/** A date as the recipient reads it: their language, their time zone (UTC when unknown), with the zone. */
export function formatDate(date: Date, locale: string, timeZone: string | null): string {
  const zone = timeZone ?? 'UTC';
  // A campaign formats the incident's few dates for every recipient: each zone and language once, found
  // by the Date itself (the incident's, never changed) rather than by a key string built per call.
  let forDate = FORMATTED.get(date);
  if (!forDate || forDate.time !== date.getTime()) {
    forDate = { time: date.getTime(), texts: new Map() };
    FORMATTED.set(date, forDate);
  }
  let byZone = forDate.texts.get(locale);
  if (!byZone) {
    byZone = new Map();
    if (forDate.texts.size > 1_000) forDate.texts.clear();
    forDate.texts.set(locale, byZone);
  }
  let text = byZone.get(zone);
  if (text !== undefined) return text;
  const key = `${locale}|${zone}`;
  let format = FORMATS.get(key);
  if (!format) {
    // Building a formatter costs far more than using one: a million notices use a few dozen.
    format = new Intl.DateTimeFormat(locale, {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: zone,
      timeZoneName: 'short',
    });
    if (FORMATS.size > 1_000) FORMATS.clear();
    FORMATS.set(key, format);
  }
  text = format.format(date);
  if (byZone.size > 1_000) byZone.clear();
  byZone.set(zone, text);
  return text;
}

const FORMATS = new Map<string, Intl.DateTimeFormat>();
/** Formatted dates per Date (its time kept, should it ever be set), then per locale and zone. */
const FORMATTED = new WeakMap<Date, { time: number; texts: Map<string, Map<string, string>> }>();
