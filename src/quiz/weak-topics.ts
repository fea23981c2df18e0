/**
 * How sure we are that someone is weak at a topic. Accuracy is smoothed with a Beta prior worth
 * PRIOR_CORRECT right and PRIOR_WRONG wrong answers (a prior mean of 75%), so one slip is not a
 * weakness; answers lose half their weight every HALF_LIFE_DAYS, so recent answers count more.
 */
export const PRIOR_CORRECT = 3;
export const PRIOR_WRONG = 1;
export const HALF_LIFE_DAYS = 30;
/** A topic needs this many answers before it can be called weak. */
export const MIN_ANSWERS = 3;
/** Smoothed accuracy below this is a weakness. */
export const WEAK_BELOW = 0.7;

export interface TopicFigures {
  topic: string;
  domain: number;
  answered: number;
  correct: number;
  /** Raw share answered correctly, 0–1. */
  accuracy: number;
  /** Smoothed, recency-weighted accuracy, 0–1. */
  score: number;
}

export function topicFigures(
  attempts: Array<{ topic: string; domain: number; correct: boolean; answeredAt: Date }>,
  now: Date,
): TopicFigures[] {
  const byTopic = new Map<
    string,
    { domain: number; answered: number; correct: number; wRight: number; wWrong: number }
  >();
  for (const a of attempts) {
    const ageDays = Math.max(0, (now.getTime() - a.answeredAt.getTime()) / 86_400_000);
    const weight = 0.5 ** (ageDays / HALF_LIFE_DAYS);
    const t = byTopic.get(a.topic) ?? { domain: a.domain, answered: 0, correct: 0, wRight: 0, wWrong: 0 };
    t.answered++;
    if (a.correct) {
      t.correct++;
      t.wRight += weight;
    } else {
      t.wWrong += weight;
    }
    byTopic.set(a.topic, t);
  }
  return [...byTopic.entries()].map(([topic, t]) => ({
    topic,
    domain: t.domain,
    answered: t.answered,
    correct: t.correct,
    accuracy: t.correct / t.answered,
    score: (t.wRight + PRIOR_CORRECT) / (t.wRight + t.wWrong + PRIOR_CORRECT + PRIOR_WRONG),
  }));
}

/** The weakest topics, weakest first: at least MIN_ANSWERS answers and a smoothed score under WEAK_BELOW. */
export function weakestTopics(figures: TopicFigures[], limit = 3): TopicFigures[] {
  return figures
    .filter((f) => f.answered >= MIN_ANSWERS && f.score < WEAK_BELOW)
    .sort((a, b) => a.score - b.score || b.answered - a.answered)
    .slice(0, limit);
}
