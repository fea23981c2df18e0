import { dailyValueSchema } from '../../../quiz/values.js';
import { type ActionRegistry, buttonValue, stateOf } from '../action-dispatcher.js';
import { actorOf, placeOf } from '../actor.js';
import { ACTIONS } from '../blocks.js';
import { choiceFromState } from '../render/question.js';
import { answerClick } from './answer-click.js';
import type { ListenerDeps } from './deps.js';

/** Answers to the question of the day: shown only to the person, next to the question. */
const PRIVATE_REPLY = { response_type: 'ephemeral', replace_original: false } as const;

/** The buttons of the question of the day: one per option, or Submit for the other question types. */
export function registerDailyAnswers(actions: ActionRegistry, deps: ListenerDeps): void {
  const { answers } = deps;

  actions.on(ACTIONS.dailySingle, async (args) => {
    await answerClick(args, deps, {
      message: PRIVATE_REPLY,
      store: async () => {
        const value = buttonValue(dailyValueSchema, args);
        const actor = actorOf(args.body.team?.id ?? '', args.body.user);
        return answers.recordDaily(actor, { postId: value.p, where: placeOf(args.body), choice: value.c });
      },
    });
  });

  actions.on(ACTIONS.dailySubmit, async (args) => {
    await answerClick(args, deps, {
      message: PRIVATE_REPLY,
      store: async () => {
        const value = buttonValue(dailyValueSchema, args);
        const actor = actorOf(args.body.team?.id ?? '', args.body.user);
        return answers.recordDaily(actor, {
          postId: value.p,
          where: placeOf(args.body),
          readChoice: (question) => choiceFromState(question, stateOf(args.body)),
        });
      },
    });
  });
}
