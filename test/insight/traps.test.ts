import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInsightRepository } from '../../src/insight/insight.repository.js';
import { digestDaysAt, findWeekTraps } from '../../src/insight/traps.js';
import { createInsightDatabase } from './seed.js';

type Setup = Awaited<ReturnType<typeof createInsightDatabase>>;
let t: Setup;
let channelId: string;
let quietId: string;
let people: string[];
const week = digestDaysAt(new Date('2026-11-30T09:00:00Z'), 'UTC');

beforeAll(async () => {
  t = await createInsightDatabase();
  channelId = (await t.seed.channel('C1')).id;
  quietId = (await t.seed.channel('C2')).id;
  people = await t.seed.people(6);
  const who = (i: number) => people[i] as string;
  // 4 of 5 right.
  const easy = await t.seed.post(channelId, '2026-11-24', 'learning-types-001');
  await t.seed.answer(
    easy,
    [0, 1, 2, 3].map((i) => ({ userId: who(i), choice: [0], correct: true })),
  );
  await t.seed.answer(easy, [{ userId: who(4), choice: [2], correct: false }]);
  // 1 of 6 right: the hardest. Three fell for C, two for D.
  const hard = await t.seed.post(channelId, '2026-11-25', 'access-001');
  await t.seed.answer(hard, [
    { userId: who(0), choice: [0], correct: true },
    ...[1, 2, 3].map((i) => ({ userId: who(i), choice: [2], correct: false })),
    ...[4, 5].map((i) => ({ userId: who(i), choice: [3], correct: false })),
  ]);
  // Harder still, but posted on the digest's own day: it may still be open, so it is left out.
  const today = await t.seed.post(channelId, '2026-11-30', 'fairness-001');
  await t.seed.answer(today, [{ userId: who(1), choice: [1], correct: false }]);
  // Harder still, but last week: outside the digest's days.
  const before = await t.seed.post(channelId, '2026-11-20', 'fairness-001');
  await t.seed.answer(before, [{ userId: who(0), choice: [1], correct: false }]);
  // A multiple-answer question where every wrong answer also picked right options.
  const multi = await t.seed.post(quietId, '2026-11-26', 'genai-basics-001');
  await t.seed.answer(multi, [
    { userId: who(0), choice: [0, 1, 4], correct: false },
    { userId: who(1), choice: [0, 4], correct: false },
    { userId: who(2), choice: [1, 2], correct: false },
  ]);
});

afterAll(() => t?.database.destroy());

describe("the week's traps", () => {
  it('the digest covers the seven days before it, as its text does', () => {
    expect(week).toEqual({ fromDate: '2026-11-23', toDate: '2026-11-29' });
  });

  it('name the hardest question, the wrong option most people chose, and why it is wrong', async () => {
    const traps = await findWeekTraps(createInsightRepository(t.db), { channelId, ...week });
    expect(traps).toMatchObject({
      questionId: 'access-001',
      questionVersion: 1,
      topic: 'access',
      localDate: '2026-11-25',
      answers: 6,
      correct: 1,
      trap: {
        label: 'C',
        index: 2,
        text: 'An administrator policy',
        picks: 3,
        why: 'Far broader than the task needs.',
      },
    });
    expect(traps?.stem).toMatch(/\S/);
    expect(traps?.explanation).toMatch(/\S/);
  });

  it('in a multiple-answer question, only a wrong option can be the trap', async () => {
    const traps = await findWeekTraps(createInsightRepository(t.db), { channelId: quietId, ...week });
    // E was picked twice (with right options); A and B are right, however often they were picked.
    expect(traps?.trap).toMatchObject({ label: 'E', picks: 2 });
  });

  it('there are none in a week nobody answered', async () => {
    const empty = await t.seed.channel('C3');
    expect(
      await findWeekTraps(createInsightRepository(t.db), { channelId: empty.id, ...week }),
    ).toBeUndefined();
  });
});
