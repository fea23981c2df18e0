import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { createCardsRepository } from '../../src/learning/cards.repository.js';
import { catchUpCards } from '../../src/learning/catch-up.js';
import { parseCommand } from '../../src/quiz/commands.js';
import { correctChoice } from '../../src/quiz/question.js';
import type { Actor } from '../../src/quiz/quiz.js';
import { renderReplyText } from '../../src/quiz/render-text.js';
import { runCommand } from '../../src/quiz/replies.js';
import { admin, channelKey, createTestQuiz, person, practise } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const DAY = 86_400_000;

async function cardsOf(userId: string) {
  await t!.quiz.learningSettled();
  return queryRows<{ question_id: string; reps: number; due: Date }>(
    t!.database.handle.db,
    sql`select question_id, reps, due from learning_cards where user_id = ${userId} order by question_id`,
  );
}

async function reviewsOf(userId: string) {
  return queryRows<{ question_id: string; source: string; correct: boolean; sure: boolean | null }>(
    t!.database.handle.db,
    sql`select question_id, source, correct, sure from learning_reviews where user_id = ${userId} order by id`,
  );
}

const say = (actor: Actor, text: string) =>
  runCommand(t!.quiz, { actor }, parseCommand(text)).then((reply) => renderReplyText(reply));

describe('every answer updates its card', () => {
  it('schedules with the retention target and longest interval the operator set', async () => {
    const dueAfterOneRightAnswer = async (scheduling?: {
      retention: number;
      maximumIntervalDays: number;
    }) => {
      t = await createTestQuiz({ now: '2026-11-02T09:00:00Z', ...(scheduling ? { scheduling } : {}) });
      const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
      const daily = await t.quiz.postDailyQuestion(channelId, '2026-11-02');
      await t.quiz.markPostDelivered(daily.post.id, {});
      await t.quiz.recordAnswer(person('U1'), daily.post.id, correctChoice(daily.question));
      const [card] = await cardsOf(await t.quiz.userIdOf(person('U1')));
      await t.destroy();
      t = undefined;
      return (new Date(card!.due).getTime() - Date.parse('2026-11-02T09:00:00Z')) / DAY;
    };
    const byDefault = await dueAfterOneRightAnswer();
    expect(byDefault).toBeGreaterThan(1);
    expect(await dueAfterOneRightAnswer({ retention: 0.9, maximumIntervalDays: 1 })).toBeLessThanOrEqual(1);
    expect(await dueAfterOneRightAnswer({ retention: 0.7, maximumIntervalDays: 60 })).toBeGreaterThan(
      byDefault,
    );
  });

  it('an answer to the question of the day and a practice answer each make a card and a review', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const daily = await t.quiz.postDailyQuestion(channelId, '2026-11-02');
    await t.quiz.markPostDelivered(daily.post.id, {});
    const learner = person('U1');
    await t.quiz.recordAnswer(learner, daily.post.id, correctChoice(daily.question));
    const userId = await t.quiz.userIdOf(learner);
    expect((await cardsOf(userId)).map((c) => c.question_id)).toEqual([daily.question.id]);
    const practised = await practise(t!.quiz, learner, false);
    expect((await cardsOf(userId)).map((c) => c.question_id).sort()).toEqual(
      [daily.question.id, practised.question.id].sort(),
    );
    expect(await reviewsOf(userId)).toEqual([
      { question_id: daily.question.id, source: 'daily', correct: true, sure: null },
      { question_id: practised.question.id, source: 'practice', correct: false, sure: null },
    ]);
  });

  it('answers stored before the learning engine become cards once: the catch-up is idempotent', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    for (let i = 0; i < 3; i++) await practise(t!.quiz, learner, i > 0);
    const userId = await t.quiz.userIdOf(learner);
    await t.quiz.learningSettled();
    const db = t.database.handle.db;
    // As if these answers had been given before the cards existed (and before any catch-up ran).
    for (const table of ['learning_reviews', 'learning_cards', 'learning_catch_up'])
      await db.execute(sql.raw(`delete from ${table}`));
    const cards = createCardsRepository(db);
    expect(await catchUpCards(db, cards)).toBe(3);
    expect((await cardsOf(userId)).reduce((n, c) => n + c.reps, 0)).toBe(3);
    expect(await reviewsOf(userId)).toHaveLength(3);
    expect(await catchUpCards(db, cards)).toBe(0);
    expect(await reviewsOf(userId)).toHaveLength(3);
  });
});

