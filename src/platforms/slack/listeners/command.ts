import type { App } from '@slack/bolt';
import { isListedAdmin } from '../../../quiz/admins.js';
import { parseCommand } from '../../../quiz/commands.js';
import type { Actor, ChannelKey } from '../../../quiz/quiz.js';
import { renderReplyText } from '../../../quiz/render-text.js';
import { isChannelReply, runCommand } from '../../../quiz/replies.js';
import { actorOf } from '../actor.js';
import { postToResponseUrl } from '../http.js';
import { replyBlocks } from '../render/reply.js';
import type { ListenerDeps } from './deps.js';
import { postMockInDirectMessage } from './mock.js';

/** Commands that only read: the others change something, so a replay of them must have no effect. */
const READ_ONLY_COMMANDS = new Set(['help', 'invalid', 'topics', 'stats', 'leaderboard', 'settings']);
/** Commands that change a channel: only these need to know whether the person is an admin. */
const ADMIN_COMMANDS = new Set(['subscribe', 'unsubscribe', 'digest']);

/** The `/aif-quiz` slash command: acknowledged at once, answered through its response URL. */
export function registerCommand(app: App, deps: ListenerDeps): void {
  const { quiz, platform, isReplay } = deps;

  // Asked afresh for every admin command: they are rare, and a demoted admin loses rights at once.
  async function isWorkspaceAdmin(teamId: string, userId: string): Promise<boolean> {
    if (isListedAdmin(deps.adminUserIds, teamId, [userId])) return true;
    const info = await (await platform.client(teamId)).users.info({ user: userId });
    return Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
  }

  app.command('/aif-quiz', async ({ command, ack, context }) => {
    await ack();
    const parsed = parseCommand(command.text);
    if (!READ_ONLY_COMMANDS.has(parsed.name) && (await isReplay(context))) return;
    const actor: Actor = {
      ...actorOf(command.team_id, { id: command.user_id, name: command.user_name }),
      ...(ADMIN_COMMANDS.has(parsed.name)
        ? { isPlatformAdmin: await isWorkspaceAdmin(command.team_id, command.user_id) }
        : {}),
    };
    const inDirectMessage = command.channel_name === 'directmessage' || command.channel_id.startsWith('D');
    const channel: ChannelKey | undefined = inDirectMessage
      ? undefined
      : {
          platform: 'slack',
          workspaceId: command.team_id,
          channelId: command.channel_id,
          channelName: command.channel_name,
        };
    const reply = await runCommand(quiz, { actor, ...(channel ? { channel } : {}) }, parsed);
    if (reply.kind === 'mock') {
      // A mock exam runs in the DM with the bot, whatever channel it was asked for in: a message
      // there stays put for 90 minutes, where an ephemeral one would vanish on reload.
      await postMockInDirectMessage(deps, command.team_id, command.user_id, reply.view);
      if (!inDirectMessage)
        await postToResponseUrl(command.response_url, {
          response_type: 'ephemeral',
          text: 'Your mock exam is in your direct messages with me.',
        });
      return;
    }
    await postToResponseUrl(command.response_url, {
      response_type: isChannelReply(reply) ? 'in_channel' : 'ephemeral',
      text: renderReplyText(reply, '/aif-quiz ').slice(0, 3000),
      blocks: replyBlocks(reply),
    });
  });
}
