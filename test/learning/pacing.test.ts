import { describe, expect, it } from 'vitest';
import { isAppError } from '../../src/errors.js';
import { parseExamArgument, planPace } from '../../src/learning/pacing.js';

const today = '2026-12-04';

function refusal(input: string): { code: string; message: string } {
  try {
    parseExamArgument(input, today);
  } catch (error) {
    if (isAppError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`${input} was accepted`);
}

describe('the exam date someone types', () => {
  it('takes a date from today up to a year ahead, and off', () => {
    expect(parseExamArgument('2027-01-15', today)).toEqual({ kind: 'set', date: '2027-01-15', daysLeft: 42 });
    expect(parseExamArgument(' 2026-12-04 ', today)).toMatchObject({ daysLeft: 0 });
    expect(parseExamArgument('2027-12-04', today)).toMatchObject({ daysLeft: 365 });
    expect(parseExamArgument('OFF', today)).toEqual({ kind: 'off' });
  });

  it('refuses words, other date formats and impossible days, saying how to write it', () => {
    expect(refusal('tomorrow')).toEqual({
      code: 'learning.exam_date_format',
      message:
        '"tomorrow" is not a date I can read. Write the day of your exam as YYYY-MM-DD, for example `exam 2027-01-15`, or `exam off` to clear it.',
    });
    expect(refusal('15/01/2027').code).toBe('learning.exam_date_format');
    expect(refusal('2027-1-5').code).toBe('learning.exam_date_format');
    expect(refusal('2027-02-30')).toMatchObject({
      code: 'learning.exam_date_unreal',
      message: expect.stringContaining('2027-02-30 is not a day in the calendar'),
    });
  });

  it('refuses a date that has passed and one more than a year away', () => {
    expect(refusal('2020-01-01')).toMatchObject({
      code: 'learning.exam_date_past',
      message: expect.stringContaining('2020-01-01 has already passed'),
    });
    expect(refusal('2026-12-03').code).toBe('learning.exam_date_past');
    expect(refusal('2027-12-05')).toMatchObject({
      code: 'learning.exam_date_too_far',
      message: expect.stringContaining('more than a year away'),
    });
  });
});

describe('the daily pace to the exam', () => {
  it('spreads unseen and weak questions over the days left, keeping the last two for reviews', () => {
    const pace = planPace({ today, examDate: '2026-12-31', unseen: 400, weak: 30, reviewsPerDay: 5.2 });
    expect(pace).toEqual({
      daysLeft: 27,
      studyDays: 25,
      newPerDay: 18,
      reviewsPerDay: 6,
      perDay: 24,
      load: 'steady',
    });
  });

  it('uses every day left when the exam is within a week, and says when the load is heavy', () => {
    expect(planPace({ today, examDate: '2026-12-07', unseen: 300, weak: 0, reviewsPerDay: 0 })).toMatchObject(
      {
        studyDays: 3,
        perDay: 100,
        load: 'heavy',
      },
    );
  });

  it('asks only for reviews once everything is covered, and nothing on the exam day', () => {
    expect(planPace({ today, examDate: '2027-01-04', unseen: 0, weak: 0, reviewsPerDay: 3 })).toMatchObject({
      perDay: 3,
      load: 'done',
    });
    expect(planPace({ today, examDate: today, unseen: 10, weak: 0, reviewsPerDay: 3 })).toMatchObject({
      perDay: 0,
      load: 'exam day',
    });
  });
});
