import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import type { RunningService } from '../../src/main.js';
import { createSlackPlatform, type EnabledSlackConfig } from '../../src/platforms/slack/slack-platform.js';
import { answerOpenQuestions, subscribeForDigest } from '../support/digest-channels.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { captureLogs } from '../support/log-capture.js';
import { startTestService } from '../support/service.js';

/** Sunday: each channel's question of the day goes out and is answered. */
const POSTED_AT = new Date('2026-11-08T09:00:00Z');
/** Monday 09:00 UTC: the digests are due (the default digest day and time). */
const DIGEST_AT = new Date('2026-11-09T09:00:00Z');
const minutesAfter = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A service on a fake Slack with answered questions in the given channels of each workspace, whose
 * digests are due at their `digestTime` on Monday, and `replica()`: a scheduler on the same database
 * with a Slack client of its own, as another process would have, keeping `perMinute` chart uploads a
 * minute per workspace.
 */
async function setup(workspaces: Record<string, { channels: string[]; digestTime?: string }>) {
  const slack = await startFakeSlack({ admins: ['UADMIN'] });
  const logs = captureLogs();
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: 'test-signing-secret',
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.apiUrl,
      LOG_LEVEL: 'info',
    },
    { clock: fixedClock(POSTED_AT), logs: logs.stream },
  );
  const service: RunningService = started.service;
  const schedulers: Array<ReturnType<typeof createScheduler>> = [];
  cleanups.push(async () => {
    slack.release();
    for (const s of schedulers) await s.stop();
    await started.stop();
    await slack.close();
  });
  for (const [workspaceId, { channels, digestTime }] of Object.entries(workspaces))
    await subscribeForDigest(
      service.quiz,
      { workspaceId, channelIds: channels },
      { time: '09:00', digestDay: 'mon', digestTime: digestTime ?? '09:00' },
    );
  await service.runJob('daily-post', POSTED_AT);
  for (const [workspaceId, { channels }] of Object.entries(workspaces))
    await answerOpenQuestions(service.quiz, { workspaceId, channelIds: channels });
  const replica = (perMinute: number) => {
    const scheduler = createScheduler({
      db: service.database.db,
      quizAt: service.quizAt,
      platforms: {
        slack: createSlackPlatform({
          config: service.config.slack as EnabledSlackConfig,
          tokenFor: async () => 'xoxb-test',
          chartUploadsPerMinute: perMinute,
        }),
      },
      logger: service.logger,
      defaultTimezone: 'UTC',
    });
    schedulers.push(scheduler);
    return scheduler;
  };
  slack.clear();
  logs.clear();
  return { slack, logs, service, replica };
}

type Setup = Awaited<ReturnType<typeof setup>>;

/** A promise's state, without waiting for it. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false };
  void promise.then(() => {
    state.settled = true;
  });
  return state;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 60_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isDigest = (body: Record<string, unknown>) =>
  JSON.stringify(body.blocks ?? '').includes('Weekly digest');
/** Charts Slack shared (answered calls of files.completeUploadExternal), by channel, in order. */
const sharedCharts = (t: Setup) =>
  t.slack
    .of('files.completeUploadExternal')
    .filter((c) => c.response !== undefined)
    .map((c) => String(c.body.channel_id));

async function chartRows(t: Setup) {
  return queryRows<{ status: string; leased: boolean; n: number }>(
    t.service.database.db,
    sql`select status, lease_until is not null as leased, count(*)::int as n
          from digest_charts group by 1, 2 order by 1, 2`,
  );
}

