import { createRequire } from 'node:module';
import type HolidaysType from 'date-holidays';

// Deadlines in hours, calendar days and business days. Business days skip weekends and the public
// holidays of the regulator's calendar (date-holidays); a deadline in business days ends at the end of
// the last day, in the regulator's time zone, counting from the day after the clock starts.

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

export interface Calendar {
  country: string;
  state?: string;
  timeZone: string;
}

const holidayCache = new Map<string, Set<string>>();
/**
 * date-holidays is loaded on first use: its rules for every country take ~30 MB, which a node that only
 * imports people or sends notices should not carry.
 */
let Holidays: typeof HolidaysType | undefined;
function holidaysClass(): typeof HolidaysType {
  // Its CommonJS build exports the class itself.
  Holidays ??= createRequire(import.meta.url)('date-holidays') as typeof HolidaysType;
  return Holidays;
}

/** Public holidays (YYYY-MM-DD) of a calendar in a year: bank and observance days are working days. */
export function publicHolidays(calendar: Pick<Calendar, 'country' | 'state'>, year: number): Set<string> {
  const key = `${calendar.country}/${calendar.state ?? ''}/${year}`;
  let days = holidayCache.get(key);
  if (!days) {
    const Calendar = holidaysClass();
    const holidays = calendar.state
      ? new Calendar(calendar.country, calendar.state)
      : new Calendar(calendar.country);
    days = new Set(
      (holidays.getHolidays(year) || []).filter((h) => h.type === 'public').map((h) => h.date.slice(0, 10)),
    );
    holidayCache.set(key, days);
  }
  return days;
}

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar date (YYYY-MM-DD) of an instant in a time zone. */
export function localDate(at: Date, timeZone: string): string {
  let format = dateFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
    dateFormats.set(timeZone, format);
  }
  return format.format(at);
}

/** The instant a wall-clock time (YYYY-MM-DD, HH:MM:SS.mmm) happens in a time zone. */
export function zonedInstant(date: string, time: string, timeZone: string): Date {
  const asUtc = new Date(`${date}T${time}Z`);
  // The zone's offset at that moment, read back through Intl; twice, to settle across a DST change.
  let guess = asUtc.getTime();
  for (let i = 0; i < 2; i += 1) guess = asUtc.getTime() - offsetMs(new Date(guess), timeZone);
  return new Date(guess);
}

function offsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const value = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(
    value('year'),
    value('month') - 1,
    value('day'),
    value('hour'),
    value('minute'),
    value('second'),
  );
  return wall - Math.floor(at.getTime() / 1000) * 1000;
}

function nextDate(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + DAY_MS).toISOString().slice(0, 10);
}

export function isBusinessDay(date: string, calendar: Calendar): boolean {
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  return !publicHolidays(calendar, Number(date.slice(0, 4))).has(date);
}

/** The end of the n-th business day after the day `start` falls on, in the calendar's zone. */
export function addBusinessDays(start: Date, days: number, calendar: Calendar): Date {
  let date = localDate(start, calendar.timeZone);
  for (let counted = 0; counted < days;) {
    date = nextDate(date);
    if (isBusinessDay(date, calendar)) counted += 1;
  }
  return zonedInstant(date, '23:59:59.999', calendar.timeZone);
}

export const addHours = (start: Date, hours: number): Date => new Date(start.getTime() + hours * HOUR_MS);

/** Calendar days are whole 24-hour days from the start: 30 days from 9:15 ends at 9:15. */
export const addDays = (start: Date, days: number): Date => new Date(start.getTime() + days * DAY_MS);
