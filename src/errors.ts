/**
 * An error whose message is meant for the person in front of the bot or the terminal.
 * `code` is stable (`config.invalid`, `quiz.already_answered`) so callers can branch on it;
 * anything that is not an AppError is a bug and gets a generic apology instead.
 *
 * @example throw new AppError('bank.invalid', 'questions/domain-1/x.yaml: x-001: stem: required');
 */
export class AppError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
  }
}

export function isAppError(error: unknown, code?: string): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/** An answer that could not be stored: the person may simply try again. */
export function answerNotRecorded(cause: unknown): AppError {
  return new AppError(
    'quiz.not_recorded',
    'Sorry, something went wrong on our side, and nothing was recorded. Please try again in a moment.',
    { cause },
  );
}

/** An answer that was stored, whose result could not be shown: trying again would change nothing. */
export function answerReplyFailed(cause: unknown): AppError {
  return new AppError(
    'quiz.reply_failed',
    'Your answer was recorded, but the reply with its result failed. Your score is up to date; see it with `stats`.',
    { cause },
  );
}
