import type { Server } from 'node:http';
import { loadBankCached } from './bank/cache.js';
import type { Bank } from './bank/load.js';
import { syncBank } from './bank/sync.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { type Database, type DatabaseHandle, openDatabase } from './db/client.js';
import { migrateDatabase, migrationStatus } from './db/migrate.js';
import type { Platform } from './db/schema.js';
import { createHttpApp } from './http/server.js';
import type { JobName, JobReport } from './jobs/jobs.js';
import { createScheduler, defaultSendQueue, runJobAt, type SchedulerDeps } from './jobs/scheduler.js';
import { createCardsRepository } from './learning/cards.repository.js';
import { catchUpAtStart } from './learning/catch-up.js';
import type { MockSettings } from './learning/mock/mock.types.js';
import { createLogger, type Logger, redactUrl } from './logger.js';
import {
  countAnswers,
  countQueued,
  countSends,
  httpMetricsMiddleware,
  jobRunObserver,
  metricsEndpoint,
} from './metrics/instrument.js';
import type { ServiceMetrics } from './metrics/metrics.js';
import { resealInstallations } from './platforms/slack/installation-store.js';
import type { SlackApp } from './platforms/slack/slack-app.js';
import type { TeamsApp } from './platforms/teams/teams-app.js';
import type { ChatPlatform } from './quiz/port.js';
import { createQuiz, type Quiz } from './quiz/quiz.js';
import { createSecretBox, type SecretBox } from './secret-box.js';
import { createInFlightTracker, drainThenStop } from './shutdown.js';

export interface RunningService {
  /** Where it serves HTTP; empty when started with `serveHttp: false`. */
  url: string;
  config: Config;
  database: DatabaseHandle;
  quiz: Quiz;
  /** A quiz on the same database with another clock (what scheduled jobs run with). */
  quizAt(clock: Clock): Quiz;
  logger: Logger;
  /** The chat platforms this process delivers through (what the scheduler uses). */
  platforms: Partial<Record<Platform, ChatPlatform>>;
  /** Runs one scheduled job as if it were `at`, with this service's send queue and metrics. */
  runJob(name: JobName, at: Date): Promise<JobReport>;
  /** The Prometheus metrics, when METRICS=on. */
  metrics?: ServiceMetrics;
  close(): Promise<void>;
}

export interface AppCore {
  database: DatabaseHandle;
  bank: Bank;
  quiz: Quiz;
  /** A quiz on the same database with another clock: what scheduled jobs run with. */
  quizAt(clock: Clock): Quiz;
  /** Encrypts secrets stored in the database (Slack installation tokens). */
  secretBox: SecretBox;
}

/** Opens the database, applies migrations, loads and syncs the bank, and builds the quiz. */
export async function openCore(
  config: Config,
  logger: Logger,
  clock: Clock = systemClock,
  options: { mockExam?: Partial<MockSettings> } = {},
): Promise<AppCore> {
  logger.info(
    config.database.kind === 'postgres'
      ? { database: redactUrl(config.database.url) }
      : { database: 'embedded (PGlite)', dataDir: config.database.dataDir },
    'opening the database',
  );
  // Reading the bank needs no database: do it while the database opens (a new embedded one takes seconds).
  const bankLoading = loadBankCached(config.questionsDir);
  bankLoading.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled
  const database = await openDatabase(config.database);
  try {
    const migrations = await migrateDatabase(database);
    logger.info({ applied: migrations.applied, total: migrations.total }, 'database schema is up to date');
    const secretBox = createSecretBox(config.encryption);
    await protectStoredSecrets(database, secretBox, config, logger);
    const bank = await bankLoading;
    const synced = await syncBank(database, bank);
    logger.info(
      { questions: bank.questions.length, topics: bank.topics.size, ...synced },
      'question bank loaded',
    );
    // Answers the review log does not hold yet become cards: those from before the learning engine
    // (once), and any whose card write a crash cut off (since the last start).
    await catchUpAtStart(database, createCardsRepository(database.db, config.learning), logger);
    const quizAt = (at: Clock) =>
      createQuiz({
        db: database.db,
        clock: at,
        logger,
        adminUserIds: config.adminUserIds,
        defaultTimezone: config.defaultTimezone,
        topics: [...bank.topics.values()],
        scheduling: config.learning,
        ...(options.mockExam ? { mockExam: options.mockExam } : {}),
      });
    return { database, bank, quiz: quizAt(clock), quizAt, secretBox };
  } catch (error) {
    await database.close();
    throw error;
  }
}

/**
 * Seals Slack installations stored in clear or under an earlier key with the current key. Without
 * a key (development only: production refuses to start without one) they stay in clear, said once.
 */
