import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import type { ReviewSource } from './learning.table.js';
import { estimateReadiness, READINESS_MODEL, type Readiness, type ReadinessAnswer } from './readiness.js';

/** The review log of one person, as readiness and coverage read it. */
export function createReviewsRepository(db: Database) {
  /** The person's answers within readiness's window, oldest first. */
  async function history(userId: string, now: Date): Promise<ReadinessAnswer[]> {
    const since = new Date(now.getTime() - READINESS_MODEL.windowDays * 86_400_000);
    const rows = await queryRows<{
      domain: number;
      correct: boolean;
      reviewed_at: Date | string;
      source: ReviewSource;
      sure: boolean | null;
      question_id: string;
    }>(
      db,
      sql`select domain, correct, reviewed_at, source, sure, question_id from learning_reviews
          where user_id = ${userId} and reviewed_at > ${since.toISOString()}::timestamptz
            and reviewed_at <= ${now.toISOString()}::timestamptz
          order by reviewed_at`,
    );
    return rows.map((r) => ({
      domain: Number(r.domain),
      correct: r.correct,
      at: new Date(r.reviewed_at),
      source: r.source,
      sure: r.sure,
      questionId: r.question_id,
    }));
  }

  return {
    history,
    /**
     * A person's predicted exam result, from their own answers (one query).
     *
     * @example const { score, low, high, verdict } = await reviews.readiness(userId, clock.now());
     */
    async readiness(userId: string, now: Date): Promise<Readiness> {
      return estimateReadiness(await history(userId, now), now);
    },
  };
}
