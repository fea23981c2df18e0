import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import type { RunningService } from '../../src/main.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';
import { dailyAnswerForm } from '../support/slack-clicks.js';

const SECRET = 'test-signing-secret';
const silent = createLogger({ level: 'silent', format: 'json' });
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
let stop: () => Promise<void>;
let postId: string;
let question: Question;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'] });
  ({ service, stop } = await startTestService({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: fake.apiUrl,
  }));
  const channel = { platform: 'slack' as const, workspaceId: 'T1', channelId: 'C1' };
  await service.quiz.subscribe(
    { platform: 'slack', workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true },
    channel,
    { time: NOW.toISOString().slice(11, 16), timezone: 'UTC', days: 'daily' },
  );
  await runJobAt(
    {
      db: service.database.db,
      quizAt: service.quizAt,
      platforms: service.platforms,
      logger: silent,
      defaultTimezone: 'UTC',
      queue: createSendQueue({ concurrency: 4, perKeyIntervalMs: 0 }),
    },
    'daily-post',
    NOW,
  );
  const settings = await service.quiz.channelSettings(channel);
  postId = (await service.quiz.openPostOf(settings?.channelId ?? ''))?.id ?? '';
  question = (await service.quiz.getDailyPost(postId))?.question as Question;
});

afterAll(async () => {
  await stop?.();
  await fake?.close();
});

beforeEach(() => fake.clear());

async function waitFor<T>(find: () => T | undefined | Promise<T | undefined>, what: string, ms = 10_000) {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = await find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Answers the question of the day as `user`; resolves with the HTTP status Slack would see. */
async function answer(user: string, options: { name?: string; replyId?: string } = {}) {
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: dailyAnswerForm({
      postId,
      question,
      choice: correctChoice(question),
      user,
      ...(options.name !== undefined ? { name: options.name } : {}),
      responseUrl: fake.responseUrl(options.replyId ?? user),
    }),
  });
  return response.status;
}

const repliesTo = (id: string) => fake.of(`/response/${id}`).map((c) => JSON.stringify(c.body));

async function storedAnswerOf(user: string): Promise<boolean> {
  const rows = await queryRows<{ n: number }>(
    service.database.db,
    sql`select count(*)::int as n from answers a join users u on u.id = a.user_id
        where a.post_id = ${postId} and u.external_id = ${user}`,
  );
  return Number(rows[0]?.n ?? 0) === 1;
}

describe('Slack: one click that cannot be stored', () => {
  it('fails alone: a hundred people answering with it are all recorded and told so', async () => {
    const people = Array.from({ length: 100 }, (_, i) => `UGROUP${i}`);
    // Other tests in this file answer the same question, in whatever order they run.
    const before = (await service.quiz.revealOf(postId)).answered;
    // Postgres refuses a NUL byte in text, so this person's row cannot be written.
    const statuses = await Promise.all([
      ...people.map((user) => answer(user)),
      answer('UNUL', { name: 'bad\u0000name' }),
    ]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    for (const user of people) {
      const [reply] = await waitFor(() => (repliesTo(user).length > 0 ? repliesTo(user) : undefined), user);
      expect(reply).toContain('Correct!');
      expect(reply).not.toContain('nothing was recorded');
    }
    const [refused] = await waitFor(
      () => (repliesTo('UNUL').length > 0 ? repliesTo('UNUL') : undefined),
      'UNUL',
    );
    expect(refused).toContain('nothing was recorded');
    expect((await service.quiz.revealOf(postId)).answered).toBe(before + 100);
  });
});

describe('Slack: the result of a stored answer', () => {
  it('is shown even when Slack refuses the first reply, and nobody is told it was not recorded', async () => {
    fake.failNext('/response/UFLAKY', 500);
    expect(await answer('UFLAKY')).toBe(200);
    await waitFor(() => repliesTo('UFLAKY').length >= 2 || undefined, 'the second reply');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const replies = repliesTo('UFLAKY');
    expect(replies).toHaveLength(2);
    expect(replies[1]).toContain('Correct!');
    expect(replies.join()).not.toContain('nothing was recorded');
    expect(await storedAnswerOf('UFLAKY')).toBe(true);
  });

  it('says the answer was recorded when every reply with its result fails', async () => {
    fake.failNext('/response/UDOWN', 500, 3);
    expect(await answer('UDOWN')).toBe(200);
    const replies = await waitFor(
      () => (repliesTo('UDOWN').length >= 4 ? repliesTo('UDOWN') : undefined),
      'a 4th reply',
    );
    expect(replies[3]).toContain('Your answer was recorded, but the reply with its result failed');
    expect(replies.join()).not.toContain('nothing was recorded');
    expect(await storedAnswerOf('UDOWN')).toBe(true);
  });
});

describe('Slack: events redelivered by Slack', () => {
  const homeOpened = (eventId: string) => ({
    token: 'legacy',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: eventId,
    event_time: 1,
    event: { type: 'app_home_opened', user: 'UHOME', channel: 'DHOME', tab: 'home', event_ts: '1.1' },
  });
  const retried = { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } };
  const deliveryOf = async (eventId: string) =>
    (
      await queryRows<{ lease_until: Date | null }>(
        service.database.db,
        sql`select lease_until from processed_events where key = ${`slack:${eventId}`}`,
      )
    )[0];

  it('an event whose handling failed is handled when Slack sends it again, and only then', async () => {
    // Slack answers the dashboard's publication with an error once (ok: false is not retried).
    fake.failNext('views.publish', 200);
    expect((await sendToSlackEndpoint(service.url, SECRET, { json: homeOpened('Ev-flaky') })).status).toBe(
      200,
    );
    await waitFor(() => fake.of('views.publish')[0], 'the failed publication');
    await waitFor(async () => (await deliveryOf('Ev-flaky')) === undefined || undefined, 'the release');

    const again = await sendToSlackEndpoint(service.url, SECRET, { json: homeOpened('Ev-flaky') }, retried);
    expect(again.status).toBe(200);
    await waitFor(() => fake.of('views.publish')[1], 'the second publication');
    await waitFor(async () => (await deliveryOf('Ev-flaky'))?.lease_until === null || undefined, 'handled');

    await sendToSlackEndpoint(service.url, SECRET, { json: homeOpened('Ev-flaky') }, retried);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.of('views.publish')).toHaveLength(2);
  });

  it('two copies of one event arriving together are handled once', async () => {
    await Promise.all([
      sendToSlackEndpoint(service.url, SECRET, { json: homeOpened('Ev-twice') }),
      sendToSlackEndpoint(service.url, SECRET, { json: homeOpened('Ev-twice') }, retried),
    ]);
    await waitFor(async () => (await deliveryOf('Ev-twice'))?.lease_until === null || undefined, 'handled');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.of('views.publish')).toHaveLength(1);
  });
});
