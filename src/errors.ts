import { isDatabaseBusy } from './db/errors.js';

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

/**
 * The error to show the person, if this failure has one: a coded error anywhere in its chain of
 * causes (platform SDKs and drizzle wrap the errors they pass on), or a database that is too busy.
 * Anything else is a bug: undefined, and the error sink apologises and logs it.
 */
export function publicErrorOf(error: unknown): AppError | undefined {
  const seen = new Set<unknown>();
  for (let link: unknown = error; link && !seen.has(link); ) {
    seen.add(link);
    if (isAppError(link)) return link;
    if (isDatabaseBusy(link)) return databaseBusyError(link);
    const wrapper = link as { original?: unknown; cause?: unknown };
    link = wrapper.original ?? wrapper.cause;
  }
  return undefined;
}
