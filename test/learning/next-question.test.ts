import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCardsRepository, type LearningQuestion } from '../../src/learning/cards.repository.js';
import { createNextQuestion, describeReason } from '../../src/learning/next-question.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { singleQuestion, storePeople, storeQuestions } from './seed.js';

const DAY = 86_400_000;
const start = new Date('2026-11-02T09:00:00Z');
const dayAt = (days: number) => new Date(start.getTime() + days * DAY);

describe('choosing the next practice question', () => {
  let db: TestDatabase;
  let people: string[];
  const rag = ['rag-001', 'rag-002', 'rag-003', 'rag-004'].map((id) =>
    singleQuestion(id, { topic: 'rag', domain: 3 }),
  );
  const sec = ['sec-001', 'sec-002'].map((id) => singleQuestion(id, { topic: 'security', domain: 5 }));
  const ml = ['ml-001', 'ml-002'].map((id) => singleQuestion(id, { topic: 'ml', domain: 1 }));
  const retired = singleQuestion('old-001', { topic: 'ml', domain: 1 });

  const answer = (userId: string, question: LearningQuestion, correct: boolean, day: number) => ({
    userId,
    question,
    correct,
    source: 'practice' as const,
    at: dayAt(day),
  });

  beforeAll(async () => {
    db = await createTestDatabase();
    people = await storePeople(db.handle.db, 3);
    await storeQuestions(db.handle.db, [...rag, ...sec, ...ml, retired]);
    await db.handle.db.execute(sql`update questions set active = false where id = 'old-001'`);
    const [ann, bob] = people as [string, string];
    await createCardsRepository(db.handle.db).applyAnswers([
      // Ann missed three RAG questions ten days ago (all due again) and knows one security question.
      ...rag.slice(0, 3).map((q) => answer(ann, q, false, 0)),
      answer(ann, sec[0] as LearningQuestion, true, 9),
      // Bob got everything he tried right, long ago enough for two of them to be due.
      answer(bob, ml[0] as LearningQuestion, true, 0),
      answer(bob, ml[1] as LearningQuestion, true, 1),
    ]);
  });
  afterAll(() => db.destroy());

  const next = (userId: string, exclude: string[] = []) =>
    createNextQuestion(db.handle.db)({ userId, now: dayAt(10), exclude });

  it('serves the most overdue review first and says when it was last seen', async () => {
    const pick = await next(people[0] as string);
    expect(pick).toMatchObject({ questionId: 'rag-001', reason: { kind: 'due', lastSeenDays: 10 } });
    expect(describeReason(pick?.reason ?? { kind: 'new' })).toBe('due for review · last seen 10 days ago');
  });

  it('with no review due, practises the weakest topic before unseen questions of other topics', async () => {
    const pick = await next(people[0] as string, ['rag-001', 'rag-002', 'rag-003']);
    expect(pick).toMatchObject({ questionId: 'rag-004', topic: 'rag', reason: { kind: 'weak' } });
    expect(describeReason(pick?.reason ?? { kind: 'new' })).toBe('weak topic');
  });

  it('then serves unseen questions, from the exam domain covered least, never a retired one', async () => {
    const pick = await next(
      people[0] as string,
      rag.map((q) => q.id),
    );
    expect(pick).toMatchObject({ domain: 1, reason: { kind: 'new' } });
    expect(['ml-001', 'ml-002']).toContain(pick?.questionId);
  });

  it('only serves questions to the person whose cards say so', async () => {
    const bob = people[1] as string;
    expect(await next(bob)).toMatchObject({ questionId: 'ml-001', reason: { kind: 'due' } });
    const carl = people[2] as string;
    expect(await next(carl)).toMatchObject({ reason: { kind: 'new' } });
  });

  it('has nothing to serve when every question is excluded', async () => {
    const all = [...rag, ...sec, ...ml].map((q) => q.id);
    expect(await next(people[2] as string, all)).toBeUndefined();
  });

  it('words the reason for a question seen today, yesterday or days ago', () => {
    expect(describeReason({ kind: 'due', lastSeenDays: 0 })).toBe('due for review · last seen today');
    expect(describeReason({ kind: 'due', lastSeenDays: 1 })).toBe('due for review · last seen yesterday');
    expect(describeReason({ kind: 'new' })).toBe('new');
  });
});
