import { PassThrough } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { runLocalChannel } from '../../src/platforms/local/local-channel.js';
import { describeChoice, presentQuestion } from '../../src/quiz/question.js';
import { createQuiz } from '../../src/quiz/quiz.js';
import { currentMockItem, mockItemTypes, typedRightAnswer, wrongChoice } from '../support/mock.js';
import { createTestQuiz, seededRandom } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
const stops: Array<() => void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) stop();
  await t?.destroy();
  t = undefined;
});

/** A terminal on the local channel: type a line, get what the bot printed before the next prompt. */
async function terminal(quiz: TestQuiz['quiz']) {
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (chunk: Buffer) => {
    screen += chunk.toString();
  });
  const done = runLocalChannel({ quiz, input, output, userName: 'ada', columns: 0 });
  stops.push(() => input.end());
  for (let i = 0; i < 400 && !screen.endsWith('\n> '); i++) await new Promise((r) => setTimeout(r, 10));
  return {
    done,
    async type(line: string): Promise<string> {
      const before = screen.length;
      input.write(`${line}\n`);
      for (let i = 0; i < 400; i++) {
        const added = screen.slice(before);
        if (added.endsWith('\n> ')) return added;
        await new Promise((r) => setTimeout(r, 10));
      }
      throw new Error(`no prompt after "${line}":\n${screen.slice(before)}`);
    },
  };
}

async function openDailyPost(test: TestQuiz) {
  const settings = await test.quiz.channelSettings({
    platform: 'local',
    workspaceId: 'local',
    channelId: 'local',
  });
  const post = await test.quiz.openPostOf(settings?.channelId ?? '');
  if (!post) throw new Error('the local channel has no open question');
  return post;
}

const MOCK = { questions: 5, minutes: 90 };

describe('a mock exam in the local terminal channel', () => {
  it('runs a whole exam: every item type, flag, skip, one more look at those, and the report', async () => {
    t = await createTestQuiz({ now: '2026-11-02T10:00:00Z', mockExam: MOCK });
    const db = t.database.handle.db;
    const term = await terminal(t.quiz);
    // Today's question is left out of mock exams while it is open; closed, every question can come.
    await t.quiz.closePost((await openDailyPost(t)).id);

    const first = await term.type('mock');
    expect(first).toContain('Mock exam · question 1/5 · 90 min left');
    const { mockId } = await currentMockItem(db);
    // Drawn at the exam's weights: one question per domain out of five; every type the bank has.
    expect(new Set(await mockItemTypes(db, mockId))).toEqual(
      new Set(['single', 'multiple', 'ordering', 'matching']),
    );

    t.clock.advance(19 * 60_000);
    expect(await term.type('flag')).toContain('question 1/5 · 71 min left · ⚑ flagged');
    const q1 = await currentMockItem(db);
    expect(await term.type(typedRightAnswer(q1.question))).toContain('question 2/5');
    expect(await term.type('skip')).toContain('question 3/5');
    for (const position of [3, 4, 5]) {
      const item = await currentMockItem(db);
      expect(item.position).toBe(position - 1);
      await term.type(typedRightAnswer(item.question));
    }
    // The flagged one comes back first, with the answer given; then the skipped one.
    const firstLook = await currentMockItem(db);
    expect(firstLook.position).toBe(0);
    expect(await term.type('keep')).toContain('second look 2/2 · question 2/5');
    const skipped = await currentMockItem(db);
    const wrong = describeChoice(presentQuestion(skipped.question), wrongChoice(skipped.question))
      .replaceAll('→', ' ')
      .replace(/\d-/g, '');
    const report = await term.type(wrong);
    expect(report).toContain('Mock exam report');
    expect(report).toMatch(/Estimated score: \d+ of 1000 · (pass|not a pass yet) \(700 passes\)/);
    expect(report).toContain('4 of 5 right · 5 answered');
    expect(report).toContain('Mistakes to review (1):');
    expect(report).toContain(`Q2 · Domain ${skipped.question.domain}`);
    expect(report).toMatch(/Domain 1: Fundamentals of AI and ML · \d\/1/);

    // Mock answers go to the learning engine (as mock reviews), never to the leaderboard.
    const reviews = await queryRows<{ n: number }>(
      db,
      sql`select count(*)::int as n from learning_reviews where source = 'mock'`,
    );
    expect(reviews[0]?.n).toBe(5);
    const points = await queryRows<{ n: number }>(db, sql`select count(*)::int as n from answers`);
    expect(points[0]?.n).toBe(0);

    expect(await term.type('mock abandon')).toContain(
      'You have no mock exam running. Send "mock" to start one.',
    );
  });

  it('resumes after a restart, refuses a second exam, and after the time is up counts nothing more', async () => {
    t = await createTestQuiz({ now: '2026-11-02T10:00:00Z', mockExam: MOCK });
    const db = t.database.handle.db;
    const before = await terminal(t.quiz);
    await before.type('mock');
    await before.type(typedRightAnswer((await currentMockItem(db)).question));
    before.done.catch(() => {});

    // A new process: a new quiz on the same database.
    const quiz = createQuiz({
      db,
      clock: t.clock,
      adminUserIds: [],
      defaultTimezone: 'UTC',
      topics: [...t.bank.topics.values()],
      random: seededRandom(7),
      mockExam: MOCK,
    });
    const term = await terminal(quiz);
    t.clock.advance(30 * 60_000);
    const resumed = await term.type('mock');
    expect(resumed).toContain('Welcome back');
    expect(resumed).toContain('question 2/5 · 60 min left');
    expect(await term.type('mock new')).toContain(
      'You already have a mock exam running (question 2/5, 60 min left). Send "mock" to carry on with it, or "mock abandon" to end it first.',
    );

    t.clock.advance(61 * 60_000);
    const item = await currentMockItem(db);
    // The channel's open question of the day is never drawn into a mock exam.
    const open = await openDailyPost(t);
    const drawn = await queryRows<{ question_id: string }>(db, sql`select question_id from mock_exam_items`);
    expect(drawn.map((d) => d.question_id)).not.toContain(open.questionId);
    const late = await term.type(typedRightAnswer(item.question));
    expect(late).toContain('Time ran out before that, so it was not counted.');
    expect(late).toContain('Mock exam report (time ran out)');
    expect(late).toContain('1 of 5 right · 1 answered (unanswered count as wrong)');
    const stored = await queryRows<{ answered: number; status: string }>(
      db,
      sql`select count(i.choice)::int as answered, min(m.status) as status from mock_exams m join mock_exam_items i on i.mock_id = m.id group by m.id`,
    );
    expect(stored).toEqual([{ answered: 1, status: 'timed_out' }]);
    expect(await term.type(typedRightAnswer(item.question))).not.toContain('Mock exam');
  });
});
