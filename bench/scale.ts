/**
 * A year of a large organisation: how fast the reads are once the data is there.
 *
 *   npm run bench:scale                  10 % (1,000 people in 10 channels), then 100 % (10,000
 *                                        people in 100 channels of one Slack workspace), and growth
 *   SCALE=1 npm run bench:scale          one size only (SCALE=0.1,0.5,1 for several)
 *   BENCH_DB=aifq_scale npm run bench:scale   keeps each size's year in a database of that name
 *                                        (suffixed _10 for 10 %) and reuses it next time
 *   REPS=30 npm run bench:scale          timed requests per read (after 3 untimed)
 *   TICKS=3 npm run bench:scale          runs of the digest job over every channel
 *
 * Lays down, with set-based SQL on a throwaway database of the Postgres server (DATABASE_URL, or
 * the local one), a question of the day in every channel on each of 365 days, answers from 70 % of
 * each channel's people each day (one heavy user answers every day), and 100 practice answers per
 * person, applies them all to the people's spaced-repetition cards as the first start after an
 * upgrade to the learning engine would (timed), and times a start on that much data. Then times
 * the reads people and jobs make:
 * - end to end: signed `/aif-quiz` slash commands sent to the bot's real /slack/events endpoint,
 *   from sending the request until the reply arrives at the command's response_url (`help`, which
 *   reads nothing, is the baseline);
 * - through the quiz's use cases: the same reads without HTTP, and the weekly digest of one channel;
 * - the weekly-digest job over every channel, once with its sends to a fake Slack.
 * Prints p50/p95 per read and whether the targets are met, then drops the database.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { fixedClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { runJobAt } from '../src/jobs/scheduler.js';
import { createCardsRepository } from '../src/learning/cards.repository.js';
import { catchUpCards } from '../src/learning/catch-up.js';
import { createLogger } from '../src/logger.js';
import { startService } from '../src/main.js';
import { benchDatabase, startSlackPeer, summarise } from './support.js';

const SCALES = (process.env.SCALE ?? '0.1,1').split(',').map(Number);
const REPS = Number(process.env.REPS ?? 30);
const WARM_UP = 3;
/** Runs of the whole digest job; each takes seconds per channel at full size. */
const TICKS = Number(process.env.TICKS ?? 1);
interface Size {
  scale: number;
  people: number;
  channels: number;
}
const sizeOf = (scale: number): Size => ({
  scale,
  people: Math.max(10, Math.round(10_000 * scale)),
  channels: Math.max(1, Math.round(100 * scale)),
});
const DAYS = 365;
const PRACTICE_PER_PERSON = 100;
const SECRET = 'bench-secret';
const TEAM = 'TSCALE';
const silent = createLogger({ level: 'silent', format: 'json' });

const userOf = (n: number) => `U${String(n).padStart(5, '0')}`;
const channelOf = (n: number) => `C${String(n).padStart(4, '0')}`;

