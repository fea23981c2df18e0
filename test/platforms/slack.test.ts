import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import { fixedClock } from '../../src/clock.js';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import type { RunningService } from '../../src/main.js';
import { ACTIONS, SLACK_LIMITS } from '../../src/platforms/slack/blocks.js';
import { dailyQuestionBlocks, practiceBlocks } from '../../src/platforms/slack/render/question.js';
import { correctChoice, presentQuestion, type Question } from '../../src/quiz/question.js';
import { slackStateFor } from '../support/answers.js';
import { ROOT } from '../support/cli.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const SECRET = 'test-signing-secret';
const REFUSE_ANSWERS = [
  `create function refuse_answers() returns trigger language plpgsql as $$
     begin raise exception 'the disk is full'; end $$`,
  'create trigger refuse_answers before insert on answers for each row execute function refuse_answers()',
];
/** Now, to the minute: the daily question is posted at this instant so people can answer it now. */
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const NOW_HHMM = NOW.toISOString().slice(11, 16);
const TODAY = NOW.toISOString().slice(0, 10);
const TOMORROW = new Date(NOW.getTime() + 86_400_000);
const silent = createLogger({ level: 'silent', format: 'json' });
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
const cleanups: Array<() => Promise<void>> = [];
let interaction = 0;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'] });
  // The service's day stands still at NOW, so a run that crosses midnight still answers today's question.
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: fake.apiUrl,
    },
    { clock: fixedClock(NOW) },
  );
  service = started.service;
  cleanups.push(started.stop);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake.close();
});

beforeEach(() => fake.clear());

