import { answerReplyFailed } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { dailyErrors } from '../../quiz/daily/daily.errors.js';
import { practiceErrors } from '../../quiz/practice/practice.errors.js';
import type { Question } from '../../quiz/question.js';
import type { Actor, AnswerResult, PracticeResult, Quiz } from '../../quiz/quiz.js';

/**
 * How a click says what was chosen: the choice itself (a button per option), or read from the
 * question, for inputs whose meaning depends on it (checkboxes, menus, a card's fields).
 */
export type ChoiceSource = { choice: unknown } | { readChoice(question: Question): unknown };

/** Refreshes the "N answered" of a posted question some time after an answer. */
export interface AnsweredCounts {
  refreshSoon(postId: string, workspace?: string): void;
}

/**
 * The answer flow every platform shares, free of any chat SDK: read the choice, store the answer,
 * refresh the answered count, and show the result, where a failure after the answer was stored
 * must say that it counted. Platforms only parse their input and render the result.
 *
 * @example
 * const answers = createAnswerFlow({ quiz, counts, log });
 * const result = await answers.recordDaily(actor, { postId, where, choice });
 * await answers.showResult(() => send(result), { retryOnce: false });
 */
export function createAnswerFlow(deps: { quiz: Quiz; counts?: AnsweredCounts; log?: Logger }) {
  const { quiz } = deps;

  return {
    /** Records an answer to a question of the day; a first answer schedules a count refresh. */
    async recordDaily(
      actor: Actor,
      input: { postId: string; where?: { channelId: string } } & ChoiceSource,
    ): Promise<AnswerResult> {
      const { postId, where } = input;
      let choice: unknown;
      if ('readChoice' in input) {
        const question = await quiz.questionOfPost(postId, where ? { actor, where } : undefined);
        if (!question) throw dailyErrors.unknownPost();
        choice = input.readChoice(question);
      } else choice = input.choice;
      const result = await quiz.recordAnswer(actor, postId, choice, where);
      if (result.outcome === 'recorded') deps.counts?.refreshSoon(result.postId, actor.workspaceId);
      return result;
    },

    /** Records an answer to a practice question handed out earlier (`issueKey` binds it to its person). */
    async recordPractice(
      actor: Actor,
      input: { questionId: string; version: number; issueKey: string } & ChoiceSource,
    ): Promise<PracticeResult> {
      const { questionId, version, issueKey } = input;
      let choice: unknown;
      if ('readChoice' in input) {
        const question = await quiz.practiceQuestion(questionId, version);
        if (!question) throw practiceErrors.unknownQuestion();
        choice = input.readChoice(question);
      } else choice = input.choice;
      return quiz.answerPractice(actor, { questionId, version, issueKey, choice });
    },

    /**
     * Shows the result of a stored answer. It is stored whatever happens here: a reply that fails
     * (after one more try, where the platform allows it) becomes "recorded, but the reply failed",
     * never "try again".
     */
    async showResult(send: () => Promise<unknown>, options: { retryOnce: boolean }): Promise<void> {
      try {
        await send();
      } catch (first) {
        if (!options.retryOnce) throw answerReplyFailed(first);
        deps.log?.warn({ err: first }, 'the result of an answer could not be sent; trying once more');
        await send().catch((error: unknown) => {
          throw answerReplyFailed(error);
        });
      }
    },
  };
}

export type AnswerFlow = ReturnType<typeof createAnswerFlow>;

/** The one-line verdict where a platform needs plain text next to its rich reply. */
export function verdictText(result: AnswerResult | PracticeResult): string {
  return result.correct ? 'Correct!' : 'Not quite.';
}

/** What a person is told when something failed that is no coded error: a bug, logged by the sink. */
export const APOLOGY = 'Sorry, something went wrong on our side. Please try again in a moment.';
