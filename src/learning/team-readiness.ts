import type { Readiness } from './readiness.js';

/** Fewer people with a verdict than this, and a team's readiness is not shown (it would point at someone). */
export const MIN_TEAM_FOR_READINESS = 3;

/** A team's readiness in figures that name nobody. */
export interface TeamReadinessSummary {
  /** People with enough answers for a verdict. */
  people: number;
  /** Their median predicted scaled score. */
  median: number;
  /** How many of them are predicted at or above the pass mark (700). */
  predictedToPass: number;
}

/**
 * The median and the count predicted to pass among the people with enough answers; undefined when
 * fewer than MIN_TEAM_FOR_READINESS have them.
 */
export function summariseTeamReadiness(all: Iterable<Readiness>): TeamReadinessSummary | undefined {
  const scores = [...all]
    .filter((r) => r.verdict !== 'not enough answers yet')
    .map((r) => r.score)
    .sort((a, b) => a - b);
  if (scores.length < MIN_TEAM_FOR_READINESS) return undefined;
  const mid = Math.floor(scores.length / 2);
  const median =
    scores.length % 2
      ? (scores[mid] as number)
      : Math.round(((scores[mid - 1] as number) + (scores[mid] as number)) / 2);
  return { people: scores.length, median, predictedToPass: scores.filter((s) => s >= 700).length };
}
