import path from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { openCore, type RunningService } from '../../src/main.js';
import { runLocalChannel } from '../../src/platforms/local/local-channel.js';
import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import { correctChoice, describeChoice, presentQuestion } from '../../src/quiz/question.js';
import { ROOT } from '../support/cli.js';
import { createPostgresDatabase, testPostgresUrl } from '../support/database.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const SECRET = 'test-signing-secret';
/** Two connections, half a second to get one, three seconds per statement: a stall shows quickly. */
const SMALL_POOL = {
  DATABASE_POOL_SIZE: '2',
  DATABASE_CONNECT_TIMEOUT_MS: '500',
  DATABASE_STATEMENT_TIMEOUT_MS: '3000',
};
const BUSY = /busy right now.*try again/;
const serverUrl = testPostgresUrl();

/** Another session takes the answers table, as a long migration or a stuck report would. */
async function lockAnswers(url: string): Promise<{ release(): Promise<void> }> {
  const locker = new pg.Client({ connectionString: url });
  await locker.connect();
  await locker.query('begin');
  await locker.query('lock table answers in access exclusive mode');
  let released = false;
  const release = async () => {
    if (released) return;
    released = true;
    await locker.query('rollback');
    await locker.end();
  };
  onTestFinished(release);
  return { release };
}

