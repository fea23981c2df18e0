import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { createLocalPlatform } from '../../src/platforms/local/local-channel.js';
import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import { altTextWithin } from '../../src/platforms/slack/chart-upload.js';
import { TEAMS_CHART_MAX_PNG_BYTES } from '../../src/platforms/teams/digest.js';
import { correctChoice } from '../../src/quiz/question.js';
import type { Actor, ChannelKey } from '../../src/quiz/quiz.js';
import { wrongChoice } from '../support/choices.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { captureLogs } from '../support/log-capture.js';
import { startTestService } from '../support/service.js';
import { postToTeamsBot, TEAMS_BOT, teamsChannelActivity } from '../support/teams.js';

const SECRET = 'test-signing-secret';
const TENANT = 'tenant-digest';
/** Now, to the minute: the question of the day goes out now, and the digest the next day. */
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const DIGEST_AT = new Date(NOW.getTime() + 86_400_000);
const DIGEST_DAY = (['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const)[DIGEST_AT.getUTCDay()];
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
let stop: () => Promise<void>;
const logs = captureLogs();
let counter = 0;

beforeAll(async () => {
  slack = await startFakeSlack({ admins: ['UADMIN'] });
  connector = await startFakeConnector();
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-test',
      SLACK_API_URL: slack.apiUrl,
      TEAMS_EMULATOR: 'true',
      LOG_LEVEL: 'warn',
    },
    { clock: fixedClock(NOW), logs: logs.stream },
  );
  service = started.service;
  stop = started.stop;
}, 60_000);

afterAll(async () => {
  await stop?.();
  await slack?.close();
  await connector?.close();
});

beforeEach(() => logs.clear());

/** The first 24 bytes of a PNG: its signature, then the IHDR chunk with the width and height. */
function pngHeader(png: Buffer) {
  return {
    signature: png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])),
    chunk: png.subarray(12, 16).toString('ascii'),
    width: png.readUInt32BE(16),
    height: png.readUInt32BE(20),
  };
}

function expectPlausibleChart(png: Buffer) {
  const header = pngHeader(png);
  expect(header).toMatchObject({ signature: true, chunk: 'IHDR' });
  // About 840 × 385 at full size, 630 × 289 at the smaller fallback.
  expect(header.width).toBeGreaterThanOrEqual(500);
  expect(header.width).toBeLessThanOrEqual(1200);
  expect(header.height).toBeGreaterThanOrEqual(150);
  expect(header.height).toBeLessThanOrEqual(900);
  expect(png.length).toBeGreaterThan(5_000);
  expect(png.length).toBeLessThan(200_000);
}

/**
 * A channel whose question of the day went out now and was answered by four people, three of them
 * wrongly and alike; its digest is due the next day.
 */
async function givenAnsweredWeek(key: ChannelKey, admin: Actor) {
  await service.quiz.subscribe(admin, key, {
    time: NOW.toISOString().slice(11, 16),
    timezone: 'UTC',
    days: 'daily',
  });
  await service.quiz.configureChannel(admin, key, {
    digestDay: DIGEST_DAY,
    digestTime: DIGEST_AT.toISOString().slice(11, 16),
  });
  await service.runJob('daily-post', NOW);
  const settings = await service.quiz.channelSettings(key);
  const postId = (await service.quiz.openPostOf(settings!.channelId))!.id;
  const question = (await service.quiz.getDailyPost(postId))!.question;
  const person = (i: number): Actor => ({
    ...admin,
    userId: `${admin.userId}-p${counter}-${i}`,
    isPlatformAdmin: false,
  });
  await service.quiz.recordAnswer(person(0), postId, correctChoice(question));
  for (const i of [1, 2, 3]) await service.quiz.recordAnswer(person(i), postId, wrongChoice(question));
  const topic = service.quiz.topics().find((t) => t.slug === question.topic);
  return { question, topic: { slug: question.topic, title: topic?.title ?? question.topic } };
}

async function slackChannel(channelName?: string) {
  const key: ChannelKey = {
    platform: 'slack',
    workspaceId: 'T1',
    channelId: `CDIG${++counter}`,
    ...(channelName ? { channelName } : {}),
  };
  return { key, ...(await givenAnsweredWeek(key, SLACK_ADMIN)) };
}

