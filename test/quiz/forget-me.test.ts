import { afterEach, describe, expect, it } from 'vitest';
import { erasedAnswerers } from '../../src/db/schema.js';
import { correctChoice } from '../../src/quiz/question.js';
import { admin, channelKey, createTestQuiz, person } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

/** A channel with today's question posted at 09:00 and open until tomorrow's. */
async function openQuestion() {
  t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
  const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
  const daily = await t.quiz.postDailyQuestion(channelId, '2026-11-02');
  await t.quiz.markPostDelivered(daily.post.id, {});
  t.clock.set('2026-11-02T10:00:00Z');
  return { quiz: t.quiz, daily, right: correctChoice(daily.question) };
}

describe('forget-me and a question still open', () => {
  it('answering again after forget-me does not score: the erased first answer still counted', async () => {
    const { quiz, daily, right } = await openQuestion();
    expect((await quiz.recordAnswer(person('U1', 'Ana'), daily.post.id, right)).points).toBeGreaterThan(0);
    await quiz.forgetMe(person('U1'), true);

    await expect(quiz.recordAnswer(person('U1', 'Ana'), daily.post.id, right)).rejects.toMatchObject({
      code: 'quiz.already_answered',
    });
    expect((await quiz.revealOf(daily.post.id)).answered).toBe(0);
    expect((await quiz.leaderboard(channelKey(), { period: 'all' })).rows).toEqual([]);
    expect((await quiz.personalStats(person('U1'))).answered).toBe(0);
  });

  it('someone else, and someone who never answered before forgetting, still score', async () => {
    const { quiz, daily, right } = await openQuestion();
    await quiz.recordAnswer(person('U1'), daily.post.id, right);
    await quiz.forgetMe(person('U1'), true);
    await quiz.forgetMe(person('U3'), true);
    const [other, late] = await Promise.all([
      quiz.recordAnswer(person('U2'), daily.post.id, right),
      quiz.recordAnswer(person('U3'), daily.post.id, right),
    ]);
    expect(other.outcome).toBe('recorded');
    expect(late.outcome).toBe('recorded');
    // The same platform user id in another workspace is another person, who cannot answer this
    // workspace's question at all.
    await expect(
      quiz.recordAnswer({ platform: 'local', workspaceId: 'W2', userId: 'U1' }, daily.post.id, right),
    ).rejects.toMatchObject({ code: 'quiz.answer_elsewhere' });
  });

  it('keeps no id of the person, only a keyed hash, and nothing once the question closes', async () => {
    const { quiz, daily, right } = await openQuestion();
    await quiz.recordAnswer(person('U1', 'Ana'), daily.post.id, right);
    await quiz.forgetMe(person('U1'), true);
    const kept = await t!.database.handle.db.select().from(erasedAnswerers);
    expect(kept).toHaveLength(1);
    expect(kept[0]?.personHash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(kept)).not.toMatch(/U1|Ana|W1/);

    t!.clock.set('2026-11-03T09:00:00Z');
    await quiz.closePost(daily.post.id);
    expect(await t!.database.handle.db.select().from(erasedAnswerers)).toEqual([]);
  });
});
