import type { App } from '@slack/bolt';
import { reminderChoiceSchema, topicSlugSchema } from '../../../quiz/values.js';
import { type ActionRegistry, buttonText } from '../action-dispatcher.js';
import { actorOf } from '../actor.js';
import { ACTIONS } from '../blocks.js';
import { homeView } from '../render/home.js';
import { practiceBlocks } from '../render/question.js';
import type { ListenerDeps } from './deps.js';

/** The App Home tab (a personal dashboard) and its buttons: practise, pick a topic, set reminders. */
export function registerAppHome(app: App, actions: ActionRegistry, deps: ListenerDeps): void {
  const { quiz, platform, isReplay } = deps;

  async function publishHome(teamId: string, userId: string): Promise<void> {
    const actor = actorOf(teamId, { id: userId });
    const [stats, settings, mock] = await Promise.all([
      quiz.personalStats(actor),
      quiz.settings(actor),
      quiz.mockStatus(actor),
    ]);
    await (await platform.client(teamId)).views.publish({
      user_id: userId,
      view: homeView(stats, settings, mock),
    });
  }

  async function practiceInDirectMessage(teamId: string, userId: string, topic?: string): Promise<void> {
    const practice = await quiz.practice(actorOf(teamId, { id: userId }), topic);
    const channel = await platform.openDirectChannel(teamId, userId);
    await (await platform.client(teamId)).chat.postMessage({
      channel,
      text: `Practice: ${practice.topicTitle}`,
      blocks: practiceBlocks(practice),
    });
  }

  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    await publishHome((body as { team_id: string }).team_id, event.user);
  });

  actions.on(ACTIONS.homePractice, async ({ ack, body, context }) => {
    await ack();
    if (await isReplay(context)) return;
    await practiceInDirectMessage(body.team?.id ?? '', body.user.id);
  });

  actions.on(ACTIONS.homeTopic, async (args) => {
    await args.ack();
    const topic = buttonText(topicSlugSchema, args);
    if (await isReplay(args.context)) return;
    await practiceInDirectMessage(args.body.team?.id ?? '', args.body.user.id, topic);
  });

  actions.on(ACTIONS.homeReminders, async (args) => {
    await args.ack();
    const { body } = args;
    const reminders = buttonText(reminderChoiceSchema, args);
    if (await isReplay(args.context)) return;
    const teamId = body.team?.id ?? '';
    await quiz.setReminders(actorOf(teamId, body.user), reminders);
    await publishHome(teamId, body.user.id);
  });
}
