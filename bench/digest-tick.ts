/**
 * Digest tick benchmark: CHANNELS subscribed Slack channels across WORKSPACES workspaces, each with
 * 8 weeks of questions and answers, and one digest tick for all of them (the weekly-digest job, then
 * the digest-charts job that follows it in the same tick), against a fake Slack in its own process that enforces Slack's published limits and answers 429
 * with Retry-After beyond them (see bench/slack-peer.ts). Prints wall time, when the last digest
 * text was out and the first chart upload began (every text goes before any chart), the tick's CPU, peak
 * memory, the event loop's worst delay, digests posted, charts uploaded through all three steps,
 * 429s, whether each channel got exactly one digest and one chart, and how the wall time compares
 * with what Slack's limits allow.
 *
 *   npm run bench:digest              CHANNELS=200 WORKSPACES=2 npm run bench:digest
 */
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { queryRows } from '../src/db/client.js';
import { channels as channelsTable, workspaces } from '../src/db/schema.js';
import { defaultSendQueue, runJobAt } from '../src/jobs/scheduler.js';
import { createLogger } from '../src/logger.js';
import { openCore } from '../src/main.js';
import { createSlackPlatform } from '../src/platforms/slack/slack-platform.js';
import { benchDatabase, startSlackPeer } from './support.js';

const CHANNELS = Number(process.env.CHANNELS ?? 1000);
const WORKSPACES = Number(process.env.WORKSPACES ?? 10);
/** Monday 30 November 2026, 09:00 UTC: every channel's digest is due (Mondays at 09:00 by default). */
const AT = new Date('2026-11-30T09:00:00Z');
const silent = createLogger({ level: 'silent', format: 'json' });

/**
 * What Slack's published limits allow for this many channels, in seconds. Per app and workspace:
 * chat.postMessage about 1 message a second per channel (channels in parallel), and the upload's
 * two Web API calls are Tier 4, "100+ per minute", so a workspace's charts take a minute per
 * hundred at that steady rate. Slack also allows bursts, which may let the first hundred go at once.
 */
function slackPaceSeconds(channels: number, spaces: number): { steady: number; burst: number } {
  const perWorkspace = Math.ceil(channels / spaces);
  return {
    steady: Math.max(1, Math.ceil(perWorkspace / 100) * 60),
    burst: Math.max(1, Math.floor((perWorkspace - 1) / 100) * 60),
  };
}

/**
 * Eight weeks of history written in bulk SQL: six people per workspace, a closed question of the
 * day on each weekday in each channel, answered by about three in four people, a third of them
 * wrongly. Written a hundred channels at a time, so no statement meets the statement timeout.
 */
