import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { teamsInputsFor } from '../support/answers.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { currentMockItem, mockItemTypes, wrongChoice } from '../support/mock.js';
import { startTestService } from '../support/service.js';
import { postToTeamsBot, runServiceJob, TEAMS_BOT, teamsChannelActivity } from '../support/teams.js';

const TENANT = 'tenant-mock';
const clock = fixedClock('2026-11-02T10:00:00Z');
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let started: Awaited<ReturnType<typeof startTestService>>;
let counter = 0;

beforeAll(async () => {
  connector = await startFakeConnector();
  started = await startTestService(
    { TEAMS_EMULATOR: 'true' },
    { clock, mockExam: { questions: 5, minutes: 90 } },
  );
});
afterAll(async () => {
  await started.stop();
  await connector.close();
});
beforeEach(() => connector.clear());

const db = () => started.service.database.db;
const personalOf = (user: string) => ({
  id: `a:personal-${user}`,
  conversationType: 'personal',
  tenantId: TENANT,
});

/** A message (typed text or a card's Submit) in the person's 1:1 chat with the bot. */
async function send(user: string, extra: Record<string, unknown>) {
  await postToTeamsBot(started.service, {
    type: 'message',
    id: `activity-${++counter}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: user, name: user },
    conversation: personalOf(user),
    recipient: TEAMS_BOT,
    channelData: { tenant: { id: TENANT } },
    ...extra,
  });
  return JSON.stringify(connector.sentTo(personalOf(user).id).at(-1)?.body ?? {});
}

const say = (user: string, text: string) => send(user, { text });
const submit = (user: string, value: Record<string, unknown>) =>
  send(user, { value: { aifq: 'mock', ...value } });

/** Answers the question in front of the person through the card, as Teams sends a Submit. */
async function answer(user: string, choose: (q: Question) => number[] = correctChoice) {
  const { mockId, position, question } = await currentMockItem(db(), user);
  return submit(user, { m: mockId, p: position, ...teamsInputsFor(question, choose(question)) });
}

describe('a mock exam on Teams', () => {
  it('runs in the 1:1 chat with cards: every item type, flag, skip, the second look and the report', async () => {
    const user = '29:mock-a';
    const first = await say(user, 'mock');
    expect(first).toContain('application/vnd.microsoft.card.adaptive');
    expect(first).toContain('Mock exam · question 1/5 · 90 min left');
    expect(first).toContain('"title":"Skip"');
    expect(first).toContain('"title":"Flag for review"');
    expect(first).toContain('"title":"Report a problem"');
    const { mockId } = await currentMockItem(db(), user);
    expect(new Set(await mockItemTypes(db(), mockId))).toEqual(
      new Set(['single', 'multiple', 'ordering', 'matching']),
    );

    expect(await submit(user, { m: mockId, p: 0, f: 1 })).toContain('⚑ flagged');
    expect(await answer(user)).toContain('question 2/5');
    expect(await submit(user, { m: mockId, p: 1, s: 1 })).toContain('question 3/5');
    await answer(user);
    await answer(user);
    expect(await answer(user)).toContain('second look 1/2 · question 1/5');
    expect(await submit(user, { m: mockId, p: 0, s: 1 })).toContain('second look 2/2 · question 2/5');
    const report = await answer(user, wrongChoice);
    expect(report).toContain('Mock exam report');
    expect(report).toContain('4 of 5 right · 5 answered');
    expect(report).toContain('Mistakes to review (1)');
    expect(await say(user, 'mock abandon')).toContain('You have no mock exam running.');
  });

  it('resumes after a restart, refuses a second exam, and counts nothing after the time is up', async () => {
    const user = '29:mock-b';
    await say(user, 'mock');
    await answer(user);
    await started.restart();
    const resumed = await say(user, 'mock');
    expect(resumed).toContain('Welcome back');
    expect(resumed).toContain('question 2/5 · 90 min left');
    expect(await say(user, 'mock new')).toContain('You already have a mock exam running (question 2/5');

    clock.advance(90 * 60_000);
    const late = await answer(user);
    expect(late).toContain('Time ran out before that, so it was not counted.');
    expect(late).toContain('Mock exam report (time ran out)');
    expect(late).toContain('1 of 5 right · 1 answered');
  });

  it('the close-questions job ends an exam whose time ran out; "mock" then shows its report', async () => {
    const user = '29:mock-d';
    await say(user, 'mock');
    const { mockId } = await currentMockItem(db(), user);
    clock.advance(90 * 60_000);
    await runServiceJob(started.service, 'close-questions', clock.now());
    const [row] = await queryRows<{ status: string }>(
      db(),
      sql`select status from mock_exams where id = ${mockId}`,
    );
    expect(row?.status).toBe('timed_out');
    const report = await say(user, 'mock');
    expect(report).toContain('Time ran out on your last mock exam');
    expect(report).toContain('0 of 5 right · 0 answered');
    expect(await say(user, 'mock')).toContain('Mock exam · question 1/5 · 90 min left');
  });

  it('asked for in a channel, the exam goes to the 1:1 chat', async () => {
    const channel = { tenant: TENANT, conversation: '19:mock-channel@thread.tacv2' };
    const owner = { id: '29:mock-c', name: 'C' };
    await postToTeamsBot(
      started.service,
      teamsChannelActivity(connector, channel, owner, {
        type: 'conversationUpdate',
        membersAdded: [TEAMS_BOT],
      }),
    );
    const mention = '<at>aif-quiz</at>';
    await postToTeamsBot(
      started.service,
      teamsChannelActivity(connector, channel, owner, {
        text: `${mention} mock`,
        entities: [{ type: 'mention', mentioned: TEAMS_BOT, text: mention }],
      }),
    );
    expect(JSON.stringify(connector.sentTo(channel.conversation).at(-1)?.body)).toContain(
      'Your mock exam is in your private chat with me.',
    );
    // The bot had no 1:1 chat with this person yet: it opens one and sends the exam there.
    expect(JSON.stringify(connector.sentTo(personalOf(owner.id).id).at(-1)?.body)).toContain(
      'Mock exam · question 1/5',
    );
    expect(JSON.stringify(connector.sentTo(channel.conversation))).not.toContain('Mock exam · question');
  });
});
