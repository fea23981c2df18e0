import { afterEach, describe, expect, it } from 'vitest';
import { correctChoice } from '../../src/quiz/question.js';
import { wrongChoice } from '../support/choices.js';
import { admin, channelKey, createTestQuiz, person } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

/** Posts the channel's question on a local date at 09:00 channel time and opens it. */
async function postOn(channelId: string, date: string, at: string) {
  t!.clock.set(at);
  const daily = await t!.quiz.postDailyQuestion(channelId, date);
  await t!.quiz.markPostDelivered(daily.post.id, {});
  return daily;
}

describe('leaderboards', () => {
  it('weeks follow the channel timezone: a Sunday-evening answer in New York belongs to that week', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), {
      time: '18:00',
      timezone: 'America/New_York',
      days: 'daily',
    });
    // Sunday 1 Nov 2026, 19:00 in New York is Monday 00:00 UTC: still last week for the channel.
    const sunday = await postOn(channelId, '2026-11-01', '2026-11-01T23:00:00Z');
    t.clock.set('2026-11-02T00:00:00Z');
    await t.quiz.recordAnswer(person('U1', 'Sam'), sunday.post.id, correctChoice(sunday.question));
    // Monday 2 Nov, 18:30 in New York: this week.
    const monday = await postOn(channelId, '2026-11-02', '2026-11-02T23:00:00Z');
    t.clock.set('2026-11-02T23:30:00Z');
    await t.quiz.recordAnswer(person('U2', 'Kim'), monday.post.id, correctChoice(monday.question));

    const week = await t.quiz.leaderboard(channelKey(), { period: 'week' });
    expect(week.timezone).toBe('America/New_York');
    expect(week.rows.map((r) => r.name)).toEqual(['Kim']);
    const all = await t.quiz.leaderboard(channelKey(), { period: 'all' });
    expect(all.rows.map((r) => r.name).sort()).toEqual(['Kim', 'Sam']);
  });

  it('ties share a rank, and people who opted out are left out', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const daily = await postOn(channelId, '2026-11-02', '2026-11-02T09:00:00Z');
    const right = correctChoice(daily.question);
    for (const [id, name] of [
      ['U1', 'Ana'],
      ['U2', 'Ben'],
      ['U3', 'Cy'],
    ] as const)
      await t.quiz.recordAnswer(person(id, name), daily.post.id, right);
    await t.quiz.recordAnswer(person('U4', 'Dee'), daily.post.id, wrongChoice(daily.question));
    await t.quiz.setLeaderboardOptOut(person('U3', 'Cy'), true);

    const board = await t.quiz.leaderboard(channelKey(), { period: 'week' });
    expect(board.rows.map((r) => [r.rank, r.name])).toEqual([
      [1, 'Ana'],
      [1, 'Ben'],
      [3, 'Dee'],
    ]);
    await t.quiz.setLeaderboardOptOut(person('U3'), false);
    expect((await t.quiz.leaderboard(channelKey(), { period: 'week' })).rows).toHaveLength(4);
  });

  it('a workspace leaderboard adds up every channel', async () => {
    t = await createTestQuiz();
    const a = await t.quiz.subscribe(admin, channelKey('CA'), { time: '09:00', days: 'daily' });
    const b = await t.quiz.subscribe(admin, channelKey('CB'), { time: '09:00', days: 'daily' });
    const qa = await postOn(a.channelId, '2026-11-02', '2026-11-02T09:00:00Z');
    const qb = await postOn(b.channelId, '2026-11-02', '2026-11-02T09:00:00Z');
    await t.quiz.recordAnswer(person('U1', 'Ana'), qa.post.id, correctChoice(qa.question));
    await t.quiz.recordAnswer(person('U1', 'Ana'), qb.post.id, correctChoice(qb.question));
    const channelBoard = await t.quiz.leaderboard(channelKey('CA'), { period: 'week' });
    const workspaceBoard = await t.quiz.leaderboard(channelKey('CA'), { period: 'week', scope: 'workspace' });
    expect(workspaceBoard.rows[0]!.answered).toBe(2);
    expect(workspaceBoard.rows[0]!.points).toBeGreaterThan(channelBoard.rows[0]!.points);
  });
});

