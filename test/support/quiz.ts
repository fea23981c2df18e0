import path from 'node:path';
import { loadBank } from '../../src/bank/load.js';
import { syncBank } from '../../src/bank/sync.js';
import { fixedClock } from '../../src/clock.js';
import type { MockSettings } from '../../src/learning/mock/mock.types.js';
import type { SchedulerSettings } from '../../src/learning/scheduler.js';
import { correctChoice } from '../../src/quiz/question.js';
import { type Actor, type ChannelKey, createQuiz, type Quiz } from '../../src/quiz/quiz.js';
import { wrongChoice } from './choices.js';
import { ROOT } from './cli.js';
import { createTestDatabase } from './database.js';

/** A seeded generator, so draws repeat from run to run (mulberry32). */
export function seededRandom(seed = 42): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A quiz on a fresh database holding a synced bank (the small fixture bank unless told otherwise). */
export async function createTestQuiz(
  options: {
    bank?: 'mini' | 'real';
    now?: string;
    adminUserIds?: string[];
    mockExam?: Partial<MockSettings>;
    scheduling?: SchedulerSettings;
  } = {},
) {
  const database = await createTestDatabase();
  const bank = await loadBank(
    path.join(ROOT, options.bank === 'real' ? 'questions' : 'test/fixtures/mini-bank'),
  );
  await syncBank(database.handle, bank);
  const clock = fixedClock(options.now ?? '2026-11-02T08:00:00Z');
  const quiz = createQuiz({
    db: database.handle.db,
    clock,
    adminUserIds: options.adminUserIds ?? ['UADMIN'],
    defaultTimezone: 'UTC',
    topics: [...bank.topics.values()],
    random: seededRandom(),
    ...(options.mockExam ? { mockExam: options.mockExam } : {}),
    ...(options.scheduling ? { scheduling: options.scheduling } : {}),
  });
  return { quiz, clock, database, bank, destroy: () => database.destroy() };
}

export const admin: Actor = { platform: 'local', workspaceId: 'W1', userId: 'UADMIN', userName: 'Ada' };
export const person = (userId: string, userName = userId): Actor => ({
  platform: 'local',
  workspaceId: 'W1',
  userId,
  userName,
});
export const channelKey = (channelId = 'C1'): ChannelKey => ({
  platform: 'local',
  workspaceId: 'W1',
  channelId,
  channelName: channelId,
});

/** Hands out the next practice question (of a topic, if given) and answers it, right or wrong. */
export async function practise(quiz: Quiz, actor: Actor, right: boolean, topic?: string) {
  const p = await quiz.practice(actor, topic);
  await quiz.answerPractice(actor, {
    questionId: p.question.id,
    version: p.question.version,
    issueKey: p.issueKey,
    choice: right ? correctChoice(p.question) : wrongChoice(p.question),
  });
  return p;
}
