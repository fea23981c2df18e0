import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import type { Platform } from '../db/schema.js';
import { answers, channels, posts, questions, questionVersions, users, workspaces } from '../db/schema.js';
import { notPausedByReports } from '../insight/reports.repository.js';
import { type Question, questionFromContent } from './question.js';

export type PostRow = typeof posts.$inferSelect;

/** Joins a post to the exact question version it asked. */
export const askedVersion = and(
  eq(questionVersions.questionId, posts.questionId),
  eq(questionVersions.version, posts.questionVersion),
);
export type AnswerRow = typeof answers.$inferSelect;

/** A post's question and the channel it was asked in, in the platform's own ids. */
export interface PostPlace {
  questionId: string;
  questionVersion: number;
  platform: Platform;
  workspaceId: string;
  channelId: string;
}

export interface PoolQuestion {
  id: string;
  version: number;
  topic: string;
  domain: number;
}

/** Questions of the day, the answers to them, and the bank they are drawn from. */
export function createPostsRepository(db: Database) {
  return {
    /** Every active question at its current version, less those paused by reports: what can be drawn. */
    async activePool(): Promise<PoolQuestion[]> {
      return db
        .select({
          id: questions.id,
          version: questions.currentVersion,
          topic: questions.topic,
          domain: questions.domain,
        })
        .from(questions)
        .where(and(eq(questions.active, true), notPausedByReports(questions.id)))
        .orderBy(asc(questions.id));
    },

    async loadQuestion(id: string, version?: number): Promise<Question | undefined> {
      const [row] = await db
        .select({
          id: questionVersions.questionId,
          version: questionVersions.version,
          content: questionVersions.content,
        })
        .from(questionVersions)
        .innerJoin(questions, eq(questions.id, questionVersions.questionId))
        .where(
          and(
            eq(questionVersions.questionId, id),
            version === undefined
              ? eq(questionVersions.version, questions.currentVersion)
              : eq(questionVersions.version, version),
          ),
        );
      return row ? questionFromContent(row.id, row.version, row.content) : undefined;
    },

    /** What a channel has been asked, newest first. */
    async channelHistory(
      channelId: string,
    ): Promise<Array<{ questionId: string; topic: string; domain: number; localDate: string }>> {
      return (await this.channelHistories([channelId])).get(channelId) ?? [];
    },

    /**
     * Claims the channel's question for a local date. The unique (channel, date) index decides: the
     * first caller creates the post, every later or concurrent caller gets that same post back.
     */
    async claimPost(values: {
      channelId: string;
      localDate: string;
      questionId: string;
      questionVersion: number;
      now: Date;
    }): Promise<{ post: PostRow; created: boolean }> {
      const [created] = await db
        .insert(posts)
        .values({ ...values, createdAt: values.now })
        .onConflictDoNothing({ target: [posts.channelId, posts.localDate] })
        .returning();
      if (created) return { post: created, created: true };
      const [existing] = await db
        .select()
        .from(posts)
        .where(and(eq(posts.channelId, values.channelId), eq(posts.localDate, values.localDate)));
      return { post: existing as PostRow, created: false };
    },

    /** The posts of many channels for their local dates, in one query. */
    async findPosts(wanted: Array<{ channelId: string; localDate: string }>): Promise<PostRow[]> {
      if (wanted.length === 0) return [];
      const keys = new Set(wanted.map((w) => `${w.channelId}|${w.localDate}`));
      const rows = await db
        .select()
        .from(posts)
        .where(
          and(
            inArray(posts.channelId, [...new Set(wanted.map((w) => w.channelId))]),
            inArray(posts.localDate, [...new Set(wanted.map((w) => w.localDate))]),
          ),
        );
      return rows.filter((r) => keys.has(`${r.channelId}|${r.localDate}`));
    },

    /** What many channels were asked before, newest first per channel, in one query. */
    async channelHistories(
      channelIds: string[],
    ): Promise<Map<string, Array<{ questionId: string; topic: string; domain: number; localDate: string }>>> {
      const histories = new Map<
        string,
        Array<{ questionId: string; topic: string; domain: number; localDate: string }>
      >();
      if (channelIds.length === 0) return histories;
      const rows = await db
        .select({
          channelId: posts.channelId,
          questionId: posts.questionId,
          topic: questionVersions.topic,
          domain: questionVersions.domain,
          localDate: posts.localDate,
        })
        .from(posts)
        .innerJoin(questionVersions, askedVersion)
        .where(inArray(posts.channelId, channelIds))
        .orderBy(desc(posts.localDate));
      for (const { channelId, ...row } of rows) {
        const list = histories.get(channelId) ?? [];
        list.push(row);
        histories.set(channelId, list);
      }
      return histories;
    },

    /** Claims many (channel, date) posts at once; rows another process created first are not returned. */
    async claimPosts(
      values: Array<{ channelId: string; localDate: string; questionId: string; questionVersion: number }>,
      now: Date,
    ): Promise<PostRow[]> {
      if (values.length === 0) return [];
      return db
        .insert(posts)
        .values(values.map((v) => ({ ...v, createdAt: now })))
        .onConflictDoNothing({ target: [posts.channelId, posts.localDate] })
        .returning();
    },

    /** Loads many question versions in one query, keyed `id@version`. */
    async loadQuestions(wanted: Array<{ id: string; version: number }>): Promise<Map<string, Question>> {
      const found = new Map<string, Question>();
      if (wanted.length === 0) return found;
      const rows = await db
        .select({
          id: questionVersions.questionId,
          version: questionVersions.version,
          content: questionVersions.content,
        })
        .from(questionVersions)
        .where(inArray(questionVersions.questionId, [...new Set(wanted.map((w) => w.id))]));
      const keys = new Set(wanted.map((w) => `${w.id}@${w.version}`));
      for (const row of rows) {
        const key = `${row.id}@${row.version}`;
        if (keys.has(key)) found.set(key, questionFromContent(row.id, row.version, row.content));
      }
      return found;
    },

    /** Opens many delivered posts in one statement. */
    async openPosts(
      items: Array<{ id: string; messageRef: unknown; closesAt: Date }>,
      postedAt: Date,
    ): Promise<void> {
      if (items.length === 0) return;
      const values = sql.join(
        items.map(
          (i) =>
            sql`(${i.id}::uuid, ${JSON.stringify(i.messageRef)}::jsonb, ${i.closesAt.toISOString()}::timestamptz)`,
        ),
        sql`, `,
      );
      await db.execute(sql`
        update ${posts} set status = 'open', message_ref = v.ref, closes_at = v.closes, posted_at = ${postedAt.toISOString()}::timestamptz, last_error = null
        from (values ${values}) as v(id, ref, closes)
        where ${posts.id} = v.id and ${posts.status} = 'pending'`);
    },

    async findPost(channelId: string, localDate: string): Promise<PostRow | undefined> {
      const [row] = await db
        .select()
        .from(posts)
        .where(and(eq(posts.channelId, channelId), eq(posts.localDate, localDate)));
      return row;
    },

    async getPost(id: string): Promise<PostRow | undefined> {
      const [row] = await db.select().from(posts).where(eq(posts.id, id));
      return row;
    },

    /** Where a post was asked, in the platform's own ids, with the question it asked. */
    async placeOf(id: string): Promise<PostPlace | undefined> {
      const [row] = await db
        .select({
          questionId: posts.questionId,
          questionVersion: posts.questionVersion,
          platform: workspaces.platform,
          workspaceId: workspaces.externalId,
          channelId: channels.externalId,
        })
        .from(posts)
        .innerJoin(channels, eq(channels.id, posts.channelId))
        .innerJoin(workspaces, eq(workspaces.id, channels.workspaceId))
        .where(eq(posts.id, id));
      return row;
    },

    async getPosts(ids: string[]): Promise<PostRow[]> {
      if (ids.length === 0) return [];
      return db.select().from(posts).where(inArray(posts.id, ids));
    },

    async updatePost(
      id: string,
      patch: Partial<Omit<PostRow, 'id' | 'channelId' | 'localDate'>>,
    ): Promise<PostRow> {
      const [row] = await db.update(posts).set(patch).where(eq(posts.id, id)).returning();
      return row as PostRow;
    },

    /** The newest open post of a channel, if any. */
    async openPost(channelId: string): Promise<PostRow | undefined> {
      const [row] = await db
        .select()
        .from(posts)
        .where(and(eq(posts.channelId, channelId), eq(posts.status, 'open')))
        .orderBy(desc(posts.localDate))
        .limit(1);
      return row;
    },

    /** Moves a post from open to closed exactly once; the caller that wins gets the row. */
    async closePost(id: string, now: Date): Promise<PostRow | undefined> {
      const [row] = await db
        .update(posts)
        .set({ status: 'closed', closedAt: now })
        .where(and(eq(posts.id, id), eq(posts.status, 'open')))
        .returning();
      return row;
    },

    async postsDueToClose(now: Date): Promise<PostRow[]> {
      return db
        .select()
        .from(posts)
        .where(and(eq(posts.status, 'open'), lte(posts.closesAt, now)));
    },

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

    async countAnswers(postId: string): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`count(*)::int` })
        .from(answers)
        .where(eq(answers.postId, postId));
      return Number(row?.n ?? 0);
    },

    /** The channel's delivered posts newest first, each with whether this person answered it. */
    async streakHistory(
      channelId: string,
      userId: string,
      limit = 400,
    ): Promise<Array<{ id: string; status: string; answered: boolean }>> {
      const rows = await db
        .select({ id: posts.id, status: posts.status, answerId: answers.id })
        .from(posts)
        .leftJoin(answers, and(eq(answers.postId, posts.id), eq(answers.userId, userId)))
        .where(and(eq(posts.channelId, channelId), inArray(posts.status, ['open', 'closed'])))
        .orderBy(desc(posts.localDate))
        .limit(limit);
      return rows.map((r) => ({ id: r.id, status: r.status, answered: r.answerId !== null }));
    },

    async totalPoints(userId: string): Promise<number> {
      const [row] = await db
        .select({ n: sql<number>`coalesce(sum(${answers.points}), 0)::int` })
        .from(answers)
        .where(eq(answers.userId, userId));
      return Number(row?.n ?? 0);
    },

    /** Channels a person has answered in, for streaks in personal stats. */
    async channelsAnsweredIn(userId: string): Promise<string[]> {
      const rows = await db
        .selectDistinct({ channelId: posts.channelId })
        .from(answers)
        .innerJoin(posts, eq(posts.id, answers.postId))
        .where(eq(answers.userId, userId));
      return rows.map((r) => r.channelId);
    },

    /** Everyone who ever answered in a channel: the digest's idea of its members. */
    async participants(channelId: string): Promise<Array<{ userId: string; name: string }>> {
      const rows = await db
        .selectDistinct({
          userId: users.id,
          name: sql<string>`coalesce(${users.displayName}, ${users.externalId})`,
        })
        .from(answers)
        .innerJoin(posts, eq(posts.id, answers.postId))
        .innerJoin(users, eq(users.id, answers.userId))
        .where(eq(posts.channelId, channelId));
      return rows;
    },
  };
}

export type PostsRepository = ReturnType<typeof createPostsRepository>;
