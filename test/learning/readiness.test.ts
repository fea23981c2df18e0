import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { estimateReadiness, type ReadinessAnswer, scaledScore } from '../../src/learning/readiness.js';
import { seededRandom } from '../support/quiz.js';

const DAY = 86_400_000;
const now = new Date('2026-12-04T18:00:00Z');
const daysAgo = (days: number) => new Date(now.getTime() - days * DAY);
/** The exam's domains in proportion 20/24/28/14/14, cycled. */
const DOMAIN_CYCLE = [1, 1, 2, 2, 2, 3, 3, 3, 3, 4, 5, 1, 2, 3, 4, 5];

/** `perDay` answers a day for `days` days, right with probability `accuracy` (seeded). */
function history(options: {
  days: number;
  perDay: number;
  accuracy: number;
  seed?: number;
  extra?: Partial<ReadinessAnswer>;
}): ReadinessAnswer[] {
  const random = seededRandom(options.seed ?? 7);
  const answers: ReadinessAnswer[] = [];
  for (let day = 0; day < options.days; day++) {
    for (let i = 0; i < options.perDay; i++) {
      const n = day * options.perDay + i;
      answers.push({
        domain: DOMAIN_CYCLE[n % DOMAIN_CYCLE.length] as number,
        correct: random() < options.accuracy,
        at: new Date(daysAgo(day).getTime() - i * 60_000),
        source: 'practice',
        questionId: `q-${n % 700}`,
        ...options.extra,
      });
    }
  }
  return answers;
}

describe('readiness', () => {
  it('someone who answered everything right for 30 days is predicted above 700, a likely pass', () => {
    const r = estimateReadiness(history({ days: 30, perDay: 3, accuracy: 1 }), now);
    expect(r.score).toBeGreaterThan(700);
    expect(r.low).toBeGreaterThan(700);
    expect(r.verdict).toBe('likely pass');
  });

  it('someone answering at chance (a quarter right) is predicted below 500, not yet', () => {
    const r = estimateReadiness(history({ days: 60, perDay: 5, accuracy: 0.25 }), now);
    expect(r.score).toBeLessThan(500);
    expect(r.high).toBeLessThan(700);
    expect(r.verdict).toBe('not yet');
  });

  it('thin evidence widens the band, and too few answers say so', () => {
    const thin = estimateReadiness(history({ days: 4, perDay: 2, accuracy: 0.75 }), now);
    const rich = estimateReadiness(history({ days: 60, perDay: 5, accuracy: 0.75 }), now);
    expect(thin.high - thin.low).toBeGreaterThan(rich.high - rich.low + 50);
    expect(thin.verdict).toBe('not enough answers yet');
    expect(estimateReadiness([], now)).toMatchObject({ verdict: 'not enough answers yet', answers: 0 });
  });

  it('a domain never practised keeps the verdict at "not enough answers yet"', () => {
    const noDomain5 = history({ days: 30, perDay: 5, accuracy: 1 }).filter((a) => a.domain !== 5);
    expect(estimateReadiness(noDomain5, now).verdict).toBe('not enough answers yet');
  });

  it('old answers count less than recent ones', () => {
    const recentRight = [
      ...history({ days: 10, perDay: 5, accuracy: 1 }),
      ...history({ days: 10, perDay: 5, accuracy: 0 }).map((a) => ({
        ...a,
        at: new Date(a.at.getTime() - 120 * DAY),
      })),
    ];
    const recentWrong = [
      ...history({ days: 10, perDay: 5, accuracy: 0 }),
      ...history({ days: 10, perDay: 5, accuracy: 1 }).map((a) => ({
        ...a,
        at: new Date(a.at.getTime() - 120 * DAY),
      })),
    ];
    expect(estimateReadiness(recentRight, now).score).toBeGreaterThan(
      estimateReadiness(recentWrong, now).score + 200,
    );
  });

  it('lucky guesses count less than answers given sure, and mock answers more than practice', () => {
    const base = { days: 20, perDay: 2, accuracy: 1 };
    const sure = estimateReadiness(history({ ...base, extra: { sure: true } }), now);
    const guessed = estimateReadiness(history({ ...base, extra: { sure: false } }), now);
    expect(guessed.score).toBeLessThan(sure.score);
    const mixed = (mockRight: boolean) => [
      ...history({ days: 20, perDay: 2, accuracy: mockRight ? 0.3 : 1 }),
      ...history({ days: 20, perDay: 2, accuracy: mockRight ? 1 : 0.3, seed: 9, extra: { source: 'mock' } }),
    ];
    expect(estimateReadiness(mixed(true), now).score).toBeGreaterThan(
      estimateReadiness(mixed(false), now).score,
    );
  });

  it('answering the same few questions over and over is not taken for mastery of the domain', () => {
    const drilled = history({ days: 30, perDay: 5, accuracy: 1 }).map((a, i) => ({
      ...a,
      questionId: `q-${i % 5}`,
    }));
    const broad = history({ days: 30, perDay: 5, accuracy: 1 });
    expect(estimateReadiness(drilled, now).score).toBeLessThan(estimateReadiness(broad, now).score);
  });

  it('the scaled score runs from 100 to 1000 with 700 at the assumed pass share', () => {
    expect([scaledScore(0), scaledScore(0.7), scaledScore(1), scaledScore(-1), scaledScore(2)]).toEqual([
      100, 700, 1000, 100, 1000,
    ]);
  });

  it('whatever the history, the score and its band stay within 100–1000 and in order', () => {
    const answer = fc.record({
      domain: fc.integer({ min: -1, max: 6 }),
      correct: fc.boolean(),
      at: fc.integer({ min: -800, max: 5 }).map((d) => new Date(now.getTime() + d * DAY)),
      source: fc.constantFrom('daily', 'practice', 'reminder', 'late', 'mock' as const),
      sure: fc.constantFrom(true, false, null, undefined),
      questionId: fc.option(fc.constantFrom('a', 'b', 'c', 'd'), { nil: undefined }),
    });
    fc.assert(
      fc.property(fc.array(answer, { maxLength: 400 }), (answers) => {
        const r = estimateReadiness(answers, now);
        for (const value of [r.score, r.low, r.high]) {
          expect(Number.isInteger(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(100);
          expect(value).toBeLessThanOrEqual(1000);
        }
        expect(r.low).toBeLessThanOrEqual(r.score);
        expect(r.score).toBeLessThanOrEqual(r.high);
        expect(r.passProbability).toBeGreaterThanOrEqual(0);
        expect(r.passProbability).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300, seed: 20261204 },
    );
  });
});
