#!/usr/bin/env node
import cluster from 'node:cluster';
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { formatProblem, readBank } from './bank/load.js';
import { computeStats, formatStats } from './bank/stats.js';
import { type Config, loadConfig, loadDotEnv } from './config.js';
import { openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';
import { AppError, isAppError } from './errors.js';
import { printItemStats, registerInsightCommands } from './insight/cli-commands.js';
import { JOB_NAMES, type JobName } from './jobs/jobs.js';
import { createLogger } from './logger.js';

/** Settings come from the environment (and `.env`), read once here and handed down. */
function readConfig(): Config {
  loadDotEnv();
  return loadConfig(process.env, { isTty: Boolean(process.stdout.isTTY) });
}

/** This package's version, from package.json (one folder up from both src/ and dist/). */
function packageVersion(): string {
  const file = new URL('../package.json', import.meta.url);
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
}

/**
 * Aborts on the first Ctrl-C (SIGINT) or SIGTERM, so the terminal channel can end as it does on
 * `quit` and close the embedded database; a second signal falls through to Node's default (exit).
 */
function abortOnSignals(): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, onSignal);
  return {
    signal: controller.signal,
    dispose() {
      for (const name of ['SIGINT', 'SIGTERM'] as const) process.removeListener(name, onSignal);
    },
  };
}

function parsePort(value: string): number {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    throw new AppError(
      'cli.invalid_port',
      `--port "${value}" is not a port; use a whole number from 0 to 65535.`,
    );
  return Number(value);
}

function localUserName(): string {
  try {
    return userInfo().username || 'you';
  } catch {
    return 'you';
  }
}

