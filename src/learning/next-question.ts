import { type SQL, sql } from 'drizzle-orm';
import { type Database, queryRows } from '../db/client.js';
import { toTextArray } from './cards.repository.js';
import { weakestTopicsQuery } from './weakest-topics.sql.js';

export type NextReason =
  | { kind: 'due'; lastSeenDays: number }
  | { kind: 'weak'; topic: string; score: number }
  | { kind: 'new' };

export interface NextQuestion {
  questionId: string;
  topic: string;
  domain: number;
  reason: NextReason;
}

/** A question seen this recently is not served again as "weak topic" practice. */
const WEAK_REST_HOURS = 12;

interface Candidate {
  kind: 'due' | 'weak' | 'new';
  question_id: string;
  topic: string;
  domain: number;
  last_review: Date | string | null;
  score: number | null;
}

/**
 * What one person should practise next: a review that is due (most overdue first), else a question
 * from their weakest topic (weakness measured as in quiz/weak-topics.ts, over the review log), else
 * a question they have never seen, from the exam domain they have covered least. One query.
 *
 * @example await createNextQuestion(db)({ userId, now: clock.now(), exclude: [openQuestionId] })
 */
export function createNextQuestion(db: Database) {
  return async function nextQuestion(options: {
    userId: string;
    now: Date;
    /** Questions not to serve now: the one just answered, a channel's open question of the day. */
    exclude?: string[];
    /** Only these kinds, e.g. `['due']` for `review`. */
    kinds?: Array<NextReason['kind']>;
  }): Promise<NextQuestion | undefined> {
    const { now } = options;
    if (options.kinds?.length === 0) return undefined;
    const [pick] = await queryRows<Candidate>(db, nextQuestionQuery(options));
    if (!pick) return undefined;
    const base = { questionId: pick.question_id, topic: pick.topic, domain: Number(pick.domain) };
    if (pick.kind === 'due') {
      const last = pick.last_review === null ? now : new Date(pick.last_review);
      return {
        ...base,
        reason: { kind: 'due', lastSeenDays: Math.floor((now.getTime() - last.getTime()) / 86_400_000) },
      };
    }
    if (pick.kind === 'weak')
      return { ...base, reason: { kind: 'weak', topic: pick.topic, score: Number(pick.score) } };
    return { ...base, reason: { kind: 'new' } };
  };
}

const CTE = { due: 'due', weak: 'weak_pick', new: 'new_pick' } as const;

/**
 * The first candidate for one person among the kinds asked for, in order, as one statement. Each
 * kind's branch runs only when the kinds before it found nothing (a one-time filter), so with a
 * review due, the weak-topic and unseen-question work is never done.
 */
export function nextQuestionQuery(options: {
  userId: string;
  now: Date;
  exclude?: string[];
  kinds?: Array<NextReason['kind']>;
}): SQL {
  const { userId, now } = options;
  const kinds = (['due', 'weak', 'new'] as const).filter((kind) => options.kinds?.includes(kind) ?? true);
  const exclude = toTextArray(options.exclude ?? []);
  const nowIso = now.toISOString();
  return sql`with due as (
            select 'due' as kind, c.question_id, q.topic, q.domain, c.last_review, null::float8 as score
            from learning_cards c join questions q on q.id = c.question_id and q.active
            where c.user_id = ${userId} and c.due <= ${nowIso}::timestamptz
              and c.question_id <> all(${exclude}::text[])
            order by c.due, c.question_id limit 1
          ), weakest as (${weakestTopicsQuery(userId, now)}
          ), weak_pick as (
            select 'weak' as kind, q.id as question_id, q.topic, q.domain, c.last_review, w.score
            from weakest w join questions q on q.topic = w.topic and q.active
            left join learning_cards c on c.user_id = ${userId} and c.question_id = q.id
            where q.id <> all(${exclude}::text[])
              and (c.last_review is null
                   or c.last_review < ${nowIso}::timestamptz - ${`${WEAK_REST_HOURS} hours`}::interval)
            order by w.score, c.last_review nulls first, md5(q.id || ${userId}) limit 1
          ), coverage as (
            select q.domain, count(c.question_id)::float8 / count(*) as seen
            from questions q left join learning_cards c on c.user_id = ${userId} and c.question_id = q.id
            where q.active group by q.domain
          ), new_pick as (
            select 'new' as kind, q.id as question_id, q.topic, q.domain, null::timestamptz as last_review,
                   null::float8 as score
            from questions q join coverage v on v.domain = q.domain
            where q.active and q.id <> all(${exclude}::text[])
              and not exists (select 1 from learning_cards c where c.user_id = ${userId} and c.question_id = q.id)
            order by v.seen, md5(q.id || ${userId}) limit 1
          )
          ${sql.raw(
            kinds
              .map((kind, i) => {
                const earlier = kinds.slice(0, i).map((k) => `not exists (select 1 from ${CTE[k]})`);
                return `(select * from ${CTE[kind]}${earlier.length ? ` where ${earlier.join(' and ')}` : ''})`;
              })
              .join(' union all '),
          )}`;
}

/** The reason in words, shown beside the question: "due for review · last seen 6 days ago". */
export function describeReason(reason: NextReason): string {
  switch (reason.kind) {
    case 'due': {
      const days = reason.lastSeenDays;
      const when = days <= 0 ? 'today' : days === 1 ? 'yesterday' : `${days} days ago`;
      return `due for review · last seen ${when}`;
    }
    case 'weak':
      return 'weak topic';
    case 'new':
      return 'new';
  }
}
