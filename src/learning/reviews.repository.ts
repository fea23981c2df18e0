import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import type { ReviewSource } from './learning.table.js';
import {
  type DomainEvidence,
  READINESS_MODEL,
  type Readiness,
  type ReadinessAnswer,
  readinessFromEvidence,
} from './readiness.js';

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

  /**
   * The weighted evidence per exam domain, summed by the database exactly as `domainEvidence` sums it
   * in memory: a few rows travel instead of a year of answers.
   */
  async function evidence(userId: string, now: Date): Promise<DomainEvidence> {
    const m = READINESS_MODEL;
    const nowIso = now.toISOString();
    const rows = await queryRows<{ domain: number; right: number; wrong: number; answers: number }>(
      db,
      sql`select domain, sum(case when correct then w else 0 end)::float8 as right,
                 sum(case when correct then 0 else w end)::float8 as wrong, count(*)::int as answers
          from (select domain, correct,
                       power(0.5::float8, extract(epoch from ${nowIso}::timestamptz - reviewed_at)::float8
                                          / ${m.halfLifeDays * 86_400}::float8)
                       * case when source = 'mock' then ${m.mockWeight}::float8 else 1 end
                       * case when sure is false then ${m.guessWeight}::float8 else 1 end
                       / sqrt(count(*) over (partition by question_id))::float8 as w
                from learning_reviews
                where user_id = ${userId} and domain between 1 and 5
                  and reviewed_at > ${new Date(now.getTime() - m.windowDays * 86_400_000).toISOString()}::timestamptz
                  and reviewed_at <= ${nowIso}::timestamptz) r
          group by domain`,
    );
    return new Map(
      rows.map((r) => [Number(r.domain), { right: r.right, wrong: r.wrong, answers: r.answers }]),
    );
  }

  return {
    history,
    evidence,
    /**
     * A person's predicted exam result, from their own answers (one query, a few rows back).
     *
     * @example const { score, low, high, verdict } = await reviews.readiness(userId, clock.now());
     */
    async readiness(userId: string, now: Date): Promise<Readiness> {
      return readinessFromEvidence(await evidence(userId, now));
    },
  };
}
