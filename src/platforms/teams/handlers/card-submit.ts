import type { TurnContext } from 'botbuilder';
import type { MockView } from '../../../learning/mock/mock.types.js';
import type { MockValue } from '../../../learning/mock/mock.values.js';
import type { UserTarget } from '../../../quiz/port.js';
import type { Question } from '../../../quiz/question.js';
import type { Actor, AnswerResult, PracticeResult } from '../../../quiz/quiz.js';
import { confidenceText } from '../../../quiz/render-study.js';
import type { ConfidenceValue } from '../../../quiz/values.js';
import { confidenceTapOf, feedbackOfConfidence } from '../../shared/confidence-feedback.js';
import { actorOf, baseConversationId } from '../activity.js';
import { type CardData, cardAttachment, choiceFromValue, practiceCard } from '../cards.js';
import { feedbackActivity } from '../feedback.js';
import { mockCard } from '../mock-cards.js';
import type { HandlerDeps } from './deps.js';

/** A mock exam card's button: Skip (or Keep), Flag or Unflag, or an answer. */
function moveMock(
  deps: HandlerDeps,
  actor: Actor,
  value: MockValue,
  readChoice: (question: Question) => unknown,
): Promise<MockView> {
  const move = { mockId: value.m, position: value.p };
  if (value.s === 1) return deps.quiz.skipMock(actor, move);
  if (value.f !== undefined) return deps.quiz.flagMock(actor, { ...move, flagged: value.f === 1 });
  return deps.quiz.answerMock(actor, { ...move, readChoice });
}

/**
 * The confidence tap under an answer's feedback, in the person's own chat. The answer is marked once;
 * the feedback message is then updated with what was marked in place of the buttons, so a second
 * tap (another client, a double tap) changes nothing and is answered by the same quiet update.
 * Buttons from before the feedback was carried in them, a tap on an answer whose review is not
 * written yet (the card stays, to tap again in a moment), or a message Teams will not let us update,
 * get the note as a message of its own.
 */
async function markConfidence(
  context: TurnContext,
  value: ConfidenceValue,
  deps: HandlerDeps,
): Promise<void> {
  const actor = actorOf(context.activity, deps.adminUserIds);
  const mark = await deps.quiz.markConfidence(actor, confidenceTapOf(value));
  const feedback = await feedbackOfConfidence(deps.quiz, value, mark);
  const messageId = context.activity.replyToId;
  if (feedback && (mark.kind === 'marked' || mark.kind === 'already') && messageId) {
    try {
      await context.updateActivity({
        type: 'message',
        id: messageId,
        ...feedbackActivity(feedback, mark.sure),
      });
      return;
    } catch (error) {
      deps.log.warn({ err: error }, 'confidence card not updated; the mark is sent as a message');
    }
  }
  await context.sendActivity({ text: confidenceText(mark) });
}

/**
 * A submitted card of the bot: an answer to the question of the day (`qotd`) or to a practice
 * question, a move in a mock exam (whose next step comes back as a new card), the confidence tap
 * under an answer's feedback, or the digest's button asking for practice on a topic (`topic`). An
 * answer's fields are read against the question; the answer is stored, then its result is shown
 * privately.
 */
export async function handleCardSubmit(
  context: TurnContext,
  value: Exclude<CardData, { aifq: 'report' }> & Record<string, unknown>,
  deps: HandlerDeps,
): Promise<void> {
  const { activity } = context;
  const { answers, platform } = deps;
  const actor = actorOf(activity, deps.adminUserIds);
  if (value.aifq === 'confidence') {
    await markConfidence(context, value, deps);
    return;
  }
  const user: UserTarget = { workspaceId: actor.workspaceId, userId: actor.userId };
  const inPersonalChat = activity.conversation.conversationType === 'personal';
  if (value.aifq === 'topic') {
    // The digest's "Practise <topic>" button: a practice question for whoever pressed it, privately.
    const practice = await deps.quiz.practice(actor, value.t);
    if (inPersonalChat) await context.sendActivity({ attachments: [cardAttachment(practiceCard(practice))] });
    else await platform.sendPractice(user, undefined, practice);
    return;
  }
  const readChoice = (question: Question) =>
    question.type === 'single' ? value.c : choiceFromValue(question, value);
  if (value.aifq === 'mock') {
    await context.sendActivity({
      attachments: [cardAttachment(mockCard(await moveMock(deps, actor, value, readChoice)))],
    });
    return;
  }
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
  await answers.showResult(
    () =>
      // Channel messages are seen by everyone and Teams has no ephemeral messages: feedback goes to the 1:1 chat.
      inPersonalChat
        ? context.sendActivity(feedbackActivity(result))
        : platform.sendFeedback(user, undefined, result),
    { retryOnce: true },
  );
}
