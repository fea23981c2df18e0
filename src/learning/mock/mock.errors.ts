import { AppError } from '../../errors.js';

export const mockErrors = {
  alreadyRunning: (position: number, total: number, minutesLeft: number) =>
    new AppError(
      'mock.already_running',
      `You already have a mock exam running (question ${position + 1}/${total}, ${minutesLeft} min left). Send "mock" to carry on with it, or "mock abandon" to end it first.`,
    ),
  noneRunning: () =>
    new AppError('mock.none_running', 'You have no mock exam running. Send "mock" to start one.'),
  ended: (how: 'finished' | 'timed_out' | 'abandoned') =>
    new AppError(
      'mock.ended',
      how === 'timed_out'
        ? 'Time ran out on that mock exam, so this answer was not counted. Send "mock" to start a new one.'
        : how === 'abandoned'
          ? 'That mock exam was abandoned, so this answer was not counted. Send "mock" to start a new one.'
          : 'That mock exam is over, so this answer was not counted. Send "mock" to start a new one.',
    ),
  notYours: (details: Record<string, unknown>) =>
    new AppError(
      'mock.not_yours',
      'That mock exam is not yours, so nothing was recorded. Send "mock" to start your own.',
      { details },
    ),
  noQuestions: () =>
    new AppError('mock.no_questions', 'There are no questions to build a mock exam from yet.'),
};
