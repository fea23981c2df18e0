import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { isAppError } from '../../src/errors.js';
import { correctChoice } from '../../src/quiz/question.js';
import { wrongChoice } from '../support/choices.js';
import { admin, channelKey, createTestQuiz, person } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('subscribing a channel', () => {
  it('an admin subscribes with a time, timezone and days', async () => {
    t = await createTestQuiz();
    const settings = await t.quiz.subscribe(admin, channelKey(), {
      time: '9:30',
      timezone: 'Europe/Paris',
      days: 'mon,wed,fri',
    });
    expect(settings).toMatchObject({
      active: true,
      postTime: '09:30',
      timezone: 'Europe/Paris',
      days: [1, 3, 5],
      daysText: 'mon,wed,fri',
    });
  });

  it('a non-admin is told why and nothing changes', async () => {
    t = await createTestQuiz();
    await expect(t.quiz.subscribe(person('U2'), channelKey(), { time: '09:00' })).rejects.toThrow(
      /Only workspace admins can subscribe a channel/,
    );
    expect(await t.quiz.channelSettings(channelKey())).toBeUndefined();
  });

  it('a platform admin may subscribe without being listed in ADMIN_USER_IDS', async () => {
    t = await createTestQuiz();
    const settings = await t.quiz.subscribe({ ...person('U9'), isPlatformAdmin: true }, channelKey(), {
      time: '08:00',
    });
    expect(settings.active).toBe(true);
  });

  it('refuses an unknown timezone, a bad time and unreadable days, changing nothing', async () => {
    t = await createTestQuiz();
    await expect(
      t.quiz.subscribe(admin, channelKey(), { time: '09:00', timezone: 'Moon/Base' }),
    ).rejects.toThrow(/not a timezone/);
    await expect(t.quiz.subscribe(admin, channelKey(), { time: '25:00' })).rejects.toThrow(
      /not a time of day/,
    );
    await expect(t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'someday' })).rejects.toThrow(
      /not a list of days/,
    );
    expect(await t.quiz.channelSettings(channelKey())).toBeUndefined();
  });

  it('unsubscribing stops the channel, and a second unsubscribe says there is nothing to stop', async () => {
    t = await createTestQuiz();
    await t.quiz.subscribe(admin, channelKey(), { time: '09:00' });
    expect((await t.quiz.unsubscribe(admin, channelKey())).active).toBe(false);
    await expect(t.quiz.unsubscribe(admin, channelKey())).rejects.toThrow(/not subscribed/);
  });
});

describe('the question of the day', () => {
  it('is created at most once per channel and local date, even when asked for concurrently', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00' });
    const attempts = await Promise.all(
      Array.from({ length: 5 }, () => t!.quiz.postDailyQuestion(channelId, '2026-11-02')),
    );
    expect(new Set(attempts.map((a) => a.post.id)).size).toBe(1);
    expect(attempts.filter((a) => a.created)).toHaveLength(1);
    expect(new Set(attempts.map((a) => a.question.id)).size).toBe(1);
  });

  it('does not repeat a question until the whole bank has been asked, nor a topic two days running', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const asked: Array<{ id: string; topic: string }> = [];
    for (let day = 1; day <= 9; day++) {
      const { question } = await t.quiz.postDailyQuestion(
        channelId,
        `2026-11-${String(day).padStart(2, '0')}`,
      );
      asked.push({ id: question.id, topic: question.topic });
    }
    // The fixture bank has 9 active questions: nine days use nine different ones.
    expect(new Set(asked.map((q) => q.id)).size).toBe(9);
    for (let i = 1; i < asked.length; i++) {
      const sameTopicLeft = asked.slice(i).some((q) => q.topic !== asked[i - 1]?.topic);
      if (sameTopicLeft) expect(asked[i]?.topic, `day ${i + 1}`).not.toBe(asked[i - 1]?.topic);
    }
    // Day ten starts a second round.
    const tenth = await t.quiz.postDailyQuestion(channelId, '2026-11-10');
    expect(asked.map((q) => q.id)).toContain(tenth.question.id);
  });

  it('follows the exam domain weights over time on the real bank', async () => {
    t = await createTestQuiz({ bank: 'real' });
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    const counts = new Map<number, number>();
    const start = Date.UTC(2026, 0, 1);
    for (let day = 0; day < 100; day++) {
      const date = new Date(start + day * 86_400_000).toISOString().slice(0, 10);
      const { question } = await t.quiz.postDailyQuestion(channelId, date);
      counts.set(question.domain, (counts.get(question.domain) ?? 0) + 1);
    }
    // 100 questions at 20/24/28/14/14 (background takes at most 5): each within 3 of its weight.
    for (const [domain, weight] of [
      [1, 20],
      [2, 24],
      [3, 28],
      [4, 14],
      [5, 14],
    ] as const) {
      expect(Math.abs((counts.get(domain) ?? 0) - weight), `domain ${domain}`).toBeLessThanOrEqual(3);
    }
    expect(counts.get(0) ?? 0).toBeLessThanOrEqual(5);
  });
});

