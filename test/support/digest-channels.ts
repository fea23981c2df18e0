import type { RunningService } from '../../src/main.js';
import { correctChoice } from '../../src/quiz/question.js';
import type { Actor, ChannelKey } from '../../src/quiz/quiz.js';

type Quiz = RunningService['quiz'];

/**
 * Subscribes Slack channels of one workspace to a daily question at `time` (UTC) with their weekly
 * digest on `digestDay` at `digestTime`, as that workspace's admin.
 */
export async function subscribeForDigest(
  quiz: Quiz,
  channels: { workspaceId?: string; channelIds: string[] },
  when: { time: string; digestDay: string; digestTime: string },
): Promise<ChannelKey[]> {
  const workspaceId = channels.workspaceId ?? 'T1';
  const admin: Actor = { platform: 'slack', workspaceId, userId: 'UADMIN', isPlatformAdmin: true };
  const keys: ChannelKey[] = [];
  for (const channelId of channels.channelIds) {
    const key: ChannelKey = { platform: 'slack', workspaceId, channelId };
    await quiz.subscribe(admin, key, { time: when.time, timezone: 'UTC', days: 'daily' });
    await quiz.configureChannel(admin, key, {
      digestDay: when.digestDay,
      digestTime: when.digestTime,
    });
    keys.push(key);
  }
  return keys;
}

/** Two people, U1 and U2, answer each channel's open question of the day, right. */
export async function answerOpenQuestions(
  quiz: Quiz,
  channels: { workspaceId?: string; channelIds: string[] },
): Promise<void> {
  const workspaceId = channels.workspaceId ?? 'T1';
  for (const channelId of channels.channelIds) {
    const settings = await quiz.channelSettings({ platform: 'slack', workspaceId, channelId });
    const postId = (await quiz.openPostOf(settings!.channelId))!.id;
    const question = (await quiz.getDailyPost(postId))!.question;
    for (const who of ['U1', 'U2'])
      await quiz.recordAnswer(
        { platform: 'slack', workspaceId, userId: who, isPlatformAdmin: false },
        postId,
        correctChoice(question),
      );
  }
}
