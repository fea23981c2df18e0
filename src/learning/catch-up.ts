import { sql } from 'drizzle-orm';
import { type Database, type DatabaseHandle, queryRows } from '../db/client.js';
import type { Logger } from '../logger.js';
import type { CardsRepository, LearningAnswer, LearningQuestion } from './cards.repository.js';
import type { ReviewSource } from './learning.table.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Answers are looked for a day at a time, in the order they were given. */
const WINDOW_MS = DAY_MS;
/**
 * Checked again at each start, before the point the last catch-up reached: card writes still in
 * flight in other processes when it ran, and clocks that differ between machines.
 */
const RECHECK_MS = DAY_MS;
/** A long first run says how far it got this often. */
const PROGRESS_EVERY_MS = 10_000;
/** Answers applied per write: one read and one write each. */
const BATCH = 1000;

interface MissingRow {
  source: ReviewSource;
  user_id: string;
  question_id: string;
  question_version: number;
  correct: boolean;
  answered_at: Date | string;
  topic: string;
  domain: number;
  type: string;
  content: Record<string, unknown>;
}

/** Held while a process catches up: replicas starting together would apply the same answers twice. */
const CATCH_UP_LOCK = 0x6169665f63617463n;

/**
 * The catch-up as a start runs it: one process at a time (a replica starting meanwhile waits, then
 * finds the work done), by the database's clock, so a machine whose clock is off cannot move the
 * point reached past answers not yet checked.
 */
export function catchUpAtStart(
  handle: DatabaseHandle,
  cards: CardsRepository,
  logger: Pick<Logger, 'info'>,
): Promise<number> {
  return handle.withAdvisoryLock(CATCH_UP_LOCK, async (db) => {
    const [clock] = await queryRows<{ now: Date | string }>(db, sql`select now() as now`);
    const applied = await catchUpCards(db, cards, {
      now: new Date(clock?.now ?? Date.now()),
      onProgress: (answers, through) => logger.info({ answers, through }, 'applying stored answers to cards'),
    });
    if (applied > 0) logger.info({ answers: applied }, 'stored answers applied to their cards');
    return applied;
  });
}

/**
 * Applies to the cards every stored answer the review log does not hold yet, in the order they
 * were given: the answers from before the learning engine existed (once), and any whose card write
 * was lost after the answer was committed (a crash in between). An answer is in the log when a
 * review of the same person, question and instant is, so running it again writes nothing.
 *
 * It walks the answers a day at a time, and remembers how far it got: the first run reads every
 * answer once, and each later start reads only the days since the previous one (less a margin),
 * so a year of answers costs a start a few small queries, not a scan of millions of rows.
 * Returns how many answers it applied.
 *
 * @example await catchUpCards(db, createCardsRepository(db)) // 0 on a second run
 */
export async function catchUpCards(
  db: Database,
  cards: CardsRepository,
  options: {
    now?: Date;
    /** Told every ten seconds or so while answers are being applied: how many, and up to when. */
    onProgress?(applied: number, through: Date): void;
  } = {},
): Promise<number> {
  const startedAt = options.now ?? new Date();
  const [mark] = await queryRows<{ through: Date | string }>(
    db,
    sql`select checked_through as through from learning_catch_up where id = 1`,
  );
  const from = mark ? new Date(new Date(mark.through).getTime() - RECHECK_MS) : await earliestAnswer(db);
  let applied = 0;
  let toldAt = performance.now();
  for (let start = from; start; ) {
    const end = new Date(start.getTime() + WINDOW_MS);
    // The last window has no end: it also takes answers stamped ahead of this machine's clock.
    const last = end >= startedAt;
    const rows = await queryRows<MissingRow>(db, missingAnswersQuery(start, last ? undefined : end));
    for (let i = 0; i < rows.length; i += BATCH) {
      await cards.applyAnswers(rows.slice(i, i + BATCH).map(learningAnswerOf));
    }
    applied += rows.length;
    if (rows.length > 0 && performance.now() - toldAt >= PROGRESS_EVERY_MS) {
      toldAt = performance.now();
      options.onProgress?.(applied, end);
    }
    start = last ? undefined : end;
  }
  await db.execute(
    sql`insert into learning_catch_up (id, checked_through) values (1, ${startedAt.toISOString()}::timestamptz)
        on conflict (id) do update
          set checked_through = greatest(learning_catch_up.checked_through, excluded.checked_through)`,
  );
  return applied;
}

/** When the first answer of all was given, or undefined when there is none. */
async function earliestAnswer(db: Database): Promise<Date | undefined> {
  const [row] = await queryRows<{ first: Date | string | null }>(
    db,
    sql`select least((select min(answered_at) from answers), (select min(answered_at) from practice_answers)) as first`,
  );
  return row?.first ? new Date(row.first) : undefined;
}

function learningAnswerOf(row: MissingRow): LearningAnswer {
  const question = {
    ...row.content,
    id: row.question_id,
    version: row.question_version,
    topic: row.topic,
    domain: Number(row.domain),
    type: row.type,
  } as LearningQuestion;
  return {
    userId: row.user_id,
    question,
    source: row.source,
    correct: row.correct,
    at: new Date(row.answered_at),
  };
}

/** The answers given from `from` (until `to`) that the review log does not hold, oldest first. */
function missingAnswersQuery(from: Date, to: Date | undefined) {
  const within = (column: string) =>
    to
      ? sql`${sql.raw(column)} >= ${from.toISOString()}::timestamptz and ${sql.raw(column)} < ${to.toISOString()}::timestamptz`
      : sql`${sql.raw(column)} >= ${from.toISOString()}::timestamptz`;
  return sql`select * from (
      select 'daily' as source, a.user_id, p.question_id, p.question_version, a.correct, a.answered_at,
             v.topic, v.domain, v.type, v.content
      from answers a
      join posts p on p.id = a.post_id
      join question_versions v on v.question_id = p.question_id and v.version = p.question_version
      where ${within('a.answered_at')}
        and not exists (select 1 from learning_reviews r
                        where r.user_id = a.user_id and r.reviewed_at = a.answered_at
                          and r.question_id = p.question_id)
      union all
      select pa.kind as source, pa.user_id, pa.question_id, pa.question_version, pa.correct, pa.answered_at,
             v.topic, v.domain, v.type, v.content
      from practice_answers pa
      join question_versions v on v.question_id = pa.question_id and v.version = pa.question_version
      where ${within('pa.answered_at')}
        and not exists (select 1 from learning_reviews r
                        where r.user_id = pa.user_id and r.reviewed_at = pa.answered_at
                          and r.question_id = pa.question_id)
    ) missing
    order by answered_at, user_id, question_id`;
}
