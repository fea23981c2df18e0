import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { domainQuotas, drawMockExam, type MockCandidate } from '../../src/learning/mock/draw.js';
import { createTestQuiz, person, seededRandom } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

const ada = person('ada', 'Ada');

describe('drawing a mock exam', () => {
  it("gives the 65 questions to the domains at the exam's weights, 20/24/28/14/14", () => {
    const plenty = new Map([1, 2, 3, 4, 5].map((d) => [d, 200]));
    expect(Object.fromEntries(domainQuotas(plenty, 65))).toEqual({ 1: 13, 2: 16, 3: 18, 4: 9, 5: 9 });
  });

  it('moves what a thin domain cannot fill to the domains furthest behind, and never draws background', () => {
    const candidates: MockCandidate[] = [1, 2, 3, 4, 5, 0].flatMap((domain) =>
      Array.from({ length: domain === 4 ? 2 : 30 }, (_, i) => ({
        id: `d${domain}-${i}`,
        version: 1,
        domain,
        type: i % 7 === 0 ? ('ordering' as const) : ('single' as const),
        uses: 0,
      })),
    );
    const drawn = drawMockExam(candidates, 65, seededRandom(3));
    expect(drawn).toHaveLength(65);
    expect(drawn.filter((c) => c.domain === 4)).toHaveLength(2);
    expect(drawn.filter((c) => c.domain === 0)).toHaveLength(0);
    expect(new Set(drawn.map((c) => c.id)).size).toBe(65);
    expect(drawn.some((c) => c.type === 'ordering')).toBe(true);
  });
});

describe('mock exams across a person’s history', () => {
  it('repeats no question across mock exams until the bank has run out', async () => {
    t = await createTestQuiz({ mockExam: { questions: 5, minutes: 90 } });
    const db = t.database.handle.db;
    const drawnIn = async () => {
      await t?.quiz.startMock(ada);
      const rows = await queryRows<{ question_id: string }>(
        db,
        sql`select question_id from mock_exam_items i join mock_exams m on m.id = i.mock_id where m.status = 'running'`,
      );
      await t?.quiz.abandonMock(ada);
      return rows.map((r) => r.question_id);
    };
    const first = await drawnIn();
    const second = await drawnIn();
    // The fixture bank has 9 active questions: the second exam takes the 4 the first left, then repeats one.
    const active = await queryRows<{ id: string }>(db, sql`select id from questions where active`);
    expect(active).toHaveLength(9);
    expect(new Set(first).size).toBe(5);
    for (const { id } of active.filter((q) => !first.includes(q.id))) expect(second).toContain(id);
    expect(new Set([...first, ...second]).size).toBe(9);
    expect(await drawnIn()).toHaveLength(5);
  });

  it('two starts at once make one exam; the other is refused with where the exam stands', async () => {
    t = await createTestQuiz({ mockExam: { questions: 5, minutes: 90 } });
    await t.quiz.userIdOf(ada);
    const [a, b] = await Promise.allSettled([
      t.quiz.startMock(ada, { fresh: true }),
      t.quiz.startMock(ada, { fresh: true }),
    ]);
    const outcomes = [a, b].map((r) =>
      r.status === 'fulfilled' ? r.value.kind : (r.reason as Error).message,
    );
    expect(outcomes).toContain('question');
    expect(outcomes).toContain(
      'You already have a mock exam running (question 1/5, 90 min left). Send "mock" to carry on with it, or "mock abandon" to end it first.',
    );
    const running = await queryRows<{ n: number }>(
      t.database.handle.db,
      sql`select count(*)::int as n from mock_exams where status = 'running'`,
    );
    expect(running[0]?.n).toBe(1);
  });

  it('the time-out job ends a forgotten exam; "mock" then shows its report once, hiding the answer of an open question of the day', async () => {
    t = await createTestQuiz({ now: '2026-11-02T08:00:00Z', mockExam: { questions: 5, minutes: 90 } });
    const db = t.database.handle.db;
    const view = await t.quiz.startMock(ada);
    if (view.kind !== 'question') throw new Error('expected a question');
    // A channel of Ada's workspace opens the exam's first question as its question of the day.
    await t.quiz.subscribe(
      { ...ada, isPlatformAdmin: true },
      { platform: 'local', workspaceId: 'W1', channelId: 'C9', channelName: 'c9' },
      { time: '09:00' },
    );
    await db.execute(
      sql`insert into posts (channel_id, local_date, question_id, question_version, status)
          select c.id, '2026-11-02', ${view.question.id}, ${view.question.version}, 'open'
          from channels c where c.external_id = 'C9'`,
    );

    t.clock.advance(91 * 60_000);
    expect(await t.quiz.closeExpiredMocks()).toBe(1);
    const [status] = await queryRows<{ status: string }>(db, sql`select status from mock_exams`);
    expect(status?.status).toBe('timed_out');

    const shown = await t.quiz.startMock(ada);
    if (shown.kind !== 'report') throw new Error('expected the report');
    expect(shown.note).toContain('Time ran out on your last mock exam');
    expect(shown.report).toMatchObject({
      endedBy: 'timed_out',
      answered: 0,
      correct: 0,
      score: 100,
      passed: false,
    });
    expect(shown.report.mistakes).toHaveLength(5);
    expect(shown.report.mistakes.filter((m) => m.hidden).map((m) => m.question.id)).toEqual([
      view.question.id,
    ]);

    const next = await t.quiz.startMock(ada);
    expect(next.kind).toBe('question');
  });
});
