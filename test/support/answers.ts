import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import type { Question } from '../../src/quiz/question.js';

/** The `state.values` Slack sends with a Submit click, for a given choice. */
export function slackStateFor(question: Question, choice: number[]): Record<string, unknown> {
  const input = ACTIONS.input;
  switch (question.type) {
    case 'single':
      return {};
    case 'multiple':
      return {
        multi: {
          [input]: { type: 'checkboxes', selected_options: choice.map((i) => ({ value: String(i) })) },
        },
      };
    case 'ordering':
      return Object.fromEntries(
        choice.map((step, position) => [
          `pos:${position}`,
          { [input]: { type: 'static_select', selected_option: { value: String(step) } } },
        ]),
      );
    case 'matching':
      return Object.fromEntries(
        choice.map((answer, prompt) => [
          `pair:${prompt}`,
          { [input]: { type: 'static_select', selected_option: { value: String(answer) } } },
        ]),
      );
  }
}

/** The `value` Teams sends with a Submit click, for a given choice. */
export function teamsInputsFor(question: Question, choice: number[]): Record<string, unknown> {
  switch (question.type) {
    case 'single':
      return { c: choice };
    case 'multiple':
      return { multi: choice.join(',') };
    case 'ordering':
      return Object.fromEntries(choice.map((step, position) => [`pos:${position}`, String(step)]));
    case 'matching':
      return Object.fromEntries(choice.map((answer, prompt) => [`pair:${prompt}`, String(answer)]));
  }
}
