import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { ROOT, runCli } from '../support/cli.js';
import { answerOpenQuestions, subscribeForDigest } from '../support/digest-channels.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

/** Sunday: the questions of the day go out and are answered; Monday 09:00 the digests are due. */
const POSTED_AT = new Date('2026-11-08T09:00:00Z');
const CHANNELS = Array.from({ length: 12 }, (_, i) => `CKILL${i}`);
const SHARED_BEFORE_KILL = 5;
const SECRET = 'test-signing-secret';

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
let stopService: () => Promise<void>;
let env: Record<string, string>;

beforeAll(async () => {
  slack = await startFakeSlack();
  const started = await startTestService(
    { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: slack.apiUrl },
    { clock: fixedClock(POSTED_AT) },
  );
  service = started.service;
  stopService = started.stop;
  if (service.config.database.kind !== 'postgres')
    throw new Error('the crash test needs a Postgres server (DATABASE_URL) that several processes share');
  env = {
    DATABASE_URL: service.config.database.url,
    QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
    SCHEDULER: 'off',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
  };
  await subscribeForDigest(
    service.quiz,
    { channelIds: CHANNELS },
    { time: '09:00', digestDay: 'mon', digestTime: '09:00' },
  );
  await service.runJob('daily-post', POSTED_AT);
  await answerOpenQuestions(service.quiz, { channelIds: CHANNELS });
}, 120_000);

afterAll(async () => {
  await stopService?.();
  await slack?.close();
});

async function until(ms: number, check: () => Promise<boolean> | boolean): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

async function chartsSent(): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    service.database.db,
    sql`select count(*)::int as n from digest_charts where status = 'sent'`,
  );
  return row?.n ?? 0;
}

const isDigest = (body: Record<string, unknown>) =>
  JSON.stringify(body.blocks ?? '').includes('Weekly digest');

describe('a process killed during the digest chart pass', () => {
  it('once restarted, every channel has its digest once and exactly one chart in its thread', {
    timeout: 240_000,
  }, async () => {
    slack.clear();
    // The digests' texts go out, and their charts are owed.
    const texts = await runCli(['run-job', 'weekly-digest', '--at', '2026-11-09T09:00:00Z'], {
      env,
      timeoutMs: 90_000,
    });
    expect(texts.code).toBe(0);
    expect(slack.of('chat.postMessage').filter((c) => isDigest(c.body))).toHaveLength(CHANNELS.length);
    // The network stalls after five shares: the next ones leave the bot but never reach Slack.
    slack.holdAfter('files.completeUploadExternal', SHARED_BEFORE_KILL);
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'src/cli.ts'),
        'run-job',
        'digest-charts',
        '--at',
        '2026-11-09T09:00:00Z',
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    try {
      expect(await until(90_000, () => slack.heldCount() > 0)).toBe(true);
      // Each chart Slack shared is recorded as sent while the pass is still going.
      expect(await until(5_000, async () => (await chartsSent()) >= SHARED_BEFORE_KILL)).toBe(true);
    } finally {
      child.kill('SIGKILL');
      await exited;
      slack.resume();
    }
    expect(slack.of('files.completeUploadExternal')).toHaveLength(SHARED_BEFORE_KILL);
    expect(slack.of('chat.postMessage').filter((c) => isDigest(c.body))).toHaveLength(CHANNELS.length);
    const [claimed] = await queryRows<{ n: number }>(
      service.database.db,
      sql`select count(*)::int as n from digest_charts where status = 'owed' and lease_until is not null`,
    );
    const heldByTheDead = claimed?.n ?? 0;

    // A tick soon after uploads the charts no one had begun; the ones the dead process held follow
    // once its claims have run out (5 minutes of the run's time).
    const soon = await runCli(['run-job', 'digest-charts', '--at', '2026-11-09T09:01:00Z'], {
      env,
      timeoutMs: 90_000,
    });
    expect(soon.code).toBe(0);
    expect(soon.stderr).toBe('');
    // The charts the dead process had claimed wait for their claims to run out.
    expect(heldByTheDead).toBeGreaterThan(0);
    expect(slack.of('files.completeUploadExternal')).toHaveLength(CHANNELS.length - heldByTheDead);
    const later = await runCli(['run-job', 'digest-charts', '--at', '2026-11-09T09:07:00Z'], {
      env,
      timeoutMs: 90_000,
    });
    expect(later.code).toBe(0);
    expect(later.stderr).toBe('');

    const digests = slack.of('chat.postMessage').filter((c) => isDigest(c.body));
    const shares = slack.of('files.completeUploadExternal');
    expect(digests).toHaveLength(CHANNELS.length);
    expect(shares).toHaveLength(CHANNELS.length);
    for (const channel of CHANNELS) {
      const mine = digests.filter((c) => c.body.channel === channel);
      const shared = shares.filter((c) => c.body.channel_id === channel);
      expect(shared, channel).toHaveLength(1);
      expect(shared[0]?.body.thread_ts, channel).toBe(mine[0]?.response?.ts);
    }
    expect(await chartsSent()).toBe(CHANNELS.length);
  });
});
