import { sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';

/** One question version's record across every channel's questions of the day. */
export interface ItemStatsRow {
  questionId: string;
  questionVersion: number;
  topic: string;
  domain: number;
  type: string;
  /** Posts of this version, in every channel. */
  asked: number;
  answers: number;
  correct: number;
  /**
   * Point-biserial correlation between getting this item right (0/1) and the person's accuracy on
   * all their other answers (the item itself left out, so it does not correlate with itself).
   * Null when it cannot be computed: fewer than two answers, or no spread in either variable.
   */
  discrimination: number | null;
  /** Single and multiple only: per option, in stored order, whether it is right and how often it was picked. */
  options: Array<{ option: number; correct: boolean; picks: number }> | null;
}

/**
 * Item statistics in one statement: every answer is scored against its person's record with window
 * functions, then grouped per question version; option picks come from the stored choices. Only
 * answers to questions of the day count (practice is self-selected, so it would skew the figures).
 */
export function createItemStatsRepository(db: Database) {
  return {
    async itemStats(): Promise<ItemStatsRow[]> {
      const rows = await queryRows<ItemStatsRow>(
        db,
        sql`with asked as (
              select question_id, question_version, count(*)::int as asked
                from posts where status <> 'pending'
               group by question_id, question_version
            ), responses as (
              select p.question_id, p.question_version, a.choice, a.correct::int as correct,
                     count(*) over (partition by a.user_id) as person_n,
                     sum(a.correct::int) over (partition by a.user_id) as person_correct
                from answers a join posts p on p.id = a.post_id
            ), scored as (
              select question_id, question_version, choice, correct,
                     case when person_n > 1
                          then (person_correct - correct)::float8 / (person_n - 1) end as rest_accuracy
                from responses
            ), items as (
              select question_id, question_version, count(*)::int as answers, sum(correct)::int as correct,
                     corr(correct::float8, rest_accuracy) as discrimination
                from scored group by question_id, question_version
            ), picks as (
              select s.question_id, s.question_version, pick.value::int as option, count(*)::int as n
                from scored s
                join question_versions qv
                  on qv.question_id = s.question_id and qv.version = s.question_version
                 and qv.type in ('single', 'multiple')
               cross join lateral jsonb_array_elements_text(s.choice) as pick(value)
               group by s.question_id, s.question_version, pick.value
            )
            select asked.question_id as "questionId", asked.question_version as "questionVersion",
                   qv.topic, qv.domain::int as domain, qv.type, asked.asked,
                   coalesce(items.answers, 0) as answers, coalesce(items.correct, 0) as correct,
                   items.discrimination,
                   case when qv.type in ('single', 'multiple') then (
                     select jsonb_agg(jsonb_build_object(
                              'option', o.n - 1,
                              'correct', coalesce((o.value ->> 'correct')::boolean, false),
                              'picks', coalesce(picks.n, 0)) order by o.n)
                       from jsonb_array_elements(qv.content -> 'options') with ordinality as o(value, n)
                       left join picks on picks.question_id = asked.question_id
                        and picks.question_version = asked.question_version and picks.option = o.n - 1
                   ) end as options
              from asked
              join question_versions qv
                on qv.question_id = asked.question_id and qv.version = asked.question_version
              left join items
                on items.question_id = asked.question_id and items.question_version = asked.question_version
             order by asked.question_id, asked.question_version`,
      );
      // float8 arrives as a number from pg and PGlite alike; the cast keeps a string from slipping in.
      return rows.map((r) => ({
        ...r,
        discrimination: r.discrimination === null ? null : Number(r.discrimination),
      }));
    },
  };
}

export type ItemStatsRepository = ReturnType<typeof createItemStatsRepository>;
