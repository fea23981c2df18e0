import {
  type AllMiddlewareArgs,
  App,
  type BlockAction,
  type ButtonAction,
  ExpressReceiver,
  LogLevel,
  type SlackActionMiddlewareArgs,
  type Logger as SlackLogger,
} from '@slack/bolt';
import express from 'express';
import type { z } from 'zod';
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
import { isListedAdmin } from '../../quiz/admins.js';
import { createAnsweredCountRefresher } from '../../quiz/answered-count.js';
import { parseCommand } from '../../quiz/commands.js';
import type { Actor, ChannelKey, Quiz } from '../../quiz/quiz.js';
import { renderReplyText } from '../../quiz/render-text.js';
import { isChannelReply, runCommand } from '../../quiz/replies.js';
import {
  dailyValueSchema,
  parseJsonValue,
  practiceValueSchema,
  reminderChoiceSchema,
  topicSlugSchema,
} from '../../quiz/values.js';
import type { SecretBox } from '../../secret-box.js';
import { createDeliveriesRepository } from '../deliveries.repository.js';
import { handleOnce } from '../handle-once.js';
import {
  ACTIONS,
  choiceFromState,
  feedbackBlocks,
  homeView,
  type PracticeValue,
  practiceBlocks,
  replyBlocks,
  type SlackInputState,
} from './blocks.js';
import { postToResponseUrl, slackFetch } from './http.js';
import { createInstallationStore } from './installation-store.js';
import { createReplayGuard } from './replays.js';
import { createSlackRequestGuard } from './request-guard.js';
import { createSlackPlatform, type EnabledSlackConfig } from './slack-platform.js';

/** Scopes the app asks for; the manifest (slack-manifest.yml) lists the same. */
export const SLACK_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'im:write',
  'users:read',
  'channels:read',
  'groups:read',
];

/** Commands that only read: the others change something, so a replay of them must have no effect. */
const READ_ONLY_COMMANDS = new Set(['help', 'invalid', 'topics', 'stats', 'leaderboard', 'settings']);
/** Commands that change a channel: only these need to know whether the person is an admin. */
const ADMIN_COMMANDS = new Set(['subscribe', 'unsubscribe', 'digest']);
/** chat.update is Tier 3 (about 50 a minute): refresh a question's answered count at most this often. */
const COUNT_UPDATE_INTERVAL_MS = 5_000;