async function protectStoredSecrets(
  database: DatabaseHandle,
  box: SecretBox,
  config: Config,
  logger: Logger,
): Promise<void> {
  if (!box.currentKeyId) {
    if (config.slack.mode === 'oauth')
      logger.warn(
        'ENCRYPTION_KEY is not set: Slack installation tokens are stored in clear in the database (production refuses to start like this)',
      );
    return;
  }
  const { resealed, unreadable } = await resealInstallations(database.db, box);
  if (resealed > 0)
    logger.info({ resealed, keyId: box.currentKeyId }, 'Slack installations encrypted with the current key');
  if (unreadable.length > 0)
    logger.error(
      { workspaces: unreadable },
      'some Slack installations are encrypted with a key that is in neither ENCRYPTION_KEY nor ENCRYPTION_KEYS: those workspaces cannot be served until the key is added back or the app reinstalled',
    );
}

/** True when no chat platform is configured: the bot has nobody to talk to but a terminal. */
export function hasNoPlatform(config: Config): boolean {
  return config.slack.mode === 'off' && config.teams.mode === 'off';
}

/** The chat platforms a configuration delivers through, with the apps that serve them. */
export interface ChatPlatforms {
  platforms: Partial<Record<Platform, ChatPlatform>>;
  slack?: SlackApp;
  teams?: TeamsApp;
  /** Stops what the apps keep running (answered-count refreshes, Socket Mode). */
  stop(): Promise<void>;
}

/**
 * Builds Slack and Teams as the configuration enables them, plus the terminal channel when given.
 * The service and `aif-quiz run-job` both build their platforms here, so a job run from an external
 * scheduler delivers through exactly what the service's own scheduler would, with the same clients,
 * retries and pacing.
 */
export async function createChatPlatforms(options: {
  config: Config;
  quiz: Quiz;
  db: Database;
  logger: Logger;
  secretBox: SecretBox;
  local?: ChatPlatform;
}): Promise<ChatPlatforms> {
  const { config, quiz, db, logger } = options;
  const platforms: Partial<Record<Platform, ChatPlatform>> = {};
  if (options.local) platforms.local = options.local;
  // Each SDK is loaded only when its platform is configured: they are large and slow to import.
  const slack =
    config.slack.mode === 'off'
      ? undefined
      : (await import('./platforms/slack/slack-app.js')).createSlackApp({
          config: config.slack,
          quiz,
          db,
          logger,
          adminUserIds: config.adminUserIds,
          secretBox: options.secretBox,
          processes: config.processes,
        });
  if (slack) platforms.slack = slack.platform;
  const teams =
    config.teams.mode === 'off'
      ? undefined
      : (await import('./platforms/teams/teams-app.js')).createTeamsApp({
          config: config.teams,
          quiz,
          db,
          logger,
          adminUserIds: config.adminUserIds,
          processes: config.processes,
        });
  if (teams) platforms.teams = teams.platform;
  return {
    platforms,
    ...(slack ? { slack } : {}),
    ...(teams ? { teams } : {}),
    async stop() {
      await slack?.stop();
      await teams?.stop();
    },
  };
}

/**
 * The composition root: opens the database, applies migrations, syncs the question bank, then serves
 * HTTP. Returns once the service is ready; `close()` shuts it down in reverse order.
 */
