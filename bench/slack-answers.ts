/**
 * Answer-click benchmark: N signed Slack button clicks from distinct users, at a chosen concurrency,
 * through the bot's real /slack/events endpoint against a real Postgres, next to a baseline measured
 * in the same run: a bare Bolt app whose handler acknowledges and does one INSERT per click.
 *
 *   npm run bench:slack                      CLICKS=2000 CONCURRENCY=64 ROUNDS=3 npm run bench:slack
 *
 * Prints throughput and p50/p95/p99 of the HTTP round trip (what Slack waits for), and checks that
 * every click was recorded exactly once.
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
import { startFakeSlack } from '../test/support/fake-slack.js';
import { benchDatabase, summarise } from './support.js';

const run = promisify(execFile);

const CLICKS = Number(process.env.CLICKS ?? 1000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 64);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const SECRET = 'bench-secret';
const silent = createLogger({ level: 'silent', format: 'json' });

/** Sends the clicks from a separate process and returns throughput and latency percentiles. */
async function fire(
  url: string,
  users: string[],
  actionId: string,
  value: string,
  responseUrl: string,
  state?: Record<string, unknown>,
) {
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
    { maxBuffer: 1 << 20 },
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '{}') as {
    throughput: number;
    p50: number;
    p95: number;
    p99: number;
  };
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
  const fake = await startFakeSlack({ admins: ['UADMIN'] });
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
  try {
    const admin = { platform: 'slack' as const, workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true };
    console.log(
      `Slack answer clicks: ${CLICKS} distinct users, concurrency ${CONCURRENCY}, ${ROUNDS} rounds each; Postgres; 2-core machine figures vary with load\n`,
    );
    const rows: Array<{ name: string; throughput: number[]; p50: number[]; p95: number[]; p99: number[] }> = [
      { name: 'baseline: bare Bolt + 1 INSERT', throughput: [], p50: [], p95: [], p99: [] },
      { name: 'aif-quiz: record answer + feedback', throughput: [], p50: [], p95: [], p99: [] },
    ];
    for (let round = 0; round < ROUNDS; round++) {
      // A fresh channel and question per round, so every click is a first answer.
      const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: `CBENCH${round}` };
      await service.quiz.subscribe(admin, channel, {
        time: now.toISOString().slice(11, 16),
        timezone: 'UTC',
        days: 'daily',
      });
      await runJobAt(
        {
          db: service.database.db,
          quizAt: service.quizAt,
          platforms: service.platforms,
          logger: silent,
          defaultTimezone: 'UTC',
        },
        'daily-post',
        now,
      );
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
      const users = Array.from({ length: CLICKS }, (_, i) => `U${round}_${i}`);

      await baseline.reset();
      const base = await fire(baseline.url, users, 'bench', 'x', fake.responseUrl('baseline'));
      await waitUntil(async () => (await baseline.count()) === CLICKS);

      const ours = await fire(service.url, users, actionId, value, fake.responseUrl(`round${round}`), state);
      const recorded = async () => {
        const [row] = await queryRows<{ n: number }>(
          service.database.db,
          sql`select count(*)::int as n from answers where post_id = ${daily.post.id}`,
        );
        return Number(row?.n ?? 0);
      };
      await waitUntil(async () => (await recorded()) >= CLICKS);
      const stored = await recorded();
      if (stored !== CLICKS) throw new Error(`expected ${CLICKS} answers, found ${stored}`);

      for (const [row, result] of [
        [rows[0], base],
        [rows[1], ours],
      ] as const) {
        row?.throughput.push(result.throughput);
        row?.p50.push(result.p50);
        row?.p95.push(result.p95);
        row?.p99.push(result.p99);
      }
      console.log(
        `round ${round + 1}: ${daily.question.type} question, ${stored} answers stored (every click exactly once: ${stored === CLICKS})`,
      );
    }
    console.log('');
    const med = (xs: number[]) => summarise(xs).p50;
    const base = rows[0] as (typeof rows)[number];
    for (const row of rows) {
      console.log(
        `${row.name.padEnd(38)} ${med(row.throughput).toFixed(0).padStart(6)} clicks/s [${Math.min(...row.throughput).toFixed(0)}–${Math.max(...row.throughput).toFixed(0)}] ×${(med(row.throughput) / med(base.throughput)).toFixed(2)}` +
          `   p50 ${med(row.p50).toFixed(1)} ms  p95 ${med(row.p95).toFixed(1)} ms  p99 ${med(row.p99).toFixed(1)} ms [${Math.min(...row.p99).toFixed(1)}–${Math.max(...row.p99).toFixed(1)}]`,
      );
    }
    console.log('\ntargets: p99 < 100 ms and throughput ≥ 0.8× the baseline at concurrency 64');
  } finally {
    await service.close();
    await baseline.close();
    await fake.close();
    await database.drop();
  }
}

await main();