export interface SlackApp {
  /** Express routes for /slack/events, /slack/install and /slack/oauth_redirect (HTTP modes). */
  router?: express.Router;
  platform: ReturnType<typeof createSlackPlatform>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createSlackApp(deps: {
  config: EnabledSlackConfig;
  quiz: Quiz;
  db: Database;
  logger: Logger;
  adminUserIds: string[];
  /** Encrypts the installations of OAuth workspaces at rest. */
  secretBox: SecretBox;
  /** How many processes serve this bot (WEB_CONCURRENCY); they share the platform's rate limits. */
  processes?: number;
}): SlackApp {
  const { config, quiz, logger } = deps;
  const log = logger.child({ platform: 'slack' });
  const installations = createInstallationStore(deps.db, deps.secretBox);
  const clientOptions = { fetch: slackFetch, ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}) };
  const slackLogger = boltLogger(log);

  const tokenFor = async (teamId: string): Promise<string> => {
    if (config.mode === 'single-workspace') return config.botToken;
    const installation = await installations.fetchInstallation({
      teamId,
      isEnterpriseInstall: false,
      enterpriseId: undefined,
    });
    const token = installation.bot?.token;
    if (!token) throw new Error(`the Slack installation for ${teamId} has no bot token`);
    return token;
  };
  const platform = createSlackPlatform({ config, tokenFor, logger: slackLogger });

  const socketMode = Boolean(config.appToken);
  const oauth =
    config.mode === 'oauth'
      ? {
          clientId: config.clientId,
          clientSecret: config.clientSecret,
          stateSecret: config.stateSecret,
          scopes: SLACK_SCOPES,
          installationStore: installations,
          installerOptions: {
            directInstall: true,
            installPath: '/slack/install',
            redirectUriPath: '/slack/oauth_redirect',
            clientOptions,
            ...(config.apiUrl
              ? { authorizationUrl: new URL('../oauth/v2/authorize', config.apiUrl).toString() }
              : {}),
          },
        }
      : {};

  const router = socketMode ? undefined : express.Router();
  // Registered before the receiver's own /slack/events route, which it takes the place of: the guard
  // verifies and parses each request once and hands it to the receiver's handler, instead of Bolt
  // reading, verifying and parsing it a second time on the click path.
  router?.post(
    '/slack/events',
    createSlackRequestGuard({
      signingSecret: config.signingSecret,
      badRequests: createBadRequests({ logger: log }),
      dispatch: (req, res) => (receiver as ExpressReceiver).requestHandler(req, res),
    }),
  );
  const receiver = router
    ? new ExpressReceiver({
        signingSecret: config.signingSecret,
        endpoints: '/slack/events',
        // Each listener acknowledges when it should: a command at once, an answer once it is stored.
        // Slack allows 3 seconds; work that may take longer happens after the acknowledgement.
        processBeforeResponse: false,
        router,
        // The signature identifies one signed request: a replay of it carries the same one.
        customPropertiesExtractor: (req) => ({ requestSignature: req.headers['x-slack-signature'] }),
        logger: slackLogger,
        ...oauth,
      })
    : undefined;

  const app = new App({
    // In Socket Mode the websocket client takes its Web API settings from installerOptions.
    ...(receiver
      ? { receiver }
      : { socketMode: true, appToken: config.appToken, installerOptions: { clientOptions }, ...oauth }),
    ...(config.mode === 'single-workspace' ? { token: config.botToken } : {}),
    ...(receiver ? {} : { signingSecret: config.signingSecret || 'unused-in-socket-mode' }),
    clientOptions,
    logger: slackLogger,
    extendedErrorHandler: true,
    // No conversation state is kept between events; Bolt's default store costs an Error per request.
    convoStore: false,
  });

  // ---- Who is asking ------------------------------------------------------------------------
  // Asked afresh for every admin command: they are rare, and a demoted admin loses rights at once.
  async function isWorkspaceAdmin(teamId: string, userId: string): Promise<boolean> {
    if (isListedAdmin(deps.adminUserIds, teamId, [userId])) return true;
    const info = await (await platform.client(teamId)).users.info({ user: userId });
    return Boolean(info.user?.is_admin || info.user?.is_owner || info.user?.is_primary_owner);
  }

  const actorOf = (teamId: string, user: { id: string; name?: string; username?: string }): Actor => ({
    platform: 'slack',
    workspaceId: teamId,
    userId: user.id,
    ...(user.name || user.username ? { userName: user.name ?? user.username } : {}),
  });

  // ---- Events API retries -----------------------------------------------------------------
  // Slack redelivers an event whose acknowledgement it did not see in time (X-Slack-Retry-Num). An
  // event is marked handled only once its handling worked, so a copy of one that failed (or whose
  // process died) is handled again, and a copy of one that worked is not.
  const deliveries = createDeliveriesRepository(deps.db);
  app.use(async ({ body, next }) => {
    const eventId = (body as { event_id?: string }).event_id;
    if (!eventId) return next();
    const claim = await handleOnce({ deliveries, key: `slack:${eventId}`, log, work: next });
    if (claim !== 'claimed')
      log.debug({ eventId, claim }, 'ignoring a copy of an event handled or being handled');
  });

  // ---- Replays --------------------------------------------------------------------------------
  // A signed request stays valid for five minutes, so whoever copies one could send it again; a
  // request that changes something is remembered (in the database, for every process) and a second
  // delivery does nothing. Clicks on answers need no such memory: the first answer is the one that counts.
  const replays = createReplayGuard({ deliveries });
  async function isReplay(context: Record<string, unknown>): Promise<boolean> {
    const signature = context.requestSignature;
    if (typeof signature !== 'string') return false;
    if (await replays.claim(signature)) return false;
    log.warn('ignored a replayed Slack request: the same signed request was already handled');
    return true;
  }

  // ---- /aif-quiz ----------------------------------------------------------------------------
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
    await postToResponseUrl(command.response_url, {
      response_type: isChannelReply(reply) ? 'in_channel' : 'ephemeral',
      text: renderReplyText(reply, '/aif-quiz ').slice(0, 3000),
      blocks: replyBlocks(reply),
    });
  });

  // ---- Answers to the question of the day ------------------------------------------------------
  const counts = createAnsweredCountRefresher({
    quiz,
    platform,
    intervalMs: COUNT_UPDATE_INTERVAL_MS,
    // chat.update is Tier 3: about 50 a minute per workspace, so at most one every 1.5 s across its questions.
    // Each of the service's processes keeps its own budget: together they stay within the limit.
    perWorkspaceIntervalMs: 1_500 * (deps.processes ?? 1),
    onError: (error, postId) => log.warn({ err: error, postId }, 'could not refresh the answered count'),
  });

  type ActionArgs = SlackActionMiddlewareArgs<BlockAction> & AllMiddlewareArgs;
  type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

  /** The channel a click came from, which an answer must match. */
  const placeOf = (body: BlockAction) => ({
    channelId: body.channel?.id ?? body.container?.channel_id ?? '',
  });

  /**
   * Stores the answer, then acknowledges the click, then shows the result. Slack never redelivers a
   * click, so acknowledging first would leave an answer only in memory between the 200 and the
   * commit, and a crash there loses it while the person believes it counted. The group writer
   * commits within milliseconds, well inside Slack's 3 s. A click that cannot be stored, or that is
   * refused (a value the bot never sent, a post of another channel), is told so before it is
   * acknowledged.
   */
  async function answerDaily(
    args: ActionArgs,
    answerOf: () => Promise<{ postId: string; choice: unknown }>,
  ): Promise<void> {
    const { body } = args;
    const teamId = body.team?.id ?? '';
    let result: Awaited<ReturnType<Quiz['recordAnswer']>>;
    try {
      const { postId, choice } = await answerOf();
      result = await quiz.recordAnswer(actorOf(teamId, body.user), postId, choice, placeOf(body));
    } catch (error) {
      await reportError({ error, body, teamId });
      await acknowledge(args);
      return;
    }
    await acknowledge(args);
    if (result.outcome === 'recorded') counts.refreshSoon(result.postId, teamId);
    await postToResponseUrl(body.response_url, {
      response_type: 'ephemeral',
      replace_original: false,
      text: result.correct ? 'Correct!' : 'Not quite.',
      blocks: feedbackBlocks(result),
    }).catch((error: unknown) => {
      throw answerReplyFailed(error);
    });
  }

  /** After a slow store Bolt has already answered Slack (its 3 s are up): the answer still stands. */
  async function acknowledge({ ack }: ActionArgs): Promise<void> {
    await ack().catch((error: unknown) => log.warn({ err: error }, 'a click was acknowledged too late'));
  }

  // Every button and input of the bot, by the part of its action_id before any ':'. One Bolt
  // listener looks the handler up: Bolt runs every listener's matching for every request, and a
  // click is the request that comes by the thousand.
  const onAction = new Map<string, (args: ButtonArgs) => Promise<void>>();
  app.action<BlockAction<ButtonAction>>(/.*/, async (args) => {
    const handler = onAction.get(args.action.action_id.split(':')[0] ?? '');
    if (handler) return handler(args);
    await args.ack();
    log.warn({ actionId: args.action.action_id }, 'a click on a button this version does not know');
  });

  onAction.set(ACTIONS.dailySingle, async (args) => {
    await answerDaily(args, async () => {
      const value = buttonValue(dailyValueSchema, args);
      return { postId: value.p, choice: value.c };
    });
  });

  onAction.set(ACTIONS.dailySubmit, async (args) => {
    await answerDaily(args, async () => {
      const value = buttonValue(dailyValueSchema, args);
      const question = await quiz.questionOfPost(value.p, {
        actor: actorOf(args.body.team?.id ?? '', args.body.user),
        where: placeOf(args.body),
      });
      if (!question) throw new AppError('quiz.unknown_post', 'That question is not open for answers.');
      return { postId: value.p, choice: choiceFromState(question, stateOf(args.body)) };
    });
  });

  // ---- Practice questions (ephemeral, in reminders, from App Home) -----------------------------
  /** Like an answer to the question of the day: checked and stored, then acknowledged, then shown. */
  async function answerPractice(
    args: ActionArgs,
    answerOf: () => Promise<{ value: PracticeValue; choice: unknown }>,
  ): Promise<void> {
    const { body } = args;
    let result: Awaited<ReturnType<Quiz['answerPractice']>>;
    try {
      const { value, choice } = await answerOf();
      result = await quiz.answerPractice(actorOf(body.team?.id ?? '', body.user), {
        questionId: value.q,
        version: value.v,
        issueKey: value.k,
        choice,
      });
    } catch (error) {
      await reportError({ error, body, teamId: body.team?.id ?? '' });
      await acknowledge(args);
      return;
    }
    await acknowledge(args);
    await postToResponseUrl(body.response_url, {
      replace_original: true,
      text: result.correct ? 'Correct!' : 'Not quite.',
      blocks: feedbackBlocks(result),
    }).catch((error: unknown) => {
      throw answerReplyFailed(error);
    });
  }

  onAction.set(ACTIONS.practiceSingle, async (args) => {
    await answerPractice(args, async () => {
      const value = buttonValue(practiceValueSchema, args);
      return { value, choice: value.c };
    });
  });

  onAction.set(ACTIONS.practiceSubmit, async (args) => {
    await answerPractice(args, async () => {
      const value = buttonValue(practiceValueSchema, args);
      const question = await quiz.practiceQuestion(value.q, value.v);
      if (!question)
        throw new AppError('quiz.unknown_question', 'That practice question is no longer available.');
      return { value, choice: choiceFromState(question, stateOf(args.body)) };
    });
  });

  // Checkbox and select changes arrive one by one; only Submit counts.
  onAction.set(ACTIONS.input, async ({ ack }) => {
    await ack();
  });

  // ---- App Home -------------------------------------------------------------------------------
  async function publishHome(teamId: string, userId: string): Promise<void> {
    const actor = actorOf(teamId, { id: userId });
    const [stats, settings] = await Promise.all([quiz.personalStats(actor), quiz.settings(actor)]);
    await (await platform.client(teamId)).views.publish({ user_id: userId, view: homeView(stats, settings) });
  }

  app.event('app_home_opened', async ({ event, body }) => {
    if (event.tab !== 'home') return;
    await publishHome((body as { team_id: string }).team_id, event.user);
  });

  async function practiceInDirectMessage(teamId: string, userId: string, topic?: string): Promise<void> {
    const practice = await quiz.practice(actorOf(teamId, { id: userId }), topic);
    const channel = await platform.openDirectChannel(teamId, userId);
    await (await platform.client(teamId)).chat.postMessage({
      channel,
      text: `Practice: ${practice.topicTitle}`,
      blocks: practiceBlocks(practice),
    });
  }

  onAction.set(ACTIONS.homePractice, async ({ ack, body, context }) => {
    await ack();
    if (await isReplay(context)) return;
    await practiceInDirectMessage(body.team?.id ?? '', body.user.id);
  });

  onAction.set(ACTIONS.homeTopic, async (args) => {
    await args.ack();
    const topic = buttonText(topicSlugSchema, args);
    if (await isReplay(args.context)) return;
    await practiceInDirectMessage(args.body.team?.id ?? '', args.body.user.id, topic);
  });

  onAction.set(ACTIONS.homeReminders, async (args) => {
    await args.ack();
    const { body } = args;
    const reminders = buttonText(reminderChoiceSchema, args);
    if (await isReplay(args.context)) return;
    const teamId = body.team?.id ?? '';
    await quiz.setReminders(actorOf(teamId, body.user), reminders);
    await publishHome(teamId, body.user.id);
  });

  // ---- Uninstall ------------------------------------------------------------------------------
  app.event('app_uninstalled', async ({ body }) => {
    const teamId = (body as { team_id: string }).team_id;
    await installations.deleteByTeam(teamId);
    await quiz.deactivateWorkspace('slack', teamId);
    log.info({ teamId }, 'the app was uninstalled; its channels stop receiving questions');
  });

  app.event('tokens_revoked', async ({ event, body }) => {
    const teamId = (body as { team_id: string }).team_id;
    if ((event.tokens.bot ?? []).length > 0) {
      await installations.deleteByTeam(teamId);
      await quiz.deactivateWorkspace('slack', teamId);
    }
  });

  // ---- One error sink -------------------------------------------------------------------------
  async function reportError({ error, body, teamId }: { error: unknown; body?: unknown; teamId?: string }) {
    const responseUrl = (body as { response_url?: string } | undefined)?.response_url;
    // Bolt passes our coded errors through as they are, and wraps anything else.
    const coded = publicErrorOf(error);
    // Whether anything was stored is known only where it was stored; a coded error says so itself.
    const text = coded
      ? coded.message
      : 'Sorry, something went wrong on our side. Please try again in a moment.';
    if (coded && isRefusal(coded))
      log.warn(
        {
          code: coded.code,
          ...coded.details,
          teamId,
          userId: (body as { user?: { id?: string } })?.user?.id,
        },
        'refused a Slack request that does not fit where it came from',
      );
    else if (coded && causedByBusyDatabase(coded))
      log.warn(
        { err: coded.cause, code: coded.code, teamId },
        'the database is busy; told the person to retry',
      );
    else if (!coded || coded.cause)
      log.error(
        {
          err: coded?.cause ?? error,
          code: coded?.code,
          teamId,
          userId: (body as { user?: { id?: string } })?.user?.id,
        },
        'Slack request failed',
      );
    if (responseUrl) {
      await postToResponseUrl(responseUrl, {
        response_type: 'ephemeral',
        replace_original: false,
        text,
      }).catch((sendError: unknown) =>
        log.warn({ err: sendError }, 'could not tell the person about the error'),
      );
    }
  }
  app.error((async ({
    error,
    body,
    context,
  }: {
    error: Error;
    body?: unknown;
    context?: { teamId?: string };
  }) => reportError({ error, body, ...(context?.teamId ? { teamId: context.teamId } : {}) })) as Parameters<
    typeof app.error
  >[0]);

  return {
    ...(router ? { router } : {}),
    platform,
    async start() {
      if (socketMode) await app.start();
    },
    async stop() {
      counts.stop();
      if (socketMode) await app.stop();
    },
  };
}

