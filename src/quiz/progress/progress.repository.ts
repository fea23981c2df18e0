import { and, desc, eq, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Database } from '../../db/client.js';
import { answers, posts, practiceAnswers, questionVersions, users } from '../../db/schema.js';
import { askedVersion } from '../daily/posts.repository.js';

export interface TopicAttempt {
  questionId: string;
  topic: string;
  domain: number;
  correct: boolean;
  answeredAt: Date;
}

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
      const daily = db
        .select({
          questionId: posts.questionId,
          topic: questionVersions.topic,
          domain: questionVersions.domain,
          correct: answers.correct,
          answeredAt: answers.answeredAt,
        })
        .from(answers)
        .innerJoin(posts, eq(posts.id, answers.postId))
        .innerJoin(questionVersions, askedVersion)
        .where(eq(answers.userId, userId));
      const practice = db
        .select({
          questionId: practiceAnswers.questionId,
          topic: questionVersions.topic,
          domain: questionVersions.domain,
          correct: practiceAnswers.correct,
          answeredAt: practiceAnswers.answeredAt,
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
     * Points and answers per person on the given channels' questions of the day, answered in
     * [from, to). People who opted out are left out.
     */
    async leaderboard(channelIds: string[], from: Date, to: Date): Promise<LeaderboardRow[]> {
      if (channelIds.length === 0) return [];
      const rows = await db
        .select({
          userId: users.id,
          externalId: users.externalId,
          name: sql<string>`coalesce(${users.displayName}, ${users.externalId})`,
          points: sql<number>`sum(${answers.points})::int`,
          answered: sql<number>`count(*)::int`,
          correct: sql<number>`sum(case when ${answers.correct} then 1 else 0 end)::int`,
        })
        .from(answers)
        .innerJoin(posts, eq(posts.id, answers.postId))
        .innerJoin(users, eq(users.id, answers.userId))
        .where(
          and(
            inArray(posts.channelId, channelIds),
            gte(answers.answeredAt, from),
            lt(answers.answeredAt, to),
            eq(users.leaderboardOptOut, false),
          ),
        )
        .groupBy(users.id, users.externalId, users.displayName)
        .orderBy(desc(sql`sum(${answers.points})`), sql`coalesce(${users.displayName}, ${users.externalId})`);
      return rows.map((r) => ({
        ...r,
        points: Number(r.points),
        answered: Number(r.answered),
        correct: Number(r.correct),
      }));
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
