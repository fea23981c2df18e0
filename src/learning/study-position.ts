import { sql } from 'drizzle-orm';
import { DOMAINS } from '../bank/schema.js';
import { type Database, queryRows } from '../db/client.js';
import { type Pace, planPace } from './pacing.js';
import { weakestTopicsQuery } from './weakest-topics.sql.js';

export interface DomainCoverage {
  domain: number;
  /** Active questions of the domain in the bank. */
  total: number;
  /** Of those, the ones this person has answered at least once. */
  seen: number;
}

/** Where one person stands against the bank: what `stats` shows and pacing plans from. */
export interface StudyPosition {
  bankSize: number;
  seen: number;
  unseen: number;
  /** Questions already seen in the person's weak topics. */
  weakSeen: number;
  dueNow: number;
  /** Reviews falling due within the next seven days (not counting those due now). */
  dueThisWeek: number;
  domains: DomainCoverage[];
  /** Exam domains (1–5) without a single answered question. */
  untouchedDomains: number[];
}

/**
 * One person's coverage of the bank, weak and due questions, in one query.
 *
 * @example const position = await createStudyPosition(db)(userId, clock.now());
 */
export function createStudyPosition(db: Database) {
  return async function studyPosition(userId: string, now: Date): Promise<StudyPosition> {
    const nowIso = now.toISOString();
    const rows = await queryRows<{
      domain: number;
      total: number;
      seen: number;
      weak_seen: number;
      due_now: number;
      due_week: number;
    }>(
      db,
      sql`with weakest as (${weakestTopicsQuery(userId, now, 1000)})
          select q.domain, count(*)::int as total, count(c.question_id)::int as seen,
                 count(c.question_id) filter (where q.topic in (select topic from weakest))::int as weak_seen,
                 count(*) filter (where c.due <= ${nowIso}::timestamptz)::int as due_now,
                 count(*) filter (where c.due > ${nowIso}::timestamptz
                                    and c.due <= ${nowIso}::timestamptz + interval '7 days')::int as due_week
          from questions q
          left join learning_cards c on c.user_id = ${userId} and c.question_id = q.id
          where q.active
          group by q.domain order by q.domain`,
    );
    const domains = rows.map((r) => ({ domain: Number(r.domain), total: r.total, seen: r.seen }));
    const sum = (pick: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + pick(r), 0);
    const bankSize = sum((r) => r.total);
    const seen = sum((r) => r.seen);
    return {
      bankSize,
      seen,
      unseen: bankSize - seen,
      weakSeen: sum((r) => r.weak_seen),
      dueNow: sum((r) => r.due_now),
      dueThisWeek: sum((r) => r.due_week),
      domains,
      untouchedDomains: Object.keys(DOMAINS)
        .map(Number)
        .filter((d) => !domains.some((c) => c.domain === d && c.seen > 0)),
    };
  };
}

/** The daily practice needed by the exam, from where the person stands (today: their local date). */
export function paceFor(position: StudyPosition, today: string, examDate: string): Pace {
  return planPace({
    today,
    examDate,
    unseen: position.unseen,
    weak: position.weakSeen,
    // The backlog and the coming week's reviews, spread over the week.
    reviewsPerDay: (position.dueNow + position.dueThisWeek) / 7,
  });
}

/**
 * The topics of the bank (with active questions) where a person has not answered a single question,
 * in the bank's order of domains, then by slug.
 */
export function createUncoveredTopics(db: Database) {
  return async function uncoveredTopics(userId: string): Promise<string[]> {
    const rows = await queryRows<{ topic: string }>(
      db,
      sql`select q.topic from questions q
          left join learning_cards c on c.user_id = ${userId} and c.question_id = q.id
          where q.active
          group by q.topic having count(c.question_id) = 0
          order by min(q.domain), q.topic`,
    );
    return rows.map((r) => r.topic);
  };
}
