import type { Clock } from '../../clock.js';
import type { UserRow } from '../people/people.repository.js';
import type { createPracticeAnswersRepository as createProgressRepository } from '../practice/practice-answers.repository.js';
import type { Choice, Question } from '../question.js';
import type { Actor, AnswerResult } from '../types.js';
import type { PostRow } from './posts.repository.js';
import type { createRecorderStore as createPostsRepository } from './recorder-store.js';

/** A click waiting for its group to be written. */
export interface Pending {
  actor: Actor;
  postId: string;
  rawChoice: unknown;
  /** Set once the click has its result or its error. */
  settled: boolean;
  resolve(result: AnswerResult): void;
  reject(error: unknown): void;
}

/** What is shown of an answer already given. */
export type Answered = { choice: unknown; correct: boolean; points: number };

/** An answer that passed every check and waits for its person's history and the write. */
export interface Checked {
  item: Pending;
  post: PostRow;
  question: Question;
  choice: Choice;
  user: UserRow;
  /** Closed when the click arrived: kept as a practice answer, not scored. */
  late: boolean;
}

export interface AnswerRecorderDeps {
  clock: Clock;
  postsRepo: ReturnType<typeof createPostsRepository>;
  progress: ReturnType<typeof createProgressRepository>;
  /** The people behind the actors, in the same order, created on first sight. */
  usersOf(actors: Actor[]): Promise<UserRow[]>;
  /** The row id of an actor's workspace (remembered after the first). */
  workspaceIdOf(actor: Actor): Promise<string>;
  questionOf(post: PostRow): Promise<Question>;
  /** For each click, whether its person answered this post before asking to be forgotten. */
  answeredBeforeErasure(clicks: Array<{ postId: string; actor: Actor }>): Promise<boolean[]>;
  /** Told once per group of the answers it committed (not awaited: the learning engine's cards). */
  onStored?(at: Date, stored: Array<Checked & { correct: boolean }>): void;
}