export async function startService(options: {
  config: Config;
  logger?: Logger;
  /** Install SIGINT/SIGTERM handlers that close the service (the CLI does; tests do not). */
  handleSignals?: boolean;
  /** The terminal channel, when the service runs the local trial. */
  local?: ChatPlatform;
  /** false: no HTTP at all (the terminal channel needs none). Default true. */
  serveHttp?: boolean;
  /** Where the service's "now" comes from (the quiz's days, windows and closes); the system clock by default. */
  clock?: Clock;
  /** A smaller, shorter mock exam than AIF-C01's 65 questions in 90 minutes (tests). */
  mockExam?: Partial<MockSettings>;
}): Promise<RunningService> {
  const { config } = options;
  const logger = options.logger ?? createLogger(config.log);
  const started = performance.now();
  const core = await openCore(config, logger, options.clock, {
    ...(options.mockExam ? { mockExam: options.mockExam } : {}),
  });
  const { database, quizAt, secretBox } = core;
  const queue = countQueued(defaultSendQueue());
  // prom-client is loaded only when metrics are on; off, nothing below is wrapped.
  const metrics = config.metrics.enabled
    ? (await import('./metrics/metrics.js')).createServiceMetrics({ database, sendQueueDepth: queue.depth })
    : undefined;
  const quiz = metrics ? countAnswers(core.quiz, metrics) : core.quiz;
  const chat = await createChatPlatforms({
    config,
    quiz,
    db: database.db,
    logger,
    secretBox,
    ...(options.local ? { local: options.local } : {}),
  });
  const { slack, teams } = chat;
  const platforms = metrics ? countSends(chat.platforms, metrics) : chat.platforms;
  const jobDeps: SchedulerDeps = {
    db: database.db,
    quizAt,
    platforms,
    logger,
    defaultTimezone: config.defaultTimezone,
    queue,
    ...(metrics ? { observe: jobRunObserver(metrics) } : {}),
  };
  const scheduler = config.scheduler ? createScheduler(jobDeps) : undefined;
  let server: Server | undefined;
  // Set on SIGTERM: readiness answers 503 so the load balancer stops sending while work finishes.
  let draining = false;
  const inFlight = createInFlightTracker();
  let schedulerStopped: Promise<void> | undefined;
  const stopScheduler = () => {
    schedulerStopped ??= scheduler?.stop() ?? Promise.resolve();
    return schedulerStopped;
  };
  try {
    const http = createHttpApp({
      logger,
      ...(metrics
        ? {
            observe: httpMetricsMiddleware(metrics),
            metrics: metricsEndpoint(metrics, config.metrics.token),
          }
        : {}),
      mounts: [
        ...(slack?.router ? [{ path: '/', handler: slack.router }] : []),
        ...(teams ? [{ path: '/', handler: teams.router }] : []),
      ],
      readiness: {
        async check() {
          if (draining) return ['shutting down: finishing the work in flight'];
          const failing: string[] = [];
          try {
            await database.ping();
            const status = await migrationStatus(database);
            if (status.applied < status.expected)
              failing.push(`database: ${status.expected - status.applied} migration(s) pending`);
          } catch (error) {
            failing.push(`database: ${(error as Error).message}`);
          }
          return failing;
        },
      },
      notConfigured: [
        ...(config.slack.mode === 'off'
          ? [
              {
                path: '/slack/events',
                message:
                  'Slack is not configured on this bot (set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN).',
              },
            ]
          : []),
        ...(config.teams.mode === 'off'
          ? [
              {
                path: '/api/messages',
                message:
                  'Teams is not configured on this bot (set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD).',
              },
            ]
          : []),
      ],
    });
    const listening =
      options.serveHttp === false
        ? { server: undefined, url: '' }
        : await http.listen(config.http.host, config.http.port);
    server = listening.server;
    if (server) inFlight.watch(server);
    await slack?.start();
    logPlatforms(logger, config);
    scheduler?.start();
    logger.info(
      { ...(listening.url ? { url: listening.url } : {}), ms: Math.round(performance.now() - started) },
      'aif-quiz is ready',
    );

    let closing: Promise<void> | undefined;
    const close = () => {
      closing ??= (async () => {
        await stopScheduler();
        await chat.stop();
        await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
        server?.closeAllConnections();
        await database.close();
        inFlight.stop();
        metrics?.close();
        logger.info('aif-quiz stopped');
      })();
      return closing;
    };
    if (options.handleSignals) {
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => {
          logger.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: draining');
          drainThenStop({
            tracker: inFlight,
            timeoutMs: config.shutdownTimeoutMs,
            logger,
            async beginDrain() {
              draining = true;
              await stopScheduler();
            },
            finish: close,
            alsoPending: () => (scheduler?.running() ?? []).map((job) => `scheduled job ${job}`),
          }).then(
            (code) => process.exit(code),
            (error: unknown) => {
              logger.error({ err: error }, 'shutdown failed');
              process.exit(1);
            },
          );
        });
      }
    }
    return {
      url: listening.url,
      config,
      database,
      quiz,
      quizAt,
      logger,
      platforms,
      runJob: (name, at) => runJobAt(jobDeps, name, at),
      ...(metrics ? { metrics } : {}),
      close,
    };
  } catch (error) {
    server?.close();
    inFlight.stop();
    metrics?.close();
    await database.close();
    throw error;
  }
}

function logPlatforms(logger: Logger, config: Config): void {
  const slack =
    config.slack.mode === 'off'
      ? 'off (to enable: SLACK_SIGNING_SECRET + SLACK_BOT_TOKEN for one workspace, or SLACK_CLIENT_ID/SECRET/STATE_SECRET for many)'
      : `${config.slack.mode}${config.slack.appToken ? ', Socket Mode' : ', POST /slack/events'}`;
  const teams =
    config.teams.mode === 'off'
      ? 'off (to enable: MICROSOFT_APP_ID + MICROSOFT_APP_PASSWORD, or TEAMS_EMULATOR=true for local testing)'
      : `${config.teams.mode}, POST /api/messages`;
  logger.info({ slack, teams, scheduler: config.scheduler ? 'on' : 'off' }, 'chat platforms');
}