async function teamsChannel() {
  const conversation = `19:digest${++counter}@thread.tacv2`;
  await postToTeamsBot(
    service,
    teamsChannelActivity(
      connector,
      { tenant: TENANT, conversation },
      { id: '29:owner' },
      {
        type: 'conversationUpdate',
        membersAdded: [TEAMS_BOT],
      },
    ),
  );
  const key: ChannelKey = { platform: 'teams', workspaceId: TENANT, channelId: conversation };
  return { key, conversation, ...(await givenAnsweredWeek(key, TEAMS_OWNER)) };
}

/** The digest tick: the texts, then (as the scheduler starts it once they are out) the Slack charts. */
async function runDigest(target: string) {
  const report = await service.runJob('weekly-digest', DIGEST_AT);
  await service.runJob('digest-charts', DIGEST_AT);
  return report.outcomes.filter((o) => o.target === target);
}

const digestPostOf = (channel: string) =>
  slack
    .of('chat.postMessage')
    .find((c) => c.body.channel === channel && JSON.stringify(c.body.blocks).includes('Weekly digest'));

describe('the weekly digest on Slack', () => {
  it('uploads the chart into the digest thread: upload URL, the PNG bytes, then the share', {
    timeout: 60_000,
  }, async () => {
    const { key } = await slackChannel();
    expect(await runDigest(`slack:${key.channelId}`)).toEqual([
      { target: `slack:${key.channelId}`, outcome: 'sent', reason: expect.stringMatching(/^digest /) },
    ]);

    const digest = digestPostOf(key.channelId);
    expect(digest).toBeDefined();
    const steps = slack.calls
      .slice(slack.calls.indexOf(digest!))
      .map((c) => c.method)
      .filter((m) => m !== 'chat.postMessage');
    expect(steps).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);

    const [ticket] = slack.of('files.getUploadURLExternal').slice(-1);
    const [upload] = slack.of('upload').slice(-1);
    const [share] = slack.of('files.completeUploadExternal').slice(-1);
    const fileId = String(upload?.body.fileId);
    const png = slack.uploaded(fileId) as Buffer;
    expectPlausibleChart(png);
    expect(Number(ticket?.body.length)).toBe(png.length);
    expect(ticket?.body.filename).toMatch(/^digest-\d{4}-W\d{2}\.png$/);
    const alt = String(ticket?.body.alt_txt);
    expect(alt.length).toBeLessThanOrEqual(1000);
    expect(alt).toContain('share of correct answers');
    expect(alt).toMatch(/1\/4 \(25%\)/);

    // Shared in the digest's channel, in the thread under the digest message.
    const postedTs = digest?.response?.ts;
    expect(postedTs).toMatch(/^\d+\.\d+$/);
    expect(share?.body.channel_id).toBe(key.channelId);
    expect(share?.body.thread_ts).toBe(postedTs);
    expect(JSON.parse(String(share?.body.files))).toEqual([{ id: fileId, title: expect.any(String) }]);
  });

  it("names the week's trap with a button that gives whoever clicks it a practice question on its topic", {
    timeout: 60_000,
  }, async () => {
    const { key, question, topic } = await slackChannel();
    await runDigest(`slack:${key.channelId}`);
    const blocks = JSON.stringify(digestPostOf(key.channelId)?.body.blocks);
    expect(blocks).toContain('Trap of the week');
    expect(blocks).toContain('1 of 4 right');
    if (question.type === 'single' || question.type === 'multiple') {
      expect(blocks).toContain('Most wrong answers chose');
      expect(blocks).toContain('Why it is wrong');
    }
    const button = (
      (digestPostOf(key.channelId)?.body.blocks ?? []) as Array<{ type: string; elements?: unknown[] }>
    )
      .flatMap((b) => (b.type === 'actions' ? (b.elements as Array<Record<string, unknown>>) : []))
      .find((e) => e.action_id === ACTIONS.digestPractice);
    expect(button).toMatchObject({ value: topic.slug, text: { text: `Practise ${topic.title}` } });

    // The week is over: its questions are revealed. Open, a question of the day is held back from
    // practice in its workspace, and this workspace's channels have the topic's questions open.
    const open = await queryRows<{ id: string }>(
      service.database.db,
      sql`select p.id from posts p join channels c on c.id = p.channel_id
          join workspaces w on w.id = c.workspace_id
          where w.external_id = 'T1' and p.status = 'open'`,
    );
    for (const post of open) await service.quiz.closePost(post.id);

    const id = `digest-click-${counter}`;
    const response = await sendToSlackEndpoint(service.url, SECRET, {
      form: {
        payload: JSON.stringify({
          type: 'block_actions',
          team: { id: 'T1', domain: 'test' },
          user: { id: 'UCLICKER', username: 'clicker', name: 'clicker', team_id: 'T1' },
          api_app_id: 'A1',
          token: 'legacy',
          trigger_id: '1.2.3',
          container: { type: 'message', message_ts: '1.1', channel_id: key.channelId, is_ephemeral: false },
          channel: { id: key.channelId, name: 'general' },
          response_url: slack.responseUrl(id),
          actions: [
            {
              action_id: ACTIONS.digestPractice,
              block_id: 'b',
              type: 'button',
              value: topic.slug,
              action_ts: '1',
            },
          ],
          state: { values: {} },
        }),
      },
    });
    expect(response.status).toBe(200);
    const reply = await waitFor(() => slack.of(`/response/${id}`)[0]?.body);
    expect(reply).toMatchObject({ response_type: 'ephemeral', text: `Practice: ${topic.title}` });
    expect(JSON.stringify(reply.blocks)).toContain('practice_');
  });

  it('posts the digest text when the chart upload fails, and logs it once', { timeout: 60_000 }, async () => {
    const { key } = await slackChannel();
    slack.failNext('upload', 500);
    expect(await runDigest(`slack:${key.channelId}`)).toEqual([expect.objectContaining({ outcome: 'sent' })]);
    expect(JSON.stringify(digestPostOf(key.channelId)?.body.blocks)).toContain('Weekly digest');
    expect(
      slack.of('files.completeUploadExternal').filter((c) => c.body.channel_id === key.channelId),
    ).toEqual([]);
    const warnings = logs.warnings().filter((l) => l.msg.includes('digest chart'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.msg).toContain('digest chart not uploaded');
  });
});

