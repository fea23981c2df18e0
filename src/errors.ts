import { isDatabaseBusy } from './db/errors.js';

/**
 * An error whose message is meant for the person in front of the bot or the terminal.
 * `code` is stable (`config.invalid`, `quiz.already_answered`) so callers can branch on it;
 * anything that is not an AppError is a bug and gets a generic apology instead. `details` are for
 * the log line, never for the person.
 *
 * @example throw new AppError('bank.invalid', 'questions/domain-1/x.yaml: x-001: stem: required');
 */
export class AppError extends Error {
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: string,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.details = options?.details;
  }
}

export function isAppError(error: unknown, code?: string): error is AppError {
  return error instanceof AppError && (code === undefined || error.code === code);
}

/**
 * Codes that refuse a request which does not fit where it came from: an answer to a post of another
 * channel, a practice question handed to someone else, a value the bot never sends. The person is
 * told why; whoever runs the bot gets a warning line, since a modified client is one way to get here.
 */
const REFUSALS = new Set([
  'quiz.answer_elsewhere',
  'quiz.practice_not_yours',
  'mock.not_yours',
  'input.invalid_value',
]);

// Not a type guard: an error that is no refusal may still be coded.
export function isRefusal(error: unknown): boolean {
  return isAppError(error) && REFUSALS.has(error.code);
}

/** A value from a button, card or form that the bot could not have sent. */
export function invalidValue(what: string, details?: Record<string, unknown>): AppError {
  return new AppError(
    'input.invalid_value',
    `That ${what} could not be read, so nothing was changed. Please use the buttons of a message the bot sent.`,
    details ? { details } : undefined,
  );
}

/**
 * The database did not answer in time (pool exhausted, statement timeout, lock not granted): the
 * person is told to try again rather than left waiting.
 */
export function databaseBusyError(cause?: unknown): AppError {
  return new AppError(
    'db.busy',
    'The bot is busy right now and could not finish that. Please try again in a minute.',
    { cause },
  );
}

/** An answer that could not be stored: the person may simply try again. */
export function answerNotRecorded(cause: unknown): AppError {
  return new AppError(
    'quiz.not_recorded',
    causedByBusyDatabase(cause)
      ? 'The bot is busy right now, and your answer was not recorded. Please try again in a minute.'
      : 'Sorry, something went wrong on our side, and nothing was recorded. Please try again in a moment.',
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

/**
 * A send the platform refused for good (a 4xx other than 429: the channel is gone, the app lacks a
 * scope): trying it again would change nothing. For the log and for the job that stops retrying.
 */
export function refusedForGood(what: string, cause: unknown): AppError {
  return new AppError('platform.refused', `${what} was refused by the platform for good`, { cause });
}

/** The links of an error's chain of causes (platform SDKs and drizzle wrap the errors they pass on). */
function* causesOf(error: unknown): Generator<unknown> {
  const seen = new Set<unknown>();
  for (let link: unknown = error; link && !seen.has(link); ) {
    seen.add(link);
    yield link;
    const wrapper = link as { original?: unknown; cause?: unknown };
    link = wrapper.original ?? wrapper.cause;
  }
}

/** Whether a busy or stalled database is behind this failure: a warning to log, not a bug. */
export function causedByBusyDatabase(error: unknown): boolean {
  for (const link of causesOf(error)) if (isDatabaseBusy(link) || isAppError(link, 'db.busy')) return true;
  return false;
}

/**
 * The error to show the person, if this failure has one: a coded error anywhere in its chain of
 * causes, or a database that is too busy. Anything else is a bug: undefined, and the error sink
 * apologises and logs it.
 */
export function publicErrorOf(error: unknown): AppError | undefined {
  for (const link of causesOf(error)) {
    if (isAppError(link)) return link;
    if (isDatabaseBusy(link)) return databaseBusyError(link);
  }
  return undefined;
}
