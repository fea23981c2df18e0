import { afterEach, describe, expect, it } from 'vitest';
import { users } from '../../src/db/schema.js';
import { createReports } from '../../src/insight/reports.js';
import { createReportsRepository } from '../../src/insight/reports.repository.js';
import { admin, channelKey, createTestQuiz } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

describe('the daily draw and reported questions', () => {
  it('draws no question that three people have reported, until the reports are resolved', async () => {
    t = await createTestQuiz();
    const { channelId } = await t.quiz.subscribe(admin, channelKey(), { time: '09:00' });
    const reports = createReports({
      repository: createReportsRepository(t.database.handle.db),
      clock: t.clock,
    });
    const [workspace] = await t.database.handle.db.query.workspaces.findMany();
    const reporters = await t.database.handle.db
      .insert(users)
      .values(['R1', 'R2', 'R3'].map((externalId) => ({ workspaceId: workspace?.id as string, externalId })))
      .returning({ id: users.id });
    // Every active question but one gets three reports.
    const active = t.bank.questions.filter((q) => q.status === 'active').map((q) => q.id);
    const [kept, ...paused] = active as [string, ...string[]];
    for (const questionId of paused)
      for (const { id } of reporters)
        await reports.report({ reporterId: id, questionId, questionVersion: 1, reason: 'unclear' });

    const first = await t.quiz.postDailyQuestion(channelId, '2026-11-02');
    expect(first.question.id).toBe(kept);

    // Resolved reports lift the pause (the drawable pool is re-read after its one-minute cache).
    for (const questionId of paused) await reports.resolve(questionId, 'Checked.');
    expect(await reports.pausedQuestionIds()).toEqual([]);
  });
});
