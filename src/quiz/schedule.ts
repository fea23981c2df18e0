import { DateTime } from 'luxon';
import { isValidTimezone } from '../config.js';

/** ISO weekdays: 1 = Monday … 7 = Sunday. */
export const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WEEKDAYS = [1, 2, 3, 4, 5];
export const EVERY_DAY = [1, 2, 3, 4, 5, 6, 7];

export function isTime(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/** `9:00` → `09:00`; undefined when it is not a time of day. */
export function normaliseTime(value: string): string | undefined {
  const match = /^(\d{1,2})[:.h](\d{2})$/.exec(value.trim());
  if (!match) return undefined;
  const time = `${match[1]?.padStart(2, '0')}:${match[2]}`;
  return isTime(time) ? time : undefined;
}

/** `weekdays`, `daily`, `weekends` or a list like `mon,wed,fri`; undefined when unreadable. */
export function parseDays(value: string): number[] | undefined {
  const text = value.trim().toLowerCase();
  if (text === 'weekdays' || text === 'workdays') return [...WEEKDAYS];
  if (text === 'daily' || text === 'everyday' || text === 'every-day') return [...EVERY_DAY];
  if (text === 'weekends') return [6, 7];
  const days = new Set<number>();
  for (const part of text.split(/[,\s]+/).filter(Boolean)) {
    const index = DAY_NAMES.findIndex((name) => part.startsWith(name) && name.startsWith(part.slice(0, 3)));
    if (index < 0) return undefined;
    days.add(index + 1);
  }
  return days.size > 0 ? [...days].sort() : undefined;
}

export function describeDays(days: number[]): string {
  const sorted = [...days].sort();
  if (sorted.join() === WEEKDAYS.join()) return 'weekdays';
  if (sorted.join() === EVERY_DAY.join()) return 'every day';
  return sorted.map((d) => DAY_NAMES[d - 1]).join(',');
}

export { isValidTimezone };

export function localDateOf(at: Date, timezone: string): string {
  return DateTime.fromJSDate(at, { zone: timezone }).toISODate() ?? '';
}

export function isoWeekdayOf(localDate: string): number {
  return DateTime.fromISO(localDate, { zone: 'UTC' }).weekday;
}

/** The instant a local wall-clock time happens on a local date; a time skipped by a DST change moves forward. */
export function instantAt(localDate: string, time: string, timezone: string): Date {
  const [hour, minute] = time.split(':').map(Number);
  return DateTime.fromISO(localDate, { zone: timezone })
    .set({ hour, minute, second: 0, millisecond: 0 })
    .toJSDate();
}

/** The first scheduled post strictly after `after`, looking up to two weeks ahead. */
export function nextPostInstant(
  schedule: { postTime: string; timezone: string; days: number[] },
  after: Date,
): Date | undefined {
  const start = DateTime.fromJSDate(after, { zone: schedule.timezone }).startOf('day');
  for (let offset = 0; offset <= 14; offset++) {
    const day = start.plus({ days: offset });
    if (!schedule.days.includes(day.weekday)) continue;
    const at = instantAt(day.toISODate() ?? '', schedule.postTime, schedule.timezone);
    if (at > after) return at;
  }
  return undefined;
}

export type Period = 'week' | 'month' | 'all';

/** The current week (Monday first) or month in a timezone, as instants. */
export function periodRange(period: Period, now: Date, timezone: string): { from: Date; to: Date } {
  if (period === 'all')
    return { from: new Date('1970-01-01T00:00:00Z'), to: new Date('9999-12-31T00:00:00Z') };
  const local = DateTime.fromJSDate(now, { zone: timezone });
  const start = local.startOf(period === 'week' ? 'week' : 'month');
  return {
    from: start.toJSDate(),
    to: start.plus(period === 'week' ? { weeks: 1 } : { months: 1 }).toJSDate(),
  };
}

/** ISO week label such as `2026-W48`, in the given timezone. */
export function isoWeekOf(at: Date, timezone: string): string {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  return `${local.weekYear}-W${String(local.weekNumber).padStart(2, '0')}`;
}
