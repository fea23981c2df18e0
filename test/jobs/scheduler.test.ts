import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import { syncBank } from '../../src/bank/sync.js';
import type { Clock } from '../../src/clock.js';
import { openDatabase } from '../../src/db/client.js';
import type { JobName } from '../../src/jobs/jobs.js';
import { createScheduler, runJobAt, type SchedulerDeps } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import { correctChoice } from '../../src/quiz/question.js';
import { createQuiz } from '../../src/quiz/quiz.js';
import { ROOT } from '../support/cli.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { seededRandom } from '../support/quiz.js';
import { createRecordingPlatform } from '../support/recording-platform.js';

const silent = createLogger({ level: 'silent', format: 'json' });
let database: TestDatabase | undefined;
afterEach(async () => {
  await database?.destroy();
  database = undefined;
});

async function setup() {
  database = await createTestDatabase();
  const bank = await loadBank(path.join(ROOT, 'test/fixtures/mini-bank'));
  await syncBank(database.handle, bank);
  const db = database.handle.db;
  const quizAt = (clock: Clock) =>
    createQuiz({
      db,
      clock,
      adminUserIds: ['UADMIN'],
      defaultTimezone: 'UTC',
      topics: [...bank.topics.values()],
      random: seededRandom(),
    });
  const recorder = createRecordingPlatform();
  const deps: SchedulerDeps = {
    db,
    quizAt,
    platforms: { local: recorder.chat },
    logger: silent,
    defaultTimezone: 'UTC',
    queue: createSendQueue({ concurrency: 8, perKeyIntervalMs: 0 }),
  };
  const quiz = quizAt({ now: () => new Date('2026-01-01T00:00:00Z') });
  const admin = { platform: 'local' as const, workspaceId: 'W', userId: 'UADMIN' };
  const subscribe = (channelId: string, time: string, timezone: string, days = 'daily') =>
    quiz.subscribe(admin, { platform: 'local', workspaceId: 'W', channelId }, { time, timezone, days });
  const run = (job: JobName, at: string) => runJobAt(deps, job, new Date(at));
  return { deps, recorder, quizAt, subscribe, run, bank };
}

describe('daily posts in every timezone', () => {
  it.each([
    // Paris: 09:00 is 08:00Z in winter and 07:00Z once summer time starts (29 March 2026).
    ['Europe/Paris', '2026-03-27', '2026-03-27T07:59:00Z', '2026-03-27T08:00:00Z'],
    ['Europe/Paris', '2026-03-30', '2026-03-30T06:59:00Z', '2026-03-30T07:00:00Z'],
    // …and back to 08:00Z after it ends (25 October 2026).
    ['Europe/Paris', '2026-10-26', '2026-10-26T07:59:00Z', '2026-10-26T08:00:00Z'],
    // New York: summer time from 8 March to 1 November 2026.
    ['America/New_York', '2026-03-06', '2026-03-06T13:59:00Z', '2026-03-06T14:00:00Z'],
    ['America/New_York', '2026-03-09', '2026-03-09T12:59:00Z', '2026-03-09T13:00:00Z'],
    ['America/New_York', '2026-11-02', '2026-11-02T13:59:00Z', '2026-11-02T14:00:00Z'],
    // Kolkata is UTC+05:30 all year.
    ['Asia/Kolkata', '2026-06-15', '2026-06-15T03:29:00Z', '2026-06-15T03:30:00Z'],
  ])('%s posts at 09:00 local on %s', async (timezone, date, before, at) => {
    const t = await setup();
    await t.subscribe('C1', '09:00', timezone);
    expect((await t.run('daily-post', before)).outcomes).toEqual([]);
    const report = await t.run('daily-post', at);
    expect(report.outcomes).toEqual([
      { target: 'local:C1', outcome: 'posted', reason: expect.stringContaining(date) },
    ]);
    expect(t.recorder.of('postQuestion')).toHaveLength(1);
    // Later ticks the same day post nothing more.
    await t.run('daily-post', new Date(new Date(at).getTime() + 60_000).toISOString());
    expect(t.recorder.of('postQuestion')).toHaveLength(1);
  });

  it('skips days outside the channel schedule', async () => {
    const t = await setup();
    await t.subscribe('C1', '09:00', 'UTC', 'weekdays');
    await t.run('daily-post', '2026-11-07T09:05:00Z'); // a Saturday
    expect(t.recorder.of('postQuestion')).toHaveLength(0);
    await t.run('daily-post', '2026-11-09T09:05:00Z'); // Monday
    expect(t.recorder.of('postQuestion')).toHaveLength(1);
  });

  it('catches up after downtime inside the window, and skips the day (saying why) outside it', async () => {
    const t = await setup();
    await t.subscribe('C1', '09:00', 'UTC');
    const inside = await t.run('daily-post', '2026-11-02T11:30:00Z');
    expect(inside.outcomes[0]?.outcome).toBe('posted');
    const outside = await t.run('daily-post', '2026-11-03T12:30:00Z');
    expect(outside.outcomes).toEqual([
      {
        target: 'local:C1',
        outcome: 'skipped',
        reason: expect.stringMatching(/^missed 2026-11-03: 210 min after post time/),
      },
    ]);
    expect(t.recorder.of('postQuestion')).toHaveLength(1);
  });

  it('a failed send is retried on a later tick into exactly one post', async () => {
    const t = await setup();
    await t.subscribe('C1', '09:00', 'UTC');
    t.recorder.failNext(1);
    const failed = await t.run('daily-post', '2026-11-02T09:00:00Z');
    expect(failed.outcomes[0]).toMatchObject({ outcome: 'failed', reason: 'platform unavailable' });
    // The retry waits for its backoff (1 minute), then succeeds once.
    expect((await t.run('daily-post', '2026-11-02T09:00:30Z')).outcomes).toEqual([]);
    expect((await t.run('daily-post', '2026-11-02T09:01:00Z')).outcomes[0]?.outcome).toBe('posted');
    await t.run('daily-post', '2026-11-02T09:02:00Z');
    expect(t.recorder.of('postQuestion')).toHaveLength(1);
  });

  it('a thousand due channels are all posted once', async () => {
    const t = await setup();
    for (let i = 0; i < 1000; i++) await t.subscribe(`C${i}`, '09:00', 'UTC');
    const report = await t.run('daily-post', '2026-11-02T09:00:00Z');
    expect(report.outcomes.filter((o) => o.outcome === 'posted')).toHaveLength(1000);
    const targets = t.recorder.of('postQuestion').map((s) => s.target);
    expect(new Set(targets).size).toBe(1000);
    await t.run('daily-post', '2026-11-02T09:01:00Z');
    expect(t.recorder.of('postQuestion')).toHaveLength(1000);
  }, 120_000);
});

