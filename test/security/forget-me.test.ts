import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import type { RunningService } from '../../src/main.js';
import { correctChoice } from '../../src/quiz/question.js';
import type { Actor } from '../../src/quiz/quiz.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const SECRET = 'forget-me-signing-secret';
const TENANT = 'tenant-forget';
const CHANNEL = '19:study@thread.tacv2';
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };

/** The person who asks to be forgotten, on each platform, and someone who stays. */
const SLACK_PERSON = { id: 'UFORGET', name: 'forgotten.on.slack' };
const SLACK_OTHER = { id: 'USTAYS', name: 'stays.on.slack' };
const TEAMS_PERSON = { id: '29:forget', name: 'Forgotten On Teams', aadObjectId: 'aad-forget-7c1e' };
const TEAMS_OTHER = { id: '29:stays', name: 'Stays On Teams', aadObjectId: 'aad-stays-3d9b' };
const TEAMS_PERSONAL_CHAT = 'a:forget-personal-chat';

const silent = createLogger({ level: 'silent', format: 'json' });
let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
const cleanups: Array<() => Promise<void>> = [];
let counter = 0;

beforeAll(async () => {
  slack = await startFakeSlack({ admins: [SLACK_PERSON.id] });
  connector = await startFakeConnector({ owners: [TEAMS_PERSON.id] });
  const started = await startTestService({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-forget-me',
    SLACK_API_URL: slack.apiUrl,
    TEAMS_EMULATOR: 'true',
  });
  service = started.service;
  cleanups.push(started.stop);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await slack.close();
  await connector.close();
});

async function waitFor<T>(find: () => T | undefined, what: string, ms = 5000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function slackCommand(text: string, person: { id: string; name: string }) {
  const id = `cmd${++counter}`;
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: {
      command: '/aif-quiz',
      text,
      team_id: 'T1',
      channel_id: 'C1',
      channel_name: 'general',
      user_id: person.id,
      user_name: person.name,
      response_url: slack.responseUrl(id),
    },
  });
  expect(response.status).toBe(200);
  return JSON.stringify((await waitFor(() => slack.of(`/response/${id}`)[0], `the reply to "${text}"`)).body);
}

async function teamsMessage(
  text: string,
  person: typeof TEAMS_PERSON,
  where: 'channel' | 'personal',
): Promise<string> {
  const before = connector.calls.length;
  const inChannel = where === 'channel';
  const response = await fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `activity-${++counter}`,
      text: inChannel ? `<at>aif-quiz</at> ${text}` : text,
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: person,
      recipient: BOT,
      conversation: inChannel
        ? { id: CHANNEL, conversationType: 'channel', tenantId: TENANT, isGroup: true }
        : {
            id: person === TEAMS_PERSON ? TEAMS_PERSONAL_CHAT : 'a:stays-personal-chat',
            conversationType: 'personal',
            tenantId: TENANT,
          },
      channelData: inChannel
        ? { tenant: { id: TENANT }, team: { id: '19:team' }, channel: { id: CHANNEL, name: 'Study' } }
        : { tenant: { id: TENANT } },
      ...(inChannel ? { entities: [{ type: 'mention', mentioned: BOT, text: '<at>aif-quiz</at>' }] } : {}),
    }),
  });
  expect(response.status).toBeLessThan(300);
  return JSON.stringify(connector.calls.slice(before).map((c) => c.body));
}

