/**
 * Answer-click benchmark: N signed Slack button clicks from distinct users, at a chosen concurrency,
 * through the bot's real /slack/events endpoint against a real Postgres, next to three baselines
 * measured in the same run, all bare Bolt apps with the same receiver: one acknowledges and then
 * does one INSERT per click; one does the INSERT before it acknowledges; one stores, acknowledges
 * and then posts a reply of the size of the bot's feedback to the click's response_url. The bot
 * acknowledges a click only once it is stored (a crash must not lose an acknowledged click) and
 * then tells the person the verdict, so the second baseline is what the guarantee costs a bare app,
 * and the third is a bare app with the bot's duties and none of its features (points, streaks,
 * running totals, spaced-repetition cards); the first is the bare app with no guarantee at all.
 *
 *   npm run bench:slack                      CLICKS=2000 CONCURRENCY=64 ROUNDS=5 npm run bench:slack
 *   WORKERS=2 npm run bench:slack            also the bot as `aif-quiz start` with WEB_CONCURRENCY=2
 *   PROFILE=1 npm run bench:slack            CPU profiles of the last round of the bot and of the
 *                                            replying baseline (open them in Chrome DevTools)
 *   RATE=1500 npm run bench:slack            an open loop: clicks at that rate whatever the answers
 *
 * Per round, the baselines and the bot take the same clicks, one after another, from a load
 * generator in its own process, each round starting with a different one; a fake Slack in a third
 * process takes the replies. All servers run in this process against one Postgres with pools of
 * 10. Prints, as medians over the rounds with their range: throughput, its ratio to the ack-first
 * baseline's in the same round, p50/p95/p99 of the HTTP round trip (what Slack waits for), the
 * server's CPU time per click and the database's (every Postgres process on the machine, read from
 * /proc), the rate at which rows were all in (an ack-first app answers before it stores, so its
 * HTTP rate alone flatters it), and for the bot how long each person waited for their private
 * feedback. Checks that every click was recorded once and answered once.
 */
import { execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, ExpressReceiver } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { runJobAt } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/main.js';
import { ACTIONS } from '../src/platforms/slack/blocks.js';
import { correctChoice } from '../src/quiz/question.js';
import { benchDatabase, startSlackPeer, summarise } from './support.js';

const run = promisify(execFile);

const CLICKS = Number(process.env.CLICKS ?? 2000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
/** RATE=1000: an open loop at that many clicks per second (CONCURRENCY connections at most). */
const RATE = process.env.RATE ? Number(process.env.RATE) : undefined;
const SECRET = 'bench-secret';
const silent = createLogger({ level: 'silent', format: 'json' });

interface Load {
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU the load generator used, as a share of one core while it ran. */
  loadCpuShare: number;
  /** When the first click was sent, in ms since the epoch. */
  startedAt: number;
  /** When each user's click was sent, in ms since the epoch. */
  sentAt: Record<string, number>;
}

/** Sends the clicks from a separate process and returns throughput and latency percentiles. */
async function fire(
  url: string,
  users: string[],
  actionId: string,
  value: string,
  responseUrl: string,
  state?: Record<string, unknown>,
  channel?: string,
): Promise<Load> {
  const job = JSON.stringify({
    url,
    secret: SECRET,
    users,
    concurrency: CONCURRENCY,
    actionId,
    value,
    responseUrl,
    state,
    channel,
    rate: RATE,
  });
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'click-load.ts'), job],
    { maxBuffer: 64 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Load;
}

/** What the replying baseline posts: a verdict and an explanation the size of the bot's. */
const BARE_REPLY = JSON.stringify({
  response_type: 'ephemeral',
  replace_original: false,
  text: 'Correct!',
  blocks: [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `*Correct!* ${'An explanation of the answer. '.repeat(12)}` },
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: 'Topic: a topic · 1 point' }] },
  ],
});
const bareReplies = new Agent({ connections: 64, keepAliveTimeout: 30_000 });

/**
 * A baseline: Bolt with the same receiver, inserting one row per click and acknowledging it, in
 * either order; `store-reply` stores, acknowledges and then posts a reply to the click's
 * response_url, the duties the bot has for each click, at their least.
 */
