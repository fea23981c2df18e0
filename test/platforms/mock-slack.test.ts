import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { currentMockItem, mockItemTypes, wrongChoice } from '../support/mock.js';
import { startTestService } from '../support/service.js';
import { inputStateFor } from '../support/slack-clicks.js';

const SECRET = 'test-signing-secret';
const clock = fixedClock('2026-11-02T10:00:00Z');
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let started: Awaited<ReturnType<typeof startTestService>>;
let interaction = 0;

beforeAll(async () => {
  fake = await startFakeSlack();
  started = await startTestService(
    { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl },
    { clock, mockExam: { questions: 5, minutes: 90 } },
  );
});
afterAll(async () => {
  await started.stop();
  await fake.close();
});
beforeEach(() => fake.clear());

const db = () => started.service.database.db;

async function waitFor<T>(find: () => T | undefined, what: string): Promise<T> {
  for (let waited = 0; waited < 5000; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}; calls: ${JSON.stringify(fake.calls.map((c) => c.method))}`);
}

async function command(text: string, user: string, channel = 'C1') {
  const id = `cmd${++interaction}`;
  const response = await sendToSlackEndpoint(started.service.url, SECRET, {
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
  expect(response.status).toBe(200);
  return (await waitFor(() => fake.of(`/response/${id}`)[0], `the reply to "${text}"`)).body;
}

/** A click in the DM, as Slack sends it; resolves to what the bot put on the response URL. */
async function click(
  user: string,
  actionId: string,
  value: unknown,
  state: Record<string, unknown> = {},
  replied = true,
) {
  const id = `act${++interaction}`;
  const response = await sendToSlackEndpoint(started.service.url, SECRET, {
    form: {
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: 'T1', domain: 'test' },
        user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T1' },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: '1.2.3',
        container: { type: 'message', message_ts: '1.1', channel_id: `D${user}`, is_ephemeral: false },
        channel: { id: `D${user}`, name: 'directmessage' },
        response_url: fake.responseUrl(id),
        actions: [
          {
            action_id: actionId,
            block_id: 'b',
            type: 'button',
            value: JSON.stringify(value),
            action_ts: '1',
          },
        ],
        state: { values: state },
      }),
    },
  });
  expect(response.status).toBe(200);
  if (!replied) return {};
  return (await waitFor(() => fake.of(`/response/${id}`)[0], `the reply to ${actionId}`)).body;
}

/** Answers the question in front of the person with its buttons and inputs, as a person would. */
async function answer(user: string, choose: (q: Question) => number[] = correctChoice) {
  const { mockId, position, question } = await currentMockItem(db(), user);
  const value = { m: mockId, p: position };
  return question.type === 'single'
    ? click(user, `${ACTIONS.mockSingle}:X`, { ...value, c: choose(question) })
    : click(user, ACTIONS.mockSubmit, value, inputStateFor(question, choose(question)));
}

const text = (body: Record<string, unknown>) => JSON.stringify(body.blocks ?? body.text);

describe('a mock exam on Slack', () => {
  it('runs in the DM: every item type by its buttons, flag, skip, the second look and the report', async () => {
    const reply = await command('mock', 'U1');
    expect(reply.text).toBe('Your mock exam is in your direct messages with me.');
    const first = await waitFor(
      () => fake.of('chat.postMessage').find((c) => c.body.channel === 'DU1'),
      'the DM',
    );
    expect(text(first.body)).toContain('Mock exam · question 1/5 · 90 min left');
    expect(text(first.body)).toContain(`"action_id":"${ACTIONS.mockSkip}"`);
    expect(text(first.body)).toContain(`"action_id":"${ACTIONS.mockFlag}"`);
    // Every question the bot shows can be reported, mock exam questions included.
    expect(text(first.body)).toContain(`"action_id":"${ACTIONS.report}"`);
    const { mockId } = await currentMockItem(db(), 'U1');
    expect(new Set(await mockItemTypes(db(), mockId))).toEqual(
      new Set(['single', 'multiple', 'ordering', 'matching']),
    );

    const flagged = await click('U1', ACTIONS.mockFlag, { m: mockId, p: 0, f: 1 });
    expect(flagged.replace_original).toBe(true);
    expect(text(flagged)).toContain('question 1/5 · 90 min left · ⚑ flagged');
    expect(text(await answer('U1'))).toContain('question 2/5');
    expect(text(await click('U1', ACTIONS.mockSkip, { m: mockId, p: 1 }))).toContain('question 3/5');
    await answer('U1');
    await answer('U1');
    clock.advance(20 * 60_000);
    const review = await answer('U1');
    expect(text(review)).toContain('second look 1/2 · question 1/5 · 70 min left');
    expect(text(await click('U1', ACTIONS.mockSkip, { m: mockId, p: 0 }))).toContain(
      'second look 2/2 · question 2/5',
    );

    // A late click on a question already behind changes nothing.
    const late = await click('U1', `${ACTIONS.mockSingle}:X`, { m: mockId, p: 3, c: [0] });
    expect(text(late)).toContain('That question is behind you');

    const report = await answer('U1', wrongChoice);
    expect(text(report)).toContain('Mock exam report');
    expect(text(report)).toContain('4 of 5 right · 5 answered');
    expect(text(report)).toMatch(/Estimated score: \d+ of 1000/);
    expect(text(report)).toContain('Mistakes to review (1)');
    expect(text(report)).toContain('Domain 3: Applications of Foundation Models');
  });

  it('resumes after a restart from App Home, and refuses a second exam', async () => {
    await command('mock', 'U2');
    await answer('U2');
    expect((await command('mock new', 'U2')).text).toContain(
      'You already have a mock exam running (question 2/5',
    );

    await started.restart();
    fake.clear();
    const response = await sendToSlackEndpoint(started.service.url, SECRET, {
      json: {
        type: 'event_callback',
        team_id: 'T1',
        api_app_id: 'A1',
        event: { type: 'app_home_opened', user: 'U2', channel: 'DU2', tab: 'home', event_ts: '1.1' },
        event_id: 'Ev-mock-home',
        event_time: 1,
      },
    });
    expect(response.status).toBe(200);
    const home = await waitFor(() => fake.of('views.publish')[0], 'views.publish');
    expect(JSON.stringify(home.body)).toContain('Mock exam in progress* · question 2/5 · 90 min left');

    await click('U2', ACTIONS.homeMock, 'mock', {}, false);
    const resumed = await waitFor(
      () => fake.of('chat.postMessage').find((c) => c.body.channel === 'DU2'),
      'the DM',
    );
    expect(text(resumed.body)).toContain('Welcome back');
    expect(text(resumed.body)).toContain('question 2/5');
    expect(text(await answer('U2'))).toContain('question 3/5');
  });

  it('after the time is up, an answer is not counted and the report shows; then abandon has nothing to end', async () => {
    await command('mock', 'U3');
    await answer('U3');
    const { mockId, position } = await currentMockItem(db(), 'U3');
    clock.advance(91 * 60_000);
    const late = await answer('U3');
    expect(text(late)).toContain('Time ran out before that, so it was not counted.');
    expect(text(late)).toContain('Mock exam report (time ran out)');
    expect(text(late)).toContain('1 of 5 right · 1 answered');
    const [item] = await queryRows<{ choice: unknown }>(
      db(),
      sql`select choice from mock_exam_items where mock_id = ${mockId} and position = ${position}`,
    );
    expect(item?.choice).toBeNull();

    const again = await click('U3', ACTIONS.mockSkip, { m: mockId, p: position });
    expect(again.text).toContain('Time ran out on that mock exam, so this answer was not counted.');
    expect((await command('mock abandon', 'U3')).text).toContain('You have no mock exam running.');
  });
});
