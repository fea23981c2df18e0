import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { type Database, queryRows } from '../db/client.js';
import { questionReports, questions, questionVersions, type ReportReason } from '../db/schema.js';

/** Open reports from this many different people pause a question from the daily draw. */
export const PAUSE_AFTER_REPORTS = 3;

/**
 * The ids of the questions paused from the daily draw: PAUSE_AFTER_REPORTS or more open reports,
 * from different people, on the question's current version. Reports on an older version do not
 * count, so syncing a fixed question (a new version) lifts the pause by itself.
 */
const pausedIds = sql`select r.question_id
    from question_reports r
    join questions q on q.id = r.question_id and q.current_version = r.question_version
   where r.status = 'open'
   group by r.question_id
  having count(distinct r.reporter_id) >= ${PAUSE_AFTER_REPORTS}`;

/**
 * A condition for the daily draw's query: the question in `column` is not paused by reports.
 *
 * @example db.select().from(questions).where(and(eq(questions.active, true), notPausedByReports(questions.id)))
 */
export function notPausedByReports(column: AnyPgColumn): SQL {
  return sql`${column} not in (${pausedIds})`;
}

export interface OpenReportRow {
  id: string;
  questionId: string;
  questionVersion: number;
  currentVersion: number;
  reason: ReportReason;
  text: string | null;
  reporter: string;
  createdAt: Date;
}

/** Reports on questions: storage, the open list, resolving, and the pause they cause. */
export function createReportsRepository(db: Database) {
  return {
    /** Whether this version of this question exists in the bank. */
    async versionExists(questionId: string, version: number): Promise<boolean> {
      const [row] = await db
        .select({ version: questionVersions.version })
        .from(questionVersions)
        .where(and(eq(questionVersions.questionId, questionId), eq(questionVersions.version, version)));
      return row !== undefined;
    },

    /** Stores a report; undefined when this person already reported this version of the question. */
    async insert(values: {
      questionId: string;
      questionVersion: number;
      reporterId: string;
      reason: ReportReason;
      text: string | null;
      createdAt: Date;
    }): Promise<{ id: string } | undefined> {
      // The unique (question, version, reporter) index decides, so two clicks at once store one report.
      const [row] = await db
        .insert(questionReports)
        .values(values)
        .onConflictDoNothing()
        .returning({ id: questionReports.id });
      return row;
    },

    /** Different people with an open report on the question's current version. */
    async openReporters(questionId: string): Promise<number> {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`select count(distinct r.reporter_id)::int as n
              from question_reports r
              join questions q on q.id = r.question_id and q.current_version = r.question_version
             where r.status = 'open' and r.question_id = ${questionId}`,
      );
      return row?.n ?? 0;
    },

    /** Every open report, oldest first, with who sent it. */
    async openReports(): Promise<OpenReportRow[]> {
      return queryRows<OpenReportRow>(
        db,
        sql`select r.id, r.question_id as "questionId", r.question_version as "questionVersion",
                   q.current_version as "currentVersion", r.reason, r.text,
                   coalesce(u.display_name, u.external_id) as reporter, r.created_at as "createdAt"
              from question_reports r
              join questions q on q.id = r.question_id
              join users u on u.id = r.reporter_id
             where r.status = 'open'
             order by r.created_at, r.id`,
      );
    },

    /** Resolves every open report on a question, or the one report with this id; returns what it closed. */
    async resolve(
      ref: { questionId: string } | { reportId: string },
      note: string | null,
      at: Date,
    ): Promise<Array<{ id: string; questionId: string }>> {
      return db
        .update(questionReports)
        .set({ status: 'resolved', note, resolvedAt: at })
        .where(
          and(
            eq(questionReports.status, 'open'),
            'questionId' in ref
              ? eq(questionReports.questionId, ref.questionId)
              : eq(questionReports.id, ref.reportId),
          ),
        )
        .returning({ id: questionReports.id, questionId: questionReports.questionId });
    },

    /** The questions paused from the daily draw, by id. */
    async pausedQuestionIds(): Promise<string[]> {
      const rows = await db
        .select({ id: questions.id })
        .from(questions)
        .where(sql`not (${notPausedByReports(questions.id)})`)
        .orderBy(questions.id);
      return rows.map((r) => r.id);
    },
  };
}

export type ReportsRepository = ReturnType<typeof createReportsRepository>;