describe('close and reveal', () => {
  it('closes each question at its close time and posts the reveal once', async () => {
    const t = await setup();
    await t.subscribe('C1', '09:00', 'UTC');
    await t.run('daily-post', '2026-11-02T09:00:00Z');
    const quiz = t.quizAt({ now: () => new Date('2026-11-02T10:00:00Z') });
    const [posted] = t.recorder.of('postQuestion');
    const message = posted!.detail as { postId: string; question: Parameters<typeof correctChoice>[0] };
    await quiz.recordAnswer(
      { platform: 'local', workspaceId: 'W', userId: 'U1' },
      message.postId,
      correctChoice(message.question),
    );

    expect((await t.run('close-questions', '2026-11-03T08:59:00Z')).outcomes).toEqual([]);
    const [a, b] = await Promise.all([
      t.run('close-questions', '2026-11-03T09:00:00Z'),
      t.run('close-questions', '2026-11-03T09:00:00Z'),
    ]);
    expect([...a.outcomes, ...b.outcomes]).toEqual([
      { target: 'local:C1', outcome: 'revealed', reason: '2026-11-02' },
    ]);
    expect(t.recorder.of('postReveal')).toHaveLength(1);
    expect(t.recorder.of('postReveal')[0]?.detail).toMatchObject({ answered: 1, correctCount: 1 });
    expect(t.recorder.of('updateQuestion')[0]?.detail).toMatchObject({ closed: true, answered: 1 });
  });
});

describe('weekly digest', () => {
  it('goes out at the channel digest time once per ISO week', async () => {
    const t = await setup();
    await t.subscribe('C1', '09:00', 'Europe/Paris');
    await t.run('daily-post', '2026-11-04T08:00:00Z');
    // Digest: Monday 09:00 Paris = 08:00Z.
    expect((await t.run('weekly-digest', '2026-11-09T07:59:00Z')).outcomes).toEqual([]);
    const sent = await t.run('weekly-digest', '2026-11-09T08:00:00Z');
    expect(sent.outcomes).toEqual([{ target: 'local:C1', outcome: 'sent', reason: 'digest 2026-W45' }]);
    await t.run('weekly-digest', '2026-11-09T08:30:00Z');
    expect(t.recorder.of('postDigest')).toHaveLength(1);
  });
});

