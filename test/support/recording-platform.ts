import type { ChatPlatform, MessageRef } from '../../src/quiz/port.js';

export interface Sent {
  method: keyof Omit<ChatPlatform, 'platform'>;
  target: string;
  detail: unknown;
}

/**
 * A chat platform for scheduler tests: it records every delivery and can be told to fail the next
 * sends, as a platform outage would. (Slack and Teams themselves are tested through their HTTP fakes.)
 */
export function createRecordingPlatform(platform: 'local' = 'local') {
  const sent: Sent[] = [];
  let failures = 0;
  let counter = 0;
  const record = async (method: Sent['method'], target: string, detail: unknown) => {
    if (failures > 0) {
      failures--;
      throw new Error('platform unavailable');
    }
    sent.push({ method, target, detail });
  };
  const chat: ChatPlatform = {
    platform,
    async postQuestion(channel, message): Promise<MessageRef> {
      await record('postQuestion', channel.channelId, message);
      return { ts: String(++counter), channel: channel.channelId };
    },
    async updateQuestion(ref, message) {
      await record('updateQuestion', String(ref.channel), message);
    },
    async postReveal(ref, reveal) {
      await record('postReveal', String(ref.channel), reveal);
    },
    async postDigest(channel, digest): Promise<MessageRef> {
      await record('postDigest', channel.channelId, digest);
      return { ts: String(++counter), channel: channel.channelId };
    },
    async sendReminder(user, reminder) {
      await record('sendReminder', user.userId, reminder);
      return { directChannelId: `D-${user.userId}` };
    },
    async sendFeedback(user, _channel, feedback) {
      await record('sendFeedback', user.userId, feedback);
    },
    async sendPractice(user, _channel, practice) {
      await record('sendPractice', user.userId, practice);
    },
  };
  return {
    chat,
    sent,
    failNext(n: number) {
      failures = n;
    },
    of(method: Sent['method']) {
      return sent.filter((s) => s.method === method);
    },
  };
}
