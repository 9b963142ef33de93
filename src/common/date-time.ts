// Kept apart from validation.ts (Nest, class-validator): the import threads read people's records with it.

/**
 * An ISO 8601 date-time with its zone (`Z` or an offset): `2026-04-01T15:00:00Z`, `2026-04-01T17:00+02:00`.
 * A date-time without one names no instant (whose 15:00?), and legal clocks start from these: it is bad
 * input, never read in the server's zone. Each part must exist on the calendar (JavaScript would read
 * 30 February as 2 March).
 */
const ZONED_DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

/**
 * Whether PostgreSQL can keep the instant: its UTC year is 1 to 9999. The driver sends `toISOString()`,
 * which writes year 0 as `0000` (PostgreSQL has no year 0) and years past 9999 as `+010000`, and either
 * failed the statement with a 500 (an offset moves the year: `9999-12-31T23:59-01:00` is in 10000).
 */
export function isStorableInstant(date: Date): boolean {
  const year = date.getUTCFullYear();
  return !Number.isNaN(date.getTime()) && year >= 1 && year <= 9999;
}

/**
 * The instant a zoned ISO 8601 date-time names, or undefined when it is not one (see ZONED_DATE_TIME) or
 * PostgreSQL cannot keep it (see isStorableInstant).
 */
export function parseZonedDateTime(text: string): Date | undefined {
  const match = ZONED_DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day, hour, minute, second = '0', offsetHours = '0', offsetMinutes = '0'] = match
    .slice(1)
    .map((part) => part ?? undefined);
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  const valid =
    Number(month) >= 1 &&
    Number(month) <= 12 &&
    Number(day) >= 1 &&
    Number(day) <= daysInMonth &&
    Number(hour) <= 23 &&
    Number(minute) <= 59 &&
    Number(second) <= 59 &&
    Number(offsetHours) <= 23 &&
    Number(offsetMinutes) <= 59;
  const date = valid ? new Date(text) : undefined;
  return date && isStorableInstant(date) ? date : undefined;
}

/** The message every zoned date-time field gives, in the body, the query string or a person's record. */
export const zonedDateTimeMessage = (field: string): string =>
  `${field} must be an ISO 8601 date-time with a zone, in the years 1 to 9999 UTC, e.g. 2026-01-02T03:04:05Z`;
