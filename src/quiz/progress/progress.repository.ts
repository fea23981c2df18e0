import { and, desc, eq, gte, isNull, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../../db/client.js';
import { answers, posts, practiceAnswers, questionVersions, users } from '../../db/schema.js';
import { askedVersion } from '../daily/posts.repository.js';
import { answerTotals, type TotalsGrain, workspaceTotals } from './progress.table.js';

export interface TopicAttempt {
  questionId: string;
  topic: string;
  domain: number;
  correct: boolean;
  answeredAt: Date;
  /** The question of the day answered, and its channel; null for a practice answer. */
  postId: string | null;
  channelId: string | null;
}

/** A channel's asked questions of the day, newest first: what a streak is counted against. */
export interface AskedPost {
  channelId: string;
  postId: string;
  status: string;
}

/** The all-time row of answer_totals. */
const ALL_TIME = '1970-01-01';
/**
 * Slack for clocks of two replicas that disagree: an answer is taken while its post is open, so it
 * was given after the post went out and before it closed, give or take this.
 */
const CLOCK_SLACK_MS = 3_600_000;

export interface LeaderboardRow {
  userId: string;
  externalId: string;
  name: string;
  points: number;
  answered: number;
  correct: number;
}

/** The read models built over all answers: history per topic, leaderboards, a channel's week. */
export function createProgressRepository(db: Database) {
  return {
    /** Every answer a person gave, daily and practice, with the topic of the version they were asked. */
    async attempts(userId: string): Promise<TopicAttempt[]> {
      // Each answer's post by its key (`limit 1` keeps it a lookup per answer): the work follows
      // the person's answers, where a join would scan every channel's posts once they outnumber them.
      const daily = queryRows<Omit<TopicAttempt, 'answeredAt'> & { answeredAt: Date | string }>(
        db,
        sql`select p.question_id as "questionId", v.topic, v.domain, a.correct, a.answered_at as "answeredAt",
                   p.id as "postId", p.channel_id as "channelId"
            from ${answers} a
            cross join lateral (select id, channel_id, question_id, question_version from ${posts}
                                where id = a.post_id limit 1) p
            join ${questionVersions} v on v.question_id = p.question_id and v.version = p.question_version
            where a.user_id = ${userId}`,
      ).then((rows) => rows.map((r) => ({ ...r, answeredAt: new Date(r.answeredAt) })));
      const practice = db
        .select({
          questionId: practiceAnswers.questionId,
          topic: questionVersions.topic,
          domain: questionVersions.domain,
          correct: practiceAnswers.correct,
          answeredAt: practiceAnswers.answeredAt,
          postId: sql<string | null>`null::uuid`,
          channelId: sql<string | null>`null::uuid`,
        })
        .from(practiceAnswers)
        .innerJoin(
          questionVersions,
          and(
            eq(questionVersions.questionId, practiceAnswers.questionId),
            eq(questionVersions.version, practiceAnswers.questionVersion),
          ),
        )
        .where(eq(practiceAnswers.userId, userId));
      const [a, b] = await Promise.all([daily, practice]);
      return [...a, ...b].sort((x, y) => x.answeredAt.getTime() - y.answeredAt.getTime());
    },

    /**
     * Points and answers per person on a channel's questions of the day, answered in [from, to).
     * People who opted out are left out. Reads only the channel's posts of the local dates around
     * the range (`fromDate`, `toDate` in the channel's calendar), along the (channel, date) index,
     * then their answers by post: the cost follows the range, not the history.
     */
    async leaderboard(
      channelId: string,
      range: { from: Date; to: Date; fromDate: string; toDate: string },
    ): Promise<LeaderboardRow[]> {
      const { from, to } = range;
      // Summed per person first, then named: one lookup of each person, not one per answer.
      const byPerson = db
        .select({
          userId: answers.userId,
          points: sql<number>`sum(${answers.points})::int`.as('points'),
          answered: sql<number>`count(*)::int`.as('answered'),
          correct: sql<number>`(count(*) filter (where ${answers.correct}))::int`.as('correct'),
        })
        .from(posts)
        .innerJoin(answers, eq(answers.postId, posts.id))
        .where(
          and(
            eq(posts.channelId, channelId),
            // A question is open for a day at most: two days either side cover late posts and clocks.
            gte(posts.localDate, sql`${range.fromDate}::date - 2`),
            lte(posts.localDate, sql`${range.toDate}::date + 2`),
            lt(posts.postedAt, new Date(to.getTime() + CLOCK_SLACK_MS)),
            or(isNull(posts.closedAt), gte(posts.closedAt, new Date(from.getTime() - CLOCK_SLACK_MS))),
            gte(answers.answeredAt, from),
            lt(answers.answeredAt, to),
          ),
        )
        .groupBy(answers.userId)
        .as('by_person');
      const name = sql<string>`coalesce(${users.displayName}, ${users.externalId})`;
      return db
        .select({
          userId: users.id,
          externalId: users.externalId,
          name,
          points: byPerson.points,
          answered: byPerson.answered,
          correct: byPerson.correct,
        })
        .from(byPerson)
        .innerJoin(users, eq(users.id, byPerson.userId))
        .where(eq(users.leaderboardOptOut, false))
        .orderBy(desc(byPerson.points), name);
    },

    /**
     * The top of a channel's board from answer_totals: all time, or the week or month starting on
     * `periodStart` (a Monday or a 1st) in the channel's calendar. Like workspaceBoard, it walks the
     * points index best first and stops after `limit` rows.
     */
    async channelBoard(
      channelId: string,
      grain: TotalsGrain,
      periodStart: string,
      limit: number,
    ): Promise<LeaderboardRow[]> {
      const name = sql<string>`coalesce(${users.displayName}, ${users.externalId})`;
      return db
        .select({
          userId: users.id,
          externalId: users.externalId,
          name,
          points: answerTotals.points,
          answered: answerTotals.answered,
          correct: answerTotals.correct,
        })
        .from(answerTotals)
        .innerJoin(users, eq(users.id, answerTotals.userId))
        .where(
          and(
            eq(answerTotals.channelId, channelId),
            eq(answerTotals.grain, grain),
            eq(answerTotals.periodStart, grain === 'all' ? ALL_TIME : periodStart),
            eq(users.leaderboardOptOut, false),
          ),
        )
        .orderBy(desc(answerTotals.points), name)
        .limit(limit);
    },

    /**
     * The top of a workspace's board from workspace_totals: all time, or the week or month starting
     * on `periodStart`. Walks the points index best first and stops after `limit` rows (ties on the
     * last place ordered by name), whatever the number of people: a plain `desc` matches the
     * index (DESC NULLS FIRST), so the rows come from it in order.
     */
    async workspaceBoard(
      workspaceId: string,
      grain: TotalsGrain,
      periodStart: string,
      limit: number,
    ): Promise<LeaderboardRow[]> {
      const name = sql<string>`coalesce(${users.displayName}, ${users.externalId})`;
      return db
        .select({
          userId: users.id,
          externalId: users.externalId,
          name,
          points: workspaceTotals.points,
          answered: workspaceTotals.answered,
          correct: workspaceTotals.correct,
        })
        .from(workspaceTotals)
        .innerJoin(users, eq(users.id, workspaceTotals.userId))
        .where(
          and(
            eq(workspaceTotals.workspaceId, workspaceId),
            eq(workspaceTotals.grain, grain),
            eq(workspaceTotals.periodStart, grain === 'all' ? ALL_TIME : periodStart),
            eq(users.leaderboardOptOut, false),
          ),
        )
        .orderBy(desc(workspaceTotals.points), name)
        .limit(limit);
    },

    /**
     * A person's place on their workspace's all-time board (1 + how many have more points), how
     * many are on it, and their points; rank is null when the person is not on it (no answers, or
     * opted out).
     * Counts only the index entries above the person, and the board's size from the same index.
     */
    async workspaceRankOf(
      workspaceId: string,
      userId: string,
    ): Promise<{ rank: number | null; ranked: number; points: number }> {
      const board = sql`t.workspace_id = ${workspaceId} and t.grain = 'all' and t.period_start = ${ALL_TIME}`;
      const [r] = await queryRows<{
        above: number;
        everyone: number;
        out: number;
        mine: number | null;
        points: number | null;
      }>(
        db,
        sql`
        with mine as (
          select t.points from ${workspaceTotals} t join ${users} u on u.id = t.user_id
          where ${board} and t.user_id = ${userId} and not u.leaderboard_opt_out
        ), opted_out as (
          select t.points from ${workspaceTotals} t join ${users} u on u.id = t.user_id
          where ${board} and u.workspace_id = ${workspaceId} and u.leaderboard_opt_out
        )
        select (select points from mine) as mine,
               (select t.points from ${workspaceTotals} t where ${board} and t.user_id = ${userId}) as points,
               (select count(*) from ${workspaceTotals} t where ${board}
                and t.points > (select points from mine))::int as above,
               (select count(*) from opted_out where points > (select points from mine))::int as out,
               ((select count(*) from ${workspaceTotals} t where ${board})
                - (select count(*) from opted_out))::int as everyone`,
      );
      const points = Number(r?.points ?? 0);
      if (!r || r.mine === null) return { rank: null, ranked: Number(r?.everyone ?? 0), points };
      return { rank: Number(r.above) - Number(r.out) + 1, ranked: Number(r.everyone), points };
    },

    /**
     * The newest asked questions of the day of each channel a person answered in, newest first:
     * no more of each than they answered there plus two (a streak is no longer than that, plus
     * an open question skipped), and at most `limit`, read backwards along the (channel, date)
     * index. The channels and counts come from answer_totals, so this needs no answers read first.
     */
    async askedPostsFor(userId: string, limit: number): Promise<AskedPost[]> {
      return queryRows<AskedPost>(
        db,
        sql`select t.channel_id as "channelId", p.id as "postId", p.status
            from ${answerTotals} t
            cross join lateral (
              select id, status, local_date from ${posts}
              where channel_id = t.channel_id and status in ('open', 'closed')
              order by local_date desc limit least(${limit}, t.answered + 2)) p
            where t.user_id = ${userId} and t.grain = 'all' and t.period_start = ${ALL_TIME}
            order by t.channel_id, p.local_date desc`,
      );
    },

    /**
     * Everyone who ever answered in a channel (the digest's idea of its members, from
     * answer_totals) with their current streak, in one query: the channel's newest asked questions
     * are read once (at most `limit`), then each member walks back through them, one index lookup
     * of their answer per step, and stops at the first miss (an open, unanswered newest question
     * is skipped), so the work follows the streaks' lengths, not the channel's history.
     */
    async membersWithStreaks(
      channelId: string,
      limit = 400,
    ): Promise<Array<{ userId: string; name: string; streak: number }>> {
      // `offset 0` keeps each lookup a subquery of its own: referenced twice, it still runs once.
      const answeredAt = (depth: SQL, user: SQL) =>
        sql`lateral (select exists (select 1 from ${answers} a
              where a.post_id = asked.ids[${depth}] and a.user_id = ${user}) as yes offset 0) x`;
      const rows = await queryRows<{ user_id: string; name: string; streak: number }>(
        db,
        sql`
        with recursive members as materialized (
          select u.id as user_id, coalesce(u.display_name, u.external_id) as name
          from ${answerTotals} t join ${users} u on u.id = t.user_id
          where t.channel_id = ${channelId} and t.grain = 'all' and t.period_start = ${ALL_TIME}
        ), asked as materialized (
          select array_agg(id order by local_date desc) as ids,
                 (array_agg(status order by local_date desc))[1] as newest
          from (select id, status, local_date from ${posts}
                where channel_id = ${channelId} and status in ('open', 'closed')
                order by local_date desc limit ${limit}) p
        ), walk (user_id, depth, streak, answered) as (
          select m.user_id, 1, x.yes::int, x.yes
          from members m cross join asked
          cross join ${answeredAt(sql`1`, sql`m.user_id`)}
          where asked.ids is not null
          union all
          select w.user_id, w.depth + 1, w.streak + x.yes::int, x.yes
          from walk w cross join asked
          cross join ${answeredAt(sql`w.depth + 1`, sql`w.user_id`)}
          where (w.answered or (w.depth = 1 and asked.newest = 'open')) and w.depth < cardinality(asked.ids)
        )
        select m.user_id, m.name, coalesce(max(w.streak), 0)::int as streak
        from members m left join walk w on w.user_id = m.user_id
        group by m.user_id, m.name`,
      );
      return rows.map((r) => ({ userId: r.user_id, name: r.name, streak: Number(r.streak) }));
    },

    /** The daily questions of a channel asked in [from, to), with how they were answered. */
    async channelPostsBetween(channelId: string, fromDate: string, toDate: string) {
      return db
        .select({
          postId: posts.id,
          localDate: posts.localDate,
          questionId: posts.questionId,
          questionVersion: posts.questionVersion,
          domain: questionVersions.domain,
          answered: sql<number>`count(${answers.id})::int`,
          correct: sql<number>`sum(case when ${answers.correct} then 1 else 0 end)::int`,
        })
        .from(posts)
        .innerJoin(questionVersions, askedVersion)
        .leftJoin(answers, eq(answers.postId, posts.id))
        .where(
          and(eq(posts.channelId, channelId), gte(posts.localDate, fromDate), lt(posts.localDate, toDate)),
        )
        .groupBy(posts.id, posts.localDate, posts.questionId, posts.questionVersion, questionVersions.domain)
        .orderBy(posts.localDate);
    },
  };
}

export type ProgressRepository = ReturnType<typeof createProgressRepository>;
