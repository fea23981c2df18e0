/**
 * Fan-out benchmark: CHANNELS subscribed channels across WORKSPACES workspaces, one daily-post tick
 * against a local fake Slack that allows about one message per second per channel and answers 429
 * (Retry-After: 1) when pushed harder. Prints elapsed time, sends, retries, the tick's own CPU time
 * and peak memory, and checks every channel was posted exactly once.
 *
 *   npm run bench:fanout                     CHANNELS=5000 WORKSPACES=50 npm run bench:fanout
 */
import { spawn } from 'node:child_process';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { channels as channelsTable, workspaces } from '../src/db/schema.js';
import { runJobAt } from '../src/jobs/scheduler.js';
import { createSendQueue } from '../src/jobs/send-queue.js';
import { createLogger } from '../src/logger.js';
import { openCore } from '../src/main.js';
import { createSlackPlatform } from '../src/platforms/slack/slack-platform.js';
import { benchDatabase, startSlackPeer, summarise } from './support.js';

const CHANNELS = Number(process.env.CHANNELS ?? 5000);
const WORKSPACES = Number(process.env.WORKSPACES ?? 50);
const silent = createLogger({ level: 'silent', format: 'json' });

/**
 * A fake Slack in its own process (so its CPU is not counted as the tick's) that allows about one
 * message per second per channel and answers 429 with Retry-After: 1 when pushed harder.
 */
async function main() {
  const slack = await startSlackPeer(['--rate-limit']);
  const database = await benchDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    SLACK_SIGNING_SECRET: 's',
    SLACK_BOT_TOKEN: 'xoxb-bench',
    SLACK_API_URL: slack.apiUrl,
    SCHEDULER: 'off',
  });
  const core = await openCore(config, silent);
  try {
    const at = new Date('2026-11-30T09:00:00Z');
    // Subscriptions are written in bulk: the benchmark measures the tick, not thousands of subscribe commands.
    const spaces = await core.database.db
      .insert(workspaces)
      .values(
        Array.from({ length: WORKSPACES }, (_, i) => ({ platform: 'slack' as const, externalId: `T${i}` })),
      )
      .returning();
    const rows = Array.from({ length: CHANNELS }, (_, i) => ({
      workspaceId: (spaces[i % WORKSPACES] as (typeof spaces)[number]).id,
      externalId: `C${i}`,
      active: true,
      postTime: '09:00',
      timezone: 'UTC',
      days: [1, 2, 3, 4, 5, 6, 7],
    }));
    for (let i = 0; i < rows.length; i += 1000)
      await core.database.db.insert(channelsTable).values(rows.slice(i, i + 1000));
    const rssBefore = process.memoryUsage().rss;

    const platform = createSlackPlatform({
      config: config.slack as Exclude<typeof config.slack, { mode: 'off' }>,
      tokenFor: async () => 'xoxb-bench',
    });
    const queue = createSendQueue({ concurrency: 16, perKeyIntervalMs: 1100 });
    let peakRss = process.memoryUsage().rss;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 25);
    // PROFILE=1 writes a CPU profile of the tick alone (open it in Chrome DevTools).
    const inspector = process.env.PROFILE
      ? new (await import('node:inspector/promises')).Session()
      : undefined;
    if (inspector) {
      inspector.connect();
      await inspector.post('Profiler.enable');
      await inspector.post('Profiler.start');
    }
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const report = await runJobAt(
      {
        db: core.database.db,
        quizAt: core.quizAt,
        platforms: { slack: platform },
        logger: silent,
        defaultTimezone: 'UTC',
        queue,
      },
      'daily-post',
      at,
    );
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    if (inspector) {
      const { profile } = await inspector.post('Profiler.stop');
      (await import('node:fs')).writeFileSync('fanout.cpuprofile', JSON.stringify(profile));
      console.log('wrote fanout.cpuprofile');
    }
    clearInterval(sampler);

    const [posted] = await queryRows<{ n: number; distinct: number }>(
      core.database.db,
      sql`select count(*)::int as n, count(distinct channel_id)::int as distinct from posts where status = 'open'`,
    );
    const outcomes: Record<string, number> = {};
    for (const o of report.outcomes) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
    const { posts, refused } = await slack.stats();
    const result = {
      elapsed,
      cpu: (cpu.user + cpu.system) / 1e6,
      peakRssMb: peakRss / 2 ** 20,
      rssBeforeMb: rssBefore / 2 ** 20,
      outcomes,
      posts,
      refused,
      retries: queue.stats().retries,
      exactlyOnce: posted?.n === CHANNELS && posted?.distinct === CHANNELS && posts === CHANNELS,
    };
    console.log(JSON.stringify(result));
  } finally {
    await core.database.close();
    await slack.close();
    await database.drop();
  }
}

/** Each run in a fresh process, so one run's memory does not colour the next; figures summarised. */
async function runAll() {
  const runs = Number(process.env.RUNS ?? 3);
  console.log(
    `Fan-out: one daily-post tick for ${CHANNELS} channels across ${WORKSPACES} workspaces, ${runs} runs in fresh processes\n`,
  );
  const results: Array<Awaited<ReturnType<typeof runChild>>> = [];
  for (let i = 0; i < runs; i++) {
    const result = await runChild();
    results.push(result);
    console.log(
      `run ${i + 1}: ${result.elapsed.toFixed(1)} s elapsed, ${result.cpu.toFixed(2)} s CPU, peak RSS ${result.peakRssMb.toFixed(0)} MB (${result.rssBeforeMb.toFixed(0)} MB before the tick), ${JSON.stringify(result.outcomes)}, 429s ${result.refused}, retries ${result.retries}, exactly once: ${result.exactlyOnce}`,
    );
  }
  const line = (label: string, values: number[], unit: string, target: string) => {
    const { p50, min, max } = summarise(values);
    console.log(
      `${label.padEnd(20)} median ${p50.toFixed(2)} ${unit} [${min.toFixed(2)}–${max.toFixed(2)}]   ${target}`,
    );
  };
  console.log('');
  line(
    'elapsed',
    results.map((r) => r.elapsed),
    's',
    '',
  );
  line(
    "tick's own CPU",
    results.map((r) => r.cpu),
    's',
    'target < 5 s (the fake Slack runs in another process)',
  );
  line(
    'peak RSS',
    results.map((r) => r.peakRssMb),
    'MB',
    'target < 300 MB',
  );
  console.log(
    `every channel posted exactly once, no 429s: ${results.every((r) => r.exactlyOnce && r.refused === 0)}`,
  );
}

function runChild(): Promise<{
  elapsed: number;
  cpu: number;
  peakRssMb: number;
  rssBeforeMb: number;
  outcomes: Record<string, number>;
  posts: number;
  refused: number;
  retries: number;
  exactlyOnce: boolean;
}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', import.meta.filename], {
      env: { ...process.env, FANOUT_CHILD: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    child.on('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !last.startsWith('{')) reject(new Error(`run failed (${code}):\n${out}`));
      else resolve(JSON.parse(last));
    });
  });
}

if (process.env.FANOUT_CHILD) await main();
else await runAll();