describe('streaks and scoring', () => {
  it('answering on consecutive days builds a streak that adds a bonus; missing a day resets it', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const streaks: number[] = [];
    for (const day of ['02', '03', '04']) {
      const daily = await postOn(channelId, `2026-11-${day}`, `2026-11-${day}T09:00:00Z`);
      streaks.push(
        (await t.quiz.recordAnswer(person('U1'), daily.post.id, correctChoice(daily.question))).streak,
      );
    }
    expect(streaks).toEqual([1, 2, 3]);
    await postOn(channelId, '2026-11-05', '2026-11-05T09:00:00Z'); // not answered
    const after = await postOn(channelId, '2026-11-06', '2026-11-06T09:00:00Z');
    const result = await t.quiz.recordAnswer(person('U1'), after.post.id, correctChoice(after.question));
    expect(result.streak).toBe(1);
  });
});

describe('weak topics and practice', () => {
  it('one wrong answer is not a weakness; three mostly wrong answers are', async () => {
    t = await createTestQuiz();
    const learner = person('U1');
    const practiseOnce = async (topic: string, correct: boolean) => {
      const p = await t!.quiz.practice(learner, topic);
      await t!.quiz.answerPractice(learner, {
        questionId: p.question.id,
        version: p.question.version,
        issueKey: p.issueKey,
        choice: correct ? correctChoice(p.question) : wrongChoice(p.question),
      });
    };
    await practiseOnce('retrieval', false);
    expect(await t.quiz.weakTopics(learner)).toEqual([]);
    await practiseOnce('retrieval', false);
    await practiseOnce('retrieval', true);
    const weak = await t.quiz.weakTopics(learner);
    expect(weak.map((w) => [w.topic, w.answered, w.correct])).toEqual([['retrieval', 3, 1]]);
    expect(weak[0]!.title).toBe('Retrieval-augmented generation');

    // Half a day later (a question just answered is not served again at once), practice goes to the weak topic first.
    t.clock.advance(13 * 3600_000);
    const next = await t.quiz.practice(learner);
    expect(next.reason).toBe('weak-topic');
    expect(next.question.topic).toBe('retrieval');
  });

  it('a practice hand-out is answered once however often its button is clicked', async () => {
    t = await createTestQuiz();
    const p = await t.quiz.practice(person('U1'), 'access');
    const input = {
      questionId: p.question.id,
      version: p.question.version,
      issueKey: p.issueKey,
      choice: correctChoice(p.question),
    };
    const [a, b] = await Promise.all([
      t.quiz.answerPractice(person('U1'), input),
      t.quiz.answerPractice(person('U1'), input),
    ]);
    expect([a.outcome, b.outcome].sort()).toEqual(['already_answered', 'recorded']);
    expect((await t.quiz.personalStats(person('U1'))).answered).toBe(1);
  });

  it('practice prefers questions the person has not seen', async () => {
    t = await createTestQuiz();
    const first = await t.quiz.practice(person('U1'), 'learning-types');
    await t.quiz.answerPractice(person('U1'), {
      questionId: first.question.id,
      version: first.question.version,
      issueKey: first.issueKey,
      choice: correctChoice(first.question),
    });
    const second = await t.quiz.practice(person('U1'), 'learning-types');
    expect(second.question.id).not.toBe(first.question.id);
  });

  it('an unknown topic gets a hint, not a crash', async () => {
    t = await createTestQuiz();
    await expect(t.quiz.practice(person('U1'), 'retrival')).rejects.toThrow(/There is no topic "retrival"/);
  });
});

describe('personal stats', () => {
  it('counts answers, accuracy per domain, points, streak and rank', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const daily = await postOn(channelId, '2026-11-02', '2026-11-02T09:00:00Z');
    await t.quiz.recordAnswer(person('U1'), daily.post.id, correctChoice(daily.question));
    await t.quiz.recordAnswer(person('U2'), daily.post.id, wrongChoice(daily.question));
    const stats = await t.quiz.personalStats(person('U2'));
    expect(stats).toMatchObject({
      answered: 1,
      correct: 0,
      accuracy: 0,
      points: 0,
      streak: 1,
      rank: 2,
      rankedPeople: 2,
    });
    expect(stats.byDomain).toEqual([
      { domain: daily.question.domain, title: expect.any(String), answered: 1, accuracy: 0 },
    ]);
  });
});

