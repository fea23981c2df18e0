import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { Database } from '../db/client.js';
import { openDatabase } from '../db/client.js';
import { migrateDatabase } from '../db/migrate.js';
import { AppError } from '../errors.js';
import { renderDigestChart } from './digest-chart.js';
import { loadDigestChartData } from './digest-chart-data.js';
import { ambiguousChannel, unknownChannel } from './insight.errors.js';
import { createInsightRepository } from './insight.repository.js';
import { computeItemStats, formatItemStats } from './item-stats.js';
import { createItemStatsRepository } from './item-stats.repository.js';
import { createReports, type OpenReportGroup, REPORT_REASONS } from './reports.js';
import { createReportsRepository } from './reports.repository.js';

/** Opens the configured database, brings its schema up to date, runs `fn`, and closes it. */
async function withDatabase<T>(config: Config, fn: (db: Database) => Promise<T>): Promise<T> {
  const handle = await openDatabase(config.database);
  try {
    await migrateDatabase(handle);
    return await fn(handle.db);
  } finally {
    await handle.close();
  }
}

function parseInstant(value: string | undefined): Date {
  const at = value ? new Date(value) : new Date();
  if (Number.isNaN(at.getTime()))
    throw new AppError(
      'cli.invalid_time',
      `--at "${value}" is not a time; use ISO 8601, e.g. 2026-11-30T09:00:00Z.`,
    );
  return at;
}

/** Writes the digest chart a channel would get at `at` to a PNG file; returns what to print. */
export async function previewDigestChart(
  db: Database,
  options: { channel: string; at: Date; out: string; scale?: number },
): Promise<string> {
  const repository = createInsightRepository(db);
  const found = await repository.findChannels(options.channel);
  const channel = found[0];
  if (!channel) throw unknownChannel(options.channel);
  if (found.length > 1) throw ambiguousChannel(options.channel, found);
  const data = await loadDigestChartData(repository, channel, options.at);
  const chart = await renderDigestChart(data, options.scale === undefined ? {} : { scale: options.scale });
  await writeFile(options.out, chart.png);
  return [
    `Wrote ${options.out}: ${chart.width}×${chart.height} px, ${Math.ceil(chart.png.length / 1024)} KB.`,
    '',
    chart.altText,
  ].join('\n');
}

/** `questions stats --items`: item statistics from the database rather than the files. */
export async function printItemStats(config: Config): Promise<void> {
  const text = await withDatabase(config, async (db) =>
    formatItemStats(await computeItemStats(createItemStatsRepository(db))),
  );
  console.log(text);
}

export function formatOpenReports(groups: OpenReportGroup[]): string {
  if (groups.length === 0) return 'No open reports.';
  const lines = [
    `${groups.reduce((n, g) => n + g.count, 0)} open report(s) on ${groups.length} question(s):`,
  ];
  for (const group of groups) {
    lines.push(
      '',
      `${group.questionId} (now v${group.currentVersion}): ${group.count} open${group.paused ? ', paused from the daily draw' : ''}`,
    );
    for (const r of group.reports) {
      const older = r.version === group.currentVersion ? '' : ` [on v${r.version}]`;
      lines.push(
        `  ${r.createdAt.toISOString().slice(0, 10)}  ${REPORT_REASONS[r.reason]}${older}, by ${r.reporter}${r.text ? `: ${r.text}` : ''}  (${r.id})`,
      );
    }
  }
  lines.push(
    '',
    'Close them with: aif-quiz questions resolve <question-id or report id> [--note "what was done"]',
  );
  return lines.join('\n');
}

/** Adds the team-insight commands: `digest-preview`, `questions reports` and `questions resolve`. */
export function registerInsightCommands(options: {
  program: Command;
  questions: Command;
  readConfig: () => Config;
}): void {
  const { program, questions, readConfig } = options;
  program
    .command('digest-preview')
    .description(
      "Draw the chart a channel's weekly digest would carry at --at (default: now) and write it as a PNG; prints its text alternative.",
    )
    .requiredOption('--channel <id>', "the channel: the platform's id (e.g. C0123ABCD) or the bot's own")
    .option('--at <iso-time>', 'the instant of the digest, e.g. 2026-11-30T09:00:00Z')
    .requiredOption('--out <file>', 'where to write the PNG, e.g. chart.png')
    .action(async (flags: { channel: string; at?: string; out: string }) => {
      const at = parseInstant(flags.at);
      const text = await withDatabase(readConfig(), (db) =>
        previewDigestChart(db, { channel: flags.channel, at, out: flags.out }),
      );
      console.log(text);
    });

  questions
    .command('reports')
    .description('List the open reports on questions, grouped by question, most reported first.')
    .action(async () => {
      const text = await withDatabase(readConfig(), async (db) =>
        formatOpenReports(
          await createReports({ repository: createReportsRepository(db), clock: systemClock }).openReports(),
        ),
      );
      console.log(text);
    });

  questions
    .command('resolve')
    .description(
      "Resolve the open reports on a question (by its id) or one report (by the report's id); lifts the question's pause.",
    )
    .argument('<id>', 'a question id, or a report id as "questions reports" prints it')
    .option('--note <text>', 'what was done, kept with the reports')
    .action(async (ref: string, flags: { note?: string }) => {
      const result = await withDatabase(readConfig(), (db) =>
        createReports({ repository: createReportsRepository(db), clock: systemClock }).resolve(
          ref,
          flags.note,
        ),
      );
      console.log(`Resolved ${result.resolved} report(s) on ${result.questionIds.join(', ')}.`);
    });
}
