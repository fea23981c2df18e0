import { AppError } from '../../errors.js';

export const dailyErrors = {
  /** No open question has this id: made up, not posted yet, or from a database that was reset. */
  unknownPost: () => new AppError('quiz.unknown_post', 'That question is not open for answers.'),
  /** A second answer to the same question: the first is the one that counts. */
  alreadyAnswered: (cause?: unknown) =>
    new AppError(
      'quiz.already_answered',
      'You already answered this question; your first answer is the one that counts.',
      cause === undefined ? {} : { cause },
    ),
  /** The same refusal, worded for a person whose first answer was erased with them (forget-me). */
  answeredBeforeErasure: () =>
    new AppError(
      'quiz.already_answered',
      'You already answered this question before asking to be forgotten; your first answer is the one that counts, so this one is not recorded.',
    ),
  emptyBank: () => new AppError('quiz.empty_bank', 'The question bank has no active questions.'),
  /**
   * An answer given elsewhere than where its question was asked. One code (a refusal, see
   * src/errors.ts), worded for where it came from, since the person's next step differs.
   */
  answerElsewhere: (from: 'workspace' | 'channel', details: Record<string, unknown>) =>
    new AppError(
      'quiz.answer_elsewhere',
      from === 'workspace'
        ? 'That question belongs to another workspace, so your answer was not recorded. Answer the question of the day posted in your own channel.'
        : 'That question was posted in another channel, so your answer was not recorded. Answer it in the channel where it was asked.',
      { details },
    ),
};
