import { practiceValueSchema } from '../../../quiz/values.js';
import { type ActionRegistry, buttonValue, stateOf } from '../action-dispatcher.js';
import { actorOf } from '../actor.js';
import { ACTIONS } from '../blocks.js';
import { choiceFromState } from '../render/question.js';
import { answerClick } from './answer-click.js';
import type { ListenerDeps } from './deps.js';

/** A practice question is the person's own message: its result takes its place. */
const IN_PLACE = { replace_original: true } as const;

/**
 * The buttons of practice questions (ephemeral, in reminders, from App Home), answered like the
 * question of the day: checked and stored, then acknowledged, then shown.
 */
export function registerPracticeAnswers(actions: ActionRegistry, deps: ListenerDeps): void {
  const { answers } = deps;

  actions.on(ACTIONS.practiceSingle, async (args) => {
    await answerClick(args, deps, {
      message: IN_PLACE,
      store: async () => {
        const value = buttonValue(practiceValueSchema, args);
        const actor = actorOf(args.body.team?.id ?? '', args.body.user);
        return answers.recordPractice(actor, {
          questionId: value.q,
          version: value.v,
          issueKey: value.k,
          choice: value.c,
        });
      },
    });
  });

  actions.on(ACTIONS.practiceSubmit, async (args) => {
    await answerClick(args, deps, {
      message: IN_PLACE,
      store: async () => {
        const value = buttonValue(practiceValueSchema, args);
        const actor = actorOf(args.body.team?.id ?? '', args.body.user);
        return answers.recordPractice(actor, {
          questionId: value.q,
          version: value.v,
          issueKey: value.k,
          readChoice: (question) => choiceFromState(question, stateOf(args.body)),
        });
      },
    });
  });

  // Checkbox and select changes arrive one by one; only Submit counts.
  actions.on(ACTIONS.input, async ({ ack }) => {
    await ack();
  });
}
