import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import type { Question } from '../../src/quiz/question.js';

/**
 * The form Slack posts when someone answers a question of the day: the option's button for a
 * single answer, Submit with the inputs' state for the other types.
 */
export function dailyAnswerForm(options: {
  postId: string;
  question: Question;
  choice: number[];
  user: string;
  /** The person's Slack name, as Slack sends it. */
  name?: string;
  responseUrl: string;
  teamId?: string;
  /** The channel the button was clicked in: answers only count in their post's channel. */
  channelId?: string;
}): Record<string, string> {
  const { question, postId, choice } = options;
  const single = question.type === 'single';
  const name = options.name ?? options.user.toLowerCase();
  return {
    payload: JSON.stringify({
      type: 'block_actions',
      team: { id: options.teamId ?? 'T1', domain: 'test' },
      user: { id: options.user, username: name, name, team_id: options.teamId ?? 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: '1.2.3',
      container: {
        type: 'message',
        message_ts: '1.1',
        channel_id: options.channelId ?? 'C1',
        is_ephemeral: false,
      },
      channel: { id: options.channelId ?? 'C1', name: 'general' },
      response_url: options.responseUrl,
      actions: [
        {
          action_id: single ? `${ACTIONS.dailySingle}:X` : ACTIONS.dailySubmit,
          block_id: 'b',
          type: 'button',
          value: JSON.stringify(single ? { p: postId, c: choice } : { p: postId }),
          action_ts: '1',
        },
      ],
      state: { values: inputStateFor(question, choice) },
    }),
  };
}

/** The state of a question's inputs with `choice` selected, as Slack sends it with Submit. */
export function inputStateFor(question: Question, choice: number[]): Record<string, unknown> {
  const input = ACTIONS.input;
  const selected = (i: number) => ({
    [input]: { type: 'static_select', selected_option: { value: String(i) } },
  });
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
      return Object.fromEntries(choice.map((step, position) => [`pos:${position}`, selected(step)]));
    case 'matching':
      return Object.fromEntries(choice.map((answer, prompt) => [`pair:${prompt}`, selected(answer)]));
  }
}
