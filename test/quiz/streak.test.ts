import { describe, expect, it } from 'vitest';
import { currentStreak } from '../../src/quiz/progress/streak.js';

/** Asked questions newest first, from a pattern: o = open, c = closed; the set holds the answered ones. */
function asked(pattern: string) {
  return [...pattern].map((status, i) => ({ postId: `p${i}`, status: status === 'o' ? 'open' : 'closed' }));
}
const answered = (...indexes: number[]) => new Set(indexes.map((i) => `p${i}`));

describe('a current streak, counted from the newest question back', () => {
  it('counts answered questions up to the first miss', () => {
    expect(currentStreak(asked('cccc'), answered(0, 1, 3))).toBe(2);
    expect(currentStreak(asked('cccc'), answered(1, 2, 3))).toBe(0);
    expect(currentStreak(asked('cccc'), answered(0, 1, 2, 3))).toBe(4);
    expect(currentStreak([], answered())).toBe(0);
  });

  it('neither counts nor breaks on an open newest question not yet answered', () => {
    expect(currentStreak(asked('occc'), answered(1, 2))).toBe(2);
    expect(currentStreak(asked('occc'), answered(0, 1, 2))).toBe(3);
    // Only the newest question is skipped so: an unanswered second one ends the streak.
    expect(currentStreak(asked('oocc'), answered(2, 3))).toBe(0);
  });

  it('looks back 400 questions at most, as the digest does', () => {
    const long = asked('c'.repeat(450));
    expect(currentStreak(long, new Set(long.map((p) => p.postId)))).toBe(400);
  });
});