describe('preferences', () => {
  it('reminders, snooze and timezone are stored per person', async () => {
    t = await createTestQuiz();
    expect((await t.quiz.settings(person('U1'))).reminders).toBe('weekly');
    expect((await t.quiz.setReminders(person('U1'), 'daily')).reminders).toBe('daily');
    const snoozed = await t.quiz.snooze(person('U1'), 7);
    expect(snoozed.snoozedUntil?.toISOString()).toBe('2026-11-09T08:00:00.000Z');
    expect((await t.quiz.setTimezone(person('U1'), 'Asia/Kolkata')).timezone).toBe('Asia/Kolkata');
    await expect(t.quiz.setTimezone(person('U1'), 'Nowhere')).rejects.toThrow(/not a timezone/);
    await expect(t.quiz.snooze(person('U1'), 0)).rejects.toThrow(/1 to 90 days/);
  });

  it('forget-me erases nothing until confirmed, then everything about the person', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const daily = await postOn(channelId, '2026-11-02', '2026-11-02T09:00:00Z');
    await t.quiz.recordAnswer(person('U1', 'Ana'), daily.post.id, correctChoice(daily.question));
    await t.quiz.recordAnswer(person('U2', 'Ben'), daily.post.id, correctChoice(daily.question));

    expect(await t.quiz.forgetMe(person('U1'), false)).toEqual({ erased: false });
    expect((await t.quiz.leaderboard(channelKey(), { period: 'all' })).rows).toHaveLength(2);

    expect(await t.quiz.forgetMe(person('U1'), true)).toEqual({ erased: true });
    const board = await t.quiz.leaderboard(channelKey(), { period: 'all' });
    expect(board.rows.map((r) => r.name)).toEqual(['Ben']);
    expect((await t.quiz.revealOf(daily.post.id)).answered).toBe(1);
  });
});

describe('weekly digest and reminders', () => {
  it('sums up the week: leaders, participation, the hardest question and the weakest domain', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    for (const day of ['02', '03', '04']) {
      const daily = await postOn(channelId, `2026-11-${day}`, `2026-11-${day}T09:00:00Z`);
      await t.quiz.recordAnswer(person('U1', 'Ana'), daily.post.id, correctChoice(daily.question));
      await t.quiz.recordAnswer(
        person('U2', 'Ben'),
        daily.post.id,
        day === '03' ? wrongChoice(daily.question) : correctChoice(daily.question),
      );
    }
    t.clock.set('2026-11-09T09:00:00Z');
    const digest = await t.quiz.weeklyDigest(channelId);
    expect(digest.top.map((r) => r.name)).toEqual(['Ana', 'Ben']);
    expect(digest).toMatchObject({ questionsAsked: 3, activePeople: 2, members: 2, week: '2026-W45' });
    expect(digest.hardest).toMatchObject({ answered: 2, correct: 1 });
    expect(digest.weakestDomain?.accuracy).toBeLessThan(1);
    expect(digest.streaks).toEqual([
      { name: 'Ana', streak: 3 },
      { name: 'Ben', streak: 3 },
    ]);
  });

  it('a reminder names the weakest topic and carries a practice question on it; without one, a new question', async () => {
    t = await createTestQuiz();
    const learner = person('U1');
    for (let i = 0; i < 3; i++) {
      const p = await t.quiz.practice(learner, 'access');
      await t.quiz.answerPractice(learner, {
        questionId: p.question.id,
        version: p.question.version,
        issueKey: p.issueKey,
        choice: wrongChoice(p.question),
      });
    }
    t.clock.advance(13 * 3600_000);
    const reminder = await t.quiz.reminderFor(await t.quiz.userIdOf(learner));
    expect(reminder?.topic).toMatchObject({
      topic: 'access',
      answered: 3,
      correct: 0,
      title: 'Access control',
    });
    expect(reminder?.practice.question.topic).toBe('access');
    // Someone with no weak topic yet is reminded with a question they have not seen.
    const fresh = await t.quiz.reminderFor(await t.quiz.userIdOf(person('U2')));
    expect(fresh?.topic).toBeUndefined();
    expect(fresh?.practice.reason).toBe('new');
  });
});
