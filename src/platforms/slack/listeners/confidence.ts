import { confidenceText } from '../../../quiz/render-study.js';
import { confidenceValueSchema } from '../../../quiz/values.js';
import { type ActionRegistry, buttonValue } from '../action-dispatcher.js';
import { actorOf } from '../actor.js';
import { ACTIONS } from '../blocks.js';
import { postToResponseUrl } from '../http.js';
import type { ListenerDeps } from './deps.js';

/** "I was sure" / "I guessed" under an answer's feedback: marks the answer, says so privately. */
export function registerConfidence(actions: ActionRegistry, deps: ListenerDeps): void {
  actions.on(ACTIONS.confidence, async (args) => {
    await args.ack();
    const { body } = args;
    const value = buttonValue(confidenceValueSchema, args);
    if (await deps.isReplay(args.context)) return;
    const sure = value.s === 1;
    const marked = await deps.quiz.markConfidence(actorOf(body.team?.id ?? '', body.user), value.q, sure);
    await postToResponseUrl(body.response_url, {
      response_type: 'ephemeral',
      replace_original: false,
      text: confidenceText(marked, sure),
    });
  });
}
