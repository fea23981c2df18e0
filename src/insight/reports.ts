import type { Clock } from '../clock.js';
import type { ReportReason } from '../db/schema.js';
import {
  alreadyReported,
  invalidReportReason,
  noOpenReports,
  reportNeedsText,
  reportTooLong,
  unknownQuestion,
} from './insight.errors.js';
import { PAUSE_AFTER_REPORTS, type ReportsRepository } from './reports.repository.js';

export { PAUSE_AFTER_REPORTS };

/** The reasons a report can give, with the words people see and type. */
export const REPORT_REASONS: Record<ReportReason, string> = {
  wrong_answer: 'wrong answer',
  outdated: 'outdated',
  unclear: 'unclear',
  typo: 'typo',
  other: 'other',
};

/** What a report may say, in characters: a few sentences, readable in a list. */
export const REPORT_TEXT_MAX = 500;

/** Reads a reason as people write it: "wrong answer", "wrong-answer", "Wrong_Answer" are all one. */
export function parseReportReason(value: string): ReportReason {
  const key = value
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  if (key in REPORT_REASONS) return key as ReportReason;
  throw invalidReportReason(value, Object.values(REPORT_REASONS));
}

export interface ReportInput {
  /** The reporting person, as the bot's user id (users.id). */
  reporterId: string;
  questionId: string;
  /** The version the person saw. */
  questionVersion: number;
  reason: string;
  text?: string | undefined;
}

export interface ReportReceipt {
  reportId: string;
  /** Different people with an open report on the question's current version, this one included. */
  openReports: number;
  /** Whether the question is now kept out of the daily draw. */
  paused: boolean;
}

export interface OpenReportGroup {
  questionId: string;
  currentVersion: number;
  /** Open reports on every version of the question. */
  count: number;
  paused: boolean;
  reports: Array<{
    id: string;
    version: number;
    reason: ReportReason;
    text: string | null;
    reporter: string;
    createdAt: Date;
  }>;
}

/**
 * Report a question: store a person's report, list the open ones, resolve them; and the pause they
 * cause, which the daily draw reads through `notPausedByReports` or `pausedQuestionIds`.
 */
export function createReports(deps: { repository: ReportsRepository; clock: Clock }) {
  const { repository } = deps;

  /** The report's reason and text as stored; throws the coded error of the first thing wrong with it. */
  async function check(
    input: Omit<ReportInput, 'reporterId'>,
  ): Promise<{ reason: ReportReason; text: string | null }> {
    const reason = parseReportReason(input.reason);
    const text = input.text?.trim() || null;
    if (text && text.length > REPORT_TEXT_MAX) throw reportTooLong(text.length, REPORT_TEXT_MAX);
    if (reason === 'other' && !text) throw reportNeedsText();
    if (!(await repository.versionExists(input.questionId, input.questionVersion)))
      throw unknownQuestion(input.questionId, input.questionVersion);
    return { reason, text };
  }

  return {
    /**
     * Checks a report without storing it, so a caller can refuse a bad one before it records
     * anything else (such as a first-time reporter); `report` checks again.
     */
    check,

    /** Stores a report. Throws `insight.already_reported` when this person reported this version before. */
    async report(input: ReportInput): Promise<ReportReceipt> {
      const { reason, text } = await check(input);
      const stored = await repository.insert({
        questionId: input.questionId,
        questionVersion: input.questionVersion,
        reporterId: input.reporterId,
        reason,
        text,
        createdAt: deps.clock.now(),
      });
      if (!stored) throw alreadyReported();
      const openReports = await repository.openReporters(input.questionId);
      return { reportId: stored.id, openReports, paused: openReports >= PAUSE_AFTER_REPORTS };
    },

    /** Open reports grouped by question, the most reported first. */
    async openReports(): Promise<OpenReportGroup[]> {
      const groups = new Map<string, OpenReportGroup>();
      for (const row of await repository.openReports()) {
        const group = groups.get(row.questionId) ?? {
          questionId: row.questionId,
          currentVersion: row.currentVersion,
          count: 0,
          paused: false,
          reports: [],
        };
        group.count += 1;
        group.reports.push({
          id: row.id,
          version: row.questionVersion,
          reason: row.reason,
          text: row.text,
          reporter: row.reporter,
          createdAt: new Date(row.createdAt),
        });
        groups.set(row.questionId, group);
      }
      // One report per person and version, so reports on the current version count different people.
      for (const group of groups.values())
        group.paused =
          group.reports.filter((r) => r.version === group.currentVersion).length >= PAUSE_AFTER_REPORTS;
      return [...groups.values()].sort(
        (a, b) => b.count - a.count || a.questionId.localeCompare(b.questionId),
      );
    },

    /**
     * Resolves the open reports on a question (by its id) or one report (by the report's id), with
     * an optional note for the record. Lifts the question's pause.
     */
    async resolve(ref: string, note?: string): Promise<{ resolved: number; questionIds: string[] }> {
      const isReportId = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ref);
      const closed = await repository.resolve(
        isReportId ? { reportId: ref } : { questionId: ref },
        note?.trim() || null,
        deps.clock.now(),
      );
      if (closed.length === 0) throw noOpenReports(ref);
      return { resolved: closed.length, questionIds: [...new Set(closed.map((c) => c.questionId))] };
    },

    /** The questions the daily draw must skip for now. */
    pausedQuestionIds: () => repository.pausedQuestionIds(),
  };
}

export type Reports = ReturnType<typeof createReports>;

/** The thank-you a reporter gets, the same on every platform. */
export function reportThanks(receipt: ReportReceipt): string {
  return receipt.paused
    ? 'Thanks for the report. Several people have flagged this question, so it is paused from the daily draw until an admin has looked at it.'
    : 'Thanks for the report. An admin will look at the question.';
}
