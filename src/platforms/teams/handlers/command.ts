import { TeamsInfo, TurnContext } from 'botbuilder';
import { parseCommand } from '../../../quiz/commands.js';
import { renderReplyText } from '../../../quiz/render-text.js';
import { type Reply, runCommand } from '../../../quiz/replies.js';
import { actorOf, channelOf, markdown } from '../activity.js';
import { cardAttachment, practiceCard } from '../cards.js';
import { mockCard } from '../mock-cards.js';
import type { HandlerDeps } from './deps.js';

/** Commands that change a channel: only these need to know whether the person is a team owner. */
const ADMIN_COMMANDS = new Set(['subscribe', 'unsubscribe', 'digest']);

/** A typed message (a command, with the bot's mention first in a channel): run it and reply. */
export async function handleCommand(context: TurnContext, deps: HandlerDeps): Promise<void> {
  const { activity } = context;
  const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '')
    .replace(/<[^>]+>/g, '')
    .trim();
  const command = parseCommand(text);
  const admin = ADMIN_COMMANDS.has(command.name) ? await isTeamOwner(context) : false;
  const channel = channelOf(activity);
  const result = await runCommand(
    deps.quiz,
    { actor: actorOf(activity, deps.adminUserIds, admin), ...(channel ? { channel } : {}) },
    command,
  );
  // The quiz erased the person's own rows; what Teams told the bot about them is erased here.
  if (result.kind === 'forget-me' && result.erased)
    await deps.conversations.forgetPerson([activity.from.id, activity.from.aadObjectId ?? '']);
  if (result.kind === 'mock' && channel) {
    // A mock exam runs in the 1:1 chat with the bot: a channel would show everyone the questions.
    const actor = actorOf(activity, deps.adminUserIds);
    await deps.platform.sendPrivately(
      { workspaceId: actor.workspaceId, userId: actor.userId },
      { attachments: [cardAttachment(mockCard(result.view))] },
    );
    await context.sendActivity({ text: 'Your mock exam is in your private chat with me.' });
    return;
  }
  await reply(context, result);
}

async function isTeamOwner(context: TurnContext): Promise<boolean> {
  try {
    const member = await TeamsInfo.getMember(context, context.activity.from.id);
    return member.userRole === 'owner';
  } catch {
    return false;
  }
}

async function reply(context: TurnContext, result: Reply): Promise<void> {
  if (result.kind === 'practice') {
    await context.sendActivity({ attachments: [cardAttachment(practiceCard(result.practice))] });
    return;
  }
  if (result.kind === 'mock') {
    await context.sendActivity({ attachments: [cardAttachment(mockCard(result.view))] });
    return;
  }
  await context.sendActivity({ text: markdown(renderReplyText(result)), textFormat: 'markdown' });
}