describe('a chart that cannot be drawn', () => {
  it('never holds back the digest: its text is posted, nothing is uploaded, and one line is logged', {
    timeout: 60_000,
  }, async () => {
    // A control character in the channel's name makes the chart's SVG invalid for the rasteriser.
    const { key } = await slackChannel('bad\u0001name');
    const before = slack.of('files.getUploadURLExternal').length;
    expect(await runDigest(`slack:${key.channelId}`)).toEqual([expect.objectContaining({ outcome: 'sent' })]);
    expect(JSON.stringify(digestPostOf(key.channelId)?.body.blocks)).toContain('Trap of the week');
    expect(slack.of('files.getUploadURLExternal')).toHaveLength(before);
    expect(logs.warnings().map((l) => l.msg)).toEqual([
      'digest chart not drawn; posting the digest without it',
    ]);
  });
});

describe('the weekly digest in the terminal', () => {
  it('prints the trap and the command that practises its topic, and asks for no chart', async () => {
    const printed: string[] = [];
    const local = createLocalPlatform((text) => printed.push(text));
    expect(local.digestChart).toBeUndefined();
    await local.postDigest(
      { workspaceId: 'W1', channelId: 'C1' },
      {
        channelId: 'c1',
        week: '2026-W48',
        from: new Date('2026-11-23T09:00:00Z'),
        to: new Date('2026-11-30T09:00:00Z'),
        top: [],
        questionsAsked: 3,
        activePeople: 2,
        members: 2,
        streaks: [],
        traps: {
          topic: 'access',
          topicTitle: 'Access control',
          stem: 'Which policy grants least privilege?',
          answers: 4,
          correct: 1,
          trap: {
            label: 'C',
            text: 'An administrator policy',
            picks: 3,
            why: 'Far broader than the task needs.',
          },
          explanation: 'Grant only what the task needs.',
        },
      },
    );
    const text = printed.join('');
    expect(text).toContain('Trap of the week: 1 of 4 got it right (Access control)');
    expect(text).toContain('Most wrong answers chose C: An administrator policy (3 people)');
    expect(text).toContain('Why it is wrong: Far broader than the task needs.');
    expect(text).toContain('To practise this topic, type: topic access');
  });
});

