import { and, eq, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { type PracticeKind, practiceAnswers } from '../../db/schema.js';

/** Answers to practice questions, and late answers to questions of the day (kept, not scored). */
export function createPracticeAnswersRepository(db: Database) {
  return {
    /** Stores a practice answer once per hand-out; undefined means this hand-out was already answered. */
    async insertPracticeAnswer(values: {
      userId: string;
      questionId: string;
      questionVersion: number;
      kind: PracticeKind;
      issueKey: string | null;
      postId?: string;
      choice: number[];
      correct: boolean;
      answeredAt: Date;
    }) {
      const [row] = await db
        .insert(practiceAnswers)
        .values(values)
        .onConflictDoNothing({
          target: [practiceAnswers.userId, practiceAnswers.issueKey],
          where: sql`${practiceAnswers.issueKey} is not null`,
        })
        .returning();
      return row;
    },

    async findPracticeAnswer(userId: string, issueKey: string) {
      const [row] = await db
        .select()
        .from(practiceAnswers)
        .where(and(eq(practiceAnswers.userId, userId), eq(practiceAnswers.issueKey, issueKey)));
      return row;
    },
  };
}

export type PracticeAnswersRepository = ReturnType<typeof createPracticeAnswersRepository>;