describe('weak-topic reminders', () => {
  async function weakLearner(t: Awaited<ReturnType<typeof setup>>, at: string) {
    const quiz = t.quizAt({ now: () => new Date(at) });
    const learner = { platform: 'local' as const, workspaceId: 'W', userId: 'U1' };
    for (let i = 0; i < 3; i++) {
      const p = await quiz.practice(learner, 'access');
      const right = correctChoice(p.question);
      const wrong =
        p.question.type === 'single'
          ? [(right[0]! + 1) % 4]
          : p.question.type === 'multiple'
            ? [2, 3]
            : [...right].reverse();
      await quiz.answerPractice(learner, {
        questionId: p.question.id,
        version: p.question.version,
        issueKey: p.issueKey,
        choice: wrong,
      });
    }
    return { quiz, learner };
  }

  it('are sent on weekdays from 10:00 local, once a week, and remember the private conversation', async () => {
    const t = await setup();
    // The evening before: a question answered within the last 12 hours is not served as weak-topic practice.
    await weakLearner(t, '2026-11-08T20:00:00Z');
    expect((await t.run('reminders', '2026-11-09T09:59:00Z')).outcomes).toEqual([]);
    const sent = await t.run('reminders', '2026-11-09T10:00:00Z');
    expect(sent.outcomes).toEqual([{ target: 'local:user:U1', outcome: 'sent', reason: 'access' }]);
    await t.run('reminders', '2026-11-10T10:00:00Z');
    expect(t.recorder.of('sendReminder')).toHaveLength(1);
    expect(t.recorder.of('sendReminder')[0]?.detail).toMatchObject({ topic: { topic: 'access' } });
  });

  it("once housekeeping has forgotten an old reminder claim, only the current period's reminder goes out", async () => {
    const t = await setup();
    await weakLearner(t, '2026-11-08T20:00:00Z');
    await t.run('reminders', '2026-11-09T10:00:00Z');
    expect(t.recorder.of('sendReminder')).toHaveLength(1);
    // 92 days later the week's claim is forgotten; the learner is active again.
    const cleaned = await t.run('housekeeping', '2027-02-09T03:00:00Z');
    expect(cleaned.outcomes[0]).toEqual({
      target: 'job_runs',
      outcome: 'pruned',
      reason: '1 finished claims older than 90 days',
    });
    await weakLearner(t, '2027-02-08T20:00:00Z');
    await t.run('reminders', '2027-02-09T10:00:00Z');
    await t.run('reminders', '2027-02-09T10:05:00Z');
    await t.run('reminders', '2027-02-10T10:00:00Z');
    // The new week's one reminder, and nothing again for the week whose claim is gone.
    expect(t.recorder.of('sendReminder')).toHaveLength(2);
  });

  it('respect quiet hours, weekends and snooze', async () => {
    const t = await setup();
    const { quiz, learner } = await weakLearner(t, '2026-11-09T08:00:00Z');
    await t.run('reminders', '2026-11-09T20:30:00Z'); // quiet hours
    await t.run('reminders', '2026-11-14T12:00:00Z'); // Saturday
    expect(t.recorder.of('sendReminder')).toHaveLength(0);
    await quiz.snooze(learner, 7);
    await t.run('reminders', '2026-11-10T12:00:00Z');
    expect(t.recorder.of('sendReminder')).toHaveLength(0);
    await t.run('reminders', '2026-11-16T12:00:00Z'); // after the snooze
    expect(t.recorder.of('sendReminder')).toHaveLength(1);
  });

  it('stop after 30 days without activity', async () => {
    const t = await setup();
    await weakLearner(t, '2026-10-01T08:00:00Z');
    await t.run('reminders', '2026-11-09T12:00:00Z');
    expect(t.recorder.of('sendReminder')).toHaveLength(0);
  });
});

describe('several replicas', () => {
  it('two schedulers ticking at the same instant post, reveal and digest each thing once', async () => {
    const t = await setup();
    for (let i = 0; i < 20; i++) await t.subscribe(`C${i}`, '09:00', 'UTC');
    // A second process: its own database connection when a Postgres server is in use.
    const second =
      database!.config.kind === 'postgres' ? await openDatabase(database!.config) : database!.handle;
    try {
      const other = createScheduler({
        ...t.deps,
        db: second.db,
        queue: createSendQueue({ concurrency: 8, perKeyIntervalMs: 0 }),
      });
      const one = createScheduler(t.deps);
      // Monday and Tuesday post and reveal; the next Monday at 09:00 (each channel's default digest
      // time) also owes every channel the digest of a week in which questions were asked.
      for (const at of ['2026-11-09T09:00:00Z', '2026-11-10T09:00:00Z', '2026-11-16T09:00:00Z']) {
        await Promise.all([one.tick(new Date(at)), other.tick(new Date(at))]);
      }
      expect(t.recorder.of('postQuestion')).toHaveLength(60);
      expect(t.recorder.of('postReveal')).toHaveLength(40);
      expect(t.recorder.of('postDigest')).toHaveLength(20);
      expect(new Set(t.recorder.of('postDigest').map((sent) => sent.target)).size).toBe(20);
    } finally {
      if (second !== database!.handle) await second.close();
    }
  });
});