async function waitFor<T>(find: () => T | undefined, what: string, ms = 8000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe.skipIf(!serverUrl)('a stalled database, on Slack and Teams', () => {
  let fake: Awaited<ReturnType<typeof startFakeSlack>>;
  let connector: Awaited<ReturnType<typeof startFakeConnector>>;
  let service: RunningService;
  let stop: () => Promise<void>;
  let postId: string;
  let choice: number[];
  let interaction = 0;

  beforeAll(async () => {
    fake = await startFakeSlack();
    connector = await startFakeConnector();
    ({ service, stop } = await startTestService({
      ...SMALL_POOL,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.apiUrl,
      TEAMS_EMULATOR: 'true',
    }));
    const settings = await service.quiz.subscribe(
      { platform: 'slack', workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true },
      { platform: 'slack', workspaceId: 'T1', channelId: 'C1', channelName: 'general' },
      { time: '09:00', days: 'daily' },
    );
    const daily = await service.quiz.postDailyQuestion(settings.channelId);
    await service.quiz.markPostDelivered(daily.post.id, { channel: 'C1', ts: '1.1' });
    postId = daily.post.id;
    choice = correctChoice(daily.question);
    // People who have used the bot before: their stats are read from the answers table. (A person
    // the bot has never met gets empty stats without reading any table.)
    for (const actor of [
      { platform: 'slack' as const, workspaceId: 'T1', userId: 'U2' },
      { platform: 'slack' as const, workspaceId: 'T1', userId: 'U3' },
      { platform: 'teams' as const, workspaceId: 'tenant-1', userId: '29:t1' },
    ])
      await service.quiz.setReminders(actor, 'weekly');
  });

  afterAll(async () => {
    await stop?.();
    await fake?.close();
    await connector?.close();
  });

  const url = () => (service.config.database as { url: string }).url;

  /** Clicks the answer, as Slack sends it; resolves with what the bot then posts to the response URL. */
  async function click(user: string) {
    const id = `act${++interaction}`;
    const response = await sendToSlackEndpoint(service.url, SECRET, {
      form: {
        payload: JSON.stringify({
          type: 'block_actions',
          team: { id: 'T1', domain: 'test' },
          user: { id: user, username: user, name: user, team_id: 'T1' },
          api_app_id: 'A1',
          token: 'legacy',
          trigger_id: '1.2.3',
          container: { type: 'message', message_ts: '1.1', channel_id: 'C1', is_ephemeral: false },
          channel: { id: 'C1', name: 'general' },
          response_url: fake.responseUrl(id),
          actions: [
            {
              action_id: `${ACTIONS.dailySingle}:X`,
              block_id: 'b',
              type: 'button',
              value: JSON.stringify({ p: postId, c: choice }),
              action_ts: '1',
            },
          ],
          state: { values: {} },
        }),
      },
    });
    expect(response.status).toBe(200);
    return waitFor(() => fake.of(`/response/${id}`)[0]?.body, `the reply to ${user}'s click`);
  }

  /** Types /aif-quiz in Slack; resolves with the reply. */
  async function command(user: string, text: string) {
    const id = `cmd${++interaction}`;
    const response = await sendToSlackEndpoint(service.url, SECRET, {
      form: {
        command: '/aif-quiz',
        text,
        team_id: 'T1',
        team_domain: 'test',
        channel_id: 'C1',
        channel_name: 'general',
        user_id: user,
        user_name: user,
        response_url: fake.responseUrl(id),
        trigger_id: '1.2.3',
        api_app_id: 'A1',
        token: 'legacy',
      },
    });
    expect(response.status).toBe(200);
    return waitFor(() => fake.of(`/response/${id}`)[0]?.body, `the reply to "${text}"`);
  }

  /** Sends a personal-chat message to the Teams bot; resolves with what it sent back there. */
  async function teamsMessage(user: string, text: string) {
    const conversationId = `a:personal-${user}`;
    await fetch(`${service.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `activity-${++interaction}`,
        timestamp: new Date().toISOString(),
        serviceUrl: connector.url,
        channelId: 'msteams',
        from: { id: user, name: user },
        conversation: { id: conversationId, conversationType: 'personal', tenantId: 'tenant-1' },
        recipient: { id: '28:bot', name: 'aif-quiz' },
        channelData: { tenant: { id: 'tenant-1' } },
        text,
      }),
    });
    return waitFor(() => connector.sentTo(conversationId).at(-1)?.body, `the Teams reply to ${user}`);
  }

  it('with the answers table locked, a click and commands get "busy, try again" rather than silence, and /readyz says 503 at once', {
    timeout: 30_000,
  }, async () => {
    const lock = await lockAnswers(url());
    const replies = Promise.all([
      click('U1'),
      command('U2', 'stats'),
      command('U3', 'stats'),
      teamsMessage('29:t1', 'stats'),
    ]);
    // Every connection of the pool is now waiting on the lock.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const ready = await fetch(`${service.url}/readyz`, { signal: AbortSignal.timeout(5000) });
    expect(ready.status).toBe(503);
    expect(JSON.stringify(await ready.json())).toContain('database');

    const [clicked, stats2, stats3, teams] = await replies;
    for (const reply of [clicked, stats2, stats3, teams]) expect(JSON.stringify(reply)).toMatch(BUSY);
    expect(JSON.stringify(clicked)).not.toContain('Correct');

    await lock.release();
    expect(JSON.stringify(await click('U1'))).toContain('Correct!');
    expect(JSON.stringify(await command('U2', 'stats'))).not.toMatch(BUSY);
    expect(JSON.stringify(await teamsMessage('29:t1', 'stats'))).not.toMatch(BUSY);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);
  });
});

describe.skipIf(!serverUrl)('a stalled database, in the terminal channel', () => {
  it('an answer typed while the answers table is locked is met with "busy, try again", and counts once it is free', {
    timeout: 30_000,
  }, async () => {
    const database = await createPostgresDatabase(serverUrl as string);
    onTestFinished(database.drop);
    const config = loadConfig({
      ...SMALL_POOL,
      DATABASE_URL: database.url,
      QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
    });
    const core = await openCore(config, createLogger({ level: 'silent', format: 'json' }));
    onTestFinished(() => core.database.close());
    const input = new PassThrough();
    const output = new PassThrough();
    let screen = '';
    output.on('data', (chunk: Buffer) => {
      screen += chunk.toString();
    });
    const done = runLocalChannel({ quiz: core.quiz, input, output, userName: 'ada' });
    const type = async (line: string) => {
      const before = screen.length;
      input.write(`${line}\n`);
      return waitFor(() => {
        const added = screen.slice(before);
        return added.endsWith('\n> ') ? added : undefined;
      }, `the prompt after "${line}"`);
    };
    await waitFor(() => (screen.endsWith('\n> ') ? true : undefined), 'the first prompt');
    const open = await core.quiz.openPostOf(
      (await core.quiz.channelSettings({ platform: 'local', workspaceId: 'local', channelId: 'local' }))!
        .channelId,
    );
    const question = (await core.quiz.getDailyPost(open!.id))!.question;
    const answer = describeChoice(presentQuestion(question), correctChoice(question))
      .replaceAll('→', ' ')
      .replace(/\d-/g, '');

    const lock = await lockAnswers(database.url);
    expect(await type(answer)).toMatch(BUSY);
    expect(await type('stats')).toMatch(BUSY);
    await lock.release();
    expect(await type(answer)).toContain('Correct!');
    input.end();
    await done;
  });
});
