import type { Activity, TurnContext } from 'botbuilder';
import { tenantOf } from '../activity.js';
import type { HandlerDeps } from './deps.js';

const GREETING = [
  "Hi! I'm the AIF-C01 study bot. I post a question of the day for the AWS Certified AI Practitioner exam, keep a leaderboard, and help each person practise their weak topics.",
  'A team owner can start the daily question here with: **subscribe 09:00 Europe/Berlin weekdays** (mention me first in a channel).',
  'Type **help** to see everything I can do.',
].join('\n\n');

/** Whether this activity removes the bot from its conversation or adds it there, if it does either. */
export function membershipChangeOf(activity: Activity): 'removed' | 'added' | undefined {
  const botId = activity.recipient.id;
  const removed =
    (activity.type === 'conversationUpdate' && activity.membersRemoved?.some((m) => m.id === botId)) ||
    (activity.type === 'installationUpdate' && activity.action?.startsWith('remove'));
  if (removed) return 'removed';
  const added =
    (activity.type === 'conversationUpdate' && activity.membersAdded?.some((m) => m.id === botId)) ||
    (activity.type === 'installationUpdate' && activity.action?.startsWith('add'));
  return added ? 'added' : undefined;
}

/**
 * The bot was installed in a conversation or removed from it (a conversation update or an
 * installation update): greet it once, or stop posting there.
 */
export async function handleMembershipChange(
  context: TurnContext,
  change: 'removed' | 'added',
  conversationId: string,
  deps: HandlerDeps,
): Promise<void> {
  const { activity } = context;
  if (change === 'removed') {
    await deps.conversations.deactivate(conversationId);
    await deps.quiz.deactivateChannel({
      platform: 'teams',
      workspaceId: tenantOf(activity),
      channelId: conversationId,
    });
    deps.log.info({ conversationId }, 'the bot was removed; no more posts there');
    return;
  }
  if (await deps.deliveries.once(`teams-greeting:${conversationId}`))
    await context.sendActivity({ text: GREETING, textFormat: 'markdown' });
}
