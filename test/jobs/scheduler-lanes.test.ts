import { sql } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import type { JobName, JobReport } from '../../src/jobs/jobs.js';
import { createScheduler } from '../../src/jobs/scheduler.js';
import type { RunningService } from '../../src/main.js';
import type { Actor, ChannelKey } from '../../src/quiz/quiz.js';
import { answerOpenQuestions } from '../support/digest-channels.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { captureLogs } from '../support/log-capture.js';
import { startTestService } from '../support/service.js';

/** Sunday: each digest channel's question of the day goes out and is answered. */
const POSTED_AT = new Date('2026-11-08T09:00:00Z');
/** Monday 09:00 UTC: every digest channel's digest is due (the default digest day and time). */
const DIGEST_AT = new Date('2026-11-09T09:00:00Z');
const minutesAfter = (at: Date, minutes: number) => new Date(at.getTime() + minutes * 60_000);
const REFUSE_CLAIMS = [
  `create function refuse_claims() returns trigger language plpgsql as $$
     begin raise exception 'the disk is full'; end $$`,
  // Only the digest's claims: the other jobs that claim in job_runs (reminders, housekeeping) go on.
  "create trigger refuse_claims before insert on job_runs for each row when (new.job = 'weekly-digest') execute function refuse_claims()",
];
const ADMIN: Actor = { platform: 'slack', workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true };

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * A service on a fake Slack with `digestChannels` channels whose digest (with its chart) is due at
 * DIGEST_AT, and a scheduler on the service's own platforms whose runs are counted per job.
 */
async function setup(digestChannels: string[]) {
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
  const subscribe = async (channelId: string, time: string) => {
    const key: ChannelKey = { platform: 'slack', workspaceId: 'T1', channelId };
    await service.quiz.subscribe(ADMIN, key, { time, timezone: 'UTC', days: 'daily' });
    await service.quiz.configureChannel(ADMIN, key, { digestDay: 'mon', digestTime: '09:00' });
    return key;
  };
  for (const channelId of digestChannels) await subscribe(channelId, '09:00');
  await service.runJob('daily-post', POSTED_AT);
  await answerOpenQuestions(service.quiz, { channelIds: digestChannels });

  const runsStarted: JobName[] = [];
  /** `start:<job>` and `end:<job>` in the order they happened. */
  const events: string[] = [];
  const scheduler = createScheduler({
    db: service.database.db,
    quizAt: service.quizAt,
    platforms: service.platforms,
    logger: service.logger,
    defaultTimezone: 'UTC',
    observe: (job, run) => {
      runsStarted.push(job);
      events.push(`start:${job}`);
      const end = () => events.push(`end:${job}`);
      void run.then(end, end);
    },
  });
  cleanups.push(async () => {
    slack.release();
    await scheduler.stop();
    await started.stop();
    await slack.close();
  });
  slack.clear();
  logs.clear();
  return { slack, logs, service, scheduler, subscribe, runsStarted, events };
}

/** A promise's state, without waiting for it. */
function watch<T>(promise: Promise<T>) {
  const state = { settled: false, value: undefined as T | undefined };
  void promise.then((value) => {
    state.settled = true;
    state.value = value;
  });
  return state;
}

