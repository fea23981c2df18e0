import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { answerKeyChanged } from '../../src/learning/answer-key.js';
import { createCardsRepository } from '../../src/learning/cards.repository.js';
import { newCard, ratingFor, reviewAnswer } from '../../src/learning/scheduler.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { singleQuestion, storePeople, storeQuestions } from './seed.js';

const DAY = 86_400_000;
const start = new Date('2026-11-02T09:00:00Z');
const dayAt = (days: number) => new Date(start.getTime() + days * DAY);

describe('rating an answer', () => {
  it('a wrong answer is Again, a right one Good, a quick sure one Easy and a lucky guess Hard', () => {
    expect(ratingFor({ correct: false, sure: true, quick: true })).toBe(1);
    expect(ratingFor({ correct: true })).toBe(3);
    expect(ratingFor({ correct: true, sure: true })).toBe(3);
    expect(ratingFor({ correct: true, sure: true, quick: true })).toBe(4);
    expect(ratingFor({ correct: true, sure: false, quick: true })).toBe(2);
  });

  it('a lucky guess brings the question back sooner than knowing it, and a miss sooner still', () => {
    const due = (outcome: { correct: boolean; sure?: boolean; quick?: boolean }) =>
      reviewAnswer(newCard(start), { ...outcome, at: start }).card.due.getTime();
    expect(due({ correct: false })).toBeLessThan(due({ correct: true, sure: false }));
    expect(due({ correct: true, sure: false })).toBeLessThan(due({ correct: true }));
    expect(due({ correct: true })).toBeLessThan(due({ correct: true, sure: true, quick: true }));
  });

  it('a miss comes back the next day, not within minutes', () => {
    const { card } = reviewAnswer(newCard(start), { correct: false, at: start });
    expect(card.due).toEqual(dayAt(1));
  });

  it('no wait exceeds the maximum interval, and a higher retention target means shorter waits', () => {
    let card = newCard(start);
    let at = start;
    for (let i = 0; i < 12; i++) {
      card = reviewAnswer(
        card,
        { correct: true, sure: true, quick: true, at },
        { retention: 0.9, maximumIntervalDays: 30 },
      ).card;
      expect(card.scheduledDays).toBeLessThanOrEqual(30);
      at = card.due;
    }
    const wait = (retention: number) =>
      reviewAnswer(newCard(start), { correct: true, at: start }, { retention, maximumIntervalDays: 60 }).card
        .scheduledDays;
    expect(wait(0.95)).toBeLessThan(wait(0.8));
  });

  it('a retention target out of range is refused', () => {
    expect(() =>
      reviewAnswer(newCard(start), { correct: true, at: start }, { retention: 0.5, maximumIntervalDays: 60 }),
    ).toThrow(/retention/);
  });
});

describe('when a question is edited', () => {
  const v1 = singleQuestion('rag-001', { right: 'Amazon Bedrock Knowledge Bases' });
  it('rewording the stem, moving options or fixing punctuation keeps the answer key', () => {
    const moved = { ...v1, version: 2, options: [...v1.options].reverse() };
    expect(answerKeyChanged(v1, moved)).toBe(false);
    const typo = singleQuestion('rag-001', { version: 3, right: 'amazon  Bedrock knowledge bases.' });
    expect(answerKeyChanged(v1, typo)).toBe(false);
  });
  it('a different right answer, a new step order or a re-paired match changes it', () => {
    expect(answerKeyChanged(v1, singleQuestion('rag-001', { right: 'Amazon Kendra' }))).toBe(true);
    expect(
      answerKeyChanged(
        { type: 'ordering', steps: ['a', 'b', 'c'] },
        { type: 'ordering', steps: ['b', 'a', 'c'] },
      ),
    ).toBe(true);
    const pairs = [
      { prompt: 'p1', answer: 'x' },
      { prompt: 'p2', answer: 'y' },
    ];
    expect(
      answerKeyChanged({ type: 'matching', pairs }, { type: 'matching', pairs: [...pairs].reverse() }),
    ).toBe(false);
    expect(
      answerKeyChanged(
        { type: 'matching', pairs },
        {
          type: 'matching',
          pairs: [
            { prompt: 'p1', answer: 'y' },
            { prompt: 'p2', answer: 'x' },
          ],
        },
      ),
    ).toBe(true);
  });
});

