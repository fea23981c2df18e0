import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { practiceAnswers, processedEvents, teamsConversations, users } from '../../src/db/schema.js';
import type { RunningService } from '../../src/main.js';
import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { sendToSlackEndpoint, signSlackRequest, startFakeSlack } from '../support/fake-slack.js';
import { postFrom } from '../support/http-from.js';
import { captureLogs } from '../support/log-capture.js';
import { startTestService } from '../support/service.js';

// Requests are checked at the door: signed Slack requests only within five minutes of now and once
// when they change something, values of buttons and cards only as the bot sends them, and anything
// malformed gets a 4xx with one warning line, never a 500.

const SECRET = 'checks-signing-secret';
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };
let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
const stops: Array<() => Promise<void>> = [];
const logs = captureLogs();
let counter = 0;

beforeAll(async () => {
  slack = await startFakeSlack({ admins: ['UADMIN'] });
  connector = await startFakeConnector();
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-checks',
      SLACK_API_URL: slack.apiUrl,
      TEAMS_EMULATOR: 'true',
      LOG_LEVEL: 'warn',
    },
    { logs: logs.stream },
  );
  service = started.service;
  stops.push(started.stop);
});

afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await slack?.close();
  await connector?.close();
});

beforeEach(() => {
  slack.clear();
  connector.clear();
  logs.clear();
});

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

function commandForm(text: string, options: { user?: string; channel?: string; id?: string } = {}) {
  return {
    command: '/aif-quiz',
    text,
    team_id: 'T1',
    channel_id: options.channel ?? 'C1',
    channel_name: 'general',
    user_id: options.user ?? 'U1',
    user_name: 'someone',
    response_url: slack.responseUrl(options.id ?? `cmd${++counter}`),
  };
}