/** The year of data, written by the database itself: nothing of it travels through this process. */
async function layDownYear(
  url: string,
  today: string,
  { people: PEOPLE, channels: CHANNELS }: Size,
): Promise<{ answers: number; practice: number }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Foreign keys are right by construction here; checking 3.5 M of them would double the load time.
    await client.query(`set session_replication_role = replica`);
    await client.query(`set work_mem = '64MB'`);
    const digestDay = ((new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7) + 1;
    const { rows } = await client.query<{ id: string }>(
      `insert into workspaces (platform, external_id, name) values ('slack', $1, 'Scale')
       on conflict (platform, external_id) do update set name = excluded.name returning id`,
      [TEAM],
    );
    const workspace = rows[0]?.id;
    await client.query(
      `insert into channels (workspace_id, external_id, name, active, post_time, timezone, days,
                             digest_day, digest_time, subscribed_at)
       select $1, 'C' || lpad(i::text, 4, '0'), 'study-' || i, true, '09:00', 'UTC', '{1,2,3,4,5,6,7}',
              $3, '09:00', $4::date - 400
       from generate_series(0, $2 - 1) i`,
      [workspace, CHANNELS, digestDay, today],
    );
    await client.query(
      `insert into users (workspace_id, external_id, display_name, last_active_at)
       select $1, 'U' || lpad(i::text, 5, '0'), 'Person ' || i, now()
       from generate_series(0, $2 - 1) i`,
      [workspace, PEOPLE],
    );
    await client.query(
      `create temp table ch as select id, substr(external_id, 2)::int as n from channels where workspace_id = $1`,
      [workspace],
    );
    await client.query(
      `create temp table us as select id, substr(external_id, 2)::int as n from users where workspace_id = $1`,
      [workspace],
    );
    await client.query(
      `create temp table q as
       select id, current_version as v, (row_number() over (order by id))::int - 1 as n from questions where active`,
    );
    const questions = Number((await client.query(`select count(*)::int as n from q`)).rows[0].n);
    await client.query(
      `insert into posts (channel_id, local_date, question_id, question_version, status, message_ref,
                          attempts, posted_at, closes_at, closed_at, revealed_at)
       select ch.id, $1::date - d, q.id, q.v, case when d = 0 then 'open' else 'closed' end,
              jsonb_build_object('channel', 'C', 'ts', d::text), 1,
              ($1::date - d) + time '09:00', ($1::date - d) + time '09:00' + interval '1 day',
              case when d > 0 then ($1::date - d) + time '09:00' + interval '1 day' end,
              case when d > 0 then ($1::date - d) + time '09:00' + interval '1 day' end
       from ch cross join generate_series(0, $2 - 1) d join q on q.n = (ch.n * 7 + d) % $3`,
      [today, DAYS, questions],
    );
    await client.query(
      `create temp table pp as
       select p.id, ch.n as cn, p.posted_at, ($1::date - p.local_date) as d
       from posts p join ch on ch.id = p.channel_id`,
      [today],
    );
    // h decides, per person and day, whether they answered (70 %), whether rightly (65 %) and when.
    // Written in the order they were given, as a live system fills the table.
    const answers = await client.query(
      `insert into answers (post_id, user_id, choice, correct, points, answered_at)
       select pp.id, us.id, '[0]'::jsonb, (h / 100) % 100 < 65,
              case when (h / 100) % 100 < 65 then 10 + least(d % 7, 5) else 0 end,
              pp.posted_at + ((h / 10000) % 240) * interval '1 minute'
       from us join pp on pp.cn = us.n % $1
       cross join lateral (select hashint8((us.n::bigint << 16) | pp.d) & 2147483647 as h) x
       where h % 100 < 70 or us.n = 0
       order by 6`,
      [CHANNELS],
    );
    const practice = await client.query(
      `insert into practice_answers (user_id, question_id, question_version, kind, issue_key, choice,
                                     correct, answered_at)
       select us.id, q.id, q.v, 'practice', 'scale:' || k, '[0]'::jsonb, (h / 100) % 100 < 60,
              $2::date - ((h / 10000) % 525600) * interval '1 minute'
       from us cross join generate_series(0, $1 - 1) k
       cross join lateral (select hashint8((us.n::bigint << 16) | k) & 2147483647 as h) x
       join q on q.n = h % $3`,
      [PRACTICE_PER_PERSON, today, questions],
    );
    await client.query(`set session_replication_role = origin`);
    // Replica mode also kept the running totals' triggers quiet: count them once, in the order a
    // live system creates them (each week's and month's rows during that week or month), per
    // channel and then per workspace.
    await client.query(`delete from answer_totals`);
    await client.query(
      `insert into answer_totals select * from answer_totals_recount() order by period_start, channel_id, user_id`,
    );
    await client.query(`delete from workspace_totals`);
    await client.query(
      `insert into workspace_totals
       select c.workspace_id, t.grain, t.period_start, t.user_id, sum(t.answered)::int, sum(t.correct)::int,
              sum(t.points)::int
       from answer_totals t join channels c on c.id = t.channel_id
       group by c.workspace_id, t.grain, t.period_start, t.user_id order by 3, 1, 4`,
    );
    // What autovacuum would have done by now on a live system: statistics and the visibility map.
    await client.query(`vacuum analyze`);
    return { answers: answers.rowCount ?? 0, practice: practice.rowCount ?? 0 };
  } finally {
    await client.end();
  }
}

/**
 * BENCH_DB=<name> keeps the laid-down year in that database for the next run (which reuses it);
 * without it, a throwaway database is made and dropped.
 */
