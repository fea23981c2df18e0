import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { answers, channels, practiceAnswers, users } from '../../src/db/schema.js';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import type { RunningService } from '../../src/main.js';
import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { slackStateFor, teamsInputsFor } from '../support/answers.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { captureLogs } from '../support/log-capture.js';
import { startTestService } from '../support/service.js';

// Answers are taken only where their question was asked: a post id or a practice hand-out carried
// by a button or card is checked against the workspace, channel and platform of the request.

const SECRET = 'binding-signing-secret';
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const NOW_HHMM = NOW.toISOString().slice(11, 16);
const silent = createLogger({ level: 'silent', format: 'json' });

/**
 * Every channel that gets a question of the day, by a short name. The refusals check that nothing
 * was stored against t1c5 and a, so the answers that are recorded go to questions of their own
 * (t1c8, c) in the same workspace: a shuffled run gives the same counts in any order.
 */
const SLACK = {
  t1c5: { team: 'T1', channel: 'C5' },
  t1c6: { team: 'T1', channel: 'C6' },
  t2c7: { team: 'T2', channel: 'C7' },
  t1c8: { team: 'T1', channel: 'C8' },
} as const;
const TEAMS = {
  a: { tenant: 'tenant-1', conversation: '19:alpha@thread.tacv2' },
  b: { tenant: 'tenant-1', conversation: '19:beta@thread.tacv2' },
  x: { tenant: 'tenant-2', conversation: '19:other@thread.tacv2' },
  c: { tenant: 'tenant-1', conversation: '19:gamma@thread.tacv2' },
} as const;

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
let stop: () => Promise<void>;
const logs = captureLogs();
const posts = new Map<string, { id: string; question: Question }>();
let counter = 0;

beforeAll(async () => {
  slack = await startFakeSlack({ admins: ['UADMIN'] });
  connector = await startFakeConnector({ owners: ['29:owner'] });
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-binding',
      SLACK_API_URL: slack.apiUrl,
      TEAMS_EMULATOR: 'true',
      LOG_LEVEL: 'warn',
    },
    { logs: logs.stream },
  );
  service = started.service;
  stop = started.stop;
  for (const { team, channel } of Object.values(SLACK))
    expect(
      JSON.stringify(await slackCommand(team, channel, 'UADMIN', `subscribe ${NOW_HHMM} UTC daily`)),
    ).toContain('Subscribed');
  for (const { tenant, conversation } of Object.values(TEAMS)) {
    await teamsPost(
      teamsActivity(tenant, conversation, '29:owner', {
        type: 'conversationUpdate',
        membersAdded: [BOT],
      }),
    );
    await teamsPost(
      teamsActivity(tenant, conversation, '29:owner', {
        text: `<at>aif-quiz</at> subscribe ${NOW_HHMM} UTC daily`,
        entities: [{ type: 'mention', mentioned: BOT, text: '<at>aif-quiz</at>' }],
      }),
    );
  }
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
  const places = [
    ...Object.entries(SLACK).map(([name, p]) => [name, 'slack', p.team, p.channel] as const),
    ...Object.entries(TEAMS).map(([name, p]) => [name, 'teams', p.tenant, p.conversation] as const),
  ];
  for (const [name, platform, workspaceId, channelId] of places) {
    const settings = await service.quiz.channelSettings({ platform, workspaceId, channelId });
    const open = await service.quiz.openPostOf(settings?.channelId ?? '');
    if (!open) throw new Error(`no question of the day in ${name}`);
    posts.set(name, { id: open.id, question: (await service.quiz.getDailyPost(open.id))!.question });
  }
});

afterAll(async () => {
  await stop?.();
  await slack?.close();
  await connector?.close();
});

beforeEach(() => {
  slack.clear();
  connector.clear();
  logs.clear();
});

async function waitFor<T>(find: () => T | undefined, what: string, ms = 5000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function slackCommand(team: string, channel: string, user: string, text: string) {
  const id = `cmd${++counter}`;
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: {
      command: '/aif-quiz',
      text,
      team_id: team,
      channel_id: channel,
      channel_name: 'general',
      user_id: user,
      user_name: user.toLowerCase(),
      response_url: slack.responseUrl(id),
    },
  });
  expect(response.status).toBe(200);
  return (await waitFor(() => slack.of(`/response/${id}`)[0], `the reply to ${text}`)).body;
}

/** A click on a button of a message in a channel, as Slack sends it. */
async function slackClick(options: {
  team: string;
  channel: string;
  user: string;
  actionId: string;
  value: string;
  state?: Record<string, unknown>;
}): Promise<string> {
  const id = `act${++counter}`;
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: {
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: options.team, domain: 'x' },
        user: { id: options.user, username: options.user.toLowerCase(), team_id: options.team },
        api_app_id: 'A1',
        container: { type: 'message', message_ts: '1.1', channel_id: options.channel },
        channel: { id: options.channel, name: 'general' },
        response_url: slack.responseUrl(id),
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
  const reply = await waitFor(() => slack.of(`/response/${id}`)[0], `the reply to ${options.actionId}`);
  return JSON.stringify(reply.body);
}

