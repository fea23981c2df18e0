import { AppError } from '../errors.js';
import { quoteInput } from '../quiz/quote.js';

/** An exam date further ahead than this is refused: AWS revises the exam guide within a year. */
export const MAX_DAYS_AHEAD = 365;
/** With more than a week to go, the last days before the exam are kept for reviews only. */
export const REVIEW_ONLY_DAYS = 2;
/** Above this many questions a day, the plan is called heavy. */
export const HEAVY_PER_DAY = 40;

const DAY_MS = 86_400_000;
const EXAMPLE = 'for example `exam 2027-01-15`, or `exam off` to clear it';

/** Why an `exam` argument was refused; each has its stable code and its own message. */
export function examDateError(kind: 'format' | 'unreal' | 'past' | 'too_far', input: string): AppError {
  const messages = {
    format: `${quoteInput(input)} is not a date I can read. Write the day of your exam as YYYY-MM-DD, ${EXAMPLE}.`,
    unreal: `${input} is not a day in the calendar. Write the day of your exam as YYYY-MM-DD, ${EXAMPLE}.`,
    past: `${input} has already passed. Give the day of your exam ahead, ${EXAMPLE}.`,
    too_far: `${input} is more than a year away, and the exam guide may well change by then. Set a date within the next ${MAX_DAYS_AHEAD} days.`,
  };
  return new AppError(`learning.exam_date_${kind}`, messages[kind]);
}

/** Whole days from one YYYY-MM-DD to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

/**
 * Reads the argument of `exam`: a date (YYYY-MM-DD, today up to a year ahead, in the person's own
 * calendar: `today` is their local date) or `off`. Anything else throws a coded AppError whose
 * message says what to type; nothing is changed.
 *
 * @example parseExamArgument('2027-01-15', '2026-12-04') // { kind: 'set', date: '2027-01-15', daysLeft: 42 }
 */
export function parseExamArgument(
  input: string,
  today: string,
): { kind: 'set'; date: string; daysLeft: number } | { kind: 'off' } {
  const text = input.trim();
  if (/^(off|none|clear)$/i.test(text)) return { kind: 'off' };
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw examDateError('format', text);
  const parsed = new Date(`${text}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || !parsed.toISOString().startsWith(text)) {
    throw examDateError('unreal', text);
  }
  const daysLeft = daysBetween(today, text);
  if (daysLeft < 0) throw examDateError('past', text);
  if (daysLeft > MAX_DAYS_AHEAD) throw examDateError('too_far', text);
  return { kind: 'set', date: text, daysLeft };
}

export interface PaceInput {
  /** The person's local date, YYYY-MM-DD. */
  today: string;
  examDate: string;
  /** Active questions they have never answered. */
  unseen: number;
  /** Questions they have seen in topics where they are weak: worth another go. */
  weak: number;
  /** Reviews expected per day from their cards (e.g. those due in the next week, divided by 7). */
  reviewsPerDay: number;
}

export interface Pace {
  daysLeft: number;
  /** Days left to take on unseen and weak questions (the last ones are for reviews only). */
  studyDays: number;
  newPerDay: number;
  reviewsPerDay: number;
  /** Questions a day to cover every unseen and weak question by the exam, reviews included. */
  perDay: number;
  load: 'done' | 'light' | 'steady' | 'heavy' | 'exam day';
}

/**
 * How many practice questions a day it takes to see every unseen question and redo the weak
 * topics by the exam, keeping up with due reviews on the way. Today counts as a study day; the
 * exam day does not; with more than a week left, the last REVIEW_ONLY_DAYS are reviews only.
 *
 * @example planPace({ today: '2026-12-04', examDate: '2026-12-31', unseen: 400, weak: 30, reviewsPerDay: 6 }).perDay // 24
 */
export function planPace(input: PaceInput): Pace {
  const daysLeft = daysBetween(input.today, input.examDate);
  const reviewsPerDay = Math.ceil(Math.max(0, input.reviewsPerDay));
  if (daysLeft <= 0) {
    return { daysLeft, studyDays: 0, newPerDay: 0, reviewsPerDay: 0, perDay: 0, load: 'exam day' };
  }
  const studyDays = Math.max(1, daysLeft - (daysLeft > 7 ? REVIEW_ONLY_DAYS : 0));
  const work = Math.max(0, input.unseen) + Math.max(0, input.weak);
  const newPerDay = Math.ceil(work / studyDays);
  const perDay = newPerDay + reviewsPerDay;
  const load = work === 0 ? 'done' : perDay > HEAVY_PER_DAY ? 'heavy' : perDay > 15 ? 'steady' : 'light';
  return { daysLeft, studyDays, newPerDay, reviewsPerDay, perDay, load };
}

/** An exam this close (in days) makes reminders daily, whatever the person chose. */
export const DAILY_REMINDERS_WITHIN_DAYS = 21;

/**
 * How often a person's reminders come, given their choice and their exam: daily when the exam is
 * near or the plan is steady or heavy (a weekly nudge cannot keep that pace), none on the exam
 * day itself, their own choice otherwise (no exam, or one already past).
 *
 * @example reminderCadence('weekly', planPace({ today, examDate, unseen: 300, weak: 10, reviewsPerDay: 3 })) // 'daily'
 */
export function reminderCadence(
  frequency: 'daily' | 'weekly',
  pace: Pace | undefined,
): 'daily' | 'weekly' | 'none' {
  if (!pace || pace.daysLeft < 0) return frequency;
  if (pace.daysLeft === 0) return 'none';
  if (pace.daysLeft <= DAILY_REMINDERS_WITHIN_DAYS || pace.load === 'steady' || pace.load === 'heavy')
    return 'daily';
  return frequency;
}
