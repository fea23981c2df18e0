import { AppError } from '../../errors.js';

export const peopleErrors = {
  invalidSnooze: () => new AppError('quiz.invalid_snooze', 'Snooze for 1 to 90 days, e.g. "snooze 7".'),
};
