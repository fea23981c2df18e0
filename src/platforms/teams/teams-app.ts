import {
  type Activity,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConversationReference,
  TeamsInfo,
  TurnContext,
} from 'botbuilder';
import express from 'express';
import type { TeamsConfig } from '../../config.js';
import type { Database } from '../../db/client.js';
import {
  AppError,
  answerReplyFailed,
  causedByBusyDatabase,
  invalidValue,
  isRefusal,
  publicErrorOf,
} from '../../errors.js';
import { createBadRequests } from '../../http/bad-requests.js';
import type { Logger } from '../../logger.js';
import { signalRateLimited } from '../../metrics/signals.js';
import { isListedAdmin } from '../../quiz/admins.js';
import { createAnsweredCountRefresher } from '../../quiz/answered-count.js';
import { parseCommand } from '../../quiz/commands.js';
import type {
  ChannelTarget,
  ChatPlatform,
  DailyQuestionMessage,
  MessageRef,
  UserTarget,
} from '../../quiz/port.js';
import type { Actor, ChannelKey, Quiz } from '../../quiz/quiz.js';
import {
  renderDigestText,
  renderFeedbackText,
  renderReminderText,
  renderReplyText,
  renderRevealText,
} from '../../quiz/render-text.js';
import { type Reply, runCommand } from '../../quiz/replies.js';
import { createDeliveriesRepository } from '../deliveries.repository.js';
import { handleOnce } from '../handle-once.js';
import { createActivityGuard, TOKEN_REFUSED } from './activity-guard.js';
import {
  type CardData,
  cardAttachment,
  cardDataSchema,
  choiceFromValue,
  dailyQuestionCard,
  practiceCard,
} from './cards.js';
import { type ConversationKind, createConversationsRepository } from './conversations.repository.js';

export type EnabledTeamsConfig = Exclude<TeamsConfig, { mode: 'off' }>;

const ADMIN_COMMANDS = new Set(['subscribe', 'unsubscribe', 'digest']);
/** Teams throttles per conversation: refresh a card's answered count at most this often. */
const COUNT_UPDATE_INTERVAL_MS = 5_000;
/** Statuses the Bot Connector uses for "slow down" or "try again". */
const RETRYABLE = new Set([412, 429, 502, 504]);
const GREETING = [
  "Hi! I'm the AIF-C01 study bot. I post a question of the day for the AWS Certified AI Practitioner exam, keep a leaderboard, and help each person practise their weak topics.",
  'A team owner can start the daily question here with: **subscribe 09:00 Europe/Berlin weekdays** (mention me first in a channel).',
  'Type **help** to see everything I can do.',
].join('\n\n');

export interface TeamsApp {
  router: express.Router;
  platform: ChatPlatform;
  stop(): Promise<void>;
}

/** The conversation a message belongs to, without the `;messageid=` suffix of a thread reply. */
export function baseConversationId(id: string): string {
  return id.split(';messageid=')[0] ?? id;
}

/**
 * Retries a Bot Connector call that Teams answered with 429, 412, 502 or 504: exponential backoff
 * with jitter, honouring Retry-After when given.
 */
