import type { Database } from '../db/client.js';
import { createCardsRepository } from './cards.repository.js';
import { createConfidence } from './confidence.js';
import { createLearningWriter, type LearningWriter } from './learning-writer.js';
import { createNextQuestion } from './next-question.js';
import { createProfilesRepository } from './profiles.repository.js';
import { createReviewsRepository } from './reviews.repository.js';
import type { SchedulerSettings } from './scheduler.js';
import { createStudyPosition, createUncoveredTopics } from './study-position.js';

/**
 * The learning engine as the quiz uses it: its repositories and queries on one database, and the
 * writer that applies answers to cards after they are committed.
 *
 * @example const learning = createLearning({ db }); learning.writer.record(answers);
 */
/**
 * One writer per database, shared by every quiz built on it (the service builds one per job tick):
 * so whoever waits for `settled()` waits for the answers any of them recorded.
 */
const writers = new WeakMap<Database, LearningWriter>();

export function createLearning(options: {
  db: Database;
  /** Retention target and longest interval of the spaced repetition. */
  settings?: SchedulerSettings;
  /** Told when a batch of answers could not be applied to the cards (the start-up catch-up will). */
  onError?(error: unknown, answers: number): void;
}) {
  const { db } = options;
  const cards = createCardsRepository(db, options.settings);
  return {
    cards,
    writer: writerOf(db, () =>
      createLearningWriter({ cards, ...(options.onError ? { onError: options.onError } : {}) }),
    ),
    reviews: createReviewsRepository(db),
    profiles: createProfilesRepository(db),
    nextQuestion: createNextQuestion(db),
    studyPosition: createStudyPosition(db),
    uncoveredTopics: createUncoveredTopics(db),
    markConfidence: createConfidence(db, options.settings),
  };
}

export type Learning = ReturnType<typeof createLearning>;

function writerOf(db: Database, create: () => LearningWriter): LearningWriter {
  let writer = writers.get(db);
  if (!writer) {
    writer = create();
    writers.set(db, writer);
  }
  return writer;
}
