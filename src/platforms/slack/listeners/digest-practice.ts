import { topicSlugSchema } from '../../../quiz/values.js';
import { type ActionRegistry, buttonText } from '../action-dispatcher.js';
import { actorOf } from '../actor.js';
import { ACTIONS } from '../blocks.js';
import { postToResponseUrl } from '../http.js';
import { practiceBlocks } from '../render/question.js';
import type { ListenerDeps } from './deps.js';

/**
 * The digest's "Practise <topic>" button: whoever clicks it gets a practice question on the trap's
 * topic, seen only by them, under the digest.
 */
export function registerDigestPractice(actions: ActionRegistry, deps: ListenerDeps): void {
  const { quiz, isReplay } = deps;
  actions.on(ACTIONS.digestPractice, async (args) => {
    await args.ack();
    const topic = buttonText(topicSlugSchema, args);
    if (await isReplay(args.context)) return;
    const { body } = args;
    const practice = await quiz.practice(actorOf(body.team?.id ?? '', body.user), topic);
    await postToResponseUrl(body.response_url, {
      response_type: 'ephemeral',
      replace_original: false,
      text: `Practice: ${practice.topicTitle}`,
      blocks: practiceBlocks(practice),
    });
  });
}
