import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client.js';
import { questions } from '../../db/schema.js';
import { notPausedByReports } from '../../insight/reports.repository.js';
import { openDailyQuestionsOf } from '../../quiz/daily/posts.repository.js';
import type { MockCandidate } from './draw.js';
import { type MockPhase, type MockStatus, mockExamItems, mockExams } from './mock.table.js';

export type MockRow = typeof mockExams.$inferSelect;
export type MockItemRow = typeof mockExamItems.$inferSelect;

/** What one move does to the item in front of the person. */
export interface ItemChange {
  choice?: number[];
  correct?: boolean;
  answeredAt?: Date;
  skipped?: boolean;
  flagged?: boolean;
  revisited?: boolean;
}

/** Mock exams and their items: the one module that writes `mock_exams` and `mock_exam_items`. */
export function createMockRepository(db: Database) {
  return {
    /**
     * Every drawable question (active, not paused by reports) at its current version, with its type
     * and how often this person's mock exams drew it, less the questions a channel of the person's
     * workspace has open (or about to open) as its question of the day. One statement.
     */
    async candidates(userId: string): Promise<MockCandidate[]> {
      const rows = await queryRows<{
        id: string;
        version: number;
        domain: number;
        type: string;
        uses: number;
      }>(
        db,
        sql`select questions.id, questions.current_version as version, questions.domain,
                   v.content->>'type' as type,
                   (select count(*)::int from mock_exam_items i join mock_exams m on m.id = i.mock_id
                     where m.user_id = ${userId} and i.question_id = questions.id) as uses
            from questions
            join question_versions v on v.question_id = questions.id and v.version = questions.current_version
            where questions.active and ${notPausedByReports(questions.id)}
              and questions.id not in (${openDailyQuestionsOf(userId)})
            order by questions.id`,
      );
      return rows.map((r) => ({
        id: r.id,
        version: Number(r.version),
        domain: Number(r.domain),
        type: r.type as MockCandidate['type'],
        uses: Number(r.uses),
      }));
    },

    /** Questions a channel of the person's workspace has open (or about to open) right now. */
    async openQuestionIds(userId: string): Promise<Set<string>> {
      const rows = await queryRows<{ question_id: string }>(db, openDailyQuestionsOf(userId));
      return new Set(rows.map((r) => r.question_id));
    },

    /** Starts a mock exam; undefined when one is already running for the person. */
    async insertMock(
      mock: { userId: string; startedAt: Date; endsAt: Date },
      items: Array<{ questionId: string; questionVersion: number; domain: number }>,
    ): Promise<MockRow | undefined> {
      return db.transaction(async (tx) => {
        const [row] = await tx
          .insert(mockExams)
          .values({ ...mock, size: items.length })
          .onConflictDoNothing()
          .returning();
        if (!row) return undefined;
        await tx
          .insert(mockExamItems)
          .values(items.map((item, position) => ({ ...item, mockId: row.id, position })));
        return row;
      });
    },

    async running(userId: string): Promise<MockRow | undefined> {
      const [row] = await db
        .select()
        .from(mockExams)
        .where(and(eq(mockExams.userId, userId), eq(mockExams.status, 'running')));
      return row;
    },

    async find(mockId: string): Promise<MockRow | undefined> {
      const [row] = await db.select().from(mockExams).where(eq(mockExams.id, mockId));
      return row;
    },

    /** The person's latest ended exam whose report they have not seen (one the time-out closed). */
    async unseenReport(userId: string): Promise<MockRow | undefined> {
      const [row] = await db
        .select()
        .from(mockExams)
        .where(
          and(
            eq(mockExams.userId, userId),
            inArray(mockExams.status, ['finished', 'timed_out']),
            eq(mockExams.reportSeen, false),
          ),
        )
        .orderBy(desc(mockExams.startedAt))
        .limit(1);
      return row;
    },

    async items(mockId: string): Promise<MockItemRow[]> {
      return db
        .select()
        .from(mockExamItems)
        .where(eq(mockExamItems.mockId, mockId))
        .orderBy(asc(mockExamItems.position));
    },

    /**
     * Changes the item in front of the person and moves the exam to `next`, only if nobody moved it
     * since `revision` was read (a second click on the same question changes nothing). False when
     * someone did.
     */
    async move(input: {
      mockId: string;
      revision: number;
      position: number;
      change: ItemChange;
      next: { phase: MockPhase; position: number };
    }): Promise<boolean> {
      return db.transaction(async (tx) => {
        const moved = await tx
          .update(mockExams)
          .set({ ...input.next, revision: input.revision + 1 })
          .where(
            and(
              eq(mockExams.id, input.mockId),
              eq(mockExams.status, 'running'),
              eq(mockExams.revision, input.revision),
            ),
          )
          .returning({ id: mockExams.id });
        if (moved.length === 0) return false;
        await tx
          .update(mockExamItems)
          .set(input.change)
          .where(and(eq(mockExamItems.mockId, input.mockId), eq(mockExamItems.position, input.position)));
        return true;
      });
    },

    /** Ends a running exam once; the caller that ends it gets true. */
    async end(
      mockId: string,
      outcome: { status: Exclude<MockStatus, 'running'>; at: Date; score?: number; reportSeen: boolean },
    ): Promise<boolean> {
      const ended = await db
        .update(mockExams)
        .set({
          status: outcome.status,
          finishedAt: outcome.at,
          reportSeen: outcome.reportSeen,
          ...(outcome.score === undefined ? {} : { score: outcome.score }),
        })
        .where(and(eq(mockExams.id, mockId), eq(mockExams.status, 'running')))
        .returning({ id: mockExams.id });
      return ended.length > 0;
    },

    async markReportSeen(mockId: string): Promise<void> {
      await db.update(mockExams).set({ reportSeen: true }).where(eq(mockExams.id, mockId));
    },

    /** Running exams whose time is up at `now`. */
    async expired(now: Date): Promise<MockRow[]> {
      return db
        .select()
        .from(mockExams)
        .where(and(eq(mockExams.status, 'running'), lte(mockExams.endsAt, now)));
    },
  };
}

export type MockRepository = ReturnType<typeof createMockRepository>;