export function buildProgram(): Command {
  const program = new Command('aif-quiz')
    .description('A study bot for teams preparing for the AWS Certified AI Practitioner exam (AIF-C01).')
    .version(packageVersion(), '-v, --version', 'print the version and exit')
    .showHelpAfterError()
    .showSuggestionAfterError();

  program
    .command('start')
    .description(
      'Run the service: HTTP endpoints, chat platforms and the scheduler. With no chat platform configured, in a terminal, it opens the local channel.',
    )
    .option('--http-only', 'serve HTTP even when no chat platform is configured (health checks, trials)')
    .option(
      '--port <port>',
      'serve HTTP on this port instead of PORT; in the terminal channel, HTTP is served only when this is given',
      parsePort,
    )
    .action(async (options: { httpOnly?: boolean; port?: number }) => {
      const settings = readConfig();
      const config =
        options.port === undefined
          ? settings
          : { ...settings, http: { ...settings.http, port: options.port } };
      const { startService, hasNoPlatform } = await import('./main.js');
      const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
      if (hasNoPlatform(config) && !options.httpOnly && !interactive) {
        throw new AppError(
          'config.no_platform',
          [
            'No chat platform is configured, and there is no terminal to run the local channel in. Either:',
            '  - set SLACK_SIGNING_SECRET and SLACK_BOT_TOKEN (one Slack workspace), or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET (many);',
            '  - set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD (Microsoft Teams);',
            '  - run "aif-quiz local" (or npm start) in a terminal to try the bot on your own;',
            '  - or serve only the health endpoints: aif-quiz start --http-only (through npm: npm start -- --http-only).',
          ].join('\n'),
        );
      }
      if (hasNoPlatform(config) && !options.httpOnly) {
        // The terminal belongs to the local channel: keep routine logs out of it.
        const logger = createLogger({
          ...config.log,
          level: config.log.level === 'info' ? 'warn' : config.log.level,
        });
        const { runLocalChannel, createLocalPlatform, terminalWriter } = await import(
          './platforms/local/local-channel.js'
        );
        const local = createLocalPlatform(terminalWriter(process.stdout));
        // The terminal channel needs no port: a trial must not fail because something else holds
        // 3000, nor open a port on the network that nobody asked for. --port serves health checks.
        const serveHttp = options.port !== undefined;
        const stop = abortOnSignals();
        try {
          const service = await startService({ config, logger, local, serveHttp });
          try {
            if (serveHttp) process.stdout.write(`(health checks at ${service.url}/healthz)\n`);
            await runLocalChannel({
              quiz: service.quiz,
              input: process.stdin,
              output: process.stdout,
              userName: localUserName(),
              logger,
              signal: stop.signal,
            });
          } finally {
            await service.close();
          }
        } finally {
          stop.dispose();
        }
        return;
      }
      if (config.processes > 1 && cluster.isPrimary) {
        const { runWorkers } = await import('./cluster.js');
        await runWorkers({
          count: config.processes,
          logger: createLogger(config.log),
          scheduler: config.scheduler,
        });
        return;
      }
      await startService({ config, handleSignals: true });
    });

  program
    .command('local')
    .description(
      'Try the bot in this terminal: a channel #local with you as its only member, on the configured database.',
    )
    .action(async () => {
      const config = readConfig();
      const logger = createLogger({
        ...config.log,
        level: config.log.level === 'info' ? 'warn' : config.log.level,
      });
      const { openCore } = await import('./main.js');
      const { runLocalChannel } = await import('./platforms/local/local-channel.js');
      const stop = abortOnSignals();
      try {
        const core = await openCore(config, logger);
        try {
          await runLocalChannel({
            quiz: core.quiz,
            input: process.stdin,
            output: process.stdout,
            userName: localUserName(),
            logger,
            signal: stop.signal,
          });
        } finally {
          await core.database.close();
        }
      } finally {
        stop.dispose();
      }
    });

  program
    .command('migrate')
    .description(
      'Apply pending database migrations (safe to run any number of times, from several places at once).',
    )
    .action(async () => {
      const config = readConfig();
      const handle = await openDatabase(config.database);
      try {
        const result = await migrateDatabase(handle);
        console.log(`Applied ${result.applied} migration(s); ${result.total} in total.`);
      } finally {
        await handle.close();
      }
    });

  program
    .command('run-job')
    .description(
      'Run one tick of a scheduled job as if it were --at (default: now), print what it did, and exit non-zero on failure. Use with SCHEDULER=off to drive the bot from an external scheduler.',
    )
    .argument('<job>', `one of: ${JOB_NAMES.join(', ')}`)
    .option('--at <iso-time>', 'the instant to run as, e.g. 2026-11-30T09:00:00Z')
    .action(async (job: string, options: { at?: string }) => {
      if (!(JOB_NAMES as readonly string[]).includes(job)) {
        throw new AppError('cli.unknown_job', `Unknown job "${job}". Jobs: ${JOB_NAMES.join(', ')}.`);
      }
      const at = options.at ? new Date(options.at) : new Date();
      if (Number.isNaN(at.getTime()))
        throw new AppError(
          'cli.invalid_time',
          `--at "${options.at}" is not a time; use ISO 8601, e.g. 2026-11-30T09:00:00Z.`,
        );
      const config = readConfig();
      const logger = createLogger({
        ...config.log,
        level: config.log.level === 'info' ? 'warn' : config.log.level,
      });
      const { openCore, createChatPlatforms, hasNoPlatform } = await import('./main.js');
      const { runJobAt } = await import('./jobs/scheduler.js');
      const core = await openCore(config, logger);
      try {
        // The same platforms the service would deliver through: Slack and Teams as configured, and
        // the terminal channel (printed here) only when no chat platform is.
        const chat = await createChatPlatforms({
          config,
          quiz: core.quiz,
          db: core.database.db,
          logger,
          secretBox: core.secretBox,
          ...(hasNoPlatform(config)
            ? {
                local: (await import('./platforms/local/local-channel.js')).createLocalPlatform((text) =>
                  process.stdout.write(text),
                ),
              }
            : {}),
        });
        const report = await runJobAt(
          {
            db: core.database.db,
            quizAt: core.quizAt,
            platforms: chat.platforms,
            logger,
            defaultTimezone: config.defaultTimezone,
          },
          job as JobName,
          at,
        ).finally(() => chat.stop());
        console.log(`\n${job} at ${at.toISOString()}:`);
        if (report.outcomes.length === 0) console.log('  nothing was due');
        for (const o of report.outcomes)
          console.log(`  ${o.outcome.padEnd(8)} ${o.target}${o.reason ? `: ${o.reason}` : ''}`);
        if (report.outcomes.some((o) => o.outcome === 'failed')) process.exitCode = 1;
      } finally {
        await core.database.close();
      }
    });

  const questions = program.command('questions').description('Check, sync and count the question bank.');
  questions
    .command('check')
    .description(
      'Validate every question file and the whole-bank rules (exam-guide coverage, freshness, item writing); prints each problem as "file: question id: field: what is wrong" and advice as "warning: …".',
    )
    .argument('[dir]', 'bank folder (default: QUESTIONS_DIR or ./questions)')
    .action(async (dir?: string) => {
      const folder = path.resolve(dir ?? process.env.QUESTIONS_DIR ?? 'questions');
      const { bank, problems, warnings } = await readBank(folder);
      for (const warning of warnings) console.error(`warning: ${formatProblem(warning)}`);
      if (problems.length > 0) {
        for (const problem of problems) console.error(formatProblem(problem));
        console.error(`\n${problems.length} problem(s) in the question bank.`);
        process.exitCode = 1;
        return;
      }
      const active = bank.questions.filter((q) => q.status === 'active').length;
      const advice = warnings.length > 0 ? ` ${warnings.length} warning(s) above.` : '';
      console.log(
        `The question bank is valid: ${bank.questions.length} questions (${active} active) in ${bank.topics.size} topics.${advice}`,
      );
    });
  questions
    .command('stats')
    .description(
      'Count active questions per exam domain (next to the exam weights), topic, type, difficulty and exam-guide objective; list the oldest verified questions and the item-writing figures. With --items: how each question fared as a question of the day.',
    )
    .argument('[dir]', 'bank folder (default: QUESTIONS_DIR or ./questions)')
    .option(
      '--items',
      'per question, from the database: times asked, share correct, share per option, discrimination, review flags',
    )
    .action(async (dir: string | undefined, options: { items?: boolean }) => {
      if (options.items) return printItemStats(readConfig());
      const folder = path.resolve(dir ?? process.env.QUESTIONS_DIR ?? 'questions');
      const { bank, problems } = await readBank(folder);
      if (problems.length > 0)
        console.error(`(${problems.length} problem(s) found; run "aif-quiz questions check")\n`);
      console.log(formatStats(computeStats(bank)));
    });
  questions
    .command('sync')
    .description(
      'Load the bank into the database: new questions, new versions of edited ones, retire removed ones.',
    )
    .action(async () => {
      const config = readConfig();
      const { loadBank } = await import('./bank/load.js');
      const { syncBank } = await import('./bank/sync.js');
      const bank = await loadBank(config.questionsDir);
      const handle = await openDatabase(config.database);
      try {
        await migrateDatabase(handle);
        const result = await syncBank(handle, bank);
        console.log(
          `Synced ${bank.questions.length} questions: ${result.added} added, ${result.changed} changed, ${result.retired} retired, ${result.reactivated} reactivated, ${result.unchanged} unchanged.`,
        );
      } finally {
        await handle.close();
      }
    });

  registerInsightCommands({ program, questions, readConfig });
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; unknown commands and options with 1.
      process.exitCode = error.exitCode;
      return;
    }
    if (isAppError(error)) {
      console.error(error.message);
      process.exitCode = 1;
      return;
    }
    reportFailure(error);
    process.exitCode = 1;
  }
}

/**
 * An unexpected failure: on a terminal one readable line (the stack with LOG_LEVEL=debug or trace),
 * elsewhere one JSON log line with everything, for the log collector.
 */
function reportFailure(error: unknown): void {
  const verbose = ['debug', 'trace'].includes(process.env.LOG_LEVEL ?? '');
  if (!process.stderr.isTTY) {
    createLogger({ level: 'error', format: 'json' }, process.stderr).error({ err: error }, 'aif-quiz failed');
    return;
  }
  if (verbose) {
    console.error(inspect(error, { depth: 6 }));
    return;
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(
    `aif-quiz failed: ${message.split('\n')[0] ?? ''} (run with LOG_LEVEL=debug for the details)`,
  );
}

await runCli(process.argv);
