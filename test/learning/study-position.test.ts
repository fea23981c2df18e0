import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardsRepository, type LearningQuestion } from '../../src/learning/cards.repository.js';
import { createConfidence } from '../../src/learning/confidence.js';
import { createProfilesRepository } from '../../src/learning/profiles.repository.js';
import { estimateReadiness } from '../../src/learning/readiness.js';
import { createReviewsRepository } from '../../src/learning/reviews.repository.js';
import { createStudyPosition, paceFor } from '../../src/learning/study-position.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { singleQuestion, storePeople, storeQuestions } from './seed.js';

const DAY = 86_400_000;
const start = new Date('2026-11-02T09:00:00Z');
const dayAt = (days: number) => new Date(start.getTime() + days * DAY);

describe("a person's study position, readiness and exam date", () => {
  let db: TestDatabase;
  let ann: string;
  let bob: string;
  const bank: LearningQuestion[] = [1, 2, 3, 4, 5].flatMap((domain) =>
    [1, 2, 3, 4].map((n) => singleQuestion(`d${domain}-00${n}`, { topic: `topic-${domain}`, domain })),
  );
  beforeAll(async () => {
    db = await createTestDatabase();
    [ann, bob] = (await storePeople(db.handle.db, 2)) as [string, string];
    await storeQuestions(db.handle.db, bank);
    // Ann has missed every question of domain 1 three days running, and got domain 2 right.
    const answers = [0, 1, 2].flatMap((day) => [
      ...bank.filter((q) => q.domain === 1).map((q) => ({ q, correct: false, day })),
      ...bank.filter((q) => q.domain === 2).map((q) => ({ q, correct: true, day })),
    ]);
    await createCardsRepository(db.handle.db).applyAnswers(
      answers.map(({ q, correct, day }) => ({
        userId: ann,
        question: q,
        correct,
        source: 'practice',
        at: dayAt(day),
      })),
    );
  });
  afterAll(() => db.destroy());

  it('counts coverage per domain, untouched domains, weak and due questions', async () => {
    const position = await createStudyPosition(db.handle.db)(ann, dayAt(3));
    expect(position).toMatchObject({ bankSize: 20, seen: 8, unseen: 12, weakSeen: 4, dueNow: 4 });
    expect(position.domains).toContainEqual({ domain: 1, total: 4, seen: 4 });
    expect(position.untouchedDomains).toEqual([3, 4, 5]);
    const pace = paceFor(position, '2026-11-05', '2026-11-19');
    expect(pace).toMatchObject({ daysLeft: 14, studyDays: 12, newPerDay: 2 });
  });

  it('predicts readiness from the person\u2019s own answers only', async () => {
    const reviews = createReviewsRepository(db.handle.db);
    const annReady = await reviews.readiness(ann, dayAt(3));
    expect(annReady).toMatchObject({ answers: 24, verdict: 'not enough answers yet' });
    expect(annReady.domains.find((d) => d.domain === 1)?.mastery).toBeLessThan(0.4);
    expect(annReady.domains.find((d) => d.domain === 2)?.mastery).toBeGreaterThan(0.6);
    expect(await reviews.readiness(bob, dayAt(3))).toMatchObject({ answers: 0 });
  });

  it('weighs answers in the database exactly as the pure model does', async () => {
    const reviews = createReviewsRepository(db.handle.db);
    const now = dayAt(40);
    const inMemory = estimateReadiness(await reviews.history(ann, now), now);
    const inDatabase = await reviews.readiness(ann, now);
    expect(inDatabase).toMatchObject({ score: inMemory.score, low: inMemory.low, high: inMemory.high });
    expect(inDatabase.passProbability).toBeCloseTo(inMemory.passProbability, 9);
    for (const [i, d] of inMemory.domains.entries()) {
      expect(inDatabase.domains[i]?.mastery).toBeCloseTo(d.mastery, 9);
    }
  });

  it('a confidence tap re-rates the latest answer: a lucky guess is not mastery', async () => {
    const [eve] = (await storePeople(db.handle.db, 1, 'eve')) as [string];
    const q = bank[0] as LearningQuestion;
    const cards = createCardsRepository(db.handle.db);
    await cards.applyAnswers([{ userId: eve, question: q, correct: true, source: 'practice', at: dayAt(0) }]);
    const good = await cards.getCard(eve, q.id);
    const mark = createConfidence(db.handle.db);
    expect(await mark({ userId: eve, questionId: q.id, sure: false })).toEqual({
      kind: 'marked',
      sure: false,
    });
    const guessed = await cards.getCard(eve, q.id);
    expect(guessed?.due.getTime()).toBeLessThan(good?.due.getTime() ?? 0);
    expect(guessed).toMatchObject({ reps: 1, revision: 2 });
    const history = await createReviewsRepository(db.handle.db).history(eve, dayAt(1));
    expect(history).toEqual([expect.objectContaining({ correct: true, sure: false })]);
    expect(await mark({ userId: eve, questionId: 'd5-004', sure: true })).toEqual({ kind: 'none' });
  });

  it('an answer is marked once: a second tap, even at the same moment, changes neither the answer nor its card', async () => {
    const [fay] = (await storePeople(db.handle.db, 1, 'fay')) as [string];
    const q = bank[0] as LearningQuestion;
    const cards = createCardsRepository(db.handle.db);
    await cards.applyAnswers([{ userId: fay, question: q, correct: true, source: 'practice', at: dayAt(0) }]);
    const mark = createConfidence(db.handle.db);
    const taps = await Promise.all([
      mark({ userId: fay, questionId: q.id, sure: true }),
      mark({ userId: fay, questionId: q.id, sure: false }),
    ]);
    const won = taps.find((t) => t.kind === 'marked');
    if (won?.kind !== 'marked') throw new Error('neither tap marked the answer');
    expect(taps).toContainEqual({ kind: 'already', sure: won.sure });
    const card = await cards.getCard(fay, q.id);
    expect(card).toMatchObject({ reps: 1, revision: 2 });
    expect(await mark({ userId: fay, questionId: q.id, sure: !won.sure })).toEqual({
      kind: 'already',
      sure: won.sure,
    });
    expect(await cards.getCard(fay, q.id)).toEqual(card);
  });

  it('a tap with the answer\u2019s instant marks that answer, not a later one to the same question', async () => {
    const [gus] = (await storePeople(db.handle.db, 1, 'gus')) as [string];
    const q = bank[0] as LearningQuestion;
    const cards = createCardsRepository(db.handle.db);
    await cards.applyAnswers([{ userId: gus, question: q, correct: true, source: 'practice', at: dayAt(0) }]);
    await cards.applyAnswers([{ userId: gus, question: q, correct: true, source: 'practice', at: dayAt(1) }]);
    const card = await cards.getCard(gus, q.id);
    const mark = createConfidence(db.handle.db);
    expect(await mark({ userId: gus, questionId: q.id, sure: false, answeredAt: dayAt(0) })).toEqual({
      kind: 'marked',
      sure: false,
    });
    const history = await createReviewsRepository(db.handle.db).history(gus, dayAt(2));
    expect(history.map((r) => [r.at.getTime(), r.sure])).toEqual([
      [dayAt(0).getTime(), false],
      [dayAt(1).getTime(), null],
    ]);
    // The card follows its latest review, which this tap did not touch.
    expect(await cards.getCard(gus, q.id)).toEqual(card);
    expect(await mark({ userId: gus, questionId: q.id, sure: true, answeredAt: dayAt(0) })).toEqual({
      kind: 'already',
      sure: false,
    });
    // No answer was given at that instant: nothing to mark, and nothing else is marked instead.
    expect(await mark({ userId: gus, questionId: q.id, sure: true, answeredAt: dayAt(3) })).toEqual({
      kind: 'none',
    });
    expect((await createReviewsRepository(db.handle.db).history(gus, dayAt(2))).map((r) => r.sure)).toEqual([
      false,
      null,
    ]);
  });

  it('keeps, changes and clears the exam date', async () => {
    const profiles = createProfilesRepository(db.handle.db);
    expect(await profiles.examDate(bob)).toBeNull();
    await profiles.setExamDate(bob, '2027-01-15', dayAt(3));
    await profiles.setExamDate(bob, '2027-01-20', dayAt(4));
    expect(await profiles.examDate(bob)).toBe('2027-01-20');
    await profiles.setExamDate(bob, null, dayAt(5));
    expect(await profiles.examDate(bob)).toBeNull();
  });
});