async function waitFor<T>(find: () => T | undefined, what: string, ms = 5000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}; calls: ${JSON.stringify(fake.calls.map((c) => c.method))}`);
}

/** Sends /aif-quiz as a person would, and returns what the bot answered on the response URL. */
async function command(text: string, user = 'U1', channel = 'C1', team = 'T1') {
  const id = `cmd${++interaction}`;
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: {
      command: '/aif-quiz',
      text,
      team_id: team,
      team_domain: 'test',
      channel_id: channel,
      channel_name: channel === 'DM' ? 'directmessage' : 'general',
      user_id: user,
      user_name: user.toLowerCase(),
      response_url: fake.responseUrl(id),
      trigger_id: '1.2.3',
      api_app_id: 'A1',
      token: 'legacy',
    },
  });
  expect(response.status).toBe(200);
  return (await waitFor(() => fake.of(`/response/${id}`)[0], `the reply to "${text}"`)).body;
}

/** Clicks a button (with any inputs filled in) on a message, as Slack would send it. */
async function click(options: {
  user: string;
  actionId: string;
  value: string;
  state?: Record<string, unknown>;
  channel?: string;
  team?: string;
}) {
  const id = `act${++interaction}`;
  const channel = options.channel ?? 'C1';
  const team = options.team ?? 'T1';
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: {
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: team, domain: 'test' },
        user: {
          id: options.user,
          username: options.user.toLowerCase(),
          name: options.user.toLowerCase(),
          team_id: team,
        },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: '1.2.3',
        container: { type: 'message', message_ts: '1.1', channel_id: channel, is_ephemeral: false },
        channel: { id: channel, name: 'general' },
        response_url: fake.responseUrl(id),
        actions: [
          {
            action_id: options.actionId,
            block_id: 'b',
            type: 'button',
            value: options.value,
            action_ts: '1',
          },
        ],
        state: { values: options.state ?? {} },
      }),
    },
  });
  expect(response.status).toBe(200);
  return {
    id,
    reply: () => waitFor(() => fake.of(`/response/${id}`)[0]?.body, `the reply to ${options.actionId}`),
  };
}

function textOf(body: Record<string, unknown>): string {
  return JSON.stringify(body.blocks ?? body.text);
}

async function postTodaysQuestion(at = NOW.toISOString()) {
  const report = await runJobAt(
    {
      db: service.database.db,
      quizAt: service.quizAt,
      platforms: service.platforms,
      logger: silent,
      defaultTimezone: 'UTC',
      queue: createSendQueue({ concurrency: 4, perKeyIntervalMs: 0 }),
    },
    'daily-post',
    new Date(at),
  );
  return report;
}

function buttonsOf(blocks: unknown[]): Array<{ action_id: string; value: string }> {
  return blocks
    .flatMap(
      (b) =>
        ((b as { elements?: unknown[] }).elements ?? []) as Array<{
          action_id: string;
          value: string;
          type: string;
        }>,
    )
    .filter((e) => e.type === 'button');
}

describe('Slack: subscribing', () => {
  it('an admin subscribes the channel and the confirmation is posted for the channel', async () => {
    const reply = await command(`subscribe ${NOW_HHMM} UTC daily`, 'UADMIN');
    expect(reply.response_type).toBe('in_channel');
    expect(textOf(reply)).toContain(`Subscribed. Question of the day at ${NOW_HHMM} (UTC), every day`);
    expect(fake.of('users.info')[0]?.body.user).toBe('UADMIN');
  });

  it('a non-admin is told why, privately, and nothing changes', async () => {
    await command(`subscribe ${NOW_HHMM} UTC daily`, 'UADMIN', 'CADMIN');
    const reply = await command('unsubscribe', 'U2', 'CADMIN');
    expect(reply.response_type).toBe('ephemeral');
    expect(textOf(reply)).toContain('Only workspace admins can unsubscribe a channel');
    const settings = await service.quiz.channelSettings({
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'CADMIN',
    });
    expect(settings?.active).toBe(true);
  });
});

let channels = 0;

/**
 * A channel of its own, subscribed through the slash command and posted its question of the day at
 * NOW: what a test about the daily question starts from, whatever ran before it. `team` puts the
 * channel in a workspace of its own, whose chat.update budget no earlier test has spent.
 */
async function givenOpenQuestion(team = 'T1') {
  const channel = `CQ${++channels}`;
  expect(textOf(await command(`subscribe ${NOW_HHMM} UTC daily`, 'UADMIN', channel, team))).toContain(
    'Subscribed',
  );
  const target = `slack:${channel}`;
  const posted = await postTodaysQuestion();
  const report = { ...posted, outcomes: posted.outcomes.filter((o) => o.target === target) };
  const settings = await service.quiz.channelSettings({
    platform: 'slack',
    workspaceId: team,
    channelId: channel,
  });
  const postId = (await service.quiz.openPostOf(settings!.channelId))!.id;
  const question = (await service.quiz.getDailyPost(postId))!.question;
  const answer = (user: string, choice: number[]) =>
    question.type === 'single'
      ? click({
          user,
          channel,
          team,
          actionId: `${ACTIONS.dailySingle}:X`,
          value: JSON.stringify({ p: postId, c: choice }),
        })
      : click({
          user,
          channel,
          team,
          actionId: ACTIONS.dailySubmit,
          value: JSON.stringify({ p: postId }),
          state: slackStateFor(question, choice),
        });
  const answered = async () => (await service.quiz.revealOf(postId)).answered;
  return { channel, target, report, postId, question, answer, answered };
}

/** Runs close-questions a day later and returns what it did for this channel. */
async function closeTheDay(target: string) {
  const report = await runJobAt(
    {
      db: service.database.db,
      quizAt: service.quizAt,
      platforms: service.platforms,
      logger: silent,
      defaultTimezone: 'UTC',
    },
    'close-questions',
    TOMORROW,
  );
  return report.outcomes.filter((o) => o.target === target);
}

describe('Slack: the question of the day', () => {
  it('is posted as Block Kit with its inputs and a footer', async () => {
    const t = await givenOpenQuestion();
    expect(t.report.outcomes).toEqual([
      { target: t.target, outcome: 'posted', reason: expect.stringContaining(TODAY) },
    ]);
    const post = fake.of('chat.postMessage').find((c) => c.body.channel === t.channel);
    const blocks = post?.body.blocks as unknown[];
    expect(JSON.stringify(blocks)).toContain('Question of the day');
    expect(JSON.stringify(blocks)).toContain('0 answered');
  });

  it('an answer is acknowledged, recorded, and explained privately', async () => {
    const t = await givenOpenQuestion();
    const body = await (await t.answer('U1', correctChoice(t.question))).reply();
    expect(body.response_type).toBe('ephemeral');
    expect(body.replace_original).toBe(false);
    expect(textOf(body)).toContain('Correct!');
    expect(textOf(body)).toMatch(/\+\d+ points · streak \d/);
    expect(await t.answered()).toBe(1);
  });

  it('a second click says "you already answered" and changes nothing', async () => {
    const t = await givenOpenQuestion();
    await (await t.answer('U1', correctChoice(t.question))).reply();
    const wrong =
      t.question.type === 'single' ? [(correctChoice(t.question)[0]! + 1) % 4] : correctChoice(t.question);
    const body = await (await t.answer('U1', wrong)).reply();
    expect(textOf(body)).toContain('You already answered');
    expect(await t.answered()).toBe(1);
  });

  it('after forget-me, answering the same open question again is refused, not scored', async () => {
    const t = await givenOpenQuestion();
    await (await t.answer('UFORGET', correctChoice(t.question))).reply();
    expect(textOf(await command('forget-me confirm', 'UFORGET', t.channel))).toContain('erased');
    const again = await (await t.answer('UFORGET', correctChoice(t.question))).reply();
    expect(textOf(again)).toContain('your first answer is the one that counts');
    expect(textOf(again)).not.toMatch(/points · streak/);
    expect(await t.answered()).toBe(0);
  });

  it('when the answer cannot be stored, the person is told that nothing was recorded', async () => {
    const t = await givenOpenQuestion();
    // A real failure inside the database: every insert into answers raises an error.
    const db = service.database.db;
    for (const statement of REFUSE_ANSWERS) await db.execute(sql.raw(statement));
    try {
      const body = await (await t.answer('UFAIL', correctChoice(t.question))).reply();
      expect(textOf(body)).toContain('nothing was recorded');
      expect(textOf(body)).not.toContain('Correct');
    } finally {
      await db.execute(sql.raw('drop trigger refuse_answers on answers'));
      await db.execute(sql.raw('drop function refuse_answers()'));
    }
    const retry = await (await t.answer('UFAIL', correctChoice(t.question))).reply();
    expect(textOf(retry)).toContain('Correct!');
    expect(await t.answered()).toBe(1);
  });

  it('fifty people answering at once make exactly fifty answers, and the count is refreshed a few times at most', async () => {
    // Its own workspace: the count refreshes other tests' answers scheduled in T1 do not hold this one up.
    const t = await givenOpenQuestion('TFIFTY');
    const clicks = await Promise.all(
      Array.from({ length: 50 }, (_, i) => t.answer(`UM${i}`, correctChoice(t.question))),
    );
    await Promise.all(clicks.map((c) => c.reply()));
    expect(await t.answered()).toBe(50);
    const updatesHere = () => fake.of('chat.update').filter((c) => c.body.channel === t.channel);
    await waitFor(
      () =>
        JSON.stringify(updatesHere().at(-1)?.body.blocks ?? '').includes('50 answered') ? true : undefined,
      'a count update showing all fifty',
      8000,
    );
    expect(updatesHere().length).toBeLessThanOrEqual(2);
  });

  it('closing posts the reveal in the thread and closes the original message', async () => {
    const t = await givenOpenQuestion();
    await (await t.answer('U1', correctChoice(t.question))).reply();
    await (await t.answer('U2', correctChoice(t.question))).reply();
    expect(await closeTheDay(t.target)).toEqual([{ target: t.target, outcome: 'revealed', reason: TODAY }]);
    const reveal = fake.of('chat.postMessage').find((c) => c.body.thread_ts && c.body.channel === t.channel);
    expect(JSON.stringify(reveal?.body.blocks)).toContain('2 of 2 answered correctly');
    const closed = fake
      .of('chat.update')
      .filter((c) => c.body.channel === t.channel)
      .at(-1);
    expect(JSON.stringify(closed?.body.blocks)).toContain('Closed · 2 answered');
    expect(JSON.stringify(closed?.body.blocks)).not.toContain(ACTIONS.dailySingle);
  });

  it('a Submit naming a question the bot never posted is told so, and nothing is stored', async () => {
    for (const p of ['not-a-post', '00000000-0000-4000-8000-000000000000']) {
      const { reply } = await click({
        user: 'UODD',
        actionId: ACTIONS.dailySubmit,
        value: JSON.stringify({ p }),
      });
      expect(textOf(await reply())).toContain('That question is not open for answers.');
    }
    expect(
      (await service.quiz.personalStats({ platform: 'slack', workspaceId: 'T1', userId: 'UODD' })).answered,
    ).toBe(0);
  });

  it('a click after the close counts as practice', async () => {
    const t = await givenOpenQuestion();
    await closeTheDay(t.target);
    const body = await (await t.answer('ULATE', correctChoice(t.question))).reply();
    expect(textOf(body)).toContain('counts as practice, not points');
  });
});

describe('Slack: practice questions of every type', () => {
  it.each([
    ['learning-types', 'matching or single'],
    ['genai-basics', 'multiple or single'],
    ['retrieval', 'ordering or single'],
  ])('`topic %s` replies privately with a question whose answer is recorded once', async (topic) => {
    for (let round = 0; round < 2; round++) {
      const reply = await command(`topic ${topic}`, 'UP');
      expect(reply.response_type).toBe('ephemeral');
      const blocks = reply.blocks as unknown[];
      const buttons = buttonsOf(blocks);
      const submit = buttons.find((b) => b.action_id === ACTIONS.practiceSubmit);
      const value = JSON.parse((submit ?? buttons[0])!.value) as { q: string; v: number };
      const question = (await service.quiz.practiceQuestion(value.q, value.v))!;
      const right = correctChoice(question);
      const pressed =
        question.type === 'single'
          ? {
              actionId: `${ACTIONS.practiceSingle}:X`,
              value: buttons.find((b) => JSON.parse(b.value).c?.[0] === right[0])!.value,
            }
          : { actionId: ACTIONS.practiceSubmit, value: submit!.value, state: slackStateFor(question, right) };
      const first = await (await click({ user: 'UP', ...pressed })).reply();
      expect(textOf(first)).toContain('Correct!');
      expect(first.replace_original).toBe(true);
      const again = await (await click({ user: 'UP', ...pressed })).reply();
      expect(textOf(again)).toContain('You already answered');
    }
  });
});

describe('Slack: feedback on a matching answer', () => {
  it('marks which pairs were right and which were not', async () => {
    for (let attempt = 0; attempt < 20; attempt++) {
      const reply = await command('topic learning-types', 'UMATCH');
      const buttons = buttonsOf(reply.blocks as unknown[]);
      const submit = buttons.find((b) => b.action_id === ACTIONS.practiceSubmit);
      if (!submit) continue;
      const value = JSON.parse(submit.value) as { q: string; v: number };
      const question = (await service.quiz.practiceQuestion(value.q, value.v))!;
      if (question.type !== 'matching') continue;
      // The first two prompts swapped, the third right.
      const choice = [1, 0, 2];
      const body = await (
        await click({
          user: 'UMATCH',
          actionId: ACTIONS.practiceSubmit,
          value: submit.value,
          state: slackStateFor(question, choice),
        })
      ).reply();
      const text = textOf(body);
      expect(text).toContain('1 of 3 pairs right');
      expect(text).toContain(`✗ 1. ${question.pairs[0]!.prompt}`);
      expect(text).toContain(`✓ 3. ${question.pairs[2]!.prompt}`);
      return;
    }
    throw new Error('no matching practice question came up');
  });
});

describe('Slack: close times', () => {
  it("a question's close time falls back to the channel's timezone where Slack cannot localise it", async () => {
    const bank = await loadBank(path.join(ROOT, 'test/fixtures/mini-bank'));
    const blocks = dailyQuestionBlocks({
      postId: 'p',
      localDate: '2026-11-02',
      question: { ...bank.questions[0]!, version: 1 } as unknown as Question,
      answered: 3,
      closesAt: new Date('2026-11-03T09:00:00Z'),
      closed: false,
      timezone: 'Europe/Paris',
    });
    expect(JSON.stringify(blocks)).toContain('|2026-11-03 10:00 Europe/Paris>');
  });
});

describe('Slack: every command answers', () => {
  it.each([
    ['help', 'Commands:'],
    ['', 'Practice'],
    ['topics', 'Topics, by exam domain'],
    ['stats', 'No answers yet'],
    ['leaderboard', 'Leaderboard'],
    ['leaderboard all workspace', 'whole workspace'],
    ['settings', 'Reminders:'],
    ['reminders daily', 'Reminders are on, daily'],
    ['snooze 3', 'Reminders are paused until'],
    ['timezone Europe/Berlin', 'Your timezone is now Europe/Berlin'],
    ['optout', 'off the leaderboards'],
    ['optin', 'back on the leaderboards'],
    ['forget-me', 'forget-me confirm'],
    ['digest fri 16:00', 'Only workspace admins'],
    ['leaderbord', 'Did you mean \\"/aif-quiz leaderboard\\"?'],
  ])('/aif-quiz %s', async (text, expected) => {
    const reply = await command(text, 'U3');
    expect(textOf(reply)).toContain(expected);
  });

  it('an admin sets the digest time', async () => {
    expect(textOf(await command('digest fri 16:00', 'UADMIN'))).toContain('Fridays at 16:00');
  });
});

describe('Slack: App Home and direct messages', () => {
  it('opening the Home tab publishes a personal dashboard, once per event even when Slack retries', async () => {
    const event = {
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'Ev-home-1',
      event_time: 1,
      event: { type: 'app_home_opened', user: 'U1', channel: 'D1', tab: 'home', event_ts: '1.1' },
    };
    expect((await sendToSlackEndpoint(service.url, SECRET, { json: event })).status).toBe(200);
    const published = await waitFor(() => fake.of('views.publish')[0], 'views.publish');
    expect(published.body.user_id).toBe('U1');
    expect(JSON.stringify(published.body.view)).toContain('Your AIF-C01 study dashboard');
    const retry = await sendToSlackEndpoint(
      service.url,
      SECRET,
      { json: event },
      { headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' } },
    );
    expect(retry.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.of('views.publish')).toHaveLength(1);
  });

  it('"Practise this" from Home opens a DM once and sends a practice question there', async () => {
    await (await click({ user: 'U1', actionId: `${ACTIONS.homeTopic}:access`, value: 'access' })).id;
    const sent = await waitFor(
      () => fake.of('chat.postMessage').find((c) => c.body.channel === 'DU1'),
      'the DM',
    );
    expect(fake.of('conversations.open')[0]?.body.users).toBe('U1');
    expect(JSON.stringify(sent.body.blocks)).toContain('Access control');
  });
});

describe('Slack: request verification', () => {
  it('a click on a button the bot does not know is acknowledged and changes nothing', async () => {
    const before = fake.calls.length;
    await click({ user: 'UX', actionId: 'from_an_older_version:1', value: '{}' });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(fake.calls.length).toBe(before);
  });

  it('a forged signature gets 401 and nothing is stored', async () => {
    const response = await sendToSlackEndpoint(
      service.url,
      SECRET,
      {
        form: {
          command: '/aif-quiz',
          text: 'optout',
          team_id: 'T1',
          user_id: 'UFORGED',
          channel_id: 'C1',
          response_url: fake.responseUrl('x'),
        },
      },
      { badSignature: true },
    );
    expect(response.status).toBe(401);
    const workspace = await service.quiz.leaderboard(
      { platform: 'slack', workspaceId: 'T1', channelId: 'C1' },
      { period: 'all' },
    );
    expect(workspace.rows.find((r) => r.externalId === 'UFORGED')).toBeUndefined();
    expect(fake.of('/response/x')).toHaveLength(0);
  });

  it('a request older than five minutes gets 401', async () => {
    const response = await sendToSlackEndpoint(
      service.url,
      SECRET,
      {
        form: {
          command: '/aif-quiz',
          text: 'help',
          team_id: 'T1',
          user_id: 'U1',
          channel_id: 'C1',
          response_url: fake.responseUrl('y'),
        },
      },
      { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 },
    );
    expect(response.status).toBe(401);
  });
});

describe('Slack: rate limits', () => {
  it('a 429 on a post is waited out and the question is posted once', async () => {
    await command('subscribe 09:00 UTC daily', 'UADMIN', 'C429');
    fake.clear();
    fake.failNext('chat.postMessage', 429, 1, 1);
    // Other tests' channels may be due at the same instant: only this channel's sends are looked at.
    const here = (report: Awaited<ReturnType<typeof postTodaysQuestion>>) =>
      report.outcomes.filter((o) => o.target === 'slack:C429');
    const report = await postTodaysQuestion('2026-11-04T09:00:00Z');
    expect(here(report)).toEqual([
      { target: 'slack:C429', outcome: 'posted', reason: expect.stringContaining('2026-11-04') },
    ]);
    const attempts = fake.of('chat.postMessage').filter((c) => c.body.channel === 'C429');
    expect(attempts).toHaveLength(2); // the refused one and the one that landed
    const second = await postTodaysQuestion('2026-11-04T09:01:00Z');
    expect(here(second)).toEqual([]);
    expect(fake.of('chat.postMessage').filter((c) => c.body.channel === 'C429')).toHaveLength(2);
  });
});

describe('Slack: Block Kit limits hold for the whole bank', () => {
  it('every question renders within Slack limits as a daily and as a practice message', async () => {
    const bank = await loadBank(path.join(ROOT, 'questions'));
    for (const q of bank.questions) {
      const question = { ...q, version: 1 } as unknown as Question;
      for (const blocks of [
        dailyQuestionBlocks({
          postId: '00000000-0000-0000-0000-000000000000',
          localDate: '2026-11-02',
          question,
          answered: 999,
          closesAt: new Date(),
          closed: false,
        }),
        practiceBlocks(
          {
            issueKey: '00000000-0000-0000-0000-000000000000',
            question,
            reason: 'weak-topic',
            why: 'weak topic',
            topicTitle: 'x'.repeat(80),
          },
          { reminder: true },
        ),
      ]) {
        expect(blocks.length, q.id).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
        const json = JSON.stringify(blocks);
        for (const match of json.matchAll(/"text":"((?:[^"\\]|\\.)*)"/g))
          expect(JSON.parse(`"${match[1]}"`).length, q.id).toBeLessThanOrEqual(3000);
        for (const block of blocks as Array<{
          elements?: Array<{
            type: string;
            text?: { text: string };
            value?: string;
            options?: Array<{ text: { text: string } }>;
          }>;
          accessory?: { options?: Array<{ text: { text: string } }> };
        }>) {
          for (const element of block.elements ?? []) {
            if (element.type === 'button') {
              expect(element.text!.text.length, q.id).toBeLessThanOrEqual(SLACK_LIMITS.buttonText);
              expect(element.value!.length, q.id).toBeLessThanOrEqual(SLACK_LIMITS.value);
            }
            for (const option of element.options ?? [])
              expect(option.text.text.length, q.id).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
          }
          for (const option of block.accessory?.options ?? [])
            expect(option.text.text.length, q.id).toBeLessThanOrEqual(SLACK_LIMITS.optionText);
        }
      }
    }
  });
});

void presentQuestion;