describe('the cards of many people', () => {
  let db: TestDatabase;
  let people: string[];
  const q1 = singleQuestion('rag-001');
  const q2 = singleQuestion('rag-002');
  beforeAll(async () => {
    db = await createTestDatabase();
    people = await storePeople(db.handle.db, 3);
    await storeQuestions(db.handle.db, [q1, q2]);
  });
  afterAll(() => db.destroy());

  const reviewsOf = (userId: string) =>
    queryRows<{ question_id: string; rating: number; card_before: unknown }>(
      db.handle.db,
      sql`select question_id, rating, card_before from learning_reviews where user_id = ${userId} order by reviewed_at, id`,
    );

  it('one batch updates every card it touches and logs each answer, in time order per card', async () => {
    const [ann, bob] = people as [string, string];
    const cards = createCardsRepository(db.handle.db);
    const applied = await cards.applyAnswers([
      { userId: ann, question: q1, source: 'practice', correct: true, at: dayAt(1) },
      { userId: ann, question: q1, source: 'daily', correct: false, at: dayAt(0) },
      { userId: bob, question: q1, source: 'daily', correct: true, sure: true, quick: true, at: dayAt(0) },
      { userId: bob, question: q2, source: 'mock', correct: true, sure: false, at: dayAt(0) },
    ]);
    expect(applied).toHaveLength(4);
    const annCard = await cards.getCard(ann, q1.id);
    expect(annCard).toMatchObject({ reps: 2, revision: 1 });
    expect((await reviewsOf(ann)).map((r) => r.rating)).toEqual([1, 3]);
    expect((await reviewsOf(bob)).map((r) => [r.question_id, r.rating])).toEqual([
      ['rag-001', 4],
      ['rag-002', 2],
    ]);
    expect((await cards.getCard(bob, q1.id))?.due).toEqual(dayAt(8));
  });

  it('a card keeps its memory across an edit that keeps the answer, and starts again when the answer changes', async () => {
    const carl = people[2] as string;
    const cards = createCardsRepository(db.handle.db);
    await cards.applyAnswers([
      { userId: carl, question: q2, source: 'practice', correct: true, at: dayAt(0) },
    ]);
    const reworded = { ...q2, version: 2 };
    const changed = singleQuestion('rag-002', { version: 3, right: 'something else entirely' });
    await storeQuestions(db.handle.db, [reworded, changed]);
    await cards.applyAnswers([
      { userId: carl, question: reworded, source: 'practice', correct: true, at: dayAt(3) },
    ]);
    expect(await cards.getCard(carl, q2.id)).toMatchObject({ reps: 2 });
    await cards.applyAnswers([
      { userId: carl, question: changed, source: 'practice', correct: true, at: dayAt(10) },
    ]);
    expect(await cards.getCard(carl, q2.id)).toMatchObject({ reps: 1, lastReview: dayAt(10) });
    expect((await reviewsOf(carl)).at(-1)?.card_before).toBeNull();
  });

  it('two batches racing on the same card both count: neither overwrites the other', async () => {
    const [dora] = await storePeople(db.handle.db, 1, 'race');
    const cards = createCardsRepository(db.handle.db);
    const other = createCardsRepository(db.handle.db);
    await Promise.all([
      cards.applyAnswers([
        { userId: dora as string, question: q1, source: 'practice', correct: true, at: dayAt(0) },
      ]),
      other.applyAnswers([
        { userId: dora as string, question: q1, source: 'daily', correct: true, at: dayAt(0) },
      ]),
    ]);
    expect(await cards.getCard(dora as string, q1.id)).toMatchObject({ reps: 2, revision: 2 });
  });
});
