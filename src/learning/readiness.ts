import { DOMAINS, type ExamDomain } from '../bank/schema.js';
import type { ReviewSource } from './learning.table.js';

/** One answer as readiness sees it. */
export interface ReadinessAnswer {
  domain: number;
  correct: boolean;
  at: Date;
  source: ReviewSource;
  /** true "I was sure", false "I guessed", null/undefined not said. */
  sure?: boolean | null;
  /** When given, repeated answers to one question count less (see REPEAT_DAMPING below). */
  questionId?: string;
}

export type ReadinessVerdict = 'likely pass' | 'borderline' | 'not yet' | 'not enough answers yet';

export interface DomainReadiness {
  domain: ExamDomain;
  /** Share of the exam's scored questions, 0–1. */
  weight: number;
  /** Estimated chance of answering one of its exam questions right, 0–1 (posterior mean). */
  mastery: number;
  answers: number;
}

export interface Readiness {
  /** Predicted scaled score, 100–1000; 700 passes. */
  score: number;
  /** An 80 % band around it, within 100–1000. */
  low: number;
  high: number;
  passProbability: number;
  verdict: ReadinessVerdict;
  answers: number;
  domains: DomainReadiness[];
}

/** The model's knobs; README "How readiness is estimated" explains each. */
export const READINESS_MODEL = {
  /** An answer's weight halves every this many days: what you knew in spring says little now. */
  halfLifeDays: 30,
  /** Answers older than this are ignored altogether. */
  windowDays: 365,
  /** Beta prior per domain: as if 2 right and 2 wrong were already in (mean 50 %, worth 4 answers). */
  priorRight: 2,
  priorWrong: 2,
  /** A mock-exam answer counts double: timed, mixed and not chosen by the learner. */
  mockWeight: 2,
  /** A guess counts half: right or wrong, it says less about what someone knows. */
  guessWeight: 0.5,
  /** Share of scored questions right that we assume maps to 700 (AWS does not publish it). */
  passShare: 0.7,
  /** Scored questions on the real exam: even a known mastery scores differently from sitting to sitting. */
  scoredItems: 50,
  /** Half-width of the band in standard deviations: 1.2816 leaves 10 % out on each side (80 %). */
  bandZ: 1.2816,
  /** Below these, the verdict is "not enough answers yet" (the figures are still given). */
  minAnswers: 30,
  minPerDomain: 3,
  /** Pass probability at or above which the verdict is "likely pass", and below which "not yet". */
  likelyPass: 0.8,
  notYet: 0.2,
} as const;

const DAY_MS = 86_400_000;

/**
 * The AIF-C01 scaled score for a share of scored questions answered right: linear from 100 (none)
 * to 700 at the assumed pass share, and from there to 1000 (all). AWS equates forms and does not
 * publish this mapping; it is an assumption with one anchor (the pass mark), not a measurement.
 */
export function scaledScore(share: number, passShare: number = READINESS_MODEL.passShare): number {
  const p = Math.min(1, Math.max(0, share));
  const scaled =
    p <= passShare ? 100 + (600 * p) / passShare : 700 + (300 * (p - passShare)) / (1 - passShare);
  return Math.round(scaled);
}

/**
 * Predicts a person's AIF-C01 scaled score from their answer history. Per exam domain, a
 * Beta-binomial estimate of mastery from recency-weighted answers (mock answers weigh more,
 * guesses less, repeats of one question less), shrunk toward a 50 % prior when answers are few;
 * the domains are combined at the exam's weights. The band adds the uncertainty of those estimates
 * to the luck of drawing 50 scored questions.
 *
 * @example estimateReadiness(history, clock.now()).verdict // 'borderline'
 */
export function estimateReadiness(history: readonly ReadinessAnswer[], now: Date): Readiness {
  return readinessFromEvidence(domainEvidence(history, now));
}

/** Weighted right and wrong answers per exam domain, and how many answers there were. */
export type DomainEvidence = Map<number, { right: number; wrong: number; answers: number }>;

/** The weight of each answer, summed per exam domain (the same sums reviews.repository.ts makes in SQL). */
export function domainEvidence(history: readonly ReadinessAnswer[], now: Date): DomainEvidence {
  const m = READINESS_MODEL;
  const inWindow = history.filter(
    (a) =>
      a.domain in DOMAINS &&
      a.at.getTime() <= now.getTime() &&
      now.getTime() - a.at.getTime() < m.windowDays * DAY_MS,
  );
  const repeats = new Map<string, number>();
  for (const a of inWindow) if (a.questionId) repeats.set(a.questionId, (repeats.get(a.questionId) ?? 0) + 1);

  const evidence: DomainEvidence = new Map();
  for (const a of inWindow) {
    const ageDays = (now.getTime() - a.at.getTime()) / DAY_MS;
    const weight =
      0.5 ** (ageDays / m.halfLifeDays) *
      (a.source === 'mock' ? m.mockWeight : 1) *
      (a.sure === false ? m.guessWeight : 1) *
      // Answering one question right ten times shows memory of it more than mastery of its domain.
      (a.questionId ? 1 / Math.sqrt(repeats.get(a.questionId) ?? 1) : 1);
    const e = evidence.get(a.domain) ?? { right: 0, wrong: 0, answers: 0 };
    if (a.correct) e.right += weight;
    else e.wrong += weight;
    e.answers++;
    evidence.set(a.domain, e);
  }
  return evidence;
}

/** The prediction from per-domain evidence: Beta posteriors combined at the exam's weights. */
export function readinessFromEvidence(evidence: DomainEvidence): Readiness {
  const m = READINESS_MODEL;
  const totalWeight = Object.values(DOMAINS).reduce((sum, d) => sum + d.weight, 0);
  let mean = 0;
  let variance = 0;
  const domains: DomainReadiness[] = [];
  for (const [key, info] of Object.entries(DOMAINS)) {
    const domain = Number(key) as ExamDomain;
    const e = evidence.get(domain) ?? { right: 0, wrong: 0, answers: 0 };
    const alpha = m.priorRight + e.right;
    const beta = m.priorWrong + e.wrong;
    const n = alpha + beta;
    const mastery = alpha / n;
    const weight = info.weight / totalWeight;
    mean += weight * mastery;
    variance += weight ** 2 * ((alpha * beta) / (n ** 2 * (n + 1)));
    domains.push({ domain, weight, mastery, answers: e.answers });
  }
  variance += (mean * (1 - mean)) / m.scoredItems;
  const sd = Math.sqrt(variance);

  const passProbability = 1 - normalCdf((m.passShare - mean) / sd);
  const answers = domains.reduce((n, d) => n + d.answers, 0);
  const thin = answers < m.minAnswers || domains.some((d) => d.answers < m.minPerDomain);
  const verdict: ReadinessVerdict = thin
    ? 'not enough answers yet'
    : passProbability >= m.likelyPass
      ? 'likely pass'
      : passProbability < m.notYet
        ? 'not yet'
        : 'borderline';
  return {
    score: scaledScore(mean),
    low: scaledScore(mean - m.bandZ * sd),
    high: scaledScore(mean + m.bandZ * sd),
    passProbability,
    verdict,
    answers,
    domains,
  };
}

/** Standard normal distribution function (Abramowitz and Stegun 7.1.26; error below 1.5e-7). */
function normalCdf(x: number): number {
  const t = 1 / (1 + (0.3275911 * Math.abs(x)) / Math.SQRT2);
  const poly =
    t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erf = 1 - poly * Math.exp(-(x * x) / 2);
  return x >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