describe("Slack's image description", () => {
  it("is cut to Slack's 1000 characters, keeping what the chart shows and the latest weeks", () => {
    const weeks = Array.from({ length: 8 }, (_, i) => `2026-W${41 + i}: ${'x'.repeat(180)}`);
    const alt = altTextWithin(['Last 8 weeks in #c: …', ...weeks].join('\n'), 1000);
    expect(alt.length).toBeLessThanOrEqual(1000);
    expect(alt.startsWith('Last 8 weeks in #c: …\n(earlier weeks left out)')).toBe(true);
    expect(alt).toContain('2026-W48');
    expect(alt).not.toContain('2026-W41');
  });
});

describe('the weekly digest on Teams', () => {
  it('carries the chart as an inline PNG within the size limit, the trap and its button', {
    timeout: 60_000,
  }, async () => {
    const { key, conversation, topic } = await teamsChannel();
    connector.clear();
    expect(await runDigest(`teams:${conversation}`)).toEqual([expect.objectContaining({ outcome: 'sent' })]);
    const [sent] = connector.sentTo(conversation);
    const activity = sent?.body as { text: string; attachments: Array<Record<string, unknown>> };
    expect(activity.text).toContain('Trap of the week');

    const image = activity.attachments.find((a) => a.contentType === 'image/png');
    const url = String(image?.contentUrl);
    expect(url.startsWith('data:image/png;base64,')).toBe(true);
    expect(url.length).toBeLessThanOrEqual(Math.ceil((TEAMS_CHART_MAX_PNG_BYTES * 4) / 3) + 32);
    expectPlausibleChart(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64'));
    expect(image?.name).toMatch(/^digest-\d{4}-W\d{2}\.png$/);
    // The whole request stays far inside the Bot Connector's 256 KB.
    expect(JSON.stringify(activity).length).toBeLessThan(100_000);

    const card = JSON.stringify(activity.attachments.find((a) => String(a.contentType).includes('adaptive')));
    expect(card).toContain(`Practise ${topic.title}`);
    expect(card).toContain('The chart in words');
    expect(card).toContain('share of correct answers');

    // Pressing the button: a practice question on the topic, in the presser's private chat.
    await postToTeamsBot(
      service,
      teamsChannelActivity(
        connector,
        { tenant: TENANT, conversation },
        { id: '29:presser' },
        {
          value: { aifq: 'topic', t: topic.slug },
        },
      ),
    );
    const practice = JSON.stringify(connector.sentTo('a:personal-29:presser').at(-1)?.body);
    expect(practice).toContain(`**Practice:** ${topic.title}`);
    expect(practice).toContain('"aifq":"practice"');
    expect(key.platform).toBe('teams');
  });

  it('a digest Teams refuses with its chart (413) is posted again without it, and logged once', {
    timeout: 60_000,
  }, async () => {
    const { conversation } = await teamsChannel();
    connector.clear();
    connector.failNext(413);
    expect(await runDigest(`teams:${conversation}`)).toEqual([expect.objectContaining({ outcome: 'sent' })]);
    const sent = connector.sentTo(conversation);
    expect(sent).toHaveLength(2);
    const last = sent[1]?.body as { text: string; attachments?: Array<{ contentType: string }> };
    expect(last.text).toContain('Weekly digest');
    expect((last.attachments ?? []).some((a) => a.contentType === 'image/png')).toBe(false);
    expect(logs.warnings().filter((l) => l.msg.includes('chart'))).toHaveLength(1);
  });
});

async function waitFor<T>(find: () => T | undefined, ms = 5000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('timed out');
}
