import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCli } from './support/cli.js';
import { createPostgresDatabase, testPostgresUrl } from './support/database.js';
import { sendToSlackEndpoint, startFakeSlack } from './support/fake-slack.js';

const SECRET = 'shutdown-signing-secret';
const serverUrl = testPostgresUrl();
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let database: { url: string; drop(): Promise<void> } | undefined;
const running: Array<Awaited<ReturnType<typeof startCli>>> = [];

beforeAll(async () => {
  fake = await startFakeSlack();
  if (serverUrl) database = await createPostgresDatabase(serverUrl);
});

afterAll(async () => {
  for (const bot of running) await bot.kill('SIGKILL');
  await database?.drop();
  await fake?.close();
});

async function waitFor<T>(find: () => T | undefined | Promise<T | undefined>, what: string, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

async function startBot(shutdownTimeoutMs: number) {
  const bot = await startCli({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.apiUrl,
    DATABASE_URL: database?.url ?? '',
    SCHEDULER: 'on',
    SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
  });
  running.push(bot);
  return bot;
}

/** Asks for help with a reply that Slack does not answer yet: a send in flight. */
async function askForHelpWithReplyHeld(url: string, id: string) {
  fake.holdAfter(`/response/${id}`, 0);
  const response = await sendToSlackEndpoint(url, SECRET, {
    form: {
      command: '/aif-quiz',
      text: 'help',
      team_id: 'T1',
      team_domain: 'test',
      channel_id: 'C1',
      channel_name: 'general',
      user_id: 'U1',
      user_name: 'u1',
      response_url: fake.responseUrl(id),
      trigger_id: '1.2.3',
      api_app_id: 'A1',
      token: 'legacy',
    },
  });
  expect(response.status).toBe(200);
  await waitFor(() => (fake.heldCount() === 1 ? true : undefined), 'the reply to be held');
}

describe('stopping a replica (SIGTERM)', () => {
  it.skipIf(!serverUrl)(
    'turns readiness to 503 at once, finishes the reply in flight, then exits 0',
    { timeout: 60_000 },
    async () => {
      const bot = await startBot(20_000);
      expect((await fetch(`${bot.url}/readyz`)).status).toBe(200);
      await askForHelpWithReplyHeld(bot.url, 'slow');

      const exited = bot.stop();
      const readiness = await waitFor(async () => {
        const response = await fetch(`${bot.url}/readyz`);
        return response.status === 503 ? ((await response.json()) as { failing: string[] }) : undefined;
      }, 'readiness to turn 503');
      expect(readiness.failing.join()).toContain('shutting down');
      // Still draining: the reply has not been answered, so the process must not have gone.
      expect(fake.heldCount()).toBe(1);
      expect(bot.output()).not.toContain('aif-quiz stopped');

      fake.release();
      expect(await exited).toBe(0);
      expect(fake.of('/response/slow')).toHaveLength(1);
      expect(bot.output()).toContain('shutdown complete: nothing was cut short');
    },
  );

  it.skipIf(!serverUrl)(
    'when the deadline passes with a send still held, exits 1 and logs what was cut short',
    { timeout: 60_000 },
    async () => {
      const bot = await startBot(1_500);
      await askForHelpWithReplyHeld(bot.url, 'cut');

      const code = await bot.stop();
      fake.resume();
      expect(code).toBe(1);
      const line = bot
        .output()
        .split('\n')
        .find((l) => l.includes('shutdown deadline passed'));
      expect(line).toBeDefined();
      const logged = JSON.parse(line as string) as { sends: string[]; timeoutMs: number };
      expect(logged.timeoutMs).toBe(1_500);
      expect(logged.sends).toEqual([`POST ${new URL(fake.apiUrl).origin}`]);
      expect(fake.of('/response/cut')).toHaveLength(0);
    },
  );
});
