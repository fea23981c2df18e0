import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { correctChoice } from '../../src/quiz/question.js';
import { wrongChoice } from '../support/choices.js';
import { admin, channelKey, createTestQuiz, person, seededRandom } from '../support/quiz.js';

type TestQuiz = Awaited<ReturnType<typeof createTestQuiz>>;
let t: TestQuiz | undefined;
afterEach(async () => {
  await t?.destroy();
  t = undefined;
});

/**
 * Rows the running totals hold that a recount from the answers does not, and the other way round:
 * per channel (answer_totals) and per workspace (workspace_totals).
 */
async function disagreement(quiz: TestQuiz) {
  const db = quiz.database.handle.db;
  const [row] = await queryRows<{ extra: number; missing: number; rows: number; workspaceRows: number }>(
    db,
    sql`select
          (select count(*) from (select * from answer_totals except select * from answer_totals_recount()) x)::int
          + (select count(*) from (select * from workspace_totals except select * from workspace_totals_recount()) x)::int
            as extra,
          (select count(*) from (select * from answer_totals_recount() except select * from answer_totals) x)::int
          + (select count(*) from (select * from workspace_totals_recount() except select * from workspace_totals) x)::int
            as missing,
          (select count(*) from answer_totals)::int as rows,
          (select count(*) from workspace_totals)::int as "workspaceRows"`,
  );
  return row;
}

const textArray = (values: string[]) =>
  sql`array[${sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  )}]::text[]`;

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
    expect(counted?.workspaceRows).toBeGreaterThan(0);
    expect(counted).toMatchObject({ extra: 0, missing: 0 });

    await quiz.forgetMe(person('U2'), true);
    expect(await disagreement(t)).toMatchObject({ extra: 0, missing: 0 });
    const [left] = await queryRows<{ n: number }>(
      t.database.handle.db,
      sql`select ((select count(*) from answer_totals t join users u on u.id = t.user_id
                   where u.external_id = 'U2')
                + (select count(*) from workspace_totals t join users u on u.id = t.user_id
                   where u.external_id = 'U2'))::int as n`,
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

  it('when many transactions answer at once for the same people in two channels, and for the boards and rank', async () => {
    t = await createTestQuiz({ now: '2026-11-02T08:00:00Z' });
    const quiz = t.quiz;
    const random = seededRandom(11);
    const channels = [
      await quiz.subscribe(admin, channelKey('C1'), { time: '09:00', days: 'daily' }),
      await quiz.subscribe(admin, channelKey('C2'), { time: '09:00', days: 'daily' }),
    ];
    const people = Array.from({ length: 12 }, (_, i) => `U${i + 1}`);
    // Everyone is known before the burst; then every post's answers are written by a transaction of
    // their own, all at once, each in its own order: the same workspace rows, locked from many sides.
    const db = t.database.handle.db;
    await db.execute(sql`
      insert into users (workspace_id, external_id, display_name)
      select w.id, x, x from workspaces w, unnest(${textArray(people)}) x where w.external_id = 'W1'`);
    const postIds: string[] = [];
    for (const day of ['02', '03', '04', '05']) {
      t.clock.set(`2026-11-${day}T09:00:00Z`);
      for (const { channelId } of channels) {
        const daily = await quiz.postDailyQuestion(channelId, `2026-11-${day}`);
        await quiz.markPostDelivered(daily.post.id, {});
        postIds.push(daily.post.id);
      }
    }
    await Promise.all(
      postIds.map((postId, i) =>
        db.transaction(async (tx) => {
          const order = [...people].sort(() => random() - 0.5);
          await tx.execute(sql`
            insert into answers (post_id, user_id, choice, correct, points, answered_at)
            select ${postId}::uuid, u.id, '[0]'::jsonb, (x.n + ${i}) % 3 > 0, ((x.n + ${i}) % 3) * 5,
                   timestamptz '2026-11-02T10:00:00Z' + ${i} * interval '1 day' / 2
            from unnest(${textArray(order)}) with ordinality as x (external_id, n)
            join users u on u.external_id = x.external_id`);
        }),
      ),
    );
    expect(await disagreement(t)).toMatchObject({ extra: 0, missing: 0 });

    // The workspace board and a person's place agree with a board recounted from the answers.
    t.clock.set('2026-11-05T12:00:00Z');
    const recount = await queryRows<{ name: string; points: number }>(
      db,
      sql`select coalesce(u.display_name, u.external_id) as name, sum(a.points)::int as points
          from answers a join users u on u.id = a.user_id group by 1 order by 2 desc, 1`,
    );
    const board = await quiz.leaderboard(channelKey(), { period: 'all', scope: 'workspace' });
    expect(board.rows.map((r) => [r.name, r.points])).toEqual(
      recount.slice(0, 10).map((r) => [r.name, r.points]),
    );
    const last = recount.at(-1)!;
    const stats = await quiz.personalStats(person(last.name, last.name));
    expect(stats.points).toBe(last.points);
    expect(stats.rank).toBe(recount.filter((r) => r.points > last.points).length + 1);
    expect(stats.rankedPeople).toBe(recount.length);
  }, 120_000);
});
