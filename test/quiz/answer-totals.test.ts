import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { admin, channelKey, createTestQuiz, person, seededRandom } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

function wrongChoice(question: Question): number[] {
  const right = correctChoice(question);
  if (question.type === 'ordering' || question.type === 'matching') return [...right].reverse();
  if (question.type === 'single') return [(right[0]! + 1) % question.options.length];
  return question.options
    .map((_, i) => i)
    .filter((i) => !right.includes(i))
    .slice(0, right.length);
}

/** Rows the running totals hold that a recount from the answers does not, and the other way round. */
async function disagreement(quiz: TestQuiz) {
  const db = quiz.database.handle.db;
  const [row] = await queryRows<{ extra: number; missing: number; rows: number }>(
    db,
    sql`select
          (select count(*) from (select * from answer_totals except select * from answer_totals_recount()) x)::int as extra,
          (select count(*) from (select * from answer_totals_recount() except select * from answer_totals) x)::int as missing,
          (select count(*) from answer_totals)::int as rows`,
  );
  return row;
}

describe('running totals (answer_totals) agree with a recount of the answers', () => {
  it('after answers in two timezones across a week and a month boundary, refused duplicates and a forget-me', async () => {
    t = await createTestQuiz({ now: '2026-10-29T08:00:00Z' });
    const quiz = t.quiz;
    const random = seededRandom(7);
    const utc = await quiz.subscribe(admin, channelKey('C1'), { time: '09:00', days: 'daily' });
    const ny = await quiz.subscribe(admin, channelKey('C2'), {
      time: '21:00',
      timezone: 'America/New_York',
      days: 'daily',
    });
    const people = ['U1', 'U2', 'U3', 'U4', 'U5'];
    // Thursday 29 October to Tuesday 3 November 2026: a Monday and a 1st of the month in between.
    for (const day of ['2026-10-29', '2026-10-30', '2026-10-31', '2026-11-01', '2026-11-02', '2026-11-03']) {
      for (const [channelId, postAt, answerAt] of [
        [utc.channelId, `${day}T09:00:00Z`, `${day}T10:00:00Z`],
        // 21:00 in New York is 01:00 or 02:00 UTC the next day: the answer's UTC date is not the channel's.
        [ny.channelId, `${day}T23:00:00Z`, `${day}T23:30:00Z`],
      ] as const) {
        t.clock.set(postAt);
        const daily = await quiz.postDailyQuestion(channelId, day);
        await quiz.markPostDelivered(daily.post.id, {});
        t.clock.set(answerAt);
        for (const who of people) {
          if (random() < 0.25) continue;
          const choice = random() < 0.6 ? correctChoice(daily.question) : wrongChoice(daily.question);
          // Two clicks at once (one answer is kept, the double click gets its result) and a refused third.
          await Promise.all([
            quiz.recordAnswer(person(who, who), daily.post.id, choice),
            quiz.recordAnswer(person(who, who), daily.post.id, choice),
          ]);
          const again = await quiz.recordAnswer(person(who, who), daily.post.id, choice);
          expect(again.outcome).toBe('already_answered');
        }
      }
    }
    const counted = await disagreement(t);
    expect(counted?.rows).toBeGreaterThan(0);
    expect(counted).toMatchObject({ extra: 0, missing: 0 });

    await quiz.forgetMe(person('U2'), true);
    expect(await disagreement(t)).toMatchObject({ extra: 0, missing: 0 });
    const [left] = await queryRows<{ n: number }>(
      t.database.handle.db,
      sql`select count(*)::int as n from answer_totals t join users u on u.id = t.user_id
          where u.external_id = 'U2'`,
    );
    expect(left?.n).toBe(0);
  }, 120_000);

  it('after answers are deleted or rescored by hand, and when a whole board is read from them', async () => {
    t = await createTestQuiz({ now: '2026-11-02T08:00:00Z' });
    const quiz = t.quiz;
    const { channelId } = await quiz.subscribe(admin, channelKey(), { time: '09:00', days: 'daily' });
    for (const day of ['02', '03', '04']) {
      t.clock.set(`2026-11-${day}T09:00:00Z`);
      const daily = await quiz.postDailyQuestion(channelId, `2026-11-${day}`);
      await quiz.markPostDelivered(daily.post.id, {});
      t.clock.set(`2026-11-${day}T09:30:00Z`);
      for (const who of ['U1', 'U2', 'U3'])
        await quiz.recordAnswer(person(who, who), daily.post.id, correctChoice(daily.question));
    }
    const db = t.database.handle.db;
    await db.execute(sql`update answers set points = points + 5, correct = not correct
                         where user_id = (select id from users where external_id = 'U1')`);
    expect(await disagreement(t)).toMatchObject({ extra: 0, missing: 0 });
    await db.execute(sql`delete from answers where user_id = (select id from users where external_id = 'U3')
                         and answered_at < '2026-11-04'`);
    expect(await disagreement(t)).toMatchObject({ extra: 0, missing: 0 });
    await db.execute(
      sql`delete from answers where user_id = (select id from users where external_id = 'U3')`,
    );
    expect(await disagreement(t)).toMatchObject({ extra: 0, missing: 0 });

    const board = await quiz.leaderboard(channelKey(), { period: 'week' });
    expect(board.rows.map((r) => [r.name, r.answered])).toEqual([
      ['U1', 3],
      ['U2', 3],
    ]);
    expect(board.rows[0]!.points).toBeGreaterThan(board.rows[1]!.points);
  }, 120_000);
});
