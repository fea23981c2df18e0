/**
 * Answer-click benchmark: N signed Slack button clicks from distinct users, at a chosen concurrency,
 * through the bot's real /slack/events endpoint against a real Postgres, next to a baseline measured
 * in the same run: a bare Bolt app whose handler acknowledges and does one INSERT per click.
 *
 *   npm run bench:slack                      CLICKS=2000 CONCURRENCY=64 ROUNDS=5 npm run bench:slack
 *
 * Per round, the baseline and then the bot take the same clicks from a load generator in its own
 * process; a fake Slack in a third process takes the bot's feedback messages. Prints, as medians
 * over the rounds with their range: throughput, p50/p95/p99 of the HTTP round trip (what Slack
 * waits for), the server's CPU time per click, and for the bot how long each person waited for
 * their private feedback. Checks that every click was recorded once and answered once.
 */
import { execFile } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { App, ExpressReceiver } from '@slack/bolt';
import { sql } from 'drizzle-orm';
import pg from 'pg';
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
const SECRET = 'bench-secret';
const silent = createLogger({ level: 'silent', format: 'json' });

interface Load {
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  /** CPU the load generator used, as a share of one core while it ran. */
  loadCpuShare: number;
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
  });
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'click-load.ts'), job],
    { maxBuffer: 64 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as Load;
}

/** The baseline: Bolt with the same receiver, acknowledging and inserting one row per click. */
async function startBaseline(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 10 });
  await pool.query(
    'create table if not exists bare_clicks (user_id text primary key, value text, at timestamptz default now())',
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
    await ack();
    await pool.query('insert into bare_clicks (user_id, value) values ($1, $2) on conflict do nothing', [
      body.user.id,
      (action as { value?: string }).value ?? '',
    ]);
  });
  const server: Server = await new Promise((resolve) => {
    const s = receiver.app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    count: async () => Number((await pool.query('select count(*)::int as n from bare_clicks')).rows[0].n),
    reset: () => pool.query('truncate bare_clicks'),
    close: async () => {
      server.close();
      await pool.end();
    },
  };
}

async function waitUntil(check: () => Promise<boolean>, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('timed out waiting for the clicks to be recorded');
}

async function main() {
  const fake = await startSlackPeer();
  const database = await benchDatabase();
  const baseline = await startBaseline(database.url);
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
  type Row = {
    name: string;
    throughput: number[];
    p50: number[];
    p95: number[];
    p99: number[];
    cpu: number[];
  };
  const row = (name: string): Row => ({ name, throughput: [], p50: [], p95: [], p99: [], cpu: [] });
  const rows = [row('baseline: bare Bolt + 1 INSERT'), row('aif-quiz: record answer + feedback')];
  const feedback = { p50: [] as number[], p99: [] as number[] };
  const loadShare: number[] = [];
  try {
    const admin = { platform: 'slack' as const, workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true };
    console.log(
      `Slack answer clicks: ${CLICKS} distinct users, concurrency ${CONCURRENCY}, ${ROUNDS} rounds; Postgres; ` +
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

      await baseline.reset();
      let cpu = process.cpuUsage();
      const base = await fire(baseline.url, users, 'bench', 'x', fake.responseUrl('baseline'));
      await waitUntil(async () => (await baseline.count()) === clicks);
      const baseCpu = cpuPerClick(cpu, clicks);

      // PROFILE=1 writes a CPU profile of the bot's last round (open it in Chrome DevTools).
      const profiler =
        process.env.PROFILE && round === ROUNDS
          ? new (await import('node:inspector/promises')).Session()
          : undefined;
      if (profiler) {
        profiler.connect();
        await profiler.post('Profiler.enable');
        await profiler.post('Profiler.start');
      }
      cpu = process.cpuUsage();
      const ours = await fire(service.url, users, actionId, value, fake.responseUrl(`round${round}`), state);
      const recorded = async () => {
        const [row] = await queryRows<{ n: number }>(
          service.database.db,
          sql`select count(*)::int as n from answers where post_id = ${daily.post.id}`,
        );
        return Number(row?.n ?? 0);
      };
      await waitUntil(async () => (await recorded()) >= clicks);
      // Every click gets its private feedback, once.
      const arrivals = async () => fake.arrivals(`round${round}`);
      await waitUntil(async () => Object.keys(await arrivals()).length >= clicks);
      const ourCpu = cpuPerClick(cpu, clicks);
      if (profiler) {
        const { profile } = await profiler.post('Profiler.stop');
        (await import('node:fs')).writeFileSync('slack-answers.cpuprofile', JSON.stringify(profile));
      }
      const stored = await recorded();
      const answered = await arrivals();
      if (stored !== clicks) throw new Error(`expected ${clicks} answers, found ${stored}`);
      if (Object.keys(answered).length !== clicks)
        throw new Error(`expected ${clicks} feedback messages, Slack got ${Object.keys(answered).length}`);
      const waited = summarise(
        users.map((u) => (answered[u] ?? Number.NaN) - (ours.sentAt[u] ?? Number.NaN)),
      );
      if (round === 0) continue;

      for (const [target, result, perClick] of [
        [rows[0], base, baseCpu],
        [rows[1], ours, ourCpu],
      ] as const) {
        target?.throughput.push(result.throughput);
        target?.p50.push(result.p50);
        target?.p95.push(result.p95);
        target?.p99.push(result.p99);
        target?.cpu.push(perClick);
      }
      feedback.p50.push(waited.p50);
      feedback.p99.push(waited.p99);
      loadShare.push(base.loadCpuShare, ours.loadCpuShare);
      console.log(
        `round ${round}: ${daily.question.type} question, ${stored} answers stored and ${clicks} feedback messages ` +
          `received (each click once); p99 baseline ${base.p99.toFixed(1)} ms, aif-quiz ${ours.p99.toFixed(1)} ms`,
      );
    }
    console.log('');
    const med = (xs: number[]) => summarise(xs).p50;
    const range = (xs: number[], digits: number) =>
      `[${Math.min(...xs).toFixed(digits)}–${Math.max(...xs).toFixed(digits)}]`;
    const baseThroughput = med(rows[0]?.throughput ?? []);
    for (const r of rows) {
      console.log(
        `${r.name.padEnd(36)} ${med(r.throughput).toFixed(0).padStart(5)} clicks/s ${range(r.throughput, 0)} ` +
          `×${(med(r.throughput) / baseThroughput).toFixed(2)}   p50 ${med(r.p50).toFixed(1)} ms  ` +
          `p95 ${med(r.p95).toFixed(1)} ms  p99 ${med(r.p99).toFixed(1)} ms ${range(r.p99, 1)}   ` +
          `CPU ${med(r.cpu).toFixed(0)} µs/click`,
      );
    }
    console.log(
      `${''.padEnd(36)} feedback in hand: p50 ${med(feedback.p50).toFixed(1)} ms  p99 ${med(feedback.p99).toFixed(1)} ms ${range(feedback.p99, 1)}`,
    );
    console.log(
      `\nload generator: ${(med(loadShare) * 100).toFixed(0)}% of a core (median)` +
        '\ntargets: p99 < 100 ms and throughput ≥ 0.8× the baseline at concurrency 64',
    );
  } finally {
    await service.close();
    await baseline.close();
    await fake.close();
    await database.drop();
  }
}

/** This process's CPU time since `from`, per click, in µs. */
function cpuPerClick(from: NodeJS.CpuUsage, clicks: number): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / clicks;
}

await main();
