import { spawn } from 'node:child_process';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { ROOT, runCli } from '../support/cli.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const CHANNELS = 60;
const SECRET = 'test-signing-secret';
let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
let stopService: () => Promise<void>;
let env: Record<string, string>;

beforeAll(async () => {
  slack = await startFakeSlack();
  const started = await startTestService({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
  });
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
  const admin = { platform: 'slack' as const, workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true };
  for (let i = 0; i < CHANNELS; i++)
    await service.quiz.subscribe(
      admin,
      { platform: 'slack', workspaceId: 'T1', channelId: `CFAN${i}` },
      { time: '09:00', timezone: 'UTC', days: 'daily' },
    );
}, 60_000);

afterAll(async () => {
  await stopService?.();
  await slack?.close();
});

/** Polls `check` until it holds or `ms` have passed; says which. */
async function until(ms: number, check: () => Promise<boolean> | boolean): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; ) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

async function openPosts(localDate: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    service.database.db,
    sql`select count(*)::int as n from posts where local_date = ${localDate} and status = 'open'`,
  );
  return row?.n ?? 0;
}

/** Questions of the day Slack accepted, per channel. */
function postsPerChannel(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of slack.of('chat.postMessage'))
    counts.set(String(call.body.channel), (counts.get(String(call.body.channel)) ?? 0) + 1);
  return counts;
}

describe('a crash in the middle of a daily fan-out', () => {
  it.each([
    [1, '2026-11-02'],
    [30, '2026-11-03'],
    [CHANNELS - 1, '2026-11-04'],
  ])(
    'killed after Slack accepted %i of 60 posts, a restart posts the rest and every channel gets the question once',
    {
      timeout: 240_000,
    },
    async (acceptedBeforeKill, localDate) => {
      slack.clear();
      // The network stalls after that many posts: the next ones reach the bot's sockets but not Slack.
      slack.holdAfter('chat.postMessage', acceptedBeforeKill);
      const child = spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(ROOT, 'src/cli.ts'),
          'run-job',
          'daily-post',
          '--at',
          `${localDate}T09:00:00Z`,
        ],
        { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const exited = new Promise<number | null>((resolve) =>
        child.on('exit', (_code, signal) => resolve(signal ? null : _code)),
      );
      try {
        expect(await until(60_000, () => slack.heldCount() > 0)).toBe(true);
        // Every post Slack accepted is in the database while the run is still going.
        await until(5_000, async () => (await openPosts(localDate)) >= acceptedBeforeKill);
        expect(await openPosts(localDate)).toBe(acceptedBeforeKill);
      } finally {
        child.kill('SIGKILL');
        await exited;
        slack.resume();
      }
      expect(slack.of('chat.postMessage')).toHaveLength(acceptedBeforeKill);

      // The next tick after the dead run's claim has lapsed (2 minutes).
      const restart = await runCli(['run-job', 'daily-post', '--at', `${localDate}T09:03:00Z`], {
        env,
        timeoutMs: 60_000,
      });
      expect(restart.stderr).toBe('');
      expect(restart.code).toBe(0);
      expect(restart.stdout.match(/^ {2}posted /gm)).toHaveLength(CHANNELS - acceptedBeforeKill);

      const counts = postsPerChannel();
      expect(counts.size).toBe(CHANNELS);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      expect(await openPosts(localDate)).toBe(CHANNELS);
    },
  );
});
