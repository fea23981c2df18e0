import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import { toTextArray } from './cards.repository.js';
import type { ReviewSource } from './learning.table.js';
import {
  type DomainEvidence,
  READINESS_MODEL,
  type Readiness,
  type ReadinessAnswer,
  readinessFromEvidence,
} from './readiness.js';

/** Teams of at least twice this many people have their readiness read in two halves at once. */
const SPLIT_FROM = 20;

/** The review log of one person, as readiness and coverage read it. */
export function createReviewsRepository(db: Database) {
  /** The person's answers within readiness's window, oldest first. */
  async function history(userId: string, now: Date): Promise<ReadinessAnswer[]> {
    return (await histories([userId], now, now)).get(userId) ?? [];
  }

  /**
   * Several people's answers within readiness's window of any moment from `first` to `last`,
   * oldest first, by person: one read for readiness at many moments.
   */
  async function histories(
    userIds: string[],
    first: Date,
    last: Date,
  ): Promise<Map<string, ReadinessAnswer[]>> {
    const byUser = new Map<string, ReadinessAnswer[]>();
    if (userIds.length === 0) return byUser;
    const since = new Date(first.getTime() - READINESS_MODEL.windowDays * 86_400_000);
    const rows = await queryRows<{
      user_id: string;
      domain: number;
      correct: boolean;
      reviewed_at: Date | string;
      source: ReviewSource;
      sure: boolean | null;
      question_id: string;
    }>(
      db,
      sql`select user_id, domain, correct, reviewed_at, source, sure, question_id from learning_reviews
          where user_id = any(${toTextArray(userIds)}::uuid[]) and reviewed_at > ${since.toISOString()}::timestamptz
            and reviewed_at <= ${last.toISOString()}::timestamptz
          order by reviewed_at`,
    );
    for (const r of rows) {
      const answers = byUser.get(r.user_id) ?? [];
      answers.push({
        domain: Number(r.domain),
        correct: r.correct,
        at: new Date(r.reviewed_at),
        source: r.source,
        sure: r.sure,
        questionId: r.question_id,
      });
      byUser.set(r.user_id, answers);
    }
    return byUser;
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

  async function readinessOfGroup(userIds: string[], now: Date): Promise<Map<string, Readiness>> {
    if (userIds.length === 0) return new Map();
    const m = READINESS_MODEL;
    const nowIso = now.toISOString();
    const rows = await queryRows<{
      user_id: string;
      domain: number;
      right: number;
      wrong: number;
      answers: number;
    }>(
      db,
      sql`select user_id, domain, sum(case when correct then w else 0 end)::float8 as right,
                 sum(case when correct then 0 else w end)::float8 as wrong, count(*)::int as answers
          from (select user_id, domain, correct,
                       power(0.5::float8, extract(epoch from ${nowIso}::timestamptz - reviewed_at)::float8
                                          / ${m.halfLifeDays * 86_400}::float8)
                       * case when source = 'mock' then ${m.mockWeight}::float8 else 1 end
                       * case when sure is false then ${m.guessWeight}::float8 else 1 end
                       / sqrt(count(*) over (partition by user_id, question_id))::float8 as w
                from learning_reviews
                where user_id = any(${toTextArray(userIds)}::uuid[]) and domain between 1 and 5
                  and reviewed_at > ${new Date(now.getTime() - m.windowDays * 86_400_000).toISOString()}::timestamptz
                  and reviewed_at <= ${nowIso}::timestamptz) r
          group by user_id, domain`,
    );
    const byUser = new Map<string, DomainEvidence>();
    for (const r of rows) {
      const evidence = byUser.get(r.user_id) ?? new Map();
      evidence.set(Number(r.domain), { right: r.right, wrong: r.wrong, answers: r.answers });
      byUser.set(r.user_id, evidence);
    }
    return new Map([...byUser].map(([userId, evidence]) => [userId, readinessFromEvidence(evidence)]));
  }

  return {
    history,
    histories,
    evidence,

    /**
     * Readiness of several people at once (a channel's members, for the digest): the same sums as
     * `evidence`, grouped by person. A large team is read in two halves at once, on two connections:
     * the sums cost the database CPU per review, and a year of a hundred people's reviews is tens of
     * thousands of them.
     */
    async readinessOf(userIds: string[], now: Date): Promise<Map<string, Readiness>> {
      if (userIds.length < 2 * SPLIT_FROM) return readinessOfGroup(userIds, now);
      const half = Math.ceil(userIds.length / 2);
      const parts = await Promise.all([
        readinessOfGroup(userIds.slice(0, half), now),
        readinessOfGroup(userIds.slice(half), now),
      ]);
      return new Map(parts.flatMap((part) => [...part]));
    },

    /**
     * Answers and right answers in each of the last `weeks` seven-day spans before `now`, oldest
     * first (rolling weeks: the last one always ends now).
     */
    async weeklyAccuracy(
      userId: string,
      now: Date,
      weeks = 4,
    ): Promise<Array<{ weeksAgo: number; answered: number; correct: number }>> {
      const nowIso = now.toISOString();
      const rows = await queryRows<{ weeks_ago: number; answered: number; correct: number }>(
        db,
        sql`select floor(extract(epoch from ${nowIso}::timestamptz - reviewed_at) / ${7 * 86_400})::int as weeks_ago,
                   count(*)::int as answered, count(*) filter (where correct)::int as correct
            from learning_reviews
            where user_id = ${userId} and reviewed_at <= ${nowIso}::timestamptz
              and reviewed_at > ${nowIso}::timestamptz - ${`${weeks * 7} days`}::interval
            group by 1`,
      );
      const byWeek = new Map(rows.map((r) => [Number(r.weeks_ago), r]));
      return Array.from({ length: weeks }, (_, i) => weeks - 1 - i).map((weeksAgo) => ({
        weeksAgo,
        answered: byWeek.get(weeksAgo)?.answered ?? 0,
        correct: byWeek.get(weeksAgo)?.correct ?? 0,
      }));
    },

    /**
     * The questions a person got wrong in the last `days` and has not answered right since, to
     * replay: those due for review first (most overdue first), then the most recent mistakes.
     */
    async recentMistakes(
      userId: string,
      now: Date,
      options: { days?: number; limit?: number; exclude?: string[] } = {},
    ): Promise<Array<{ questionId: string; missedAt: Date; due: boolean }>> {
      const nowIso = now.toISOString();
      const rows = await queryRows<{ question_id: string; missed_at: Date | string; due: boolean }>(
        db,
        sql`select l.question_id, l.reviewed_at as missed_at, coalesce(c.due <= ${nowIso}::timestamptz, false) as due
            from (select distinct on (question_id) question_id, correct, reviewed_at
                  from learning_reviews
                  where user_id = ${userId} and reviewed_at <= ${nowIso}::timestamptz
                    and reviewed_at > ${nowIso}::timestamptz - ${`${options.days ?? 30} days`}::interval
                  order by question_id, reviewed_at desc, id desc) l
            join questions q on q.id = l.question_id and q.active
            left join learning_cards c on c.user_id = ${userId} and c.question_id = l.question_id
            where not l.correct and l.question_id <> all(${toTextArray(options.exclude ?? [])}::text[])
            order by due desc, case when c.due <= ${nowIso}::timestamptz then c.due end, l.reviewed_at desc
            limit ${options.limit ?? 20}`,
      );
      return rows.map((r) => ({ questionId: r.question_id, missedAt: new Date(r.missed_at), due: r.due }));
    },
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
