import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBank } from '../src/bank/load.js';
import { correctChoice, type Question } from '../src/quiz/question.js';
import { ROOT, startCli } from './support/cli.js';
import { createPostgresDatabase, testPostgresUrl } from './support/database.js';
import { sendToSlackEndpoint, startFakeSlack } from './support/fake-slack.js';
import { dailyAnswerForm } from './support/slack-clicks.js';

const SECRET = 'replicas-signing-secret';
const QUESTIONS_DIR = path.join(ROOT, 'test/fixtures/mini-bank');
const CHANNELS = ['CR1', 'CR2', 'CR3', 'CR4'];
const PEOPLE = Array.from({ length: 12 }, (_, i) => `UR${i}`);
const serverUrl = testPostgresUrl();

type Replica = Awaited<ReturnType<typeof startCli>>;
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let database: { url: string; drop(): Promise<void> } | undefined;
const replicas: Replica[] = [];

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'] });
  if (serverUrl) database = await createPostgresDatabase(serverUrl);
});

afterAll(async () => {
  for (const replica of replicas) await replica.kill('SIGKILL');
  await database?.drop();
  await fake?.close();
});

async function waitFor<T>(find: () => T | undefined | Promise<T | undefined>, what: string, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const found = await find();
    if (found !== undefined) return found;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}`);
}

let interaction = 0;

/** Sends /aif-quiz to one replica; returns the response_url id its reply will be recorded under. */
async function command(replica: Replica, text: string, user: string, channel: string): Promise<string> {
  const id = `cmd${++interaction}`;
  const response = await sendToSlackEndpoint(replica.url, SECRET, {
    form: {
      command: '/aif-quiz',
      text,
      team_id: 'T1',
      team_domain: 'test',
      channel_id: channel,
      channel_name: 'general',
      user_id: user,
      user_name: user.toLowerCase(),
      response_url: fake.responseUrl(id),
      trigger_id: '1.2.3',
      api_app_id: 'A1',
      token: 'legacy',
    },
  });
  expect(response.status, `${text} by ${user}`).toBe(200);
  return id;
}

/** Answers a question of the day on one replica; returns the response_url id of its feedback. */
async function click(
  replica: Replica,
  post: { id: string; channel: string; question: Question },
  user: string,
) {
  const id = `act${++interaction}`;
  const form = dailyAnswerForm({
    postId: post.id,
    channelId: post.channel,
    question: post.question,
    choice: correctChoice(post.question),
    user,
    responseUrl: fake.responseUrl(id),
  });
  const response = await sendToSlackEndpoint(replica.url, SECRET, { form });
  expect(response.status, `click by ${user}`).toBe(200);
  return id;
}

const replyTo = (id: string) => fake.of(`/response/${id}`);
const textOf = (body: Record<string, unknown>) => JSON.stringify(body.blocks ?? body.text);

describe('two replicas on one Postgres, the scheduler in one of them', () => {
  it.skipIf(!serverUrl)(
    'store every answer once, reply to every person once and post each channel once',
    { timeout: 120_000 },
    async () => {
      const env = (scheduler: 'on' | 'off') => ({
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: 'xoxb-test',
        SLACK_API_URL: fake.apiUrl,
        DATABASE_URL: database?.url ?? '',
        SCHEDULER: scheduler,
        QUESTIONS_DIR,
        DEFAULT_TIMEZONE: 'UTC',
      });
      // Both start at once: migrations and the bank sync must tolerate a twin doing the same.
      const started = await Promise.all([startCli(env('on')), startCli(env('off'))]);
      replicas.push(...started);
      const [scheduling, serving] = started as [Replica, Replica];
      const both = [scheduling, serving];
      expect(scheduling.output()).toContain('scheduler started');
      expect(serving.output()).not.toContain('scheduler started');

      // Each channel is subscribed through alternate replicas, due this minute: the scheduling
      // replica's next tick (within a minute) posts them, as a missed minute is caught up.
      const dueAt = new Date().toISOString().slice(11, 16);
      const subscriptions = await Promise.all(
        CHANNELS.map((channel, i) =>
          command(both[i % 2] as Replica, `subscribe ${dueAt} UTC daily`, 'UADMIN', channel),
        ),
      );
      for (const id of subscriptions) {
        const [reply] = await waitFor(() => (replyTo(id).length ? replyTo(id) : undefined), id, 10_000);
        expect(textOf(reply?.body ?? {})).toContain('Subscribed');
      }

      // While the scheduler waits for its tick, everyone asks for their stats on both replicas.
      const statsAsked = (
        await Promise.all(
          PEOPLE.flatMap((user, i) => [
            command(both[i % 2] as Replica, 'stats', user, 'CR1'),
            command(both[(i + 1) % 2] as Replica, 'help', user, 'CR1'),
          ]),
        )
      ).flat();

      const questionPosts = () =>
        fake
          .of('chat.postMessage')
          .filter((c) => JSON.stringify(c.body.blocks ?? '').includes('Question of the day'));
      await waitFor(
        () =>
          new Set(questionPosts().map((c) => c.body.channel)).size === CHANNELS.length ? true : undefined,
        'the scheduler to post every channel',
        75_000,
      );

      const db = new pg.Client({ connectionString: database?.url });
      await db.connect();
      try {
        const bank = await loadBank(QUESTIONS_DIR);
        const rows = (
          await db.query<{ id: string; channel: string; question_id: string }>(
            `select p.id, c.external_id as channel, p.question_id
               from posts p join channels c on c.id = p.channel_id where p.status = 'open'`,
          )
        ).rows;
        expect(rows.map((r) => r.channel).sort()).toEqual([...CHANNELS].sort());
        const posts = rows.map((r) => ({
          id: r.id,
          channel: r.channel,
          question: bank.questions.find((q) => q.id === r.question_id) as unknown as Question,
        }));

        // Every person answers every channel's question. Alternate replicas take turns, and every
        // third person's click reaches both at once (a retry landing on the other replica).
        const feedback = new Map<string, string[]>();
        await Promise.all(
          posts.flatMap((post, p) =>
            PEOPLE.map(async (user, i) => {
              const targets = i % 3 === 0 ? both : [both[(i + p) % 2] as Replica];
              const ids = await Promise.all(targets.map((replica) => click(replica, post, user)));
              feedback.set(`${post.channel}:${user}`, ids);
            }),
          ),
        );

        const settled = () =>
          [...feedback.values()].flat().every((id) => replyTo(id).length > 0) &&
          statsAsked.every((id) => replyTo(id).length > 0);
        await waitFor(() => (settled() ? true : undefined), 'a reply to every click and command', 15_000);
        // Anything sent twice would have arrived by now.
        await new Promise((resolve) => setTimeout(resolve, 500));

        for (const [key, ids] of feedback) {
          const replies = ids.flatMap(replyTo).map((c) => textOf(c.body));
          const what = `${key}: ${replies.join(' | ')}`;
          expect(replies, what).toHaveLength(ids.length);
          expect(
            replies.filter((t) => t.includes('Correct!')),
            what,
          ).toHaveLength(1);
          expect(
            replies.filter((t) => t.includes('You already answered')),
            what,
          ).toHaveLength(ids.length - 1);
        }
        for (const id of statsAsked) expect(replyTo(id), id).toHaveLength(1);

        const stored = (
          await db.query<{ channel: string; user: string; n: string }>(
            `select c.external_id as channel, u.external_id as user, count(*) as n
               from answers a join posts p on p.id = a.post_id join channels c on c.id = p.channel_id
               join users u on u.id = a.user_id group by 1, 2`,
          )
        ).rows;
        expect(stored).toHaveLength(CHANNELS.length * PEOPLE.length);
        expect(stored.filter((r) => Number(r.n) !== 1)).toEqual([]);

        const postsPerChannel = new Map<string, number>();
        for (const call of questionPosts()) {
          const channel = String(call.body.channel);
          postsPerChannel.set(channel, (postsPerChannel.get(channel) ?? 0) + 1);
        }
        expect(Object.fromEntries(postsPerChannel)).toEqual(Object.fromEntries(CHANNELS.map((c) => [c, 1])));
      } finally {
        await db.end();
      }

      expect(await scheduling.stop()).toBe(0);
      expect(await serving.stop()).toBe(0);
      replicas.length = 0;
    },
  );
});
