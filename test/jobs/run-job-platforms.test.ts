import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../src/main.js';
import { correctChoice } from '../../src/quiz/question.js';
import type { Actor, ChannelKey } from '../../src/quiz/quiz.js';
import { ROOT, runCli } from '../support/cli.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const TENANT = 'tenant-1';
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };
const SLACK_ADMIN: Actor = { platform: 'slack', workspaceId: 'T1', userId: 'UADMIN', isPlatformAdmin: true };
const TEAMS_OWNER: Actor = {
  platform: 'teams',
  workspaceId: TENANT,
  userId: '29:owner',
  isPlatformAdmin: true,
};

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
let stopService: () => Promise<void>;
let databaseUrl: string;
let counter = 0;

/** The Monday after next, at midnight UTC: every date below is within a month of today, as reminders need. */
const MONDAY = (() => {
  const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000);
  day.setUTCDate(day.getUTCDate() + 7 + ((8 - day.getUTCDay()) % 7));
  return day;
})();
const at = (days: number, hhmm: string) =>
  new Date(
    MONDAY.getTime() + days * 86_400_000 + (Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3))) * 60_000,
  ).toISOString();

beforeAll(async () => {
  slack = await startFakeSlack();
  connector = await startFakeConnector();
  const started = await startTestService({
    SLACK_SIGNING_SECRET: 'test-signing-secret',
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_API_URL: slack.apiUrl,
    TEAMS_EMULATOR: 'true',
  });
  service = started.service;
  stopService = started.stop;
  if (service.config.database.kind !== 'postgres')
    throw new Error('run-job tests need a Postgres server (DATABASE_URL) that several processes share');
  databaseUrl = service.config.database.url;
}, 60_000);

afterAll(async () => {
  await stopService?.();
  await slack?.close();
  await connector?.close();
});

/** What the scheduler's process would be given: the same database, and the platforms asked for. */
function env(platforms: Array<'slack' | 'teams'>): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
    SCHEDULER: 'off',
    ...(platforms.includes('slack')
      ? {
          SLACK_SIGNING_SECRET: 'test-signing-secret',
          SLACK_BOT_TOKEN: 'xoxb-test',
          SLACK_API_URL: slack.apiUrl,
        }
      : {}),
    ...(platforms.includes('teams') ? { TEAMS_EMULATOR: 'true' } : {}),
  };
}

function runJob(job: string, when: string, platforms: Array<'slack' | 'teams'> = ['slack', 'teams']) {
  return runCli(['run-job', job, '--at', when], { env: env(platforms), timeoutMs: 60_000 });
}

/** A Slack channel subscribed to a daily question at 09:00 UTC. */
async function slackChannel(): Promise<ChannelKey & { target: string }> {
  const channelId = `CJOB${++counter}`;
  const key: ChannelKey = { platform: 'slack', workspaceId: 'T1', channelId };
  await service.quiz.subscribe(SLACK_ADMIN, key, { time: '09:00', timezone: 'UTC', days: 'daily' });
  return { ...key, target: `slack:${channelId}` };
}

/** A Teams channel the bot was added to (so it holds a conversation reference), subscribed at 09:00 UTC. */
async function teamsChannel(): Promise<ChannelKey & { target: string }> {
  const channelId = `19:jobs${++counter}@thread.tacv2`;
  const added = await fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'conversationUpdate',
      id: `added-${counter}`,
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: { id: '29:owner', name: 'Owner' },
      conversation: { id: channelId, conversationType: 'channel', tenantId: TENANT, isGroup: true },
      recipient: BOT,
      membersAdded: [BOT],
      channelData: { tenant: { id: TENANT }, team: { id: '19:team' }, channel: { id: channelId } },
    }),
  });
  expect(added.status).toBeLessThan(300);
  const key: ChannelKey = { platform: 'teams', workspaceId: TENANT, channelId };
  await service.quiz.subscribe(TEAMS_OWNER, key, { time: '09:00', timezone: 'UTC', days: 'daily' });
  return { ...key, target: `teams:${channelId}` };
}

const slackPostsTo = (channel: string) =>
  slack.of('chat.postMessage').filter((c) => c.body.channel === channel && !c.body.thread_ts);
/** What the bot sent into a Teams channel, leaving out the greeting it says when added. */
const teamsPostsTo = (conversation: string) =>
  connector.sentTo(conversation).filter((c) => !JSON.stringify(c.body).includes("I'm the AIF-C01 study bot"));

/** Three wrong practice answers on one topic: enough for it to be the person's weak topic. */
async function makeWeak(actor: Actor) {
  for (let i = 0; i < 3; i++) {
    const practice = await service.quiz.practice(actor, 'access');
    const right = correctChoice(practice.question);
    const wrong =
      practice.question.type === 'single'
        ? [((right[0] as number) + 1) % 4]
        : practice.question.type === 'multiple'
          ? [2, 3]
          : [...right].reverse();
    await service.quiz.answerPractice(actor, {
      questionId: practice.question.id,
      version: practice.question.version,
      issueKey: practice.issueKey,
      choice: wrong,
    });
  }
}

