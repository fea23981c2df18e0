import type { CardsRepository, LearningAnswer } from './cards.repository.js';

/**
 * Applies answers to their cards after the answers themselves are committed, without making the
 * person wait for it: a click's reply goes out while its card is written. Nothing is lost when this
 * fails or the process dies in between: the answer rows are the record, and `catchUpCards` (run at
 * start-up) applies any answer the review log does not hold yet. Readers of the learning state in
 * this process (the next practice question, a confidence tap, stats) first wait for `settled()`,
 * so they see the answer just given.
 *
 * @example writer.record(answersOfTheGroup); … await writer.settled();
 */
export function createLearningWriter(options: {
  cards: CardsRepository;
  /** Told when a batch could not be applied (the start-up catch-up will apply it). */
  onError?(error: unknown, answers: number): void;
}) {
  const inFlight = new Set<Promise<void>>();
  return {
    /** Applies a batch in the background: one read and one write for the whole batch. */
    record(answers: LearningAnswer[]): void {
      if (answers.length === 0) return;
      const applying = options.cards.applyAnswers(answers).then(
        () => undefined,
        (error: unknown) => options.onError?.(error, answers.length),
      );
      inFlight.add(applying);
      void applying.finally(() => inFlight.delete(applying));
    },

    /** Reports answers that could not even be handed over (the start-up catch-up will apply them). */
    failed(error: unknown, answers: number): void {
      options.onError?.(error, answers);
    },

    /** Resolves once every batch recorded so far is written (or has failed and been reported). */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type LearningWriter = ReturnType<typeof createLearningWriter>;