/** Answers a question of the day on Slack the way its message offers: a letter button or Submit. */
function slackAnswer(
  at: { team: string; channel: string },
  user: string,
  post: { id: string; question: Question },
) {
  const right = correctChoice(post.question);
  return post.question.type === 'single'
    ? slackClick({
        ...at,
        user,
        actionId: `${ACTIONS.dailySingle}:A`,
        value: JSON.stringify({ p: post.id, c: right }),
      })
    : slackClick({
        ...at,
        user,
        actionId: ACTIONS.dailySubmit,
        value: JSON.stringify({ p: post.id }),
        state: slackStateFor(post.question, right),
      });
}

function teamsActivity(tenant: string, conversation: string, user: string, extra: Record<string, unknown>) {
  const personal = conversation.startsWith('a:');
  return {
    type: 'message',
    id: `activity-${++counter}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: user, name: user },
    conversation: { id: conversation, conversationType: personal ? 'personal' : 'channel', tenantId: tenant },
    recipient: BOT,
    channelData: { tenant: { id: tenant } },
    ...extra,
  };
}

async function teamsPost(body: unknown) {
  const response = await fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(response.status).toBeLessThan(300);
  return response;
}

/** Submits a question-of-the-day card in a Teams conversation, with the right answer filled in. */
async function teamsAnswer(
  at: { tenant: string; conversation: string },
  user: string,
  post: { id: string; question: Question },
) {
  await teamsPost(
    teamsActivity(at.tenant, at.conversation, user, {
      value: { aifq: 'qotd', p: post.id, ...teamsInputsFor(post.question, correctChoice(post.question)) },
    }),
  );
}

/** What the bot sent into the person's 1:1 chat with it. */
const privately = (user: string) => JSON.stringify(connector.sentTo(`a:personal-${user}`).map((c) => c.body));

async function answersTo(postName: string): Promise<number> {
  const rows = await service.database.db
    .select({ n: sql<number>`count(*)::int` })
    .from(answers)
    .where(eq(answers.postId, posts.get(postName)!.id));
  return rows[0]?.n ?? 0;
}

async function userExists(externalId: string): Promise<boolean> {
  return (await service.database.db.select().from(users).where(eq(users.externalId, externalId))).length > 0;
}

function refusalWarnings() {
  return logs
    .warnings()
    .filter((l) => l.code === 'quiz.answer_elsewhere' || l.code === 'quiz.practice_not_yours');
}

describe('Slack: an answer counts only in the channel and workspace of its question', () => {
  it('someone in another workspace answering with this workspace’s post id is refused privately, and nothing is stored', async () => {
    const reply = await slackAnswer(SLACK.t2c7, 'UMALLORY', posts.get('t1c5')!);
    expect(reply).toContain('belongs to another workspace');
    expect(reply).toContain('"response_type":"ephemeral"');
    expect(await answersTo('t1c5')).toBe(0);
    expect(await userExists('UMALLORY')).toBe(false);
    expect(refusalWarnings()).toHaveLength(1);
  });

  it('a click in one channel carrying another channel’s post id is refused, with a button or with Submit', async () => {
    const post = posts.get('t1c5')!;
    const single = await slackClick({
      ...SLACK.t1c6,
      user: 'UEVE',
      actionId: `${ACTIONS.dailySingle}:A`,
      value: JSON.stringify({ p: post.id, c: [0] }),
    });
    const submit = await slackClick({
      ...SLACK.t1c6,
      user: 'UEVE',
      actionId: ACTIONS.dailySubmit,
      value: JSON.stringify({ p: post.id }),
      state: slackStateFor(post.question, correctChoice(post.question)),
    });
    for (const reply of [single, submit]) expect(reply).toContain('posted in another channel');
    expect(await answersTo('t1c5')).toBe(0);
    expect(await userExists('UEVE')).toBe(false);
    expect(refusalWarnings()).toHaveLength(2);
  });

  it('a Slack click carrying a Teams post id is refused', async () => {
    const reply = await slackAnswer(SLACK.t1c5, 'UEVE', posts.get('a')!);
    expect(reply).toContain('not recorded');
    expect(await answersTo('a')).toBe(0);
  });

  it('the same answer where the question was asked is recorded', async () => {
    expect(await slackAnswer(SLACK.t1c8, 'UALICE', posts.get('t1c8')!)).toContain('Correct!');
    expect(await answersTo('t1c8')).toBe(1);
    expect(refusalWarnings()).toHaveLength(0);
  });
});

describe('Teams: an answer counts only in the conversation and tenant of its question', () => {
  it('a card submitted in another tenant with this tenant’s post id is refused in the 1:1 chat, and nothing is stored', async () => {
    await teamsAnswer(TEAMS.x, '29:mallory', posts.get('a')!);
    expect(await answersTo('a')).toBe(0);
    expect(await userExists('29:mallory')).toBe(false);
    expect(privately('29:mallory')).toContain('belongs to another workspace');
    expect(connector.sentTo(TEAMS.x.conversation)).toHaveLength(0);
    expect(refusalWarnings()).toHaveLength(1);
  });

  it('a card submitted in another channel of the same team is refused', async () => {
    await teamsAnswer(TEAMS.b, '29:eve', posts.get('a')!);
    expect(await answersTo('a')).toBe(0);
    expect(privately('29:eve')).toContain('posted in another channel');
    expect(refusalWarnings()).toHaveLength(1);
  });

  it('a modified Teams client answering a Slack post is refused', async () => {
    await teamsAnswer(TEAMS.a, '29:eve', posts.get('t1c6')!);
    expect(await answersTo('t1c6')).toBe(0);
    expect(privately('29:eve')).toContain('not recorded');
  });

  it('the same card submitted where it was posted is recorded', async () => {
    await teamsAnswer(TEAMS.c, '29:alice', posts.get('c')!);
    expect(await answersTo('c')).toBe(1);
    expect(privately('29:alice')).toContain('Correct!');
  });
});

describe('Practice questions are answered only by the person they were handed to', () => {
  async function practiceCount(): Promise<number> {
    const rows = await service.database.db.select({ n: sql<number>`count(*)::int` }).from(practiceAnswers);
    return rows[0]?.n ?? 0;
  }

  function slackPracticeClick(
    at: { team: string; channel: string },
    user: string,
    value: { q: string; v: number; k: string },
    question: Question,
  ) {
    const right = correctChoice(question);
    return question.type === 'single'
      ? slackClick({
          ...at,
          user,
          actionId: `${ACTIONS.practiceSingle}:A`,
          value: JSON.stringify({ ...value, c: right }),
        })
      : slackClick({
          ...at,
          user,
          actionId: ACTIONS.practiceSubmit,
          value: JSON.stringify(value),
          state: slackStateFor(question, right),
        });
  }

  it('on Slack, another person, the same person id in another workspace, or a made-up hand-out are refused', async () => {
    const reply = await slackCommand('T1', 'C5', 'UPRIYA', 'topic access');
    // The answer buttons' value is the one with a hand-out key (the report menu's has none).
    const handout = JSON.parse(
      (JSON.stringify(reply.blocks).match(/\{\\"q\\":[^}]*\\"k\\":[^}]*\}/)?.[0] ?? '').replace(/\\"/g, '"'),
    ) as { q: string; v: number; k: string };
    const question = (await service.quiz.practiceQuestion(handout.q, handout.v))!;
    const before = await practiceCount();

    const other = await slackPracticeClick(SLACK.t1c5, 'UEVE', handout, question);
    const elsewhere = await slackPracticeClick(SLACK.t2c7, 'UPRIYA', handout, question);
    const changed = await slackPracticeClick(
      SLACK.t1c5,
      'UPRIYA',
      { ...handout, k: '00000000-0000-4000-8000-000000000000' },
      question,
    );
    for (const refused of [other, elsewhere, changed]) expect(refused).toContain('not handed to you');
    expect(await practiceCount()).toBe(before);
    expect(refusalWarnings()).toHaveLength(3);

    expect(await slackPracticeClick(SLACK.t1c5, 'UPRIYA', handout, question)).toContain('Correct!');
    expect(await practiceCount()).toBe(before + 1);
  });

  it('on Teams, another person submitting someone’s practice card is refused', async () => {
    const personal = 'a:personal-29:priya';
    await teamsPost(teamsActivity('tenant-1', personal, '29:priya', { text: 'topic access' }));
    const card = connector.sentTo(personal).at(-1)?.body.attachments as
      | Array<{ content: { actions: Array<{ data: Record<string, unknown> }> } }>
      | undefined;
    const data = card?.[0]?.content.actions[0]?.data as { q: string; v: number; k: string };
    const question = (await service.quiz.practiceQuestion(data.q, data.v))!;
    const before = await practiceCount();
    const value = { ...data, ...teamsInputsFor(question, correctChoice(question)) };
    await teamsPost(teamsActivity('tenant-1', 'a:personal-29:eve', '29:eve', { value }));
    expect(JSON.stringify(connector.sentTo('a:personal-29:eve').at(-1)?.body)).toContain('not handed to you');
    expect(await practiceCount()).toBe(before);
    await teamsPost(teamsActivity('tenant-1', personal, '29:priya', { value }));
    expect(JSON.stringify(connector.sentTo(personal).at(-1)?.body)).toContain('Correct!');
    expect(await practiceCount()).toBe(before + 1);
  });
});

describe('Reads do not write', () => {
  it('a leaderboard, stats or settings read in a new channel by a new person creates no rows', async () => {
    for (const text of ['leaderboard', 'leaderboard all workspace', 'stats', 'settings'])
      await slackCommand('T9', 'CNEW', 'UREADER', text);
    expect(await service.database.db.select().from(channels).where(eq(channels.externalId, 'CNEW'))).toEqual(
      [],
    );
    expect(await userExists('UREADER')).toBe(false);
  });
});