async function keptOrFreshDatabase(scale: number): Promise<{
  url: string;
  name: string;
  laidDown: boolean;
  drop(): Promise<void>;
}> {
  const base = process.env.BENCH_DB;
  const name = base && (scale === 1 ? base : `${base}_${Math.round(scale * 100)}`);
  if (!name) return { ...(await benchDatabase()), name: 'a throwaway database', laidDown: false };
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('BENCH_DB must be a plain lower-case name');
  const server = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const admin = new pg.Client({ connectionString: server });
  await admin.connect();
  const exists = (await admin.query('select 1 from pg_database where datname = $1', [name])).rowCount;
  if (!exists) await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
  let laidDown = false;
  if (exists) {
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    laidDown = Boolean(
      (
        await client
          .query(
            `select 1 from workspaces w join users u on u.workspace_id = w.id where w.external_id = $1 limit 1`,
            [TEAM],
          )
          .catch(() => ({ rowCount: 0 }))
      ).rowCount,
    );
    await client.end();
  }
  return { url: url.toString(), name, laidDown, drop: async () => {} };
}

/** Receives the bot's replies to slash commands and says when each arrived. */
async function startResponseCatcher() {
  const waiting = new Map<string, (at: number) => void>();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const at = performance.now();
      waiting.get(req.url ?? '')?.(at);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  let next = 0;
  return {
    /** A fresh response_url and the moment its reply arrives. */
    expect(): { url: string; arrived: Promise<number> } {
      const path = `/r/${next++}`;
      const arrived = new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no reply within 30 s')), 30_000);
        waiting.set(path, (at) => {
          clearTimeout(timer);
          waiting.delete(path);
          resolve(at);
        });
      });
      return { url: `${base}${path}`, arrived };
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A `/aif-quiz` slash command as Slack sends it, signed with the app's signing secret. */
function slashCommand(text: string, user: string, channel: string, responseUrl: string) {
  const body = new URLSearchParams({
    token: 'unused',
    team_id: TEAM,
    team_domain: 'scale',
    channel_id: channel,
    channel_name: 'study',
    user_id: user,
    user_name: user.toLowerCase(),
    command: '/aif-quiz',
    text,
    api_app_id: 'ASCALE',
    response_url: responseUrl,
    trigger_id: '1.2.3',
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
  };
}

type Summary = ReturnType<typeof summarise>;
interface Measured {
  size: Size;
  endToEnd: Map<string, Summary>;
  direct: Map<string, Summary>;
  tick: Summary;
}

async function measure(size: Size): Promise<Measured> {
  const { people: PEOPLE, channels: CHANNELS, scale: SCALE } = size;
  const now = new Date();
  const today = now.toISOString().slice(0, 10);
  const heavy = userOf(0);
  const home = channelOf(0);
  console.log(
    `Scale: ${PEOPLE.toLocaleString('en')} people in ${CHANNELS} channels of one workspace, ${DAYS} days ` +
      `(SCALE=${SCALE}); Postgres; ${REPS} timed requests per read. Figures from a shared 2-core machine vary.\n`,
  );
  const fake = await startSlackPeer();
  const database = await keptOrFreshDatabase(SCALE);
  const catcher = await startResponseCatcher();
  const config = () => ({
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
  const service = await startService(config());
  try {
    if (database.laidDown) {
      console.log(`reusing the year already laid down in ${database.name}\n`);
    } else {
      const loadStarted = performance.now();
      const laid = await layDownYear(database.url, today, size);
      console.log(
        `laid down ${laid.answers.toLocaleString('en')} answers and ${laid.practice.toLocaleString('en')} practice ` +
          `answers in ${((performance.now() - loadStarted) / 1000).toFixed(0)} s (vacuum and analyze included)`,
      );
      // The learning engine's state for that year, as an install upgrading to it builds it: the
      // start-up catch-up applies every stored answer to its card, a day at a time.
      const backFillStarted = performance.now();
      const db = service.database.db;
      await db.execute(sql`delete from learning_catch_up`);
      const applied = await catchUpCards(db, createCardsRepository(db));
      // As autovacuum would have by the time anyone reads them.
      await db.execute(sql`vacuum analyze learning_reviews`);
      await db.execute(sql`vacuum analyze learning_cards`);
      console.log(
        `applied them to their spaced-repetition cards (the first start after an upgrade) in ` +
          `${((performance.now() - backFillStarted) / 1000).toFixed(0)} s: ${applied.toLocaleString('en')} answers`,
      );
    }
    // What an operator waits for at each later start on this much data: migrations, the bank, the
    // catch-up of the days since the last start, the HTTP server.
    const restarts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const again = await startService(config());
      restarts.push(performance.now() - started);
      await again.close();
    }
    console.log(`a start on this year of data: median ${summarise(restarts).p50.toFixed(0)} ms of 3\n`);

    const actor = { platform: 'slack' as const, workspaceId: TEAM, userId: heavy };
    const channelKey = { platform: 'slack' as const, workspaceId: TEAM, channelId: home };
    const settings = await service.quiz.channelSettings(channelKey);
    if (!settings) throw new Error('the bench channel was not laid down');
    const quiz = service.quiz;

    const endToEnd: Array<[string, string]> = [
      ['help', 'help'],
      ['leaderboard channel week', 'leaderboard week'],
      ['leaderboard channel month', 'leaderboard month'],
      ['leaderboard channel all', 'leaderboard all'],
      ['leaderboard workspace week', 'leaderboard week workspace'],
      ['leaderboard workspace all', 'leaderboard all workspace'],
      ['stats (heavy user)', 'stats'],
      ['practice', 'practice'],
    ];
    const direct: Array<[string, () => Promise<unknown>]> = [
      ['leaderboard channel week', () => quiz.leaderboard(channelKey, { period: 'week' })],
      ['leaderboard channel month', () => quiz.leaderboard(channelKey, { period: 'month' })],
      ['leaderboard channel all', () => quiz.leaderboard(channelKey, { period: 'all' })],
      [
        'leaderboard workspace week',
        () => quiz.leaderboard(channelKey, { period: 'week', scope: 'workspace' }),
      ],
      [
        'leaderboard workspace all',
        () => quiz.leaderboard(channelKey, { period: 'all', scope: 'workspace' }),
      ],
      ['stats (heavy user)', () => quiz.personalStats(actor)],
      ['practice selection', () => quiz.practice(actor)],
      ['weekly digest, one channel', () => quiz.weeklyDigest(settings.channelId)],
    ];
    const e2eTimes = new Map<string, number[]>(endToEnd.map(([name]) => [name, []]));
    const directTimes = new Map<string, number[]>(direct.map(([name]) => [name, []]));

    // Rounds interleave the reads, so a burst of load from elsewhere on the machine hits them all alike.
    for (let round = 0; round < WARM_UP + REPS; round++) {
      for (const [name, text] of endToEnd) {
        const reply = catcher.expect();
        const request = slashCommand(text, heavy, home, reply.url);
        const sent = performance.now();
        const response = await fetch(`${service.url}/slack/events`, {
          method: 'POST',
          headers: request.headers,
          body: request.body,
        });
        if (response.status !== 200) throw new Error(`${name}: the endpoint answered ${response.status}`);
        await response.arrayBuffer();
        const arrived = await reply.arrived;
        if (round >= WARM_UP) e2eTimes.get(name)?.push(arrived - sent);
      }
      for (const [name, read] of direct) {
        const started = performance.now();
        await read();
        if (round >= WARM_UP) directTimes.get(name)?.push(performance.now() - started);
      }
    }

    // The weekly-digest job over every channel, as the scheduler runs it at the digest hour.
    const digestAt = new Date(`${today}T09:05:00Z`);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const tickTimes: number[] = [];
    let sent = 0;
    for (let i = 0; i < TICKS; i++) {
      await admin.query(`delete from job_runs where job = 'weekly-digest'`);
      await admin.query('delete from digest_charts');
      const deps = {
        db: service.database.db,
        quizAt: service.quizAt,
        platforms: service.platforms,
        logger: silent,
        defaultTimezone: 'UTC',
      };
      const started = performance.now();
      // As the scheduler runs them in one tick: the texts, then the charts they owe.
      const report = await runJobAt(deps, 'weekly-digest', digestAt);
      await runJobAt(deps, 'digest-charts', digestAt);
      tickTimes.push(performance.now() - started);
      sent = report.outcomes.filter((o) => o.outcome === 'sent').length;
    }
    // The same digests computed one after another with nothing sent: the tick's database work.
    const quizAtDigest = service.quizAt(fixedClock(digestAt));
    const { rows: channelIds } = await admin.query<{ id: string }>(
      `select id from channels where active order by external_id`,
    );
    const computeTimes: number[] = [];
    for (let i = 0; i < TICKS; i++) {
      const started = performance.now();
      for (const { id } of channelIds) await quizAtDigest.weeklyDigest(id);
      computeTimes.push(performance.now() - started);
    }
    await admin.end();

    const line = (name: string, times: number[], extra = '') => {
      const s = summarise(times);
      return `  ${name.padEnd(30)} p50 ${s.p50.toFixed(1).padStart(7)} ms   p95 ${s.p95.toFixed(1).padStart(7)} ms${extra}`;
    };
    const help = summarise(e2eTimes.get('help') ?? []);
    console.log('End to end: signed slash command → reply at its response_url');
    for (const [name, times] of e2eTimes) {
      const s = summarise(times);
      console.log(
        line(
          name,
          times,
          name === 'help' ? '   (baseline)' : `   +${(s.p50 - help.p50).toFixed(1)} ms over help`,
        ),
      );
    }
    console.log('\nThrough the use cases (no HTTP)');
    for (const [name, times] of directTimes) console.log(line(name, times));
    const tick = summarise(tickTimes);
    const compute = summarise(computeTimes);
    console.log(
      `\nWeekly-digest job over ${CHANNELS} channels (${sent} digests sent): median ${(tick.p50 / 1000).toFixed(2)} s of ${TICKS} ` +
        `(sends are paced at 20 a second per workspace: at least ${((CHANNELS * 50) / 1000).toFixed(1)} s here)`,
    );
    console.log(
      `  the same ${CHANNELS} digests computed one after another: median ${(compute.p50 / 1000).toFixed(2)} s ` +
        `(${(compute.p50 / CHANNELS).toFixed(1)} ms a channel)`,
    );

    console.log('\nTargets');
    const verdict = (ok: boolean) => (ok ? 'met' : 'NOT met');
    for (const [name, times] of e2eTimes) {
      if (!name.startsWith('leaderboard') && !name.startsWith('stats')) continue;
      const s = summarise(times);
      const over = s.p50 - help.p50;
      console.log(
        `  ${name.padEnd(30)} p50 +${over.toFixed(1)} ms over help (≤ 20): ${verdict(over <= 20)};  ` +
          `p95 ${s.p95.toFixed(1)} ms (< 50): ${verdict(s.p95 < 50)}`,
      );
    }
    const digest = summarise(directTimes.get('weekly digest, one channel') ?? []);
    console.log(
      `  ${'weekly digest, one channel'.padEnd(30)} p50 ${digest.p50.toFixed(1)} ms (< 50): ${verdict(digest.p50 < 50)}\n`,
    );
    const summaries = (times: Map<string, number[]>) =>
      new Map([...times].map(([name, list]) => [name, summarise(list)]));
    return { size, endToEnd: summaries(e2eTimes), direct: summaries(directTimes), tick };
  } finally {
    await service.close();
    await catcher.close();
    await fake.close();
    await database.drop();
  }
}

/** Each read's p50/p95 at every size measured, and how much the largest grew over the smallest. */
function printGrowth(runs: Measured[]) {
  const first = runs[0];
  const last = runs.at(-1);
  if (!first || !last || runs.length < 2) return;
  const sizeName = (m: Measured) => `${Math.round(m.size.scale * 100)} %`;
  console.log(`Growth from ${sizeName(first)} to ${sizeName(last)} of the data (p50 / p95 in ms)`);
  const row = (name: string, pick: (m: Measured) => Summary | undefined) => {
    const cells = runs.map((m) => {
      const s = pick(m);
      return s ? `${s.p50.toFixed(1)} / ${s.p95.toFixed(1)}`.padStart(17) : ''.padStart(17);
    });
    const a = pick(first)?.p50 ?? 0;
    const b = pick(last)?.p50 ?? 0;
    console.log(`  ${name.padEnd(34)}${cells.join('')}   ×${a > 0 ? (b / a).toFixed(2) : '-'}`);
  };
  console.log(`  ${''.padEnd(34)}${runs.map((m) => sizeName(m).padStart(17)).join('')}`);
  for (const name of first.endToEnd.keys()) row(`${name} (end to end)`, (m) => m.endToEnd.get(name));
  for (const name of first.direct.keys()) row(name, (m) => m.direct.get(name));
  row('digest job over every channel', (m) => m.tick);
}

const runs: Measured[] = [];
for (const scale of SCALES) runs.push(await measure(sizeOf(scale)));
printGrowth(runs);
