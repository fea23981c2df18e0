import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import type { ReviewSource } from './learning.table.js';
import { estimateReadiness, READINESS_MODEL, type Readiness, type ReadinessAnswer } from './readiness.js';

/** The review log of one person, as readiness and coverage read it. */
export function createReviewsRepository(db: Database) {
  /** The person's answers within readiness's window, oldest first. */
  async function history(userId: string, now: Date): Promise<ReadinessAnswer[]> {
    const since = new Date(now.getTime() - READINESS_MODEL.windowDays * 86_400_000);
    // One row holding the history as compact JSON: parsing 2,000 rows one by one in the driver
    // costs more than the query itself.
    const [row] = await queryRows<{ history: string }>(
      db,
      sql`select coalesce(json_agg(json_build_array(domain, correct, extract(epoch from reviewed_at)::float8 * 1000,
                                                   source, sure, question_id) order by reviewed_at), '[]')::text
                 as history
          from learning_reviews
          where user_id = ${userId} and reviewed_at > ${since.toISOString()}::timestamptz
            and reviewed_at <= ${now.toISOString()}::timestamptz`,
    );
    const rows = JSON.parse(row?.history ?? '[]') as Array<
      [number, boolean, number, ReviewSource, boolean | null, string]
    >;
    return rows.map(([domain, correct, at, source, sure, questionId]) => ({
      domain,
      correct,
      at: new Date(at),
      source,
      sure,
      questionId,
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