describe('answering the question of the day', () => {
  async function openQuestion() {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), {
      time: '09:00',
      timezone: 'UTC',
      days: 'daily',
    });
    t.clock.set('2026-11-02T09:00:00Z');
    const daily = await t.quiz.postDailyQuestion(channelId);
    await t.quiz.markPostDelivered(daily.post.id, { local: true });
    return { channelId, ...daily, right: correctChoice(daily.question) };
  }

  it('the first answer counts; a second click returns the first choice and changes nothing', async () => {
    const { post, question, right } = await openQuestion();
    const first = await t!.quiz.recordAnswer(person('U1'), post.id, right);
    expect(first).toMatchObject({ outcome: 'recorded', correct: true, streak: 1 });
    expect(first.points).toBeGreaterThan(0);

    const wrong =
      question.type === 'ordering' || question.type === 'matching'
        ? [...right].reverse()
        : right.map((i) => (i + 1) % 4);
    const second = await t!.quiz.recordAnswer(person('U1'), post.id, wrong);
    expect(second).toMatchObject({
      outcome: 'already_answered',
      choice: right,
      correct: true,
      points: first.points,
      totalPoints: first.totalPoints,
    });
    expect(second.answeredCount).toBe(1);
  });

  it('fifty people answering at once give exactly fifty answers', async () => {
    const { post, right } = await openQuestion();
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t!.quiz.recordAnswer(person(`U${i}`), post.id, right)),
    );
    expect(results.every((r) => r.outcome === 'recorded')).toBe(true);
    expect((await t!.quiz.revealOf(post.id)).answered).toBe(50);
  });

  it('clicks written together each get their own outcome, and a bad one spoils none of the others', async () => {
    const { post, right } = await openQuestion();
    // Started in one tick, these clicks are written as one group.
    const outcome = (p: Promise<{ outcome: string }>) =>
      p.then(
        (r) => r.outcome,
        (e: unknown) => (isAppError(e) ? e.code : `unexpected: ${String(e)}`),
      );
    const results = await Promise.all([
      outcome(t!.quiz.recordAnswer(person('U1'), post.id, right)),
      outcome(t!.quiz.recordAnswer(person('U2'), 'not-a-post-id', right)),
      outcome(t!.quiz.recordAnswer(person('U3'), '00000000-0000-4000-8000-000000000000', right)),
      outcome(t!.quiz.recordAnswer(person('U4'), post.id, [99])),
      outcome(t!.quiz.recordAnswer(person('U5'), post.id, right)),
      outcome(t!.quiz.recordAnswer(person('U1'), post.id, right)),
    ]);
    expect(results).toEqual([
      'recorded',
      'quiz.unknown_post',
      'quiz.unknown_post',
      'quiz.invalid_choice',
      'recorded',
      'already_answered',
    ]);
    const reveal = await t!.quiz.revealOf(post.id);
    expect(reveal.answered).toBe(2);
    const again = await t!.quiz.recordAnswer(person('U5'), post.id, right);
    expect(again).toMatchObject({ outcome: 'already_answered', answeredCount: 2, streak: 1 });
    expect(again.totalPoints).toBe(again.points);
  });

  it('when the database refuses new answers, only the clicks that needed a new row fail', async () => {
    const { post, right } = await openQuestion();
    await t!.quiz.recordAnswer(person('U1'), post.id, right);
    const db = t!.database.handle.db;
    await db.execute(
      sql.raw(`create function refuse_answers() returns trigger language plpgsql as $$
                 begin raise exception 'the disk is full'; end $$`),
    );
    await db.execute(
      sql.raw(
        'create trigger refuse_answers before insert on answers for each row execute function refuse_answers()',
      ),
    );
    const [again, fresh] = await Promise.allSettled([
      t!.quiz.recordAnswer(person('U1'), post.id, right),
      t!.quiz.recordAnswer(person('U2'), post.id, right),
    ]);
    expect(again).toMatchObject({ status: 'fulfilled', value: { outcome: 'already_answered' } });
    expect(fresh.status).toBe('rejected');
    expect((await t!.quiz.revealOf(post.id)).answered).toBe(1);
  });

  it('the same person clicking twice at once is counted once', async () => {
    const { post, right } = await openQuestion();
    const results = await Promise.all(
      [1, 2, 3].map(() => t!.quiz.recordAnswer(person('U1'), post.id, right)),
    );
    expect(results.filter((r) => r.outcome === 'recorded')).toHaveLength(1);
    expect((await t!.quiz.revealOf(post.id)).answered).toBe(1);
  });

  it('two first clicks of one person written in the same group: one is recorded, the other is told it already counted', async () => {
    const { post, right } = await openQuestion();
    // Someone else's click is written at once; the two that come while it is written share a group.
    const [, first, second] = await Promise.all([
      t!.quiz.recordAnswer(person('U9'), post.id, right),
      t!.quiz.recordAnswer(person('U1'), post.id, right),
      t!.quiz.recordAnswer(person('U1'), post.id, right),
    ]);
    expect([first.outcome, second.outcome]).toEqual(['recorded', 'already_answered']);
    expect(second.totalPoints).toBe(first.points);
    expect((await t!.quiz.revealOf(post.id)).answered).toBe(2);
  });

  it('an answer after the close is kept as practice and does not score', async () => {
    const { post, right } = await openQuestion();
    t!.clock.set('2026-11-03T09:00:01Z');
    const late = await t!.quiz.recordAnswer(person('U1'), post.id, right);
    expect(late).toMatchObject({ outcome: 'late', correct: true, points: 0, totalPoints: 0 });
    expect((await t!.quiz.revealOf(post.id)).answered).toBe(0);
    const stats = await t!.quiz.personalStats(person('U1'));
    expect(stats).toMatchObject({ answered: 1, correct: 1, points: 0 });
  });

  it('a second late click keeps the first late answer, and the learning engine sees it once', async () => {
    const { post, right } = await openQuestion();
    t!.clock.set('2026-11-03T09:00:01Z');
    const first = await t!.quiz.recordAnswer(person('U1'), post.id, right);
    t!.clock.set('2026-11-03T09:05:00Z');
    const again = await t!.quiz.recordAnswer(person('U1'), post.id, wrongChoice(first.question));
    expect(first.outcome).toBe('late');
    expect(again).toMatchObject({ outcome: 'already_answered', correct: true, choice: first.choice });
    expect(again.answeredAt).toBeUndefined();
    await t!.quiz.learningSettled();
    const userId = await t!.quiz.userIdOf(person('U1'));
    const count = async (table: string) =>
      (
        await queryRows<{ n: number }>(
          t!.database.handle.db,
          sql`select count(*)::int as n from ${sql.raw(table)} where user_id = ${userId}`,
        )
      )[0]?.n;
    expect(await count('practice_answers')).toBe(1);
    expect(await count('learning_reviews')).toBe(1);
  });

  it('refuses a malformed choice with a clear message and stores nothing', async () => {
    const { post } = await openQuestion();
    const error = await t!.quiz.recordAnswer(person('U1'), post.id, [99]).catch((e: unknown) => e);
    expect(isAppError(error, 'quiz.invalid_choice')).toBe(true);
    expect((await t!.quiz.revealOf(post.id)).answered).toBe(0);
  });

  it('closing reveals the answer and the distribution once', async () => {
    const { post, question, right } = await openQuestion();
    await t!.quiz.recordAnswer(person('U1'), post.id, right);
    t!.clock.set('2026-11-03T09:00:00Z');
    const reveal = await t!.quiz.closePost(post.id);
    expect(reveal).toMatchObject({ answered: 1, correctCount: 1 });
    if (question.type === 'single' || question.type === 'multiple') {
      expect(reveal?.optionCounts.reduce((a, b) => a + b, 0)).toBe(right.length);
    }
    expect(await t!.quiz.closePost(post.id)).toBeUndefined();
  });

  it('a question closes at the channel next post time, at most a day later', async () => {
    const { post } = await openQuestion();
    const delivered = await t!.quiz.getDailyPost(post.id);
    expect(delivered?.post.closesAt?.toISOString()).toBe('2026-11-03T09:00:00.000Z');
  });
});
