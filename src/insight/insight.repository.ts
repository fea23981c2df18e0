import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import { estimateReadiness } from '../learning/readiness.js';
import { createReviewsRepository } from '../learning/reviews.repository.js';
import {
  MIN_TEAM_FOR_READINESS,
  summariseTeamReadiness,
  type TeamReadinessSummary,
} from '../learning/team-readiness.js';

/** A channel as the insight features need it. */
export interface InsightChannel {
  id: string;
  externalId: string;
  name: string | null;
  platform: string;
  timezone: string;
}

/** One exam domain in one week of a channel: its questions of the day and the answers to them. */
export interface DomainWeekRow {
  /** Monday of the channel-local ISO week, YYYY-MM-DD. */
  weekStart: string;
  domain: number;
  questions: number;
  answers: number;
  correct: number;
}

/** The people who answered anything in one week of a channel. */
export interface WeekPeopleRow {
  weekStart: string;
  people: number;
}

/** A question of the day in a range of a channel's days, with how its answers went. */
export interface AskedQuestionRow {
  postId: string;
  localDate: string;
  questionId: string;
  questionVersion: number;
  topic: string;
  type: string;
  content: unknown;
  answers: number;
  correct: number;
  /** For each option index (single and multiple only): how many wrong answers picked it. */
  wrongPicks: Record<string, number>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Read models over the questions of the day of one channel: what the digest chart and the traps
 * show. Only answers to daily posts count here (not practice), since they are the team's shared record.
 */
/** Up to this many people, a chart's readiness trend weighs their answers in memory (about 50 KB a person a year). */
const IN_MEMORY_TEAM = 300;

export function createInsightRepository(db: Database) {
  const reviews = createReviewsRepository(db);
  return {
    /** A channel by the bot's own id (a uuid) or by the platform's id (e.g. Slack's C0123). */
    async findChannels(ref: string): Promise<InsightChannel[]> {
      return queryRows<InsightChannel>(
        db,
        sql`select c.id, c.external_id as "externalId", c.name, w.platform, c.timezone
              from channels c join workspaces w on w.id = c.workspace_id
             where ${UUID.test(ref) ? sql`c.id = ${ref}::uuid or ` : sql``}c.external_id = ${ref}
             order by c.created_at`,
      );
    },

    /**
     * Per week and domain: questions asked, answers, correct answers; and per week alone, the number
     * of different people who answered (a grouping set, so one pass over the answers).
     */
    async domainWeeks(options: {
      channelId: string;
      fromDate: string;
      toDate: string;
    }): Promise<{ cells: DomainWeekRow[]; people: WeekPeopleRow[] }> {
      const rows = await queryRows<{
        weekStart: string;
        domain: number | null;
        questions: number;
        answers: number;
        correct: number;
        people: number;
      }>(
        db,
        sql`select to_char(date_trunc('week', p.local_date::timestamp), 'YYYY-MM-DD') as "weekStart",
                   qv.domain::int as domain,
                   count(distinct p.id)::int as questions,
                   count(a.id)::int as answers,
                   (count(a.id) filter (where a.correct))::int as correct,
                   count(distinct a.user_id)::int as people
              from posts p
              join question_versions qv on qv.question_id = p.question_id and qv.version = p.question_version
              left join answers a on a.post_id = p.id
             where p.channel_id = ${options.channelId}
               and p.local_date between ${options.fromDate}::date and ${options.toDate}::date
               and p.status <> 'pending'
             group by grouping sets ((1, 2), (1))
             order by 1, 2`,
      );
      return {
        cells: rows
          .filter((r) => r.domain !== null)
          .map(({ weekStart, domain, questions, answers, correct }) => ({
            weekStart,
            domain: domain as number,
            questions,
            answers,
            correct,
          })),
        people: rows.filter((r) => r.domain === null).map(({ weekStart, people }) => ({ weekStart, people })),
      };
    },

    /**
     * The channel's members as the weekly digest counts them: everyone who ever answered there
     * (answer_totals' all-time rows, one index range).
     */
    async memberIds(channelId: string): Promise<string[]> {
      const rows = await queryRows<{ userId: string }>(
        db,
        sql`select user_id as "userId" from answer_totals
             where channel_id = ${channelId} and grain = 'all' and period_start = '1970-01-01'::date`,
      );
      return rows.map((r) => r.userId);
    },

    /**
     * The team's readiness over these people at each of these moments (undefined where too few
     * have a verdict): their answers are read once, over the windows of all the moments, and each
     * moment is weighed in memory (the same sums readinessOf makes in SQL); nothing is read when
     * there are too few people at all.
     */
    async teamReadinessAt(
      userIds: string[],
      moments: Date[],
    ): Promise<Array<TeamReadinessSummary | undefined>> {
      if (userIds.length < MIN_TEAM_FOR_READINESS || moments.length === 0)
        return moments.map(() => undefined);
      // A very large team's year of answers is summed by the database, one moment at a time, rather
      // than held in memory (charts are prepared several at once).
      if (userIds.length > IN_MEMORY_TEAM)
        return Promise.all(
          moments.map(async (at) =>
            summariseTeamReadiness((await reviews.readinessOf(userIds, at)).values()),
          ),
        );
      const times = moments.map((m) => m.getTime());
      const answers = await reviews.histories(
        userIds,
        new Date(Math.min(...times)),
        new Date(Math.max(...times)),
      );
      return moments.map((at) =>
        summariseTeamReadiness([...answers.values()].map((history) => estimateReadiness(history, at))),
      );
    },

    /**
     * The questions of the day a channel asked between two local dates (inclusive), with their
     * answers counted and, for option questions, how often each option was picked by a wrong answer.
     */
    async askedQuestions(options: {
      channelId: string;
      fromDate: string;
      toDate: string;
    }): Promise<AskedQuestionRow[]> {
      return queryRows<AskedQuestionRow>(
        db,
        sql`with asked as (
              select p.id, p.local_date, p.question_id, p.question_version
                from posts p
               where p.channel_id = ${options.channelId}
                 and p.local_date between ${options.fromDate}::date and ${options.toDate}::date
                 and p.status <> 'pending'
            ), picks as (
              select a.post_id, pick.value as option, count(*)::int as n
                from asked
                join answers a on a.post_id = asked.id and not a.correct
                join question_versions qv
                  on qv.question_id = asked.question_id and qv.version = asked.question_version
                 and qv.type in ('single', 'multiple')
               cross join lateral jsonb_array_elements_text(a.choice) as pick(value)
               group by a.post_id, pick.value
            )
            select asked.id as "postId", to_char(asked.local_date, 'YYYY-MM-DD') as "localDate",
                   asked.question_id as "questionId", asked.question_version as "questionVersion",
                   qv.topic, qv.type, qv.content,
                   (select count(*) from answers a where a.post_id = asked.id)::int as answers,
                   (select count(*) from answers a where a.post_id = asked.id and a.correct)::int as correct,
                   coalesce((select jsonb_object_agg(picks.option, picks.n) from picks
                              where picks.post_id = asked.id), '{}'::jsonb) as "wrongPicks"
              from asked
              join question_versions qv
                on qv.question_id = asked.question_id and qv.version = asked.question_version
             order by asked.local_date`,
      );
    },
  };
}

export type InsightRepository = ReturnType<typeof createInsightRepository>;
