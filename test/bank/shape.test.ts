import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import { computeStats } from '../../src/bank/stats.js';
import { ROOT } from '../support/cli.js';

// The bank's shape is part of the product: daily draws follow the exam's domain weights and every
// topic must have enough questions for weak-topic practice. These bounds stop a later edit from
// silently breaking either.
describe('the question bank shape', async () => {
  const bank = await loadBank(path.join(ROOT, 'questions'));
  const stats = computeStats(bank);
  const share = (n: number) => (n / stats.active) * 100;

  it('holds at least 420 active questions', () => {
    expect(stats.active).toBeGreaterThanOrEqual(420);
  });

  it.each([1, 2, 3, 4, 5])('domain %i is within 3 percentage points of its exam weight', (domain) => {
    const row = stats.byDomain.find((d) => d.domain === domain);
    expect(Math.abs((row?.share ?? 0) - (row?.weight ?? 0))).toBeLessThanOrEqual(3);
  });

  it('keeps general AWS background to at most 5% of the bank', () => {
    expect(share(stats.byDomain.find((d) => d.domain === 0)?.count ?? 0)).toBeLessThanOrEqual(5);
  });

  it('gives every topic at least 5 active questions', () => {
    expect(stats.thinTopics).toEqual([]);
  });

  it('mixes the item types as the exam does', () => {
    expect(share(stats.byType.multiple ?? 0)).toBeGreaterThanOrEqual(12);
    expect(share(stats.byType.ordering ?? 0)).toBeGreaterThanOrEqual(5);
    expect(share(stats.byType.matching ?? 0)).toBeGreaterThanOrEqual(5);
  });

  it('spreads difficulty, roughly a third each', () => {
    for (const level of ['1', '2', '3']) {
      expect(share(stats.byDifficulty[level] ?? 0), `level ${level}`).toBeGreaterThanOrEqual(20);
      expect(share(stats.byDifficulty[level] ?? 0), `level ${level}`).toBeLessThanOrEqual(45);
    }
  });
});
