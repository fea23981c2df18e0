import { confidenceText } from '../../../quiz/render-study.js';
import { confidenceValueSchema } from '../../../quiz/values.js';
import { verdictText } from '../../shared/answer-flow.js';
import { confidenceTapOf, feedbackOfConfidence } from '../../shared/confidence-feedback.js';
import { type ActionRegistry, buttonValue } from '../action-dispatcher.js';
import { actorOf } from '../actor.js';
import { ACTIONS } from '../blocks.js';
import { postToResponseUrl } from '../http.js';
import { feedbackBlocks } from '../render/feedback.js';
import type { ListenerDeps } from './deps.js';

/**
 * "I was sure" / "I guessed" under an answer's feedback: marks the answer once, then draws the
 * feedback again with what was marked in place of the buttons, so they cannot be tapped twice. A
 * tap that still comes (a second client, two taps at once) changes nothing and redraws the mark
 * that stands, without a message of its own. Buttons from before the feedback was carried in them
 * get the note as a private message, as they always did, and so does a tap on an answer whose
 * review is not written yet (the buttons stay, to tap again in a moment).
 */
export function registerConfidence(actions: ActionRegistry, deps: ListenerDeps): void {
  actions.on(ACTIONS.confidence, async (args) => {
    await args.ack();
    const { body } = args;
    const value = buttonValue(confidenceValueSchema, args);
    if (await deps.isReplay(args.context)) return;
    const mark = await deps.quiz.markConfidence(
      actorOf(body.team?.id ?? '', body.user),
      confidenceTapOf(value),
    );
    const feedback = await feedbackOfConfidence(deps.quiz, value, mark);
    if (feedback && (mark.kind === 'marked' || mark.kind === 'already')) {
      // Ephemeral feedback can be replaced through its response_url too; Slack keeps it private.
      await postToResponseUrl(body.response_url, {
        replace_original: true,
        text: verdictText(feedback),
        blocks: feedbackBlocks(feedback, mark.sure),
      });
      return;
    }
    await postToResponseUrl(body.response_url, {
      response_type: 'ephemeral',
      replace_original: false,
      text: confidenceText(mark),
    });
  });
}