describe('practice follows the learning engine and says why', () => {
  it('a first question is new; a missed one is due again two days later, and says when it was last seen', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    const first = await practise(t!.quiz, learner, false);
    expect(first.reason).toBe('new');
    expect(renderReplyText({ kind: 'practice', practice: first })).toContain(' · new');

    t.clock.advance(2 * DAY);
    const due = await t.quiz.practice(learner);
    expect(due.reason).toBe('due');
    expect(due.question.id).toBe(first.question.id);
    expect(due.why).toBe('due for review · last seen 2 days ago');
    expect(renderReplyText({ kind: 'practice', practice: due })).toContain(
      'due for review · last seen 2 days ago',
    );
  });

  it('practice <topic> still practises that topic', async () => {
    t = await createTestQuiz();
    const p = await t.quiz.practice(person('U1'), 'fairness');
    expect(p.question.topic).toBe('fairness');
    expect(p.reason).toBe('topic');
  });
});

describe('review', () => {
  it('replays a recent mistake, and says so when there is none', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    expect(await say(learner, 'review')).toContain('No mistakes to review');
    const missed = await practise(t!.quiz, learner, false);
    await practise(t!.quiz, learner, true);
    t.clock.advance(3 * 3600_000);
    const reply = await runCommand(t.quiz, { actor: learner }, parseCommand('review'));
    expect(reply.kind).toBe('practice');
    if (reply.kind !== 'practice') return;
    expect(reply.practice.question.id).toBe(missed.question.id);
    expect(reply.practice.why).toBe('missed today');
    expect(renderReplyText(reply)).toContain('Review a mistake');
    // Answered right now, it is no longer a mistake to review.
    await t.quiz.answerPractice(learner, {
      questionId: reply.practice.question.id,
      version: reply.practice.question.version,
      issueKey: reply.practice.issueKey,
      choice: correctChoice(reply.practice.question),
    });
    expect(await say(learner, 'review')).toContain('No mistakes to review');
  });

  it('serves a mistake that is due for review before a more recent one', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    const older = await practise(t!.quiz, learner, false);
    t.clock.advance(2 * DAY);
    const recent = await practise(
      t!.quiz,
      learner,
      false,
      older.question.topic === 'access' ? 'fairness' : 'access',
    );
    expect(recent.question.id).not.toBe(older.question.id);
    t.clock.advance(3600_000);
    const reply = await runCommand(t.quiz, { actor: learner }, parseCommand('review'));
    expect(reply.kind === 'practice' && reply.practice.question.id).toBe(older.question.id);
    expect(reply.kind === 'practice' && reply.practice.why).toBe('due for review · missed 2 days ago');
  });
});

