import { eq, inArray, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client.js';
import { answers } from '../../db/schema.js';

export type AnswerRow = typeof answers.$inferSelect;

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
     * For each channel and person: the channel's delivered posts newest first as a string of 1
     * (answered, or the post being answered now) and 0, and the newest post's status: what
     * currentStreak reads.
     */
    async streakFlags(
      wanted: Array<{ channelId: string; userId: string; answering: string | null }>,
      limit = 400,
    ): Promise<Array<{ flags: string; newestStatus: string | null }>> {
      if (wanted.length === 0) return [];
      const column = (pick: (w: (typeof wanted)[number]) => string | null) => sql.param(wanted.map(pick));
      const rows = await queryRows<{ i: number; flags: string | null; newest_status: string | null }>(
        db,
        sql`select k.i, h.flags, h.newest_status
            from unnest(${column((w) => w.channelId)}::uuid[], ${column((w) => w.userId)}::uuid[],
                        ${column((w) => w.answering)}::uuid[]) with ordinality as k(channel_id, user_id, post_id, i)
            cross join lateral (
              select string_agg(case when r.answered then '1' else '0' end, '' order by r.local_date desc) as flags,
                     (array_agg(r.status order by r.local_date desc))[1] as newest_status
              from (
                select p.local_date, p.status,
                       (p.id is not distinct from k.post_id or exists (
                         select 1 from answers a where a.post_id = p.id and a.user_id = k.user_id)) as answered
                from posts p
                where p.channel_id = k.channel_id and p.status in ('open', 'closed')
                order by p.local_date desc
                limit ${limit}
              ) r
            ) h`,
      );
      const byIndex = new Map(rows.map((r) => [Number(r.i) - 1, r]));
      return wanted.map((_, i) => ({
        flags: byIndex.get(i)?.flags ?? '',
        newestStatus: byIndex.get(i)?.newest_status ?? null,
      }));
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
