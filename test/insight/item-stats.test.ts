import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  computeItemStats,
  flagItem,
  formatItemStats,
  type ItemStats,
  MIN_ANSWERS_TO_FLAG,
} from '../../src/insight/item-stats.js';
import { createItemStatsRepository } from '../../src/insight/item-stats.repository.js';
import { createInsightDatabase } from './seed.js';

type Setup = Awaited<ReturnType<typeof createInsightDatabase>>;
let t: Setup;
let items: ItemStats[];
/** Every answer seeded, to compute the discrimination index again the slow, obvious way. */
const history: Array<{ item: string; userId: string; correct: boolean }> = [];

const byId = (id: string) => items.find((i) => i.questionId === id) as ItemStats;

beforeAll(async () => {
  t = await createInsightDatabase();
  const [c1, c2] = [await t.seed.channel('C1'), await t.seed.channel('C2')];
  const people = await t.seed.people(12);
  const strong = people.slice(0, 6);
  const weak = people.slice(6);
  const ask = async (
    channelId: string,
    date: string,
    item: string,
    given: Array<{ userId: string; choice: number[]; correct: boolean }>,
  ) => {
    await t.seed.answer(await t.seed.post(channelId, date, item), given);
    for (const g of given) history.push({ item, userId: g.userId, correct: g.correct });
  };
  const right = (choice: number[]) => (userId: string) => ({ userId, choice, correct: true });
  const wrong = (choice: number[]) => (userId: string) => ({ userId, choice, correct: false });

  // Everyone gets the easy one.
  await ask(c1.id, '2026-11-02', 'learning-types-001', people.map(right([0])));
  // Strong learners get these, weak ones do not; genai-basics-002 is asked in both channels.
  await ask(c1.id, '2026-11-03', 'genai-basics-002', strong.map(right([0])));
  await ask(c2.id, '2026-11-03', 'genai-basics-002', weak.map(wrong([2])));
  await ask(c1.id, '2026-11-04', 'retrieval-002', [...strong.map(right([1])), ...weak.map(wrong([0]))]);
  // The strong fail this one and the weak pass it: negative discrimination.
  await ask(c1.id, '2026-11-05', 'fairness-001', [...strong.map(wrong([1])), ...weak.map(right([0]))]);
  // Almost nobody: one right, most fall for option C.
  await ask(c1.id, '2026-11-06', 'access-001', [
    right([0])(people[0] as string),
    ...people.slice(1, 9).map(wrong([2])),
    ...people.slice(9).map(wrong([3])),
  ]);
  // Too few answers to flag, though all but one are right; a multiple-answer choice picks two options.
  await ask(c2.id, '2026-11-09', 'genai-basics-001', [
    ...people.slice(0, 3).map(right([0, 1])),
    wrong([0, 2])(people[3] as string),
  ]);
  // Asked, never answered.
  await t.seed.post(c2.id, '2026-11-10', 'retrieval-001');

  items = await computeItemStats(createItemStatsRepository(t.db));
});

afterAll(() => t?.database.destroy());

/** Pearson correlation of (right on the item) with (the person's share right on everything else). */
function expectedDiscrimination(item: string): number | null {
  const pairs = history
    .filter((h) => h.item === item)
    .flatMap((h) => {
      const rest = history.filter((o) => o.userId === h.userId && o !== h);
      if (rest.length === 0) return [];
      return [[h.correct ? 1 : 0, rest.filter((o) => o.correct).length / rest.length] as const];
    });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const mx = mean(pairs.map((p) => p[0]));
  const my = mean(pairs.map((p) => p[1]));
  const cov = pairs.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const vx = pairs.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  const vy = pairs.reduce((s, [, y]) => s + (y - my) ** 2, 0);
  return vx === 0 || vy === 0 ? null : cov / Math.sqrt(vx * vy);
}

describe('item statistics across all channels', () => {
  it('counts times asked in every channel, answers and the share right', () => {
    expect(byId('genai-basics-002')).toMatchObject({ asked: 2, answers: 12, correct: 6, shareCorrect: 0.5 });
    expect(byId('learning-types-001')).toMatchObject({ asked: 1, answers: 12, shareCorrect: 1 });
    expect(byId('retrieval-001')).toMatchObject({
      asked: 1,
      answers: 0,
      shareCorrect: null,
      discrimination: null,
      optionShares: null,
      flags: [],
    });
    expect(items.map((i) => i.questionId)).not.toContain('access-002');
  });

  it('gives the share of answers that picked each option, marking the right ones', () => {
    expect(byId('access-001').optionShares).toEqual([
      { label: 'A', correct: true, share: 1 / 12 },
      { label: 'B', correct: false, share: 0 },
      { label: 'C', correct: false, share: 8 / 12 },
      { label: 'D', correct: false, share: 3 / 12 },
    ]);
    // Multiple answer: a choice of two options counts for both.
    expect(byId('genai-basics-001').optionShares?.map((o) => o.share)).toEqual([1, 0.75, 0.25, 0, 0]);
  });

  it('computes the discrimination index as the point-biserial correlation with the rest of a person’s record', () => {
    for (const item of [
      'genai-basics-002',
      'retrieval-002',
      'fairness-001',
      'access-001',
      'genai-basics-001',
    ]) {
      const expected = expectedDiscrimination(item) as number;
      expect(byId(item).discrimination).toBeCloseTo(expected, 10);
    }
    expect(byId('retrieval-002').discrimination).toBeGreaterThan(0.3);
    expect(byId('fairness-001').discrimination).toBeLessThan(-0.3);
    // Everyone right: no spread, so no index rather than a made-up one.
    expect(byId('learning-types-001').discrimination).toBeNull();
  });

  it('flags the items nearly everyone gets, almost nobody gets, or strong learners fail more', () => {
    expect(byId('learning-types-001').flags).toEqual(['too_easy']);
    expect(byId('access-001').flags).toEqual(['too_hard']);
    expect(byId('fairness-001').flags).toEqual(['negative_discrimination']);
    expect(byId('retrieval-002').flags).toEqual([]);
    expect(byId('genai-basics-001').flags).toEqual([]);
    expect(flagItem({ answers: MIN_ANSWERS_TO_FLAG - 1, correct: 0, discrimination: -1 })).toEqual([]);
    expect(flagItem({ answers: 20, correct: 19, discrimination: 0.1 })).toEqual([]);
    expect(flagItem({ answers: 40, correct: 39, discrimination: 0.1 })).toEqual(['too_easy']);
  });

  it('prints one line per question and the candidates for review', () => {
    const text = formatItemStats(items);
    expect(text).toMatch(/access-001 v1\s+1\s+12\s+8%\s+-?\d\.\d\d\s+A 8%\*\s+B 0%\s+C 67%\s+D 25%/);
    expect(text).toContain('3 candidate(s) for review');
    expect(text).toContain('fairness-001 v1: strong learners get it wrong more often than weak ones');
    expect(text).toContain('learning-types-001 v1: nearly everyone right (over 95%)');
    expect(text).toContain('access-001 v1: almost nobody right (under 20%)');
  });
});