export async function withTeamsRetry<T>(
  send: () => Promise<T>,
  options: { attempts?: number; baseMs?: number } = {},
): Promise<T> {
  const attempts = options.attempts ?? 4;
  const baseMs = options.baseMs ?? 500;
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if (status === 429) signalRateLimited('teams');
      if (!status || !RETRYABLE.has(status) || attempt >= attempts) throw error;
      const retryAfter = Number(
        (
          error as { response?: { headers?: { get?(name: string): string | undefined } } }
        ).response?.headers?.get?.('retry-after'),
      );
      const wait =
        Number.isFinite(retryAfter) && retryAfter > 0
          ? retryAfter * 1000
          : baseMs * 2 ** (attempt - 1) * (0.5 + Math.random());
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export function createTeamsApp(deps: {
  config: EnabledTeamsConfig;
  quiz: Quiz;
  db: Database;
  logger: Logger;
  adminUserIds: string[];
  /** How many processes serve this bot (WEB_CONCURRENCY); they share the platform's rate limits. */
  processes?: number;
}): TeamsApp {
  const { config, quiz } = deps;
  const log = deps.logger.child({ platform: 'teams' });
  const conversations = createConversationsRepository(deps.db);
  const deliveries = createDeliveriesRepository(deps.db);
  const appId = config.mode === 'authenticated' ? config.appId : '';
  // With no app id (emulator mode) the adapter accepts unauthenticated traffic; with one, every
  // request's token is validated and an unsigned request gets 401.
  const auth = new ConfigurationBotFrameworkAuthentication(
    config.mode === 'authenticated'
      ? {
          MicrosoftAppId: config.appId,
          MicrosoftAppPassword: config.appPassword ?? '',
          MicrosoftAppType: config.appType,
          MicrosoftAppTenantId: config.tenantId ?? '',
        }
      : {},
  );
  const adapter = new RoutedAdapter(auth);

  // ---- Sending --------------------------------------------------------------------------------
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

  /** Sends to a person's 1:1 chat with the bot, creating that chat the first time. */
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

  const platform: ChatPlatform = {
    platform: 'teams',
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
      await continueIn(await referenceOf(channel.channelId), async (context) => {
        await context.sendActivity({ text: markdown(renderDigestText(digest)), textFormat: 'markdown' });
      });
    },
    async sendReminder(user, reminder) {
      const [intro] = renderReminderText(reminder).split('\nHere is a question on it:');
      const directChannelId = await sendPrivately(user, {
        text: intro ?? '',
        attachments: [cardAttachment(practiceCard(reminder.practice, { reminder: true }))],
      });
      return { directChannelId };
    },
    async sendFeedback(user, _channel, feedback) {
      await sendPrivately(user, { text: markdown(renderFeedbackText(feedback)), textFormat: 'markdown' });
    },
    async sendPractice(user, _channel, practice) {
      await sendPrivately(user, { attachments: [cardAttachment(practiceCard(practice))] });
    },
  };

  // ---- Receiving ------------------------------------------------------------------------------
  const counts = createAnsweredCountRefresher({
    quiz,
    platform,
    intervalMs: COUNT_UPDATE_INTERVAL_MS,
    // Each of the service's processes keeps its own budget: together they stay within the limit.
    perWorkspaceIntervalMs: 1_000 * (deps.processes ?? 1),
    onError: (error, postId) => log.warn({ err: error, postId }, 'could not refresh the answered count'),
  });

  function actorOf(activity: Activity, isPlatformAdmin?: boolean): Actor {
    const tenantId = tenantOf(activity);
    const admin =
      isPlatformAdmin ||
      isListedAdmin(deps.adminUserIds, tenantId, [activity.from.id, activity.from.aadObjectId]);
    return {
      platform: 'teams',
      workspaceId: tenantId,
      userId: activity.from.id,
      ...(activity.from.name ? { userName: activity.from.name } : {}),
      isPlatformAdmin: admin,
    };
  }

  async function isTeamOwner(context: TurnContext): Promise<boolean> {
    try {
      const member = await TeamsInfo.getMember(context, context.activity.from.id);
      return member.userRole === 'owner';
    } catch {
      return false;
    }
  }

  function channelOf(activity: Activity): ChannelKey | undefined {
    if (activity.conversation.conversationType === 'personal') return undefined;
    return {
      platform: 'teams',
      workspaceId: tenantOf(activity),
      channelId: baseConversationId(activity.conversation.id),
      channelName:
        (activity.channelData as { channel?: { name?: string } })?.channel?.name ?? 'Teams conversation',
    };
  }

  async function reply(context: TurnContext, result: Reply): Promise<void> {
    if (result.kind === 'practice') {
      await context.sendActivity({ attachments: [cardAttachment(practiceCard(result.practice))] });
      return;
    }
    await context.sendActivity({ text: markdown(renderReplyText(result)), textFormat: 'markdown' });
  }

  async function onMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const submitted = submittedCardOf(activity);
    if (submitted) {
      await onSubmit(context, submitted);
      return;
    }
    const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '')
      .replace(/<[^>]+>/g, '')
      .trim();
    const command = parseCommand(text);
    const admin = ADMIN_COMMANDS.has(command.name) ? await isTeamOwner(context) : false;
    const channel = channelOf(activity);
    const result = await runCommand(
      quiz,
      { actor: actorOf(activity, admin), ...(channel ? { channel } : {}) },
      command,
    );
    // The quiz erased the person's own rows; what Teams told the bot about them is erased here.
    if (result.kind === 'forget-me' && result.erased)
      await conversations.forgetPerson([activity.from.id, activity.from.aadObjectId ?? '']);
    await reply(context, result);
  }

  async function onSubmit(context: TurnContext, value: CardData & Record<string, unknown>): Promise<void> {
    const activity = context.activity;
    const actor = actorOf(activity);
    const user: UserTarget = { workspaceId: actor.workspaceId, userId: actor.userId };
    const inPersonalChat = activity.conversation.conversationType === 'personal';
    if (value.aifq === 'qotd') {
      const where = { channelId: baseConversationId(activity.conversation.id) };
      const question = await quiz.questionOfPost(value.p, { actor, where });
      if (!question) throw new AppError('quiz.unknown_post', 'That question is not open for answers.');
      const choice = question.type === 'single' ? value.c : choiceFromValue(question, value);
      const result = await quiz.recordAnswer(actor, value.p, choice, where);
      if (result.outcome === 'recorded') counts.refreshSoon(value.p, actor.workspaceId);
      await showResult(() =>
        // Channel messages are seen by everyone and Teams has no ephemeral messages: feedback goes to the 1:1 chat.
        inPersonalChat
          ? context.sendActivity({ text: markdown(renderFeedbackText(result)), textFormat: 'markdown' })
          : platform.sendFeedback(user, undefined, result),
      );
      return;
    }
    const question = await quiz.practiceQuestion(value.q, value.v);
    if (!question)
      throw new AppError('quiz.unknown_question', 'That practice question is no longer available.');
    const choice = question.type === 'single' ? value.c : choiceFromValue(question, value);
    const result = await quiz.answerPractice(actor, {
      questionId: value.q,
      version: value.v,
      issueKey: value.k,
      choice,
    });
    await showResult(() =>
      inPersonalChat
        ? context.sendActivity({ text: markdown(renderFeedbackText(result)), textFormat: 'markdown' })
        : platform.sendFeedback(user, undefined, result),
    );
  }

  /**
   * Shows the result of a stored answer. It is stored whatever happens here, so a failed send is
   * tried once more, and then the person is told the answer counted even though its reply failed.
   */
  async function showResult(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (first) {
      log.warn({ err: first }, 'the result of an answer could not be sent; trying once more');
      await send().catch((error: unknown) => {
        throw answerReplyFailed(error);
      });
    }
  }

  /**
   * The Bot Connector may deliver the same activity again. An activity is marked handled only once
   * its handling worked: a copy of one that failed (or whose process died) is handled again, a copy
   * of one that worked is not.
   */
  async function onTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // A card's values are read before anything is stored or claimed: a value the bot never sent
    // changes nothing.
    if (activity.type === 'message') submittedCardOf(activity);
    if (!activity.id) return handleTurn(context);
    const key = `teams:${baseConversationId(activity.conversation.id)}:${activity.id}`;
    const claim = await handleOnce({ deliveries, key, log, work: () => handleTurn(context) });
    if (claim !== 'claimed')
      log.debug(
        { activityId: activity.id, claim },
        'ignoring a copy of an activity handled or being handled',
      );
  }

  async function handleTurn(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const conversationId = baseConversationId(activity.conversation.id);
    const kind = (activity.conversation.conversationType ?? 'personal') as ConversationKind;
    const { user, ...reference } = TurnContext.getConversationReference(activity);
    // Posting to a team or group chat needs no person: keep whoever spoke last out of its reference.
    await conversations.remember(conversationId, kind, {
      ...reference,
      ...(kind === 'personal' ? { user } : {}),
      conversation: { ...reference.conversation, id: conversationId },
    } as Partial<ConversationReference>);

    const botId = activity.recipient.id;
    const removed =
      (activity.type === 'conversationUpdate' && activity.membersRemoved?.some((m) => m.id === botId)) ||
      (activity.type === 'installationUpdate' && activity.action?.startsWith('remove'));
    if (removed) {
      await conversations.deactivate(conversationId);
      await quiz.deactivateChannel({
        platform: 'teams',
        workspaceId: tenantOf(activity),
        channelId: conversationId,
      });
      log.info({ conversationId }, 'the bot was removed; no more posts there');
      return;
    }
    const added =
      (activity.type === 'conversationUpdate' && activity.membersAdded?.some((m) => m.id === botId)) ||
      (activity.type === 'installationUpdate' && activity.action?.startsWith('add'));
    if (added) {
      if (await deliveries.once(`teams-greeting:${conversationId}`))
        await context.sendActivity({ text: GREETING, textFormat: 'markdown' });
      return;
    }
    if (activity.type === 'message') await onMessage(context);
  }

  // One error sink: a coded error becomes a clear reply; anything else an apology and a log line.
  // Whether anything was stored is known only where it was stored; a coded error says so itself.
  adapter.onTurnError = async (context, error) => {
    const coded = publicErrorOf(error);
    if (coded && causedByBusyDatabase(coded))
      log.warn(
        { err: coded.cause, code: coded.code, activityId: context.activity.id },
        'the database is busy; told the person to retry',
      );
    else if (!coded || coded.cause)
      log.error(
        {
          err: coded?.cause ?? error,
          code: coded?.code,
          activityId: context.activity.id,
          conversationId: context.activity.conversation?.id,
        },
        'Teams turn failed',
      );
    if (coded) {
      const { activity } = context;
      if (isRefusal(coded))
        log.warn(
          { code: coded.code, ...coded.details, tenantId: tenantOf(activity), userId: activity.from?.id },
          'refused a Teams activity that does not fit where it came from',
        );
      // A card clicked in a channel is answered in the person's 1:1 chat: Teams has no private
      // replies in a channel, and what someone clicked is nobody else's business.
      const clickedInChannel =
        activity.conversation?.conversationType !== 'personal' &&
        typeof activity.value === 'object' &&
        activity.value !== null &&
        'aifq' in activity.value;
      if (clickedInChannel) {
        await sendPrivately(
          { workspaceId: tenantOf(activity), userId: activity.from.id },
          { text: coded.message },
        ).catch((sendError: unknown) =>
          log.warn({ err: sendError }, 'could not tell the person privately about their click'),
        );
        return;
      }
    }
    await context.sendActivity(
      coded ? coded.message : 'Sorry, something went wrong on our side. Please try again in a moment.',
    );
  };

  const router = express.Router();
  const badRequests = createBadRequests({ logger: log });
  const guard = createActivityGuard({ authenticated: config.mode === 'authenticated', badRequests });
  // botbuilder's own request handler (adapter.process) writes its failures to the console, outside
  // this service's logs and their filter: hand the activity to the adapter here instead. The guard
  // has read the body and checked that it is an activity.
  router.post('/api/messages', guard, async (req, res) => {
    const activity = req.body as Activity;
    for (const field of ['timestamp', 'localTimestamp', 'expiration'] as const) {
      const value = activity[field] as unknown;
      if (typeof value === 'string')
        (activity as unknown as Record<string, unknown>)[field] = new Date(value);
    }
    try {
      const invoke = await adapter.handle(req.headers.authorization ?? '', activity, onTurn);
      res.status(invoke?.status ?? 200);
      if (invoke?.body !== undefined) res.send(invoke.body);
      res.end();
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode === 401) {
        badRequests.refuse(req, res, TOKEN_REFUSED, {}, 'a Teams request failed authentication');
        return;
      }
      log.error({ err: error, activityId: activity.id }, 'Teams request failed');
      res.status(500).end();
    }
  });

  return {
    router,
    platform,
    async stop() {
      counts.stop();
    },
  };
}

/** The values of a submitted card of the bot, parsed; undefined for any other message. */
function submittedCardOf(activity: Activity): (CardData & Record<string, unknown>) | undefined {
  const value = activity.value as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object' || !('aifq' in value)) return undefined;
  const parsed = cardDataSchema.safeParse(value);
  if (!parsed.success) throw invalidValue('card', { aifq: String(value.aifq).slice(0, 32) });
  return { ...value, ...parsed.data };
}

/** The adapter, taking activities from our own route (whose failures go to the service's log). */
class RoutedAdapter extends CloudAdapter {
  handle(authorization: string, activity: Activity, logic: (context: TurnContext) => Promise<void>) {
    return this.processActivity(authorization, activity, logic);
  }
}

function tenantOf(activity: Activity): string {
  return (
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    activity.conversation.tenantId ??
    'unknown-tenant'
  );
}

/** Teams markdown needs a blank line for a break; keep the text renderer's line structure. */
function markdown(text: string): string {
  return text.replace(/\n/g, '\n\n').replace(/\n\n\n\n/g, '\n\n');
}
