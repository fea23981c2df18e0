import { type Activity, type ConversationReference, TurnContext } from 'botbuilder';
import type { Logger } from '../../logger.js';
import type {
  ChannelTarget,
  ChatPlatform,
  DailyQuestionMessage,
  MessageRef,
  UserTarget,
} from '../../quiz/port.js';
import { reminderIntroText } from '../../quiz/render-study.js';
import { renderRevealText } from '../../quiz/render-text.js';
import { markdown } from './activity.js';
import type { RoutedAdapter } from './adapter.js';
import { cardAttachment, dailyQuestionCard, practiceCard } from './cards.js';
import type { createConversationsRepository } from './conversations.repository.js';
import { digestActivity, TEAMS_CHART_MAX_PNG_BYTES } from './digest.js';
import { feedbackActivity } from './feedback.js';
import { withTeamsRetry } from './retry.js';

export type TeamsPlatform = ChatPlatform & {
  /** Sends to a person's 1:1 chat with the bot, creating that chat the first time; returns its id. */
  sendPrivately(user: UserTarget, activity: Partial<Activity>): Promise<string>;
};

/**
 * Teams behind the chat-platform port: every send is a proactive turn in a conversation whose
 * reference the bot stored when it was installed there, retried when the Bot Connector says so.
 */
export function createTeamsPlatform(options: {
  adapter: RoutedAdapter;
  appId: string;
  conversations: ReturnType<typeof createConversationsRepository>;
  /** Where a digest refused with its chart (and sent without) is reported. */
  log?: Logger;
}): TeamsPlatform {
  const { adapter, appId, conversations, log } = options;

  /**
   * Runs a proactive turn. The adapter hands a failure inside one to onTurnError, which would
   * apologise in that conversation and report success here: the failure is carried out instead, so
   * the retry below, a job, or the result of a stored answer sees it.
   */
  async function proactively(
    start: (logic: (context: TurnContext) => Promise<void>) => Promise<void>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    await withTeamsRetry(async () => {
      let failure: { error: unknown } | undefined;
      await start(async (context) => {
        try {
          await logic(context);
        } catch (error) {
          failure = { error };
        }
      });
      if (failure) throw failure.error;
    });
  }

  async function continueIn(
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void> {
    await proactively((turn) => adapter.continueConversationAsync(appId, reference, turn), logic);
  }

  async function referenceOf(conversationId: string): Promise<Partial<ConversationReference>> {
    const reference = await conversations.find(conversationId);
    if (!reference)
      throw new Error(
        `the bot has no conversation reference for ${conversationId}; is it still installed there?`,
      );
    return reference;
  }

  async function sendPrivately(user: UserTarget, activity: Partial<Activity>): Promise<string> {
    const existing =
      (user.directChannelId && (await conversations.find(user.directChannelId))) ||
      (await conversations.findPersonal(user.userId));
    if (existing) {
      await continueIn(existing, async (context) => {
        await context.sendActivity(activity);
      });
      return existing.conversation?.id ?? '';
    }
    const anchor = await conversations.anyOfTenant(user.workspaceId);
    if (!anchor?.serviceUrl)
      throw new Error(
        `no Teams conversation known in tenant ${user.workspaceId} to open a private chat from`,
      );
    let created = '';
    await proactively(
      (turn) =>
        adapter.createConversationAsync(
          appId,
          'msteams',
          anchor.serviceUrl as string,
          'https://api.botframework.com',
          {
            isGroup: false,
            bot: anchor.bot as ConversationReference['bot'],
            members: [{ id: user.userId, name: '' }],
            tenantId: user.workspaceId,
            channelData: { tenant: { id: user.workspaceId } },
            activity: undefined as unknown as Activity,
          },
          turn,
        ),
      async (context) => {
        const reference = TurnContext.getConversationReference(context.activity);
        created = reference.conversation?.id ?? '';
        await conversations.remember(created, 'personal', {
          ...reference,
          user: { id: user.userId, name: '' },
        });
        await context.sendActivity(activity);
      },
    );
    return created;
  }

  return {
    platform: 'teams',
    digestChart: { maxPngBytes: TEAMS_CHART_MAX_PNG_BYTES },
    sendPrivately,
    async postQuestion(channel: ChannelTarget, message: DailyQuestionMessage): Promise<MessageRef> {
      const reference = await referenceOf(channel.channelId);
      let activityId = '';
      await continueIn(reference, async (context) => {
        const sent = await context.sendActivity({
          attachments: [cardAttachment(dailyQuestionCard(message))],
        });
        activityId = sent?.id ?? '';
      });
      return { conversationId: channel.channelId, activityId };
    },
    async updateQuestion(ref, message) {
      const reference = await referenceOf(String(ref.conversationId));
      await continueIn(reference, async (context) => {
        await context.updateActivity({
          type: 'message',
          id: String(ref.activityId),
          attachments: [cardAttachment(dailyQuestionCard(message))],
        });
      });
    },
    async postReveal(ref, reveal) {
      const reference = await referenceOf(String(ref.conversationId));
      // A reply to the question's own message lands in its thread.
      const thread = {
        ...reference,
        conversation: { ...reference.conversation, id: `${ref.conversationId};messageid=${ref.activityId}` },
      } as Partial<ConversationReference>;
      await continueIn(thread, async (context) => {
        await context.sendActivity({ text: markdown(renderRevealText(reveal)), textFormat: 'markdown' });
      });
    },
    async postDigest(channel, digest) {
      const reference = await referenceOf(channel.channelId);
      let activityId = '';
      const send = (withChart: boolean) =>
        continueIn(reference, async (context) => {
          activityId = (await context.sendActivity(digestActivity(digest, { withChart })))?.id ?? '';
        });
      const ref = () => ({ conversationId: channel.channelId, activityId });
      if (!digest.chart) {
        await send(false);
        return ref();
      }
      try {
        await send(true);
      } catch (error) {
        // 413 (MessageSizeTooBig) or 400 (a bad attachment): the chart is the likely cause, so once more without it.
        const status = (error as { statusCode?: number }).statusCode ?? 0;
        if (status !== 413 && status !== 400) throw error;
        log?.warn(
          { err: error, conversationId: channel.channelId, status },
          'digest refused with its chart; posting it without the chart',
        );
        await send(false);
      }
      return ref();
    },
    async sendReminder(user, reminder) {
      const directChannelId = await sendPrivately(user, {
        text: markdown(reminderIntroText(reminder)),
        textFormat: 'markdown',
        attachments: [cardAttachment(practiceCard(reminder.practice, { reminder: true }))],
      });
      return { directChannelId };
    },
    async sendFeedback(user, _channel, feedback) {
      await sendPrivately(user, feedbackActivity(feedback));
    },
    async sendPractice(user, _channel, practice) {
      await sendPrivately(user, { attachments: [cardAttachment(practiceCard(practice))] });
    },
  };
}
