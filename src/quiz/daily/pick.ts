import { DOMAINS, type ExamDomain } from '../../bank/schema.js';
import type { PoolQuestion } from '../questions/questions.repository.js';

/** Background questions (domain 0) are drawn at their share of the bank, but never above this. */
const BACKGROUND_MAX_SHARE = 0.05;

export interface PickInput {
  pool: PoolQuestion[];
  /** What this channel was asked before, newest first. */
  history: Array<{ questionId: string; topic: string; domain: number }>;
  random: () => number;
}

/**
 * Chooses a channel's next question of the day.
 * - Nothing repeats until every active question has been asked once in the channel (then a new
 *   round starts), which more than meets "not before 90% of the bank".
 * - Domains follow the exam's weights over time: the domain furthest behind its share of the
 *   channel's history goes next.
 * - Not the same topic as the day before, unless nothing else is left.
 */
export function pickQuestion({ pool, history, random }: PickInput): PoolQuestion | undefined {
  if (pool.length === 0) return undefined;
  const timesAsked = new Map<string, number>();
  for (const h of history) timesAsked.set(h.questionId, (timesAsked.get(h.questionId) ?? 0) + 1);
  let fresh = pool;
  // A channel that has asked nothing yet (or not every question yet) needs no counting pass.
  if (timesAsked.size >= pool.length) {
    let fewest = Number.POSITIVE_INFINITY;
    for (const q of pool) fewest = Math.min(fewest, timesAsked.get(q.id) ?? 0);
    fresh = pool.filter((q) => (timesAsked.get(q.id) ?? 0) === fewest);
  } else if (timesAsked.size > 0) {
    fresh = pool.filter((q) => !timesAsked.has(q.id));
  }

  const lastTopic = history[0]?.topic;
  const notRepeatingTopic = fresh.filter((q) => q.topic !== lastTopic);
  const candidates = notRepeatingTopic.length > 0 ? notRepeatingTopic : fresh;

  const weights = domainWeights(pool);
  const asked = new Map<number, number>();
  for (const h of history) asked.set(h.domain, (asked.get(h.domain) ?? 0) + 1);
  const total = history.length + 1;
  const domains = [...new Set(candidates.map((q) => q.domain))];
  // Largest deficit first: how far this domain is behind its weight after one more question.
  domains.sort((a, b) => {
    const deficit = (d: number) => (weights.get(d) ?? 0) * total - (asked.get(d) ?? 0);
    return deficit(b) - deficit(a) || random() - 0.5;
  });
  const domain = domains[0];
  const inDomain = candidates.filter((q) => q.domain === domain);
  return inDomain[Math.floor(random() * inDomain.length)];
}

const weightsByPool = new WeakMap<PoolQuestion[], Map<number, number>>();

/** Target share per domain: the exam weights for domains 1–5, and background at its bank share (capped). */
export function domainWeights(pool: PoolQuestion[]): Map<number, number> {
  const known = weightsByPool.get(pool);
  if (known) return known;
  const weights = computeWeights(pool);
  weightsByPool.set(pool, weights);
  return weights;
}

function computeWeights(pool: PoolQuestion[]): Map<number, number> {
  const background = Math.min(
    pool.filter((q) => q.domain === 0).length / Math.max(pool.length, 1),
    BACKGROUND_MAX_SHARE,
  );
  const present = new Set(pool.map((q) => q.domain));
  const examTotal = Object.entries(DOMAINS)
    .filter(([d]) => present.has(Number(d)))
    .reduce((sum, [, v]) => sum + v.weight, 0);
  const weights = new Map<number, number>();
  for (const d of present) {
    if (d === 0) weights.set(0, background);
    else
      weights.set(d, ((DOMAINS[d as ExamDomain]?.weight ?? 0) / Math.max(examTotal, 1)) * (1 - background));
  }
  return weights;
}
