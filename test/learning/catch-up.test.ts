import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { createCardsRepository } from '../../src/learning/cards.repository.js';
import { catchUpAtStart, catchUpCards } from '../../src/learning/catch-up.js';
import { correctChoice } from '../../src/quiz/question.js';
import { createTestQuiz, person } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = '2026-11-20T09:00:00Z';

/** A person with one practice answer given through the quiz, and their row id. */
async function learner() {
  t = await createTestQuiz({ now: NOW });
  const actor = person('U1');
  const p = await t.quiz.practice(actor);
  await t.quiz.answerPractice(actor, {
    questionId: p.question.id,
    version: p.question.version,
    issueKey: p.issueKey,
    choice: correctChoice(p.question),
  });
  await t.quiz.learningSettled();
  return { db: t.database.handle.db, userId: await t.quiz.userIdOf(actor), question: p.question };
}

/** Practice answers to one question at the given instants, stored as they would be, in that order. */
async function storeAnswers(
  db: TestQuiz['database']['handle']['db'],
  userId: string,
  question: { id: string; version: number },
  instants: Date[],
) {
  for (const [i, at] of instants.entries())
    await db.execute(sql`insert into practice_answers
        (user_id, question_id, question_version, kind, issue_key, choice, correct, answered_at)
        values (${userId}, ${question.id}, ${question.version}, 'practice', ${`test-${i}`}, '[0]'::jsonb, ${i % 2 === 0},
                ${at.toISOString()}::timestamptz)`);
}

/** As if every answer had been given before the learning engine existed. */
async function forgetCards(db: TestQuiz['database']['handle']['db']) {
  await db.execute(sql`delete from learning_reviews`);
  await db.execute(sql`delete from learning_cards`);
  await db.execute(sql`delete from learning_catch_up`);
}

const reviewTimes = async (db: TestQuiz['database']['handle']['db'], userId: string) =>
  (
    await queryRows<{ at: Date | string }>(
      db,
      sql`select reviewed_at as at from learning_reviews where user_id = ${userId} order by id`,
    )
  ).map((r) => new Date(r.at).toISOString());

describe('the start-up catch-up', () => {
  it('applies a first back-fill day by day in the order the answers were given, across days and batches', async () => {
    const { db, userId, question } = await learner();
    // Stored newest first, over ten days: the catch-up must apply them oldest first.
    const instants = Array.from(
      { length: 10 },
      (_, i) => new Date(Date.parse(NOW) - (i + 1) * DAY - i * HOUR),
    );
    await storeAnswers(db, userId, question, instants);
    await forgetCards(db);

    expect(await catchUpCards(db, createCardsRepository(db), { now: new Date(NOW) })).toBe(11);

    const times = await reviewTimes(db, userId);
    expect(times).toHaveLength(11);
    expect(times).toEqual([...times].sort());
    const [card] = await queryRows<{ reps: number; last_review: Date | string }>(
      db,
      sql`select reps, last_review from learning_cards where user_id = ${userId} and question_id = ${question.id}`,
    );
    expect(card?.reps).toBeGreaterThanOrEqual(10);
    expect(new Date(card?.last_review as string).toISOString()).toBe(times.at(-1));
    // Nothing is left: a second run applies nothing.
    expect(await catchUpCards(db, createCardsRepository(db), { now: new Date(NOW) })).toBe(0);
  });

  it('a later start looks only at the answers since the previous one, less a day, however many came before', async () => {
    const { db, userId, question } = await learner();
    const cards = createCardsRepository(db);
    const lastStart = new Date(NOW);
    expect(await catchUpCards(db, cards, { now: lastStart })).toBe(0);
    // Two answers whose card writes were lost: one just before the last start (a write still in
    // flight elsewhere then), one since; and one three days older, which that start had checked.
    const recent = [new Date(lastStart.getTime() - HOUR), new Date(lastStart.getTime() + HOUR)];
    const old = new Date(lastStart.getTime() - 3 * DAY);
    await storeAnswers(db, userId, question, [old, ...recent]);

    expect(await catchUpCards(db, cards, { now: new Date(lastStart.getTime() + 2 * HOUR) })).toBe(2);
    const times = await reviewTimes(db, userId);
    for (const at of recent) expect(times).toContain(at.toISOString());
    expect(times).not.toContain(old.toISOString());
  });

  it('two processes starting at once apply each answer once', async () => {
    const { db, userId, question } = await learner();
    await storeAnswers(db, userId, question, [
      new Date(Date.parse(NOW) - DAY),
      new Date(Date.parse(NOW) - HOUR),
    ]);
    await forgetCards(db);
    const handle = t!.database.handle;
    const cards = createCardsRepository(db);
    const silent = { info: () => {} };
    const applied = await Promise.all([
      catchUpAtStart(handle, cards, silent),
      catchUpAtStart(handle, cards, silent),
    ]);
    expect(applied.sort()).toEqual([0, 3]);
    expect(await reviewTimes(db, userId)).toHaveLength(3);
  });

  it('answers stamped ahead of this machine’s clock are not skipped', async () => {
    const { db, userId, question } = await learner();
    const cards = createCardsRepository(db);
    const ahead = new Date(Date.parse(NOW) + 3 * DAY);
    await storeAnswers(db, userId, question, [ahead]);
    expect(await catchUpCards(db, cards, { now: new Date(NOW) })).toBe(1);
    expect(await reviewTimes(db, userId)).toContain(ahead.toISOString());
  });
});