/** Every channel's digest went out once and has exactly one chart, in that digest's thread. */
function expectOneChartEachInItsThread(t: Setup, channels: string[]) {
  const digests = t.slack.of('chat.postMessage').filter((c) => isDigest(c.body));
  const shares = t.slack.of('files.completeUploadExternal').filter((c) => c.response !== undefined);
  for (const channel of channels) {
    const mine = digests.filter((c) => c.body.channel === channel);
    expect(mine, channel).toHaveLength(1);
    const shared = shares.filter((c) => c.body.channel_id === channel);
    expect(shared, channel).toHaveLength(1);
    expect(shared[0]?.body.thread_ts, channel).toBe(mine[0]?.response?.ts);
  }
  expect(shares).toHaveLength(channels.length);
}

/**
 * Runs the digest tick at DIGEST_AT on a replica keeping `perMinute` uploads a minute, waits until
 * `shared` charts are in their threads (the rest wait for the upload pace), then stops it.
 */
async function stopDuringChartPass(t: Setup, perMinute: number, shared: number) {
  const first = t.replica(perMinute);
  void first.tick(DIGEST_AT);
  await waitFor(() => sharedCharts(t).length >= shared, `${shared} charts to be shared`);
  const stopped = watch(first.stop());
  // The rest wait for a turn a minute away: stopping does not wait for it.
  await waitFor(() => stopped.settled, 'stop() to return', 10_000);
  expect(first.isTicking()).toBe(false);
  return first;
}

describe('a chart pass cut short', () => {
  it('stopping the scheduler mid-pass returns at once; a later tick uploads the rest, one chart per digest thread', {
    timeout: 120_000,
  }, async () => {
    const channels = ['CSTOP1', 'CSTOP2', 'CSTOP3', 'CSTOP4', 'CSTOP5'];
    const t = await setup({ T1: { channels } });
    await stopDuringChartPass(t, 2, 2);
    expect(sharedCharts(t)).toHaveLength(2);
    // What was left is owed, and free for any replica at once.
    expect(await chartRows(t)).toEqual([
      { status: 'owed', leased: false, n: 3 },
      { status: 'sent', leased: false, n: 2 },
    ]);
    expect(t.logs.warnings()).toEqual([]);

    // The next tick (another replica, or this one restarted) posts no digest again and sends the rest.
    const digestsBefore = t.slack.of('chat.postMessage').filter((c) => isDigest(c.body)).length;
    await t.replica(100).tick(minutesAfter(DIGEST_AT, 1));
    expect(t.slack.of('chat.postMessage').filter((c) => isDigest(c.body))).toHaveLength(digestsBefore);
    expectOneChartEachInItsThread(t, channels);
    expect(await chartRows(t)).toEqual([{ status: 'sent', leased: false, n: 5 }]);

    // And the tick after that has nothing left to upload.
    await t.replica(100).tick(minutesAfter(DIGEST_AT, 2));
    expect(t.slack.of('files.getUploadURLExternal').filter((c) => c.response !== undefined)).toHaveLength(5);
  });

  it('two replicas ticking at once on the owed charts upload each of them once', {
    timeout: 120_000,
  }, async () => {
    const channels = Array.from({ length: 8 }, (_, i) => `CTWIN${i}`);
    const t = await setup({ T1: { channels } });
    await stopDuringChartPass(t, 1, 1);
    expect(await chartRows(t)).toEqual([
      { status: 'owed', leased: false, n: 7 },
      { status: 'sent', leased: false, n: 1 },
    ]);

    const [a, b] = [t.replica(100), t.replica(100)];
    await Promise.all([a.tick(minutesAfter(DIGEST_AT, 1)), b.tick(minutesAfter(DIGEST_AT, 1))]);
    expectOneChartEachInItsThread(t, channels);
    // One ticket asked per chart: neither replica began an upload the other had claimed.
    expect(t.slack.of('files.getUploadURLExternal').filter((c) => c.response !== undefined)).toHaveLength(8);
    expect(await chartRows(t)).toEqual([{ status: 'sent', leased: false, n: 8 }]);
  });

  it('a chart still owed a day after its digest is dropped with a log line, not posted late', {
    timeout: 120_000,
  }, async () => {
    const t = await setup({ T1: { channels: ['CLATE1', 'CLATE2', 'CLATE3'] } });
    await stopDuringChartPass(t, 1, 1);
    t.logs.clear();

    await t.replica(100).tick(minutesAfter(DIGEST_AT, 25 * 60));
    expect(sharedCharts(t)).toHaveLength(1);
    expect(await chartRows(t)).toEqual([
      { status: 'dropped', leased: false, n: 2 },
      { status: 'sent', leased: false, n: 1 },
    ]);
    const dropped = t.logs.warnings().filter((l) => l.msg.startsWith('digest chart dropped'));
    expect(dropped).toHaveLength(2);
    expect(dropped[0]).toMatchObject({ job: 'digest-charts', week: expect.any(String) });
  });
});