describe('exam date and stats', () => {
  it('a date in the past or a word is refused with a clear reply and stores nothing', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('UNEW');
    expect(await say(learner, 'exam 2020-01-01')).toContain('2020-01-01 has already passed');
    expect(await say(learner, 'exam tomorrow')).toContain('"tomorrow" is not a date I can read');
    expect(await say(learner, 'exam 2026-02-30')).toContain('not a day in the calendar');
    const rows = await queryRows(t.database.handle.db, sql`select 1 from learning_profiles`);
    expect(rows).toEqual([]);
    const users = await queryRows(t.database.handle.db, sql`select 1 from users where external_id = 'UNEW'`);
    expect(users).toEqual([]);
  });

  it('stats show readiness, coverage, the four-week trend, and with an exam date the countdown and pace', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    for (let i = 0; i < 4; i++) await practise(t!.quiz, learner, i % 2 === 0);
    const set = await say(learner, 'exam 2026-11-30');
    expect(set).toContain('Exam date set: 2026-11-30, 28 days from today.');
    expect(set).toMatch(/About \d+ practice questions a day/);

    const stats = await say(learner, 'stats');
    expect(stats).toContain('Readiness: not enough answers yet for a verdict (4 so far)');
    expect(stats).toContain('Accuracy, last four weeks: – → – → – → 50% of 4 (this week)');
    expect(stats).toContain('Coverage: 4 of 9 questions seen (44%)');
    expect(stats).toMatch(/Not touched yet: D\d/);
    expect(stats).toContain('Exam on 2026-11-30: 28 days to go');
    expect(stats).toContain('Topics not covered yet:');

    expect(await say(learner, 'exam off')).toContain('Exam date cleared');
    expect(await say(learner, 'stats')).toContain('No exam date set');
  });

  it('reminders come daily, not weekly, as the exam nears, and none on the exam day', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const learner = person('U1');
    await practise(t!.quiz, learner, true);
    const userId = await t.quiz.userIdOf(learner);
    const candidate = {
      userId,
      externalId: 'U1',
      reminders: 'weekly' as const,
      timezone: null,
      directChannelId: null,
      platform: 'local' as const,
      workspaceExternalId: 'W1',
      examDate: null as string | null,
    };
    const at = new Date('2026-11-02T10:00:00Z');
    expect(await t.quiz.reminderCadenceOf(candidate, at)).toBe('weekly');
    expect(await t.quiz.reminderCadenceOf({ ...candidate, examDate: '2026-11-12' }, at)).toBe('daily');
    expect(await t.quiz.reminderCadenceOf({ ...candidate, examDate: '2026-11-02' }, at)).toBe('none');
    await say(learner, 'exam 2026-11-12');
    const reminder = await t.quiz.reminderFor(userId);
    expect(reminder?.exam).toMatchObject({ date: '2026-11-12', daysLeft: 10 });
  });
});

describe("the weekly digest's team readiness", () => {
  it('gives the median and how many are predicted to pass, only with three people or more', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const daily = await t.quiz.postDailyQuestion(channelId, '2026-11-02');
    await t.quiz.markPostDelivered(daily.post.id, {});
    const db = t.database.handle.db;
    const people = ['UA', 'UB', 'UC'].map((id) => person(id));
    for (const [i, p] of people.entries()) {
      await t.quiz.recordAnswer(p, daily.post.id, correctChoice(daily.question));
      const userId = await t.quiz.userIdOf(p);
      // Forty answers over every domain: enough for a verdict; the first two people mostly right.
      await db.execute(sql`
        insert into learning_reviews (user_id, question_id, question_version, topic, domain, source, correct, rating, reviewed_at)
        select ${userId}, q.id, q.current_version, q.topic, q.domain, 'practice', (n % 10) < ${i < 2 ? 9 : 3}, 3,
               ${'2026-11-01T09:00:00Z'}::timestamptz - n * interval '1 hour'
        from questions q, generate_series(1, 8) n`);
    }
    await t.quiz.learningSettled();
    t.clock.set('2026-11-08T09:00:00Z');
    const digest = await t.quiz.weeklyDigest(channelId);
    expect(digest.readiness).toMatchObject({ people: 3, predictedToPass: 2 });
    expect(digest.readiness?.median).toBeGreaterThanOrEqual(700);
    const { renderDigestText } = await import('../../src/quiz/render-text.js');
    const text = renderDigestText(digest);
    expect(text).toMatch(/Team readiness: median predicted score \d+ · 2 of 3 predicted to pass/);

    await db.execute(sql`delete from learning_reviews where user_id = ${await t.quiz.userIdOf(people[2]!)}`);
    expect((await t.quiz.weeklyDigest(channelId)).readiness).toBeUndefined();
  });
});
