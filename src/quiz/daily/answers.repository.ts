import { eq, inArray, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client.js';
import { answers } from '../../db/schema.js';

export type AnswerRow = typeof answers.$inferSelect;

/** What the answer recorder reads about one click before writing its group: see groupContext. */
export interface GroupContext {
  /** The answer this person already gave to this post, which stays the one that counts. */
  earlier?: { choice: number[]; correct: boolean; points: number };
  /** The channel's delivered posts newest first, 1 where answered (or being answered now), else 0. */
  flags: string;
  newestStatus: string | null;
  /** The person's points from questions of the day before this group. */
  totalPoints: number;
  /** How many had answered the post before this group. */
  answeredCount: number;
}

/** Answers to questions of the day: the first per person and post counts, scored once. */
export function createAnswersRepository(db: Database) {
  return {
    /** The answers, where there are any, of each person to each post. */
    async findAnswers(pairs: Array<{ postId: string; userId: string }>): Promise<AnswerRow[]> {
      if (pairs.length === 0) return [];
      // Two array parameters however many pairs: building one SQL fragment per pair costs more
      // than the query.
      const wanted = sql`select * from unnest(${sql.param(pairs.map((p) => p.postId))}::uuid[], ${sql.param(pairs.map((p) => p.userId))}::uuid[])`;
      return db.select().from(answers).where(sql`(${answers.postId}, ${answers.userId}) in (${wanted})`);
    },

    /**
     * Stores the answers that are first for their person and post, as one statement with one array
     * per column; returns which (post, person) pairs were stored.
     */
    async insertAnswers(
      rows: Array<{
        postId: string;
        userId: string;
        choice: number[];
        correct: boolean;
        points: number;
        answeredAt: Date;
      }>,
    ): Promise<Array<{ postId: string; userId: string }>> {
      if (rows.length === 0) return [];
      // In key order, so two processes writing overlapping answers wait on each other instead of
      // deadlocking.
      const key = (r: (typeof rows)[number]) => `${r.postId}:${r.userId}`;
      const ordered = [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
      const column = <T>(pick: (row: (typeof rows)[number]) => T) => sql.param(ordered.map(pick));
      return queryRows<{ postId: string; userId: string }>(
        db,
        sql`insert into answers (post_id, user_id, choice, correct, points, answered_at)
            select * from unnest(
              ${column((r) => r.postId)}::uuid[], ${column((r) => r.userId)}::uuid[],
              ${column((r) => JSON.stringify(r.choice))}::jsonb[], ${column((r) => r.correct)}::boolean[],
              ${column((r) => r.points)}::integer[], ${column((r) => r.answeredAt.toISOString())}::timestamptz[])
            on conflict (post_id, user_id) do nothing
            returning post_id as "postId", user_id as "userId"`,
      );
    },

    /**
     * What a group of clicks needs to know before its answers go in, read in one statement: for
     * each (post, person), the person named by their workspace row and platform id (their row may
     * be going in at the same time: someone without one has no answers yet), the answer already given if any, the channel's delivered posts newest
     * first as a string of 1 (answered, or the post being answered now unless it is late at `now`)
     * and 0, with the newest post's status (what currentStreak reads), the person's points so far and
     * how many have answered the post. Clicks on posts that do not exist get nothing back.
     */
    async groupContext(
      clicks: Array<{ postId: string; workspaceId: string; externalId: string }>,
      now: Date,
      limit = 400,
    ): Promise<Array<GroupContext | undefined>> {
      if (clicks.length === 0) return [];
      const column = (pick: (c: (typeof clicks)[number]) => string) => sql.param(clicks.map(pick));
      const rows = await queryRows<{
        i: number;
        e_choice: number[] | null;
        e_correct: boolean | null;
        e_points: number | null;
        flags: string | null;
        newest_status: string | null;
        total_points: number;
        answered_count: number;
      }>(
        db,
        sql`with k as (
              select k.post_id, k.i, u.id as user_id, p.channel_id,
                     case when p.status = 'closed' or (p.closes_at is not null and ${now.toISOString()}::timestamptz >= p.closes_at)
                          then null else p.id end as answering
              from unnest(${column((c) => c.postId)}::uuid[], ${column((c) => c.workspaceId)}::uuid[],
                          ${column((c) => c.externalId)}::text[]) with ordinality as k(post_id, workspace_id, external_id, i)
              join posts p on p.id = k.post_id
              left join users u on u.workspace_id = k.workspace_id and u.external_id = k.external_id
            ),
            totals as (
              select t.user_id, sum(t.points)::int as points from answer_totals t
              where t.grain = 'all' and t.user_id in (select user_id from k) group by t.user_id
            ),
            counts as (
              select a.post_id, count(*)::int as n from answers a
              where a.post_id in (select post_id from k) group by a.post_id
            )
            select k.i, e.choice as e_choice, e.correct as e_correct, e.points as e_points,
                   h.flags, h.newest_status,
                   coalesce(totals.points, 0) as total_points, coalesce(counts.n, 0) as answered_count
            from k
            left join answers e on e.post_id = k.post_id and e.user_id = k.user_id
            left join totals on totals.user_id = k.user_id
            left join counts on counts.post_id = k.post_id
            cross join lateral (
              select string_agg(case when r.answered then '1' else '0' end, '' order by r.local_date desc) as flags,
                     (array_agg(r.status order by r.local_date desc))[1] as newest_status
              from (
                select p.local_date, p.status,
                       (p.id is not distinct from k.answering or exists (
                         select 1 from answers a where a.post_id = p.id and a.user_id = k.user_id)) as answered
                from posts p
                where p.channel_id = k.channel_id and p.status in ('open', 'closed')
                order by p.local_date desc
                limit ${limit}
              ) r
            ) h`,
      );
      const byIndex = new Map(rows.map((r) => [Number(r.i) - 1, r]));
      return clicks.map((_, i) => {
        const r = byIndex.get(i);
        if (!r) return undefined;
        return {
          earlier:
            r.e_correct === null
              ? undefined
              : { choice: r.e_choice ?? [], correct: r.e_correct, points: r.e_points ?? 0 },
          flags: r.flags ?? '',
          newestStatus: r.newest_status,
          totalPoints: Number(r.total_points),
          answeredCount: Number(r.answered_count),
        };
      });
    },

    /** Each person's points from questions of the day, for those with any. */
    async totalPointsOf(userIds: string[]): Promise<Map<string, number>> {
      if (userIds.length === 0) return new Map();
      const rows = await db
        .select({ userId: answers.userId, n: sql<number>`coalesce(sum(${answers.points}), 0)::int` })
        .from(answers)
        .where(inArray(answers.userId, userIds))
        .groupBy(answers.userId);
      return new Map(rows.map((r) => [r.userId, Number(r.n)]));
    },

    /** How many have answered each post, for posts with any answers. */
    async countAnswersOf(postIds: string[]): Promise<Map<string, number>> {
      if (postIds.length === 0) return new Map();
      const rows = await db
        .select({ postId: answers.postId, n: sql<number>`count(*)::int` })
        .from(answers)
        .where(inArray(answers.postId, postIds))
        .groupBy(answers.postId);
      return new Map(rows.map((r) => [r.postId, Number(r.n)]));
    },

    async answersOf(postId: string): Promise<Array<{ choice: number[]; correct: boolean }>> {
      const rows = await db
        .select({ choice: answers.choice, correct: answers.correct })
        .from(answers)
        .where(eq(answers.postId, postId));
      return rows.map((r) => ({ choice: r.choice as number[], correct: r.correct }));
    },
  };
}

export type AnswersRepository = ReturnType<typeof createAnswersRepository>;
