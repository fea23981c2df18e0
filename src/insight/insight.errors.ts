import { AppError } from '../errors.js';

// One factory per coded error of team insight, so each code keeps one message.

export function alreadyReported(): AppError {
  return new AppError(
    'insight.already_reported',
    'You have already reported this question, thank you. An admin will look at it; there is no need to report it again.',
  );
}

export function invalidReportReason(value: string, reasons: readonly string[]): AppError {
  return new AppError(
    'insight.invalid_reason',
    value.trim()
      ? `"${value}" is not a reason for a report; use one of: ${reasons.join(', ')}.`
      : `Please choose a reason for the report: ${reasons.join(', ')}.`,
  );
}

export function reportTooLong(length: number, max: number): AppError {
  return new AppError(
    'insight.report_too_long',
    `Please keep a report to ${max} characters; this one has ${length}.`,
  );
}

export function reportNeedsText(): AppError {
  return new AppError('insight.report_needs_text', 'Please say what is wrong when the reason is "other".');
}

export function unknownQuestion(questionId: string, version?: number): AppError {
  return new AppError(
    'insight.unknown_question',
    `There is no question "${questionId}"${version === undefined ? '' : ` at version ${version}`} in the bank.`,
  );
}

export function noOpenReports(ref: string): AppError {
  return new AppError(
    'insight.no_open_reports',
    `There is no open report on "${ref}"; "aif-quiz questions reports" lists the open ones.`,
  );
}

export function unknownChannel(ref: string): AppError {
  return new AppError(
    'insight.unknown_channel',
    `No channel "${ref}" is known to the bot; give the platform's channel id (e.g. C0123ABCD) or the bot's own.`,
  );
}

export function ambiguousChannel(ref: string, candidates: Array<{ id: string; platform: string }>): AppError {
  return new AppError(
    'insight.ambiguous_channel',
    `Several channels are called "${ref}"; give one of their ids instead: ${candidates
      .map((c) => `${c.id} (${c.platform})`)
      .join(', ')}.`,
  );
}

/** The chart could not be drawn: the digest still goes out, in text. */
export function chartFailed(cause: unknown): AppError {
  return new AppError('insight.chart_failed', 'The digest chart could not be drawn.', { cause });
}
