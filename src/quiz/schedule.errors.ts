import { AppError } from '../errors.js';

/** Times, days and timezones a person typed that the bot cannot read; shared by channels and people. */
export const scheduleErrors = {
  invalidTime: (input: string) =>
    new AppError('quiz.invalid_time', `"${input}" is not a time of day; use HH:MM, e.g. 09:00.`),
  invalidTimezone: (input: string) =>
    new AppError(
      'quiz.invalid_timezone',
      `"${input}" is not a timezone; use a name such as Europe/Berlin or America/New_York.`,
    ),
  invalidDays: (input: string) =>
    new AppError(
      'quiz.invalid_days',
      `"${input}" is not a list of days; use weekdays, daily, or e.g. mon,wed,fri.`,
    ),
  invalidDay: (input: string) =>
    new AppError('quiz.invalid_day', `"${input}" is not one day of the week, e.g. mon.`),
};
