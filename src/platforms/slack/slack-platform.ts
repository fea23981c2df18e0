import type { KnownBlock } from '@slack/types';
import { type Logger as SlackLogger, WebClient } from '@slack/web-api';
import type { SlackConfig } from '../../config.js';
import { refusedForGood } from '../../errors.js';
import type { ChannelTarget, ChatPlatform, MessageRef, UserTarget } from '../../quiz/port.js';
import {
  renderDailyQuestionText,
  renderDigestText,
  renderFeedbackText,
  renderPracticeText,
  renderReminderText,
  renderRevealText,
} from '../../quiz/render-text.js';
import { createUploadPace, refusedBySlack, uploadDigestChart } from './chart-upload.js';
import { slackFetch } from './http.js';
import { digestBlocks, revealBlocks } from './render/channel-posts.js';
import { feedbackBlocks } from './render/feedback.js';
import { dailyQuestionBlocks, practiceBlocks } from './render/question.js';
import { reminderBlocks } from './render/reply.js';

export type EnabledSlackConfig = Exclude<SlackConfig, { mode: 'off' }>;

/** Finds the bot token for a workspace: the configured one, or the stored OAuth installation's. */
export type TokenLookup = (teamId: string) => Promise<string>;

/** Notification text is what phones and screen readers show; keep it short. */
function preview(text: string): string {
  return text.length > 300 ? `${text.slice(0, 299)}…` : text;
}

/**
 * Slack behind the chat-platform port, through the Web API. Rate limits: the Web API client waits
 * out a 429's Retry-After and tries again, so a send never turns into two posts.
 */
export function createSlackPlatform(options: {
  config: EnabledSlackConfig;
  tokenFor: TokenLookup;
  logger?: SlackLogger;
  /** Chart uploads a minute per workspace (Slack's Tier 4 by default; lower in tests). */
  chartUploadsPerMinute?: number;
}): ChatPlatform & {
  postDigestChart: NonNullable<ChatPlatform['postDigestChart']>;
  client(teamId: string): Promise<WebClient>;
  openDirectChannel(teamId: string, userId: string): Promise<string>;
} {
  const clients = new Map<string, WebClient>();
  const awaitUploadTurn = createUploadPace(options.chartUploadsPerMinute);
  async function client(teamId: string): Promise<WebClient> {
    const token = await options.tokenFor(teamId);
    let found = clients.get(token);
    if (!found) {
      found = new WebClient(token, {
        ...(options.config.apiUrl ? { slackApiUrl: options.config.apiUrl } : {}),
        retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 30_000 },
        fetch: slackFetch,
        ...(options.logger ? { logger: options.logger } : {}),
      });
      clients.set(token, found);
    }
    return found;
  }

  async function openDirectChannel(teamId: string, userId: string): Promise<string> {
    const opened = await (await client(teamId)).conversations.open({ users: userId });
    const id = opened.channel?.id;
    if (!id) throw new Error('Slack did not open a direct message channel');
    return id;
  }

  /** Only this person sees it: ephemeral in the channel they are in, else a direct message. */
  async function sendPrivately(
    user: UserTarget,
    channel: ChannelTarget | undefined,
    text: string,
    blocks: KnownBlock[],
  ): Promise<void> {
    const web = await client(user.workspaceId);
    if (channel)
      await web.chat.postEphemeral({ channel: channel.channelId, user: user.userId, text, blocks });
    else
      await web.chat.postMessage({
        channel: user.directChannelId || (await openDirectChannel(user.workspaceId, user.userId)),
        text,
        blocks,
      });
  }

  return {
    platform: 'slack',
    // Slack takes files far larger than a chart: no limit to fit.
    digestChart: {},
    client,
    openDirectChannel,

    async postQuestion(channel: ChannelTarget, message): Promise<MessageRef> {
      const posted = await (await client(channel.workspaceId)).chat.postMessage({
        channel: channel.channelId,
        text: preview(renderDailyQuestionText(message)),
        blocks: dailyQuestionBlocks(message),
        unfurl_links: false,
      });
      return { team: channel.workspaceId, channel: posted.channel ?? channel.channelId, ts: posted.ts };
    },

    async updateQuestion(ref, message) {
      await (await client(String(ref.team))).chat.update({
        channel: String(ref.channel),
        ts: String(ref.ts),
        text: preview(renderDailyQuestionText(message)),
        blocks: dailyQuestionBlocks(message),
      });
    },

    async postReveal(ref, reveal) {
      await (await client(String(ref.team))).chat.postMessage({
        channel: String(ref.channel),
        thread_ts: String(ref.ts),
        text: preview(renderRevealText(reveal)),
        blocks: revealBlocks(reveal),
      });
    },

    async postDigest(channel, digest): Promise<MessageRef> {
      const posted = await (await client(channel.workspaceId)).chat.postMessage({
        channel: channel.channelId,
        text: preview(renderDigestText(digest)),
        blocks: digestBlocks(digest),
      });
      return { team: channel.workspaceId, channel: posted.channel ?? channel.channelId, ts: posted.ts };
    },

    async postDigestChart(ref, { week, image }, { signal } = {}) {
      const team = String(ref.team);
      try {
        await uploadDigestChart(await client(team), {
          awaitTurn: (method) => awaitUploadTurn(team, method, signal),
          channelId: String(ref.channel),
          threadTs: String(ref.ts),
          week,
          chart: image,
        });
      } catch (error) {
        throw refusedBySlack(error) ? refusedForGood('the digest chart', error) : error;
      }
    },

    async sendReminder(user: UserTarget, reminder) {
      // conversations.open is Tier 3: open a person's DM once and remember it.
      const directChannelId =
        user.directChannelId || (await openDirectChannel(user.workspaceId, user.userId));
      await (await client(user.workspaceId)).chat.postMessage({
        channel: directChannelId,
        text: preview(renderReminderText(reminder)),
        blocks: reminderBlocks(reminder),
      });
      return { directChannelId };
    },

    async sendFeedback(user, channel, feedback) {
      await sendPrivately(user, channel, preview(renderFeedbackText(feedback)), feedbackBlocks(feedback));
    },

    async sendPractice(user, channel, practice) {
      await sendPrivately(user, channel, preview(renderPracticeText(practice)), practiceBlocks(practice));
    },
  };
}

export type SlackPlatform = ReturnType<typeof createSlackPlatform>;
