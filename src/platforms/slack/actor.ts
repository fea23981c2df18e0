import type { BlockAction } from '@slack/bolt';
import type { Actor } from '../../quiz/quiz.js';

/** The person behind a Slack request, as the quiz knows people. */
export function actorOf(teamId: string, user: { id: string; name?: string; username?: string }): Actor {
  return {
    platform: 'slack',
    workspaceId: teamId,
    userId: user.id,
    ...(user.name || user.username ? { userName: user.name ?? user.username } : {}),
  };
}

/** The channel a click came from, which an answer must match. */
export function placeOf(body: BlockAction): { channelId: string } {
  return { channelId: body.channel?.id ?? body.container?.channel_id ?? '' };
}
