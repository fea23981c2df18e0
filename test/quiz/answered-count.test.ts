import { afterEach, describe, expect, it } from 'vitest';
import { createAnsweredCountRefresher } from '../../src/quiz/answered-count.js';
import { correctChoice } from '../../src/quiz/question.js';
import { admin, channelKey, createTestQuiz, person } from '../support/quiz.js';
import { createRecordingPlatform } from '../support/recording-platform.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('refreshing the answered count', () => {
  it('rewrites each question at most once per interval, and a workspace within its budget', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const recorder = createRecordingPlatform();
    const posts: string[] = [];
    for (const id of ['C1', 'C2']) {
      const { channelId } = await t.quiz.subscribe(admin, channelKey(id), { time: '09:00', days: 'daily' });
      const daily = await t.quiz.postDailyQuestion(channelId);
      await t.quiz.markPostDelivered(daily.post.id, { channel: id, ts: '1' });
      await t.quiz.recordAnswer(person('U1'), daily.post.id, correctChoice(daily.question));
      posts.push(daily.post.id);
    }
    const counts = createAnsweredCountRefresher({
      quiz: t.quiz,
      platform: recorder.chat,
      intervalMs: 30,
      perWorkspaceIntervalMs: 300,
      onError: () => {},
    });
    const started = Date.now();
    for (let i = 0; i < 20; i++) for (const postId of posts) counts.refreshSoon(postId, 'W1');
    while (recorder.of('updateQuestion').length < 2 && Date.now() - started < 3000) await sleep(10);
    const updates = recorder.of('updateQuestion');
    expect(updates).toHaveLength(2);
    expect(updates.map((u) => (u.detail as { answered: number }).answered)).toEqual([1, 1]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    await counts.stop();
  });

  it('stopping sends the rewrites still waiting, at once', async () => {
    t = await createTestQuiz({ now: '2026-11-02T09:00:00Z' });
    const recorder = createRecordingPlatform();
    const { channelId } = await t.quiz.subscribe(admin, channelKey('C1'), { time: '09:00', days: 'daily' });
    const daily = await t.quiz.postDailyQuestion(channelId);
    await t.quiz.markPostDelivered(daily.post.id, { channel: 'C1', ts: '1' });
    await t.quiz.recordAnswer(person('U1'), daily.post.id, correctChoice(daily.question));
    const counts = createAnsweredCountRefresher({
      quiz: t.quiz,
      platform: recorder.chat,
      intervalMs: 60_000,
      onError: () => {},
    });
    counts.refreshSoon(daily.post.id, 'W1');
    expect(recorder.of('updateQuestion')).toHaveLength(0);
    await counts.stop();
    const updates = recorder.of('updateQuestion');
    expect(updates.map((u) => (u.detail as { answered: number }).answered)).toEqual([1]);
  });
});
