import type { TurnContext } from 'botbuilder';
import type { UserTarget } from '../../../quiz/port.js';
import type { Question } from '../../../quiz/question.js';
import type { AnswerResult, PracticeResult } from '../../../quiz/quiz.js';
import { renderFeedbackText } from '../../../quiz/render-text.js';
import { actorOf, baseConversationId, markdown } from '../activity.js';
import { type CardData, choiceFromValue } from '../cards.js';
import type { HandlerDeps } from './deps.js';

/**
 * A submitted card of the bot: an answer to the question of the day (`qotd`) or to a practice
 * question. The card's fields are read against the question; the answer is stored, then its
 * result is shown privately.
 */
export async function handleCardSubmit(
  context: TurnContext,
  value: Exclude<CardData, { aifq: 'report' }> & Record<string, unknown>,
  deps: HandlerDeps,
): Promise<void> {
  const { activity } = context;
  const { answers, platform } = deps;
  const actor = actorOf(activity, deps.adminUserIds);
  const user: UserTarget = { workspaceId: actor.workspaceId, userId: actor.userId };
  const readChoice = (question: Question) =>
    question.type === 'single' ? value.c : choiceFromValue(question, value);
  const result: AnswerResult | PracticeResult =
    value.aifq === 'qotd'
      ? await answers.recordDaily(actor, {
          postId: value.p,
          where: { channelId: baseConversationId(activity.conversation.id) },
          readChoice,
        })
      : await answers.recordPractice(actor, {
          questionId: value.q,
          version: value.v,
          issueKey: value.k,
          readChoice,
        });
  const inPersonalChat = activity.conversation.conversationType === 'personal';
  await answers.showResult(
    () =>
      // Channel messages are seen by everyone and Teams has no ephemeral messages: feedback goes to the 1:1 chat.
      inPersonalChat
        ? context.sendActivity({ text: markdown(renderFeedbackText(result)), textFormat: 'markdown' })
        : platform.sendFeedback(user, undefined, result),
    { retryOnce: true },
  );
}