/** Answers a few practice questions wrongly, so the person has a weakest topic to be reminded of. */
async function practiseBadly(actor: Actor) {
  for (let i = 0; i < 3; i++) {
    const practice = await service.quiz.practice(actor, 'access');
    const right = correctChoice(practice.question);
    const wrong =
      practice.question.type === 'single'
        ? [(right[0]! + 1) % 4]
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

async function sendReminders() {
  const weekdayNoon = new Date();
  weekdayNoon.setUTCHours(12, 0, 0, 0);
  while (weekdayNoon.getUTCDay() === 0 || weekdayNoon.getUTCDay() === 6)
    weekdayNoon.setUTCDate(weekdayNoon.getUTCDate() + 1);
  return runJobAt(
    {
      db: service.database.db,
      quizAt: service.quizAt,
      platforms: service.platforms,
      logger: silent,
      defaultTimezone: 'UTC',
      queue: createSendQueue({ concurrency: 4, perKeyIntervalMs: 0 }),
    },
    'reminders',
    weekdayNoon,
  );
}

/**
 * Every column of every table of the schema, as the database describes it: a column added later is
 * searched too, without this test knowing its name.
 */
async function columnsOfSchema(): Promise<Array<{ table: string; column: string }>> {
  return queryRows<{ table: string; column: string }>(
    service.database.db,
    sql`select c.table_name as "table", c.column_name as "column"
        from information_schema.columns c
        join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
        where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
        order by 1, 2`,
  );
}

/** The columns (table.column) in which any of these values appears, whole or inside a larger value. */
async function whereFound(needles: string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const { table, column } of await columnsOfSchema()) {
    for (const needle of needles) {
      const [row] = await queryRows<{ n: number }>(
        service.database.db,
        sql`select count(*)::int as n from ${sql.identifier(table)}
            where strpos(${sql.identifier(column)}::text, ${needle}) > 0`,
      );
      if ((row?.n ?? 0) > 0) found.add(`${table}.${column}`);
    }
  }
  return [...found].sort();
}

async function userRowId(platform: 'slack' | 'teams', externalId: string): Promise<string> {
  const [row] = await queryRows<{ id: string }>(
    service.database.db,
    sql`select u.id from users u join workspaces w on w.id = u.workspace_id
        where w.platform = ${platform} and u.external_id = ${externalId}`,
  );
  if (!row) throw new Error(`no user row for ${externalId}`);
  return row.id;
}

describe('forget-me erases every trace of the person, in every table and column', () => {
  it('on Slack: the subscription, the reminder record, the answers and the person are gone; others stay', async () => {
    expect(await slackCommand('subscribe 09:00 Europe/Berlin weekdays', SLACK_PERSON)).toContain('09:00');
    await slackCommand('stats', SLACK_OTHER);
    for (const person of [SLACK_PERSON, SLACK_OTHER])
      await practiseBadly({ platform: 'slack', workspaceId: 'T1', userId: person.id, userName: person.name });
    const reminders = await sendReminders();
    expect(reminders.outcomes).toContainEqual(
      expect.objectContaining({ target: 'slack:user:UFORGET', outcome: 'sent' }),
    );

    const needles = [SLACK_PERSON.id, SLACK_PERSON.name, await userRowId('slack', SLACK_PERSON.id)];
    const others = [SLACK_OTHER.id, SLACK_OTHER.name, await userRowId('slack', SLACK_OTHER.id)];
    const before = await whereFound(needles);
    expect(before).toEqual(
      expect.arrayContaining([
        'channels.subscribed_by',
        'job_runs.key',
        'users.display_name',
        'users.external_id',
      ]),
    );

    expect(await slackCommand('forget-me confirm', SLACK_PERSON)).toContain('erased');
    expect(await whereFound(needles)).toEqual([]);
    expect(await whereFound(others)).toEqual(
      expect.arrayContaining([
        'job_runs.key',
        'practice_answers.user_id',
        'users.display_name',
        'users.external_id',
      ]),
    );
    // The channel keeps its schedule: only the name of who set it up is gone.
    const [channel] = await queryRows<{ active: boolean; subscribed_by: string | null }>(
      service.database.db,
      sql`select active, subscribed_by from channels where external_id = 'C1'`,
    );
    expect(channel).toEqual({ active: true, subscribed_by: null });
  });

  it('on Teams: also the 1:1 chat (id, name, AAD object id) and its delivery keys; the channel keeps its reference', async () => {
    expect(await teamsMessage('subscribe 09:00 Europe/Berlin weekdays', TEAMS_PERSON, 'channel')).toContain(
      '09:00',
    );
    await teamsMessage('stats', TEAMS_PERSON, 'personal');
    await teamsMessage('stats', TEAMS_OTHER, 'personal');
    for (const person of [TEAMS_PERSON, TEAMS_OTHER])
      await practiseBadly({
        platform: 'teams',
        workspaceId: TENANT,
        userId: person.id,
        userName: person.name,
      });
    const reminders = await sendReminders();
    expect(reminders.outcomes).toContainEqual(
      expect.objectContaining({ target: `teams:user:${TEAMS_PERSON.id}`, outcome: 'sent' }),
    );

    const needles = [
      TEAMS_PERSON.id,
      TEAMS_PERSON.name,
      TEAMS_PERSON.aadObjectId,
      TEAMS_PERSONAL_CHAT,
      await userRowId('teams', TEAMS_PERSON.id),
    ];
    const others = [TEAMS_OTHER.id, TEAMS_OTHER.name, TEAMS_OTHER.aadObjectId];
    expect(await whereFound(needles)).toEqual(
      expect.arrayContaining([
        'channels.subscribed_by',
        'job_runs.key',
        'processed_events.key',
        'teams_conversations.conversation_id',
        'teams_conversations.reference',
        'users.display_name',
        'users.external_id',
      ]),
    );

    // Said in the channel: the channel's stored reference names them as its last speaker.
    expect(await teamsMessage('forget-me confirm', TEAMS_PERSON, 'channel')).toContain('erased');
    expect(await whereFound(needles)).toEqual([]);
    expect(await whereFound(others)).toEqual(
      expect.arrayContaining(['teams_conversations.reference', 'users.display_name', 'users.external_id']),
    );
    // The channel still gets its questions: its conversation reference is kept, without the person.
    const [channel] = await queryRows<{ active: boolean; service_url: string }>(
      service.database.db,
      sql`select active, reference->>'serviceUrl' as service_url from teams_conversations
          where conversation_id = ${CHANNEL}`,
    );
    expect(channel).toEqual({ active: true, service_url: connector.url });
  });
});