async function seedHistory(db: Parameters<typeof queryRows>[0], channelIds: string[]) {
  await queryRows(
    db,
    sql`insert into users (workspace_id, external_id, display_name)
        select w.id, 'U' || g, 'Person ' || g from workspaces w cross join generate_series(1, 6) g`,
  );
  for (let i = 0; i < channelIds.length; i += 100) {
    const chunk = `{${channelIds.slice(i, i + 100).join(',')}}`;
    await queryRows(
      db,
      sql`with bank as (
            select array_agg(id order by id) as ids, array_agg(current_version order by id) as versions
            from questions where active)
          insert into posts (channel_id, local_date, question_id, question_version, status, posted_at, closed_at)
          select c.id, d::date, bank.ids[k], bank.versions[k], 'closed', d + interval '9 hours', d + interval '20 hours'
          from channels c
          cross join generate_series(timestamp '2026-10-05', timestamp '2026-11-27', interval '1 day') d
          cross join bank
          cross join lateral (select 1 + abs(hashtext(c.external_id || d::text)) % cardinality(bank.ids) as k) pick
          where c.id = any(${chunk}::uuid[]) and extract(isodow from d) <= 5`,
    );
    await queryRows(
      db,
      sql`insert into answers (post_id, user_id, choice, correct, points, answered_at)
          select p.id, u.id, '[0]'::jsonb, ok, case when ok then 10 else 0 end, p.local_date + interval '10 hours'
          from posts p
          join channels c on c.id = p.channel_id
          join users u on u.workspace_id = c.workspace_id
          cross join lateral (select abs(hashtext(p.id::text || u.external_id)) % 3 <> 0 as ok) r
          where p.channel_id = any(${chunk}::uuid[]) and abs(hashtext(u.external_id || p.id::text)) % 4 <> 0`,
    );
  }
}

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
    const seedStarted = performance.now();
    const spaces = await core.database.db
      .insert(workspaces)
      .values(
        Array.from({ length: WORKSPACES }, (_, i) => ({ platform: 'slack' as const, externalId: `T${i}` })),
      )
      .returning();
    const rows = Array.from({ length: CHANNELS }, (_, i) => ({
      workspaceId: (spaces[i % WORKSPACES] as (typeof spaces)[number]).id,
      externalId: `C${i}`,
      name: `#study-${i}`,
      active: true,
      postTime: '09:00',
      timezone: 'UTC',
      days: [1, 2, 3, 4, 5],
    }));
    const channelIds: string[] = [];
    for (let i = 0; i < rows.length; i += 1000) {
      const inserted = await core.database.db
        .insert(channelsTable)
        .values(rows.slice(i, i + 1000))
        .returning({ id: channelsTable.id });
      channelIds.push(...inserted.map((c) => c.id));
    }
    await seedHistory(core.database.db, channelIds);
    const [seeded] = await queryRows<{ posts: number; answers: number }>(
      core.database.db,
      sql`select (select count(*) from posts)::int as posts, (select count(*) from answers)::int as answers`,
    );
    console.log(
      `Digest tick: ${CHANNELS} Slack channels across ${WORKSPACES} workspaces; seeded ${seeded?.posts} questions and ${seeded?.answers} answers over 8 weeks in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
    );

    const platform = createSlackPlatform({
      config: config.slack as Exclude<typeof config.slack, { mode: 'off' }>,
      // One token per workspace, as OAuth installs give: the fake Slack keeps Tier 4 per token.
      tokenFor: async (teamId) => `xoxb-${teamId}`,
    });
    // When the last digest text was confirmed and the first chart upload began, from the tick's start.
    let lastText = 0;
    let firstChart = 0;
    const timed: typeof platform = {
      ...platform,
      async postDigest(channel, digest) {
        const ref = await platform.postDigest(channel, digest);
        lastText = performance.now() - started;
        return ref;
      },
      async postDigestChart(ref, chart, options) {
        firstChart ||= performance.now() - started;
        await platform.postDigestChart(ref, chart, options);
      },
    };
    const queue = defaultSendQueue();
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 25);
    const loopDelay = monitorEventLoopDelay({ resolution: 10 });
    loopDelay.enable();
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    const deps = {
      db: core.database.db,
      quizAt: core.quizAt,
      platforms: { slack: timed },
      logger: silent,
      defaultTimezone: 'UTC',
      queue,
    };
    // The tick as the scheduler runs it: the texts, then the charts they owe once they are out.
    const texts = await runJobAt(deps, 'weekly-digest', AT);
    const chartRun = await runJobAt(deps, 'digest-charts', AT);
    const report = { outcomes: [...texts.outcomes, ...chartRun.outcomes] };
    const elapsed = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    loopDelay.disable();
    clearInterval(sampler);

    const outcomes: Record<string, number> = {};
    for (const o of report.outcomes) outcomes[o.outcome] = (outcomes[o.outcome] ?? 0) + 1;
    const stats = await slack.stats();
    const got = await slack.digests();
    const perChannel = rows.map((r) => got[r.externalId] ?? { posts: 0, charts: 0 });
    const charts = perChannel.reduce((n, c) => n + c.charts, 0);
    const exactlyOnce = perChannel.every((c) => c.posts === 1 && c.charts === 1) && stats.incomplete === 0;
    const [runs] = await queryRows<{ done: number }>(
      core.database.db,
      sql`select count(*)::int as done from job_runs where job = 'weekly-digest' and status = 'done'`,
    );
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const pace = slackPaceSeconds(CHANNELS, WORKSPACES);
    // "At the platforms' pace": within a fifth of what Slack allows, plus a few seconds of start.
    const allowed = pace.steady * 1.2 + 5;

    console.log(`\nload average before: ${process.env.LOADAVG ?? 'n/a'}; cores: ${availableParallelism()}`);
    console.log(`wall time              ${elapsed.toFixed(1)} s`);
    console.log(
      `texts, then charts     last digest text out at ${(lastText / 1000).toFixed(1)} s; first chart upload began at ${(firstChart / 1000).toFixed(1)} s`,
    );
    console.log(
      `CPU (user + system)    ${cpuSeconds.toFixed(1)} s (${((1000 * cpuSeconds) / CHANNELS).toFixed(0)} ms a channel, drawing included)`,
    );
    console.log(
      `peak RSS               ${(peakRss / 2 ** 20).toFixed(0)} MB (${(rssBefore / 2 ** 20).toFixed(0)} MB before the tick)`,
    );
    console.log(
      `event loop delay       max ${(loopDelay.max / 1e6).toFixed(0)} ms, p99 ${(loopDelay.percentile(99) / 1e6).toFixed(0)} ms`,
    );
    console.log(`outcomes               ${JSON.stringify(outcomes)}; job runs done ${runs?.done}`);
    console.log(`digests posted         ${stats.posts}`);
    console.log(`charts uploaded        ${charts} (ticket, bytes and share, all three steps)`);
    console.log(`429s received          ${stats.refused} ${JSON.stringify(stats.refusedByMethod)}`);
    console.log(`each channel exactly one digest and one chart: ${exactlyOnce}`);
    console.log(
      `Slack's pace           ${pace.steady} s at the steady rate (${pace.burst} s if bursts are allowed) for ${Math.ceil(CHANNELS / WORKSPACES)} channels a workspace (chat.postMessage 1/s per channel; files.getUploadURLExternal and files.completeUploadExternal Tier 4, 100+/min per workspace)`,
    );
    console.log(
      `target: the tick within ${allowed.toFixed(0)} s (Slack's pace + 20 % + 5 s), no 429 storm (< 1 % of calls): ${
        elapsed <= allowed && stats.refused < CHANNELS * 0.04 && exactlyOnce ? 'met' : 'MISSED'
      }`,
    );
  } finally {
    await core.database.close();
    await slack.close();
    await database.drop();
  }
}

await main();