async function waitFor(check: () => boolean, what: string, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

const isDigest = (body: Record<string, unknown>) =>
  JSON.stringify(body.blocks ?? '').includes('Weekly digest');
const reportOf = (reports: JobReport[] | undefined, job: JobName) => reports?.find((r) => r.job === job);

describe('each job in its own lane', () => {
  it('a digest due a minute after others gets its text on time while their chart pass is held, and so does a question of the day', {
    timeout: 90_000,
  }, async () => {
    const t = await setup(['CDIG1', 'CDIG2', 'CDIG3', 'CLATE']);
    // Another team's digest, and another's question of the day, are due a minute after the digests.
    await t.service.quiz.configureChannel(
      ADMIN,
      { platform: 'slack', workspaceId: 'T1', channelId: 'CLATE' },
      { digestDay: 'mon', digestTime: '09:01' },
    );
    await t.subscribe('CPOST', '09:01');
    // Slack is slow on chart uploads: it leaves them unanswered for now, so the chart pass cannot finish.
    t.slack.holdAfter('files.getUploadURLExternal', 0);

    const digestTick = watch(t.scheduler.tick(DIGEST_AT));
    await waitFor(() => t.slack.heldCount() === 3, 'the three chart uploads to be held');
    // The digest texts are out, and the minute's other jobs (the reveals of yesterday's questions,
    // paced per channel) finish: only the chart pass is still going.
    await waitFor(() => t.scheduler.running().join() === 'digest-charts', 'the other jobs to finish');

    const next = await t.scheduler.tick(minutesAfter(DIGEST_AT, 1));
    expect(reportOf(next, 'weekly-digest')?.outcomes).toEqual([
      { target: 'slack:CLATE', outcome: 'sent', reason: expect.stringMatching(/^digest /) },
    ]);
    expect(
      t.slack.of('chat.postMessage').filter((c) => c.body.channel === 'CLATE' && isDigest(c.body)),
    ).toHaveLength(1);
    expect(reportOf(next, 'daily-post')?.outcomes).toEqual([
      { target: 'slack:CPOST', outcome: 'posted', reason: expect.stringContaining('2026-11-09') },
    ]);
    expect(t.slack.of('chat.postMessage').filter((c) => c.body.channel === 'CPOST')).toHaveLength(1);
    // The chart lane is still busy: this tick started no second chart pass.
    expect(reportOf(next, 'digest-charts')).toBeUndefined();
    await t.scheduler.tick(minutesAfter(DIGEST_AT, 2));
    expect(digestTick.settled).toBe(false);
    expect(t.scheduler.running()).toEqual(['digest-charts']);
    expect(t.runsStarted.filter((job) => job === 'digest-charts')).toHaveLength(1);
    expect(t.runsStarted.filter((job) => job === 'weekly-digest')).toHaveLength(3);
    expect(t.runsStarted.filter((job) => job === 'daily-post')).toHaveLength(3);
    // Said once, not every minute, and not as a warning.
    const waiting = t.logs.lines.filter((l) => l.msg.includes('still running'));
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ level: 30, job: 'digest-charts' });
    expect(t.logs.warnings()).toEqual([]);

    t.slack.release();
    await waitFor(() => digestTick.settled, 'the chart pass to finish');
    expect(
      reportOf(digestTick.value, 'weekly-digest')
        ?.outcomes.filter((o) => o.outcome === 'sent')
        .map((o) => o.target)
        .sort(),
    ).toEqual(['slack:CDIG1', 'slack:CDIG2', 'slack:CDIG3']);
    expect(
      reportOf(digestTick.value, 'digest-charts')
        ?.outcomes.map((o) => `${o.outcome} ${o.target}`)
        .sort(),
    ).toEqual(['sent slack:CDIG1', 'sent slack:CDIG2', 'sent slack:CDIG3']);
    expect(t.scheduler.isTicking()).toBe(false);
    // Free again: the next tick uploads the chart the later digest owes, and sends no digest again.
    const after = await t.scheduler.tick(minutesAfter(DIGEST_AT, 3));
    expect(reportOf(after, 'weekly-digest')?.outcomes).toEqual([]);
    expect(reportOf(after, 'digest-charts')?.outcomes).toEqual([
      { target: 'slack:CLATE', outcome: 'sent', reason: expect.stringMatching(/^chart /) },
    ]);
    expect(t.slack.of('chat.postMessage').filter((c) => isDigest(c.body))).toHaveLength(4);
    const digests = t.slack.of('chat.postMessage').filter((c) => isDigest(c.body));
    const shares = t.slack.of('files.completeUploadExternal');
    expect(shares.map((s) => s.body.thread_ts).sort()).toEqual(digests.map((d) => d.response?.ts).sort());
  });

  it("reminders start only once the tick's daily post has finished, and the charts once the tick's digests are out", {
    timeout: 90_000,
  }, async () => {
    const t = await setup(['CORDER']);
    // Monday 09:00: CORDER's question of the day and its digest are both due.
    const reports = await t.scheduler.tick(DIGEST_AT);
    expect(reportOf(reports, 'daily-post')?.outcomes).toEqual([
      expect.objectContaining({ target: 'slack:CORDER', outcome: 'posted' }),
    ]);
    expect(reportOf(reports, 'digest-charts')?.outcomes).toEqual([
      expect.objectContaining({ target: 'slack:CORDER', outcome: 'sent' }),
    ]);
    const at = (event: string) => t.events.indexOf(event);
    expect(at('start:reminders')).toBeGreaterThan(at('end:daily-post'));
    expect(at('start:digest-charts')).toBeGreaterThan(at('end:weekly-digest'));
    // The others do not wait: every job but those two started before any run ended.
    const firstEnd = t.events.findIndex((e) => e.startsWith('end:'));
    expect(t.events.slice(0, firstEnd).sort()).toEqual([
      'start:close-questions',
      'start:daily-post',
      'start:housekeeping',
      'start:weekly-digest',
    ]);
  });

  it('stop() waits for a run still under way, and starts nothing new', { timeout: 90_000 }, async () => {
    const t = await setup(['CSTOP1', 'CSTOP2']);
    t.slack.holdAfter('files.getUploadURLExternal', 0);
    void t.scheduler.tick(DIGEST_AT);
    await waitFor(() => t.slack.heldCount() === 2, 'the two chart uploads to be held');
    await waitFor(() => t.scheduler.running().join() === 'digest-charts', 'the other jobs to finish');

    const stopped = watch(t.scheduler.stop());
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(stopped.settled).toBe(false);
    expect(t.scheduler.isTicking()).toBe(true);
    expect(t.scheduler.running()).toEqual(['digest-charts']);
    // Once stopping, a tick starts no job at all.
    expect(await t.scheduler.tick(minutesAfter(DIGEST_AT, 1))).toEqual([]);

    t.slack.release();
    await waitFor(() => stopped.settled, 'stop() to finish');
    expect(t.scheduler.isTicking()).toBe(false);
    // What was under way was finished, not cut: both charts are in their digests' threads.
    const digests = t.slack.of('chat.postMessage').filter((c) => isDigest(c.body));
    const shares = t.slack.of('files.completeUploadExternal');
    expect(shares.map((s) => s.body.thread_ts).sort()).toEqual(digests.map((d) => d.response?.ts).sort());
  });

  it('a crashed job is logged, leaves the other jobs alone, and runs again the next minute', {
    timeout: 90_000,
  }, async () => {
    const t = await setup(['CCRASH1']);
    await t.subscribe('CCRASH2', '09:01');
    const db = t.service.database.db;
    // The digest's claims cannot be written (a full disk, say): its run fails as a whole.
    await db.execute(sql.raw(REFUSE_CLAIMS[0] as string));
    await db.execute(sql.raw(REFUSE_CLAIMS[1] as string));
    const reports = await t.scheduler.tick(DIGEST_AT);
    expect(reports.map((r) => r.job).sort()).toEqual([
      'close-questions',
      'daily-post',
      'digest-charts',
      'housekeeping',
      'reminders',
    ]);
    const crashed = t.logs.errors().filter((l) => l.msg.startsWith('scheduled job crashed'));
    expect(crashed).toEqual([expect.objectContaining({ job: 'weekly-digest' })]);
    expect(t.scheduler.isTicking()).toBe(false);

    await db.execute(sql.raw('drop trigger refuse_claims on job_runs'));
    await db.execute(sql.raw('drop function refuse_claims()'));
    const next = await t.scheduler.tick(minutesAfter(DIGEST_AT, 1));
    expect(reportOf(next, 'weekly-digest')?.outcomes).toContainEqual(
      expect.objectContaining({ target: 'slack:CCRASH1', outcome: 'sent' }),
    );
    expect(reportOf(next, 'daily-post')?.outcomes).toEqual([
      expect.objectContaining({ target: 'slack:CCRASH2', outcome: 'posted' }),
    ]);
  });
});
