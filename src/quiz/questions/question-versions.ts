import type { Question } from '../question.js';
import { type QuestionRef, type QuestionsRepository, versionKey } from './questions.repository.js';

/**
 * Remembers question versions, which never change once stored: a burst of clicks on one post, or
 * a morning fan-out asking the same few questions, reads each version once. The memory is emptied
 * when it grows past `max`.
 */
export function createQuestionVersions(options: { repository: QuestionsRepository; max?: number }) {
  const max = options.max ?? 5_000;
  const known = new Map<string, Question>();

  function remember(key: string, question: Question): void {
    if (known.size > max) known.clear();
    known.set(key, question);
  }

  async function find(ref: QuestionRef): Promise<Question | undefined> {
    const key = versionKey(ref);
    const cached = known.get(key);
    if (cached) return cached;
    const question = (await options.repository.loadVersions([ref])).get(key);
    if (question) remember(key, question);
    return question;
  }

  return {
    find,

    /** The question a post asked: its version is stored, so a missing one is a bug, not a person's mistake. */
    async get(ref: QuestionRef): Promise<Question> {
      const question = await find(ref);
      if (!question) throw new Error(`question ${ref.questionId} v${ref.questionVersion} is missing`);
      return question;
    },

    /** Many versions at once, keyed by versionKey; the ones not yet remembered in one query. */
    async getMany(refs: QuestionRef[]): Promise<Map<string, Question>> {
      const found = new Map<string, Question>();
      const missing: QuestionRef[] = [];
      for (const ref of refs) {
        const cached = known.get(versionKey(ref));
        if (cached) found.set(versionKey(ref), cached);
        else missing.push(ref);
      }
      for (const [key, question] of await options.repository.loadVersions(missing)) {
        remember(key, question);
        found.set(key, question);
      }
      return found;
    },
  };
}

export type QuestionVersions = ReturnType<typeof createQuestionVersions>;
