import { type Card, createEmptyCard, type FSRS, fsrs, type Grade, Rating, type State } from 'ts-fsrs';

/** One person's memory of one question, as FSRS models it. */
export interface CardState {
  due: Date;
  /** Days until recall probability falls to 90 %. */
  stability: number;
  /** 1 (easy) … 10 (hard), as FSRS learns it from this person's answers. */
  difficulty: number;
  /** 0 new, 1 learning, 2 review, 3 relearning. */
  state: 0 | 1 | 2 | 3;
  reps: number;
  lapses: number;
  scheduledDays: number;
  learningSteps: number;
  lastReview: Date | null;
}

/** How an answer went, as the learning engine rates it. */
export interface AnswerOutcome {
  correct: boolean;
  /** Answered fast for its type (the caller decides; see QUICK_SECONDS). */
  quick?: boolean;
  /** true "I was sure", false "I guessed", undefined not said. */
  sure?: boolean;
  at: Date;
}

export interface SchedulerSettings {
  /** Recall probability a review is scheduled at, 0.7–0.97. */
  retention: number;
  /** Longest wait between two reviews of a card, in days. */
  maximumIntervalDays: number;
}

/**
 * Defaults. Retention 0.9 is FSRS's own default and sits where its simulations find the least
 * review work per remembered question; a pass needs about 70 % on the day, so 90 % recall of what
 * was studied leaves room for what was not. 60 days caps the wait because preparing for AIF-C01
 * takes weeks, not years: even a well-known card comes back once within a typical preparation,
 * and the exam guide, hence the bank, changes under it. Callers with an exam date may lower it.
 */
export const DEFAULT_SCHEDULER_SETTINGS: SchedulerSettings = { retention: 0.9, maximumIntervalDays: 60 };

/** An answer faster than this (single choice; twice it for other types) may be rated Easy. */
export const QUICK_SECONDS = 20;

/**
 * The FSRS rating of an answer. Wrong is Again. Right is Good; Easy only when quick and marked
 * sure; a lucky guess (right but marked "I guessed") is Hard, so it is not taken for mastery.
 */
export function ratingFor(outcome: Omit<AnswerOutcome, 'at'>): Grade {
  if (!outcome.correct) return Rating.Again;
  if (outcome.sure === false) return Rating.Hard;
  if (outcome.sure === true && outcome.quick === true) return Rating.Easy;
  return Rating.Good;
}

const schedulers = new Map<string, FSRS>();

function schedulerFor(settings: SchedulerSettings): FSRS {
  if (!(settings.retention >= 0.7 && settings.retention <= 0.97)) {
    throw new RangeError(`retention must be between 0.7 and 0.97, not ${settings.retention}`);
  }
  if (!(Number.isInteger(settings.maximumIntervalDays) && settings.maximumIntervalDays >= 1)) {
    throw new RangeError(`maximumIntervalDays must be a whole number of days ≥ 1`);
  }
  const key = `${settings.retention}:${settings.maximumIntervalDays}`;
  let scheduler = schedulers.get(key);
  if (!scheduler) {
    scheduler = fsrs({
      request_retention: settings.retention,
      maximum_interval: settings.maximumIntervalDays,
      // Same answers, same schedule: reproducible tests and explainable due dates. Fuzz exists to
      // spread cards studied together; the bot serves one question at a time, most overdue first.
      enable_fuzz: false,
      // No minute-long learning steps: the bot never re-asks within minutes (a question just
      // explained would test reading, not recall), so a miss comes back the next day.
      enable_short_term: false,
    });
    schedulers.set(key, scheduler);
  }
  return scheduler;
}

/** A card for a question never answered, due at once. */
export function newCard(at: Date): CardState {
  return fromFsrs(createEmptyCard(at));
}

/**
 * The card after one answer, and the rating it was given. An answer dated before the card's last
 * review (a late-arriving batch) is taken as given at that review, so time never runs backwards.
 *
 * @example reviewAnswer(newCard(now), { correct: true, sure: true, quick: true, at: now }).card.due
 */
export function reviewAnswer(
  card: CardState,
  outcome: AnswerOutcome,
  settings: SchedulerSettings = DEFAULT_SCHEDULER_SETTINGS,
): { card: CardState; rating: Grade } {
  const rating = ratingFor(outcome);
  const at =
    card.lastReview && outcome.at.getTime() < card.lastReview.getTime() ? card.lastReview : outcome.at;
  const next = fromFsrs(schedulerFor(settings).next(toFsrs(card), at, rating).card);
  // ts-fsrs keeps Easy at least a day past Good even when Good already sits at the cap.
  if (next.scheduledDays > settings.maximumIntervalDays) {
    next.scheduledDays = settings.maximumIntervalDays;
    next.due = new Date(at.getTime() + settings.maximumIntervalDays * 86_400_000);
  }
  return { card: next, rating };
}

/** Probability of recalling the card's answer at `at`, 0–1 (0 for a card never reviewed). */
export function recallProbability(
  card: CardState,
  at: Date,
  settings: SchedulerSettings = DEFAULT_SCHEDULER_SETTINGS,
): number {
  if (card.state === 0) return 0;
  return schedulerFor(settings).get_retrievability(toFsrs(card), at, false);
}

function toFsrs(card: CardState): Card {
  return {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    elapsed_days: 0,
    scheduled_days: card.scheduledDays,
    learning_steps: card.learningSteps,
    reps: card.reps,
    lapses: card.lapses,
    state: card.state as State,
    ...(card.lastReview ? { last_review: card.lastReview } : {}),
  };
}

function fromFsrs(card: Card): CardState {
  return {
    due: card.due,
    stability: card.stability,
    difficulty: card.difficulty,
    state: card.state as CardState['state'],
    reps: card.reps,
    lapses: card.lapses,
    scheduledDays: card.scheduled_days,
    learningSteps: card.learning_steps,
    lastReview: card.last_review ?? null,
  };
}