async function startBaseline(databaseUrl: string, order: 'ack-first' | 'store-first' | 'store-reply') {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  // Dropping the bench database at the end ends idle connections; that must not crash the report.
  pool.on('error', () => {});
  const table = {
    'ack-first': 'bare_clicks',
    'store-first': 'bare_stored_clicks',
    'store-reply': 'bare_replied_clicks',
  }[order];
  await pool.query(
    `create table if not exists ${table} (user_id text primary key, value text, at timestamptz default now())`,
  );
  const receiver = new ExpressReceiver({
    signingSecret: SECRET,
    endpoints: '/slack/events',
    processBeforeResponse: false,
  });
  const app = new App({
    receiver,
    token: 'xoxb-bench',
    botId: 'BBENCH',
    botUserId: 'UBENCH',
    tokenVerificationEnabled: false,
  });
  app.action(/.*/, async ({ ack, body, action }) => {
    if (order === 'ack-first') await ack();
    await pool.query(`insert into ${table} (user_id, value) values ($1, $2) on conflict do nothing`, [
      body.user.id,
      (action as { value?: string }).value ?? '',
    ]);
    if (order === 'ack-first') return;
    await ack();
    if (order === 'store-reply') {
      const answer = await request((body as { response_url: string }).response_url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: BARE_REPLY,
        dispatcher: bareReplies,
      });
      await answer.body.dump();
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = receiver.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    count: async () => Number((await pool.query(`select count(*)::int as n from ${table}`)).rows[0].n),
    reset: () => pool.query(`truncate ${table}`),
    close: async () => {
      server.close();
      await pool.end();
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, ms = 60_000, everyMs = 50) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error('timed out waiting for the clicks to be recorded');
}

/**
 * The bot as an operator runs it with WEB_CONCURRENCY: `aif-quiz start` in a process of its own,
 * serving from `count` worker processes. `cpuMs` reads the CPU time of all of them from /proc.
 */
async function startWorkers(databaseUrl: string, apiUrl: string, count: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, '../src/cli.ts'), 'start'],
    {
      env: {
        PATH: process.env.PATH ?? '',
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: 'xoxb-bench',
        SLACK_API_URL: apiUrl,
        DATABASE_URL: databaseUrl,
        WEB_CONCURRENCY: String(count),
        PORT: '0',
        HOST: '127.0.0.1',
        SCHEDULER: 'off',
        LOG_FORMAT: 'json',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => {
    output += chunk;
  });
  const deadline = Date.now() + 60_000;
  while ((output.match(/"msg":"aif-quiz is ready"/g)?.length ?? 0) < count) {
    if (Date.now() > deadline || child.exitCode !== null)
      throw new Error(`the workers did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const url = /"url":"(http:\/\/[^"]+)"/.exec(output)?.[1] as string;
  const pids = () => [
    child.pid as number,
    ...readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).map(Number),
  ];
  return {
    url,
    cpuMs: () =>
      pids().reduce((total, pid) => {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        return total + ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
      }, 0),
    close: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

async function main() {
  const fake = await startSlackPeer();
  const database = await benchDatabase();
  const baseline = await startBaseline(database.url, 'ack-first');
  const storedBaseline = await startBaseline(database.url, 'store-first');
  const repliedBaseline = await startBaseline(database.url, 'store-reply');
  const now = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const service = await startService({
    config: loadConfig({
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_API_URL: fake.apiUrl,
      DATABASE_URL: database.url,
      PORT: '0',
      HOST: '127.0.0.1',
      SCHEDULER: 'off',
    }),
    logger: silent,
  });
  const jobs = {
    db: service.database.db,
    quizAt: service.quizAt,
    platforms: service.platforms,
    logger: silent,
    defaultTimezone: 'UTC',
  };
  // WORKERS=2 adds a row for the bot served by that many processes (WEB_CONCURRENCY).
  const workerCount = Number(process.env.WORKERS ?? 0);
  const workers = workerCount > 1 ? await startWorkers(database.url, fake.apiUrl, workerCount) : undefined;
  type Row = {
    name: string;
    throughput: number[];
    allStored: number[];
    ratio: number[];
    storedRatio: number[];
    repliedRatio: number[];
    p50: number[];
    p95: number[];
    p99: number[];
    cpu: number[];
    dbCpu: number[];
    feedbackP50: number[];
    feedbackP99: number[];
  };
  const row = (name: string): Row => ({
    name,
    throughput: [],
    allStored: [],
    ratio: [],
    storedRatio: [],
    repliedRatio: [],
    p50: [],
    p95: [],
    p99: [],
    cpu: [],
    dbCpu: [],
    feedbackP50: [],
    feedbackP99: [],
  });
  const rows = [
    row('baseline: bare Bolt, ack + 1 INSERT'),
    row('baseline: bare Bolt, 1 INSERT + ack'),
    row('baseline: bare Bolt, INSERT+ack+reply'),
    row('aif-quiz, one process'),
    ...(workers ? [row(`aif-quiz, WEB_CONCURRENCY=${workerCount}`)] : []),
  ];
  const loadShare: number[] = [];
  try {
    const admin = { platform: 'slack' as const, workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true };
    console.log(
      `Slack answer clicks: ${CLICKS} distinct users, concurrency ${CONCURRENCY}${RATE ? `, open loop at ${RATE}/s` : ''}, ${ROUNDS} rounds; Postgres; ` +
        'figures from a shared 2-core machine vary from run to run\n',
    );
    // Round 0 warms both servers up (JIT, connection pools) and is not counted.
    for (let round = 0; round <= ROUNDS; round++) {
      const clicks = round === 0 ? Math.min(CLICKS, 500) : CLICKS;
      // A fresh channel and question per round, so every click is a first answer.
      const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: `CBENCH${round}` };
      await service.quiz.subscribe(admin, channel, {
        time: now.toISOString().slice(11, 16),
        timezone: 'UTC',
        days: 'daily',
      });
      await runJobAt(jobs, 'daily-post', now);
      const settings = await service.quiz.channelSettings(channel);
      const post = await service.quiz.openPostOf(settings?.channelId ?? '');
      const daily = await service.quiz.getDailyPost(post?.id ?? '');
      if (!daily) throw new Error('no question was posted');
      // A correct answer as the question's own inputs would send it: a button for single answers,
      // Submit with checkbox or select state for the other types.
      const right = correctChoice(daily.question);
      const single = daily.question.type === 'single';
      const value = JSON.stringify(single ? { p: daily.post.id, c: right } : { p: daily.post.id });
      const actionId = single ? `${ACTIONS.dailySingle}:A` : ACTIONS.dailySubmit;
      const input = ACTIONS.input;
      const selected = (i: number) => ({
        [input]: { type: 'static_select', selected_option: { value: String(i) } },
      });
      const state =
        daily.question.type === 'multiple'
          ? {
              multi: {
                [input]: { type: 'checkboxes', selected_options: right.map((i) => ({ value: String(i) })) },
              },
            }
          : daily.question.type === 'ordering'
            ? Object.fromEntries(right.map((step, position) => [`pos:${position}`, selected(step)]))
            : daily.question.type === 'matching'
              ? Object.fromEntries(right.map((answer, prompt) => [`pair:${prompt}`, selected(answer)]))
              : {};
      const users = Array.from({ length: clicks }, (_, i) => `U${round}_${i}`);
      const recorded = async () => {
        const [row] = await queryRows<{ n: number }>(
          service.database.db,
          sql`select count(*)::int as n from answers where post_id = ${daily.post.id}`,
        );
        return Number(row?.n ?? 0);
      };

      type Result = {
        load: Load;
        cpu: number;
        dbCpu: number;
        allStored: number;
        waited?: ReturnType<typeof summarise>;
      };
      /** A bare baseline: its clicks count once its rows are all in, which ack-first ones are later. */
      const bare = (target: typeof baseline, replies?: string) => async (): Promise<Result> => {
        await target.reset();
        // PROFILE=1 also profiles the replying baseline's last round, to set beside the bot's.
        const profiler = replies && round === ROUNDS ? await startProfiler() : undefined;
        const cpu = process.cpuUsage();
        const dbCpu = postgresCpuMs();
        const load = await fire(target.url, users, 'bench', 'x', fake.responseUrl(replies ?? 'baseline'));
        await waitUntil(async () => (await target.count()) === clicks, 60_000, 5);
        // The replying app's CPU counts until its last reply is in.
        if (replies) await waitUntil(async () => Object.keys(await fake.arrivals(replies)).length >= clicks);
        if (profiler) {
          const { profile } = await profiler.post('Profiler.stop');
          (await import('node:fs')).writeFileSync('bare-reply.cpuprofile', JSON.stringify(profile));
        }
        const allStored = clicks / ((epochNow() - load.startedAt) / 1000);
        return {
          load,
          cpu: cpuPerClick(cpu, clicks),
          dbCpu: ((postgresCpuMs() - dbCpu) * 1000) / clicks,
          allStored,
        };
      };
      // The bot in this process, then (WORKERS) as a separate multi-process service; each with its own users.
      const bot = (target: string, index: number) => async (): Promise<Result> => {
        const name = `round${round}-${index}`;
        const theirs = users.map((u) => `${u}-${index}`);
        const before = await recorded();
        const responsesBefore = (await fake.stats()).responses;
        // PROFILE=1 profiles the bot's last round (open the file in Chrome DevTools).
        const profiler = round === ROUNDS && index === 0 ? await startProfiler() : undefined;
        const cpu = process.cpuUsage();
        const dbCpu = postgresCpuMs();
        const workersCpu = workers?.cpuMs() ?? 0;
        const ours = await fire(
          target,
          theirs,
          actionId,
          value,
          fake.responseUrl(name),
          state,
          channel.channelId,
        );
        await waitUntil(async () => (await recorded()) >= before + clicks, 60_000, 5);
        const allStored = clicks / ((epochNow() - ours.startedAt) / 1000);
        // Every click gets its private feedback, once.
        await waitUntil(async () => Object.keys(await fake.arrivals(name)).length >= clicks);
        const used =
          index === 0 ? cpuPerClick(cpu, clicks) : (((workers?.cpuMs() ?? 0) - workersCpu) * 1000) / clicks;
        if (profiler) {
          const { profile } = await profiler.post('Profiler.stop');
          (await import('node:fs')).writeFileSync('slack-answers.cpuprofile', JSON.stringify(profile));
        }
        const stored = (await recorded()) - before;
        const answered = await fake.arrivals(name);
        if (stored !== clicks) throw new Error(`expected ${clicks} answers, found ${stored}`);
        if (Object.keys(answered).length !== clicks)
          throw new Error(`expected ${clicks} feedback messages, Slack got ${Object.keys(answered).length}`);
        // No one got two: the count of all posts to response URLs grew by exactly one per click.
        const responses = (await fake.stats()).responses - responsesBefore;
        if (responses !== clicks)
          throw new Error(`expected ${clicks} feedback messages, Slack got ${responses}`);
        const waited = summarise(
          theirs.map((u) => (answered[u] ?? Number.NaN) - (ours.sentAt[u] ?? Number.NaN)),
        );
        return {
          load: ours,
          cpu: used,
          dbCpu: ((postgresCpuMs() - dbCpu) * 1000) / clicks,
          allStored,
          waited,
        };
      };
      const runs = [
        bare(baseline),
        bare(storedBaseline),
        bare(repliedBaseline, `round${round}-bare`),
        bot(service.url, 0),
        ...(workers ? [bot(workers.url, 1)] : []),
      ];
      // Each round starts with a different target, so that neither a noisy neighbour's rhythm nor
      // the garbage an earlier target left in this process always falls on the same one.
      const results: Result[] = new Array(runs.length);
      for (let k = 0; k < runs.length; k++) {
        const i = (k + round) % runs.length;
        results[i] = await (runs[i] as () => Promise<Result>)();
      }
      if (round === 0) continue;

      for (const [i, result] of results.entries()) {
        const target = rows[i] as Row;
        target.throughput.push(result.load.throughput);
        target.allStored.push(result.allStored);
        // Ratios within the round: the noise of a shared machine mostly cancels out of them.
        target.ratio.push(result.load.throughput / (results[0] as Result).load.throughput);
        target.storedRatio.push(result.load.throughput / (results[1] as Result).load.throughput);
        target.repliedRatio.push(result.load.throughput / (results[2] as Result).load.throughput);
        target.p50.push(result.load.p50);
        target.p95.push(result.load.p95);
        target.p99.push(result.load.p99);
        target.cpu.push(result.cpu);
        target.dbCpu.push(result.dbCpu);
        if (result.waited) {
          target.feedbackP50.push(result.waited.p50);
          target.feedbackP99.push(result.waited.p99);
        }
        loadShare.push(result.load.loadCpuShare);
      }
      console.log(
        `round ${round}: ${daily.question.type} question; each bot stored ${clicks} answers and sent ${clicks} ` +
          `feedback messages (each click once); p99 ${results.map((r) => `${r.load.p99.toFixed(1)} ms`).join(', ')}`,
      );
    }
    console.log('');
    const med = (xs: number[]) => summarise(xs).p50;
    const range = (xs: number[], digits: number) =>
      `[${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
    const bots = rows.slice(3);
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(36)} ${med(r.throughput).toFixed(0).padStart(5)} clicks/s ${range(r.throughput, 0)} ` +
          `×${med(r.ratio).toFixed(2)} ${range(r.ratio, 2)}   p50 ${med(r.p50).toFixed(1)} ms  ` +
          `p95 ${med(r.p95).toFixed(1)} ms  p99 ${med(r.p99).toFixed(1)} ms ${range(r.p99, 1)}   ` +
          `CPU ${med(r.cpu).toFixed(0)} µs/click (Postgres ${med(r.dbCpu).toFixed(0)})   all stored ${med(r.allStored).toFixed(0)}/s`,
      );
    }
    for (const r of bots) {
      console.log(
        `${r.name.padEnd(36)} feedback in hand: p50 ${med(r.feedbackP50).toFixed(0)} ms  p99 ${med(r.feedbackP99).toFixed(0)} ms ${range(r.feedbackP99, 0)}`,
      );
    }
    console.log(`\nload generator: ${(med(loadShare) * 100).toFixed(0)}% of a core (median)`);
    console.log(
      `×: throughput over the ack-first bare Bolt app's in the same round (median [range] over ${ROUNDS} rounds); ` +
        '"all stored": clicks per second until the last row was in',
    );
    console.log(
      `targets at concurrency ${CONCURRENCY}: p99 < 100 ms and throughput ≥ 0.9× the bare Bolt app (medians)`,
    );
    for (const r of bots) {
      const p99 = med(r.p99);
      const ratio = med(r.ratio);
      console.log(
        `  ${r.name}: p99 ${p99.toFixed(1)} ms ${p99 < 100 ? 'met' : 'NOT met'}; ` +
          `throughput ×${ratio.toFixed(2)} ${range(r.ratio, 2)} ${ratio >= 0.9 ? 'met' : 'NOT met'}` +
          ` (×${med(r.storedRatio).toFixed(2)} ${range(r.storedRatio, 2)} the bare app that stores before acknowledging;` +
          ` ×${med(r.repliedRatio).toFixed(2)} ${range(r.repliedRatio, 2)} the one that also replies)`,
      );
    }
  } finally {
    await workers?.close();
    await service.close();
    await baseline.close();
    await storedBaseline.close();
    await repliedBaseline.close();
    await fake.close();
    await database.drop();
  }
}

/**
 * CPU time of every Postgres process on this machine so far, in ms (0 where /proc does not show
 * them): what the database spent on a target's clicks, its triggers included.
 */
function postgresCpuMs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.split(') ')[1]?.split(' ') ?? [];
      total += ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
    } catch {
      // The process ended between the listing and the read.
    }
  }
  return total;
}

/** With PROFILE set, a CPU profiler of this process, started; otherwise nothing. */
async function startProfiler() {
  if (!process.env.PROFILE) return undefined;
  const session = new (await import('node:inspector/promises')).Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return session;
}

const epochNow = () => performance.timeOrigin + performance.now();

/** This process's CPU time since `from`, per click, in µs. */
function cpuPerClick(from: NodeJS.CpuUsage, clicks: number): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / clicks;
}

await main();