describe('aif-quiz run-job with Slack and Teams configured', () => {
  it('posts the question of the day, then closes it and posts the reveal in its thread, on both platforms', {
    timeout: 240_000,
  }, async () => {
    const [s, t] = [await slackChannel(), await teamsChannel()];

    const posted = await runJob('daily-post', at(0, '09:00'));
    expect(posted.stdout).toMatch(new RegExp(`posted {3}${s.target}: `));
    expect(posted.stdout).toMatch(new RegExp(`posted {3}${t.target}: `));
    expect(posted.code).toBe(0);
    expect(slackPostsTo(s.channelId)).toHaveLength(1);
    expect(teamsPostsTo(t.channelId)).toHaveLength(1);
    expect(JSON.stringify(teamsPostsTo(t.channelId)[0]?.body)).toContain(
      'application/vnd.microsoft.card.adaptive',
    );

    const closed = await runJob('close-questions', at(1, '09:00'));
    expect(closed.stdout).toContain(`revealed ${s.target}: ${at(0, '09:00').slice(0, 10)}`);
    expect(closed.stdout).toContain(`revealed ${t.target}: ${at(0, '09:00').slice(0, 10)}`);
    expect(closed.stdout).not.toContain('nothing was due');
    expect(closed.code).toBe(0);
    const slackReveal = slack
      .of('chat.postMessage')
      .filter((c) => c.body.channel === s.channelId && c.body.thread_ts);
    expect(slackReveal).toHaveLength(1);
    expect(slack.of('chat.update').filter((c) => c.body.channel === s.channelId)).toHaveLength(1);
    const teamsReveal = connector.calls.filter(
      (c) => c.method === 'POST' && c.path.startsWith(`/v3/conversations/${t.channelId};messageid=`),
    );
    expect(teamsReveal).toHaveLength(1);
    expect(JSON.stringify(teamsReveal[0]?.body)).toContain('The answer');
  });

  it('posts the weekly digest to each channel and a weak-topic reminder to each person, once', {
    timeout: 240_000,
  }, async () => {
    const [s, t] = [await slackChannel(), await teamsChannel()];
    for (const [actor, key] of [
      [SLACK_ADMIN, s],
      [TEAMS_OWNER, t],
    ] as const)
      await service.quiz.configureChannel(actor, key, { digestDay: 'sun', digestTime: '17:00' });
    const slackLearner: Actor = { platform: 'slack', workspaceId: 'T1', userId: `UWEAK${counter}` };
    const teamsLearner: Actor = { platform: 'teams', workspaceId: TENANT, userId: `29:weak${counter}` };
    await makeWeak(slackLearner);
    await makeWeak(teamsLearner);
    expect((await runJob('daily-post', at(5, '09:00'))).code).toBe(0);

    const digest = await runJob('weekly-digest', at(6, '17:00'));
    expect(digest.stdout).toMatch(new RegExp(`sent {5}${s.target}: digest `));
    expect(digest.stdout).toMatch(new RegExp(`sent {5}${t.target}: digest `));
    expect(digest.code).toBe(0);
    // The question of the day, then the digest.
    expect(slackPostsTo(s.channelId)).toHaveLength(2);
    expect(teamsPostsTo(t.channelId)).toHaveLength(2);

    const reminders = await runJob('reminders', at(7, '12:00'));
    expect(reminders.stdout).toContain(`sent     slack:user:${slackLearner.userId}: access`);
    expect(reminders.stdout).toContain(`sent     teams:user:${teamsLearner.userId}: access`);
    expect(reminders.code).toBe(0);
    expect(
      slack.of('chat.postMessage').filter((c) => c.body.channel === `D${slackLearner.userId}`),
    ).toHaveLength(1);
    expect(connector.sentTo(`a:personal-${teamsLearner.userId}`)).toHaveLength(1);

    const again = await runJob('reminders', at(7, '12:05'));
    expect(again.stdout).not.toContain(slackLearner.userId);
    expect(again.stdout).not.toContain(teamsLearner.userId);
  });

  it('fails a due post or reveal whose platform this process cannot reach, says why, and exits non-zero', {
    timeout: 240_000,
  }, async () => {
    const [s, t] = [await slackChannel(), await teamsChannel()];
    expect((await runJob('daily-post', at(2, '09:00'))).code).toBe(0);

    const close = await runJob('close-questions', at(3, '09:00'), ['slack']);
    expect(close.stdout).toContain(`revealed ${s.target}`);
    expect(close.stdout).toContain(`failed   ${t.target}: teams is not configured in this process`);
    expect(close.code).toBe(1);

    const post = await runJob('daily-post', at(3, '09:00'), ['slack']);
    expect(post.stdout).toMatch(new RegExp(`posted {3}${s.target}: `));
    expect(post.stdout).toContain(`failed   ${t.target}: teams is not configured in this process`);
    expect(post.code).toBe(1);

    // Once a process that reaches Teams has delivered them, nothing is left due.
    expect((await runJob('close-questions', at(3, '09:01'))).stdout).toContain(`revealed ${t.target}`);
    expect((await runJob('daily-post', at(3, '09:01'))).stdout).toMatch(
      new RegExp(`posted {3}${t.target}: `),
    );
    const quiet = await runJob('daily-post', at(3, '09:02'), ['slack']);
    expect(quiet.stdout).not.toContain(t.target);
  });

  it('two run-job processes started together post each question of the day once', {
    timeout: 240_000,
  }, async () => {
    const channels = [await teamsChannel()];
    for (let i = 0; i < 8; i++) channels.push(await slackChannel());
    const [first, second] = await Promise.all([
      runJob('daily-post', at(8, '09:00')),
      runJob('daily-post', at(8, '09:00')),
    ]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    for (const c of channels) {
      const sent = c.platform === 'slack' ? slackPostsTo(c.channelId) : teamsPostsTo(c.channelId);
      expect(sent, c.target).toHaveLength(1);
      const reports = [first, second].filter((r) => r.stdout.includes(`posted   ${c.target}: `));
      expect(reports, c.target).toHaveLength(1);
    }
  });
});