/** A button's JSON value, parsed against what the bot puts there; anything else is refused. */
function buttonValue<T>(schema: z.ZodType<T>, { action }: { action: ButtonAction }): T {
  const value = parseJsonValue(schema, action.value);
  if (value === undefined) throw invalidValue('button', { actionId: action.action_id.slice(0, 64) });
  return value;
}

/** A button's plain-text value, parsed against what the bot puts there. */
function buttonText<T>(schema: z.ZodType<T>, { action }: { action: ButtonAction }): T {
  const parsed = schema.safeParse(action.value);
  if (!parsed.success) throw invalidValue('button', { actionId: action.action_id.slice(0, 64) });
  return parsed.data;
}

function stateOf(body: BlockAction): Record<string, Record<string, SlackInputState>> | undefined {
  return (body.state?.values ?? undefined) as Record<string, Record<string, SlackInputState>> | undefined;
}

/**
 * Bolt logs through the service's logger. Errors go as errors (the logger keeps their type, message
 * and stack, never their query parameters); everything else becomes the message, which the logger
 * truncates and masks like any other line.
 */
function boltLogger(log: Logger): SlackLogger {
  let level: LogLevel = LogLevel.INFO;
  const write = (method: 'debug' | 'info' | 'warn' | 'error', parts: unknown[]) => {
    const err = parts.find((p): p is Error => p instanceof Error);
    const text = parts
      .filter((p) => p !== err)
      .map((p) => (typeof p === 'string' ? p : safeJson(p)))
      .join(' ');
    // Without a text, pino takes the message of the error as the logger has reduced it.
    if (err) log[method]({ err }, ...(text ? [text] : []));
    else log[method](text);
  };
  return {
    // Bolt logs at debug level on every request; build the line only when it will be written.
    debug: (...parts) => {
      if (log.isLevelEnabled('debug')) write('debug', parts);
    },
    info: (...parts) => write('info', parts),
    warn: (...parts) => write('warn', parts),
    error: (...parts) => write('error', parts),
    setLevel: (next) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