async function waitForReply(id: string) {
  for (let i = 0; i < 250; i++) {
    const found = slack.of(`/response/${id}`)[0];
    if (found) return JSON.stringify(found.body);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no reply on ${id}`);
}

async function channelActive(channelId: string): Promise<boolean | undefined> {
  return (await service.quiz.channelSettings({ platform: 'slack', workspaceId: 'T1', channelId }))?.active;
}

async function userRow(externalId: string) {
  const [row] = await service.database.db.select().from(users).where(eq(users.externalId, externalId));
  return row;
}

/** A signed click on an App Home button, as Slack sends it (no channel, no response_url). */
function homeClick(user: string, actionId: string, value: string) {
  return sendToSlackEndpoint(service.url, SECRET, {
    form: {
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: 'T1', domain: 'x' },
        user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
        api_app_id: 'A1',
        container: { type: 'view', view_id: 'V1' },
        view: { id: 'V1', type: 'home' },
        actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: '1' }],
      }),
    },
  });
}

function messageClick(user: string, actionId: string, value: string, id: string) {
  return sendToSlackEndpoint(service.url, SECRET, {
    form: {
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: 'T1', domain: 'x' },
        user: { id: user, username: user.toLowerCase(), team_id: 'T1' },
        api_app_id: 'A1',
        container: { type: 'message', message_ts: '1.1', channel_id: 'C1' },
        channel: { id: 'C1', name: 'general' },
        response_url: slack.responseUrl(id),
        actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: '1' }],
      }),
    },
  });
}

describe('Slack: signed requests are accepted within five minutes of now, once', () => {
  it.each([
    ['ten minutes', 10 * 60],
    ['an hour', 3600],
    ['ten years', 10 * 365 * 86_400],
  ])('a correctly signed request dated %s in the future gets 401 and changes nothing', async (_, ahead) => {
    const response = await sendToSlackEndpoint(
      service.url,
      SECRET,
      {
        form: commandForm(`subscribe 09:00 UTC daily`, { user: 'UADMIN', channel: 'CFUTURE', id: 'future' }),
      },
      { timestamp: Math.floor(Date.now() / 1000) + ahead },
    );
    expect(response.status).toBe(401);
    await settle();
    expect(slack.of('/response/future')).toHaveLength(0);
    expect(await channelActive('CFUTURE')).toBeUndefined();
  });

  it('a request dated a little ahead (clock skew within five minutes) is served', async () => {
    const response = await sendToSlackEndpoint(
      service.url,
      SECRET,
      { form: commandForm('help', { id: 'skew' }) },
      { timestamp: Math.floor(Date.now() / 1000) + 120 },
    );
    expect(response.status).toBe(200);
    expect(await waitForReply('skew')).toContain('Commands:');
  });

  it('a signed subscribe replayed after an admin unsubscribed does not subscribe the channel again', async () => {
    const signedAt = Math.floor(Date.now() / 1000);
    const subscribe = {
      form: commandForm('subscribe 09:00 UTC daily', { user: 'UADMIN', channel: 'CREPLAY' }),
    };
    expect((await sendToSlackEndpoint(service.url, SECRET, subscribe, { timestamp: signedAt })).status).toBe(
      200,
    );
    for (let i = 0; i < 100 && !(await channelActive('CREPLAY')); i++) await settle();
    expect(await channelActive('CREPLAY')).toBe(true);

    const unsubscribe = {
      form: commandForm('unsubscribe', { user: 'UADMIN', channel: 'CREPLAY', id: 'unsub' }),
    };
    expect((await sendToSlackEndpoint(service.url, SECRET, unsubscribe)).status).toBe(200);
    await waitForReply('unsub');
    expect(await channelActive('CREPLAY')).toBe(false);

    const replay = await sendToSlackEndpoint(service.url, SECRET, subscribe, { timestamp: signedAt });
    expect(replay.status).toBe(200);
    await settle();
    expect(await channelActive('CREPLAY')).toBe(false);
    expect(logs.warnings().map((l) => l.msg)).toContain(
      'ignored a replayed Slack request: the same signed request was already handled',
    );
  });

  it('a replayed App Home reminders click has no second effect', async () => {
    const signedAt = Math.floor(Date.now() / 1000);
    const click = (value: string) => ({
      form: {
        payload: JSON.stringify({
          type: 'block_actions',
          team: { id: 'T1' },
          user: { id: 'UHOME', team_id: 'T1' },
          container: { type: 'view', view_id: 'V1' },
          actions: [
            { action_id: `${ACTIONS.homeReminders}:${value}`, type: 'button', value, action_ts: '1' },
          ],
        }),
      },
    });
    await sendToSlackEndpoint(service.url, SECRET, click('off'), { timestamp: signedAt });
    for (let i = 0; i < 100 && (await userRow('UHOME'))?.reminders !== 'off'; i++) await settle();
    await sendToSlackEndpoint(service.url, SECRET, click('daily'));
    for (let i = 0; i < 100 && (await userRow('UHOME'))?.reminders !== 'daily'; i++) await settle();
    await sendToSlackEndpoint(service.url, SECRET, click('off'), { timestamp: signedAt });
    await settle();
    expect((await userRow('UHOME'))?.reminders).toBe('daily');
  });
});

describe('Slack: button values are read as the bot writes them', () => {
  it('App Home reminder buttons with any other value change nothing', async () => {
    const garbage = [
      'on',
      'OFF',
      'weekly ',
      '',
      'never',
      '{"x":1}',
      'daily;drop table users',
      'x'.repeat(2000),
    ];
    for (const value of garbage)
      expect((await homeClick('UGARBAGE', `${ACTIONS.homeReminders}:x`, value)).status).toBe(200);
    await settle();
    expect(await userRow('UGARBAGE')).toBeUndefined();
    expect(logs.warnings().filter((l) => l.code === 'input.invalid_value')).toHaveLength(garbage.length);
  });

  it.each([
    ['not JSON', ACTIONS.practiceSingle, 'not json'],
    ['a version that is not a number', ACTIONS.practiceSingle, '{"q":"x","v":"1","k":"k","c":[0]}'],
    ['an issue key that is not text', ACTIONS.practiceSubmit, '{"q":"x","v":1,"k":{"$ne":null}}'],
    ['a choice that is not numbers', ACTIONS.dailySingle, '{"p":"x","c":["0"]}'],
    ['a post id that is not text', ACTIONS.dailySubmit, '{"p":[1]}'],
  ])('a click whose value has %s gets a clear reply and stores nothing', async (_, actionId, value) => {
    const id = `bad${++counter}`;
    expect((await messageClick('UVALUE', actionId, value, id)).status).toBe(200);
    expect(await waitForReply(id)).toContain('could not be read, so nothing was changed');
    expect(await userRow('UVALUE')).toBeUndefined();
    const rows = await service.database.db.select({ n: sql<number>`count(*)::int` }).from(practiceAnswers);
    expect(rows[0]?.n).toBe(0);
  });
});

/**
 * Warning lines are limited per source address, so each case that counts them comes from a
 * loopback address of its own (all of 127.0.0.0/8 reaches this machine).
 */
let nextSource = 10;
const newSource = () => `127.0.0.${nextSource++}`;

/** A signed POST to /slack/events from its own source address. */
function signedFromNewSource(payload: { form?: Record<string, string>; json?: unknown }) {
  const body = payload.form ? new URLSearchParams(payload.form).toString() : JSON.stringify(payload.json);
  return postFrom(newSource(), `${service.url}/slack/events`, body, {
    'content-type': payload.form ? 'application/x-www-form-urlencoded' : 'application/json',
    ...signSlackRequest(body, SECRET),
  });
}

describe('Slack: requests Bolt cannot route get 400 before Bolt', () => {
  const signedForm = (payload: string) => ({ form: { payload } });
  it.each([
    ['a payload that is not JSON', signedForm('{not json')],
    [
      'block_actions without actions',
      signedForm(JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' } })),
    ],
    [
      'block_actions with an empty action list',
      signedForm(
        JSON.stringify({ type: 'block_actions', team: { id: 'T1' }, user: { id: 'U1' }, actions: [] }),
      ),
    ],
    [
      'block_actions without a user',
      signedForm(
        JSON.stringify({
          type: 'block_actions',
          team: { id: 'T1' },
          actions: [{ action_id: 'x', type: 'button' }],
        }),
      ),
    ],
    [
      'an interaction type this app has no use for',
      signedForm(JSON.stringify({ type: 'view_submission', team: { id: 'T1' }, user: { id: 'U1' } })),
    ],
    ['a JSON array', { json: [1, 2, 3] }],
    ['JSON null', { json: null }],
    ['an event without its event', { json: { type: 'event_callback', team_id: 'T1', event_id: 'Ev1' } }],
    [
      'a command without a user',
      { form: { command: '/aif-quiz', text: 'optout', team_id: 'T1', channel_id: 'C1' } },
    ],
  ])('%s gets 400 with one warning line and no error', async (_, payload) => {
    const response = await signedFromNewSource(payload as { json?: unknown });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.text)).toEqual({ error: 'slack.malformed', message: expect.any(String) });
    expect(logs.warnings()).toHaveLength(1);
    expect(logs.warnings()[0]).not.toHaveProperty('err');
    expect(logs.errors()).toHaveLength(0);
  });

  it('an unsigned request gets 401 even when its body is garbage', async () => {
    const response = await fetch(`${service.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{garbage',
    });
    expect(response.status).toBe(401);
  });

  it('a request with a body over the limit gets 413', async () => {
    const body = JSON.stringify({ type: 'event_callback', pad: 'x'.repeat(2 * 1024 * 1024) });
    const response = await fetch(`${service.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...signSlackRequest(body, SECRET) },
      body,
    });
    expect(response.status).toBe(413);
  });

  it('Bolt is never left waiting for an acknowledgement', async () => {
    await sendToSlackEndpoint(
      service.url,
      SECRET,
      signedForm(JSON.stringify({ type: 'shortcut', team: { id: 'T1' } })),
    );
    await new Promise((resolve) => setTimeout(resolve, 3300));
    expect(logs.lines.map((l) => l.msg).join('\n')).not.toMatch(/not acknowledged/i);
  });
});

describe('Teams: bad input gets 400, never 500', () => {
  const post = (body: string, source = newSource()) =>
    postFrom(source, `${service.url}/api/messages`, body, { 'content-type': 'application/json' });
  const activity = (extra: Record<string, unknown>) => ({
    type: 'message',
    id: `activity-${++counter}`,
    // The table below is built before the fake connector starts; those requests never reach a turn.
    serviceUrl: connector?.url ?? 'http://127.0.0.1:9',
    channelId: 'msteams',
    from: { id: '29:user', name: 'User' },
    conversation: { id: 'a:personal-29:user', conversationType: 'personal', tenantId: 'tenant-1' },
    recipient: BOT,
    channelData: { tenant: { id: 'tenant-1' } },
    text: 'help',
    ...extra,
  });

  it.each([
    ['malformed JSON', 400, '{"type": "message", '],
    ['an empty body', 400, ''],
    ['a JSON array', 400, '[]'],
    ['an activity without a conversation', 400, JSON.stringify({ ...activity({}), conversation: undefined })],
    ['an activity without a type', 400, JSON.stringify({ ...activity({}), type: undefined })],
    [
      'an activity with a conversation that is not an object',
      400,
      JSON.stringify(activity({ conversation: 'x' })),
    ],
    ['an activity without a sender', 400, JSON.stringify({ ...activity({}), from: undefined })],
    ['2 MB of JSON', 413, JSON.stringify(activity({ text: 'x'.repeat(2 * 1024 * 1024) }))],
  ])('%s gets %i with no internal text and one warning line without a stack', async (_, status, body) => {
    const response = await post(body);
    expect(response.status).toBe(status);
    const text = response.text;
    expect(text).not.toMatch(/TypeError|Cannot read|at |undefined/);
    expect(logs.warnings()).toHaveLength(1);
    expect(JSON.stringify(logs.warnings()[0])).not.toContain('stack');
    expect(logs.errors()).toHaveLength(0);
    expect(await service.database.db.select().from(teamsConversations)).toHaveLength(0);
  });

  it('a flood of bad requests from one source writes a bounded number of warning lines', async () => {
    const source = newSource();
    for (let i = 0; i < 40; i++) expect((await post('{', source)).status).toBe(400);
    expect(logs.warnings().length).toBeLessThanOrEqual(10);
  });

  it('a card whose values the bot never sent gets a clear reply and stores nothing', async () => {
    const response = await post(
      JSON.stringify(activity({ text: undefined, value: { aifq: 'practice', q: 'x', v: 'one', k: 'k' } })),
    );
    expect(response.status).toBeLessThan(300);
    expect(JSON.stringify(connector.sentTo('a:personal-29:user').at(-1)?.body)).toContain(
      'could not be read, so nothing was changed',
    );
    expect(await service.database.db.select().from(teamsConversations)).toHaveLength(0);
    expect(
      await service.database.db
        .select()
        .from(processedEvents)
        .where(sql`${processedEvents.key} like 'teams:%'`),
    ).toHaveLength(0);
  });

  it('activity types the bot does not act on are acknowledged and stored nowhere', async () => {
    const response = await post(JSON.stringify(activity({ type: 'typing', text: undefined })));
    expect(response.status).toBe(200);
    expect(await service.database.db.select().from(teamsConversations)).toHaveLength(0);
  });

  it('with authentication on, a request without a token gets 401 before its body is read', async () => {
    const secured = await startTestService({
      MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000002',
      MICROSOFT_APP_PASSWORD: 'not-a-real-password',
    });
    stops.push(secured.stop);
    for (const body of ['{', '', JSON.stringify(activity({}))]) {
      const response = await fetch(`${secured.service.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      expect(response.status).toBe(401);
    }
  });
});