describe('a chart upload that fails', () => {
  it('refused for good (4xx) is marked failed and not tried again; one that may pass is tried by a later tick', {
    timeout: 120_000,
  }, async () => {
    const t = await setup({ T1: { channels: ['CFAIL1', 'CFAIL2'] } });
    // The first chart's bytes are refused with 403, the second's with 503.
    t.slack.failNext('upload', 403);
    t.slack.failNext('upload', 503);
    const replica = t.replica(100);
    await replica.tick(DIGEST_AT);
    expect(sharedCharts(t)).toEqual([]);
    expect(await chartRows(t)).toEqual([
      { status: 'failed', leased: false, n: 1 },
      { status: 'owed', leased: true, n: 1 },
    ]);
    expect(t.logs.warnings().map((l) => l.msg)).toEqual(
      expect.arrayContaining([
        'digest chart refused for good; it is not tried again',
        'digest chart not uploaded; a later tick tries again',
      ]),
    );

    // Too soon for the retry: nothing is asked of Slack.
    await replica.tick(minutesAfter(DIGEST_AT, 1));
    expect(t.slack.of('files.getUploadURLExternal')).toHaveLength(2);
    // Once its retry is due, only the chart that may pass is uploaded.
    await replica.tick(minutesAfter(DIGEST_AT, 6));
    expect(t.slack.of('files.getUploadURLExternal')).toHaveLength(3);
    expect(sharedCharts(t)).toHaveLength(1);
    expect(await chartRows(t)).toEqual([
      { status: 'failed', leased: false, n: 1 },
      { status: 'sent', leased: false, n: 1 },
    ]);
  });
});

describe('charts of several workspaces', () => {
  it("a small workspace's charts are not held behind a large workspace's upload pace", {
    timeout: 180_000,
  }, async () => {
    const big = Array.from({ length: 24 }, (_, i) => `CBIG${i}`);
    const small = ['CSMALL1', 'CSMALL2'];
    // The small workspace's digests are due a minute later: their charts are owed after all the big one's.
    const t = await setup({ T1: { channels: big }, T2: { channels: small, digestTime: '09:01' } });
    await stopDuringChartPass(t, 2, 2);
    expect(await chartRows(t)).toEqual([
      { status: 'owed', leased: false, n: 22 },
      { status: 'sent', leased: false, n: 2 },
    ]);

    // At 09:01 the small workspace's texts go out; its charts take turns with the big one's 22,
    // which wait for their workspace's pace of two a minute.
    const next = t.replica(2);
    const tick = watch(next.tick(minutesAfter(DIGEST_AT, 1)));
    await waitFor(
      () => small.every((c) => sharedCharts(t).includes(c)),
      "the small workspace's charts",
      30_000,
    );
    expect(sharedCharts(t).filter((c) => big.includes(c)).length).toBeLessThanOrEqual(4);
    expect(tick.settled).toBe(false);
    const stopped = watch(next.stop());
    await waitFor(() => stopped.settled, 'stop() to return', 10_000);

    await t.replica(100).tick(minutesAfter(DIGEST_AT, 2));
    expectOneChartEachInItsThread(t, [...big, ...small]);
  });
});
