import type { AnswerResult, PracticeResult } from '../../../quiz/quiz.js';
import { verdictText } from '../../shared/answer-flow.js';
import { acknowledge, type ButtonArgs } from '../action-dispatcher.js';
import { postToResponseUrl } from '../http.js';
import { feedbackBlocks } from '../render/feedback.js';
import type { ListenerDeps } from './deps.js';

/**
 * Stores the answer, then acknowledges the click, then shows the result. Slack never redelivers a
 * click, so acknowledging first would leave an answer only in memory between the 200 and the
 * commit, and a crash there loses it while the person believes it counted. The group writer
 * commits within milliseconds, well inside Slack's 3 s. A click that cannot be stored, or that is
 * refused (a value the bot never sent, a post of another channel), is told so before it is
 * acknowledged.
 */
export async function answerClick(
  args: ButtonArgs,
  deps: ListenerDeps,
  options: {
    store(): Promise<AnswerResult | PracticeResult>;
    /** How the result is posted: privately next to the question, or in place of it. */
    message: { response_type?: 'ephemeral'; replace_original: boolean };
  },
): Promise<void> {
  const { body } = args;
  let result: AnswerResult | PracticeResult;
  try {
    result = await options.store();
  } catch (error) {
    await deps.reportError({ error, body, teamId: body.team?.id ?? '' });
    await acknowledge(args, deps.log);
    return;
  }
  await acknowledge(args, deps.log);
  await deps.answers.showResult(
    () =>
      postToResponseUrl(body.response_url, {
        ...options.message,
        text: verdictText(result),
        blocks: feedbackBlocks(result),
      }),
    { retryOnce: false },
  );
}
