import type { MockView } from '../../../learning/mock/mock.types.js';
import { type MockValue, mockValueSchema } from '../../../learning/mock/mock.values.js';
import type { Actor } from '../../../quiz/quiz.js';
import { renderReplyText } from '../../../quiz/render-text.js';
import {
  type ActionRegistry,
  acknowledge,
  type ButtonArgs,
  buttonValue,
  stateOf,
} from '../action-dispatcher.js';
import { actorOf } from '../actor.js';
import { ACTIONS } from '../blocks.js';
import { postToResponseUrl } from '../http.js';
import { mockBlocks } from '../render/mock.js';
import { choiceFromState } from '../render/question.js';
import type { ListenerDeps } from './deps.js';

/** Posts a mock exam step in the person's DM with the bot (where a mock exam always runs). */
export async function postMockInDirectMessage(
  deps: Pick<ListenerDeps, 'platform'>,
  teamId: string,
  userId: string,
  view: MockView,
): Promise<void> {
  const channel = await deps.platform.openDirectChannel(teamId, userId);
  await (await deps.platform.client(teamId)).chat.postMessage({
    channel,
    text: mockText(view),
    blocks: mockBlocks(view),
  });
}

const mockText = (view: MockView) => renderReplyText({ kind: 'mock', view }).slice(0, 3000);

/**
 * The buttons of a mock exam question (answer, Submit, Skip/Keep, Flag): each moves the exam on
 * and the next step takes the place of the message clicked. The move is stored before the click
 * is acknowledged, as answers are (see answer-click.ts).
 */
export function registerMock(actions: ActionRegistry, deps: ListenerDeps): void {
  const { quiz } = deps;

  async function mockClick(
    args: ButtonArgs,
    move: (actor: Actor, value: MockValue) => Promise<MockView>,
  ): Promise<void> {
    const { body } = args;
    let view: MockView;
    try {
      view = await move(actorOf(body.team?.id ?? '', body.user), buttonValue(mockValueSchema, args));
    } catch (error) {
      await deps.reportError({ error, body, teamId: body.team?.id ?? '' });
      await acknowledge(args, deps.log);
      return;
    }
    await acknowledge(args, deps.log);
    await postToResponseUrl(body.response_url, {
      replace_original: true,
      text: mockText(view),
      blocks: mockBlocks(view),
    });
  }

  const at = (value: MockValue) => ({ mockId: value.m, position: value.p });
  actions.on(ACTIONS.mockSingle, (args) =>
    mockClick(args, (actor, value) => quiz.answerMock(actor, { ...at(value), choice: value.c })),
  );
  actions.on(ACTIONS.mockSubmit, (args) =>
    mockClick(args, (actor, value) =>
      quiz.answerMock(actor, {
        ...at(value),
        readChoice: (question) => choiceFromState(question, stateOf(args.body)),
      }),
    ),
  );
  actions.on(ACTIONS.mockSkip, (args) => mockClick(args, (actor, value) => quiz.skipMock(actor, at(value))));
  actions.on(ACTIONS.mockFlag, (args) =>
    mockClick(args, (actor, value) => quiz.flagMock(actor, { ...at(value), flagged: value.f === 1 })),
  );

  // App Home's "Start a mock exam" / "Resume": the exam goes to the DM.
  actions.on(ACTIONS.homeMock, async ({ ack, body, context }) => {
    await ack();
    if (await deps.isReplay(context)) return;
    const teamId = body.team?.id ?? '';
    await postMockInDirectMessage(
      deps,
      teamId,
      body.user.id,
      await quiz.startMock(actorOf(teamId, body.user)),
    );
  });
}
