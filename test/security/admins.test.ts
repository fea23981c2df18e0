import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningService } from '../../src/main.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const SECRET = 'admins-signing-secret';
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };
const REFUSED = 'Only workspace admins';

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
const cleanups: Array<() => Promise<void>> = [];
let counter = 0;

beforeAll(async () => {
  slack = await startFakeSlack({ admins: ['UDEMOTED'] });
  connector = await startFakeConnector();
  const started = await startTestService({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: 'xoxb-admins',
    SLACK_API_URL: slack.apiUrl,
    TEAMS_EMULATOR: 'true',
    ADMIN_USER_IDS: 'T1:USCOPED, UEVERYWHERE, tenant-a:29:scoped, tenant-a:aad-scoped-by-object-id',
  });
  service = started.service;
  cleanups.push(started.stop);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await slack.close();
  await connector.close();
});

async function slackCommand(text: string, user: string, team = 'T1', channel = 'C1'): Promise<string> {
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
  for (let i = 0; i < 250 && slack.of(`/response/${id}`).length === 0; i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  return JSON.stringify(slack.of(`/response/${id}`)[0]?.body ?? 'no reply');
}

async function teamsCommand(
  text: string,
  from: { id: string; name: string; aadObjectId?: string },
  tenant: string,
): Promise<string> {
  const before = connector.calls.length;
  const channel = `19:${tenant}-general@thread.tacv2`;
  const response = await fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `activity-${++counter}`,
      text: `<at>aif-quiz</at> ${text}`,
      serviceUrl: connector.url,
      channelId: 'msteams',
      from,
      recipient: BOT,
      conversation: { id: channel, conversationType: 'channel', tenantId: tenant, isGroup: true },
      channelData: {
        tenant: { id: tenant },
        team: { id: `19:${tenant}` },
        channel: { id: channel, name: 'General' },
      },
      entities: [{ type: 'mention', mentioned: BOT, text: '<at>aif-quiz</at>' }],
    }),
  });
  expect(response.status).toBeLessThan(300);
  return JSON.stringify(connector.calls.slice(before).map((c) => c.body));
}

describe('Admin rights', () => {
  it('a workspace admin who is demoted loses the rights at their next admin command', async () => {
    expect(await slackCommand('subscribe 09:00', 'UDEMOTED', 'T1', 'C-demoted')).toContain('09:00');
    slack.setAdmins([]);
    expect(await slackCommand('unsubscribe', 'UDEMOTED', 'T1', 'C-demoted')).toContain(REFUSED);
    slack.setAdmins(['UDEMOTED']);
    expect(await slackCommand('unsubscribe', 'UDEMOTED', 'T1', 'C-demoted')).not.toContain(REFUSED);
  });

  it('an ADMIN_USER_IDS entry scoped to a Slack workspace counts in that workspace only', async () => {
    expect(await slackCommand('subscribe 09:00', 'USCOPED', 'T1', 'C-scoped')).toContain('09:00');
    expect(await slackCommand('subscribe 09:00', 'USCOPED', 'T2', 'C-scoped')).toContain(REFUSED);
  });

  it('an unscoped ADMIN_USER_IDS entry still counts in every workspace', async () => {
    for (const team of ['T1', 'T2'])
      expect(await slackCommand('subscribe 10:00', 'UEVERYWHERE', team, 'C-everywhere')).toContain('10:00');
  });

  it('on Teams, an entry scoped to a tenant counts there only, by user id or by AAD object id', async () => {
    const scoped = { id: '29:scoped', name: 'Scoped' };
    expect(await teamsCommand('subscribe 09:00', scoped, 'tenant-a')).toContain('09:00');
    expect(await teamsCommand('subscribe 09:00', scoped, 'tenant-b')).toContain(REFUSED);
    const byObjectId = { id: '29:other-id', name: 'By object id', aadObjectId: 'aad-scoped-by-object-id' };
    expect(await teamsCommand('unsubscribe', byObjectId, 'tenant-a')).not.toContain(REFUSED);
    expect(await teamsCommand('subscribe 09:00', byObjectId, 'tenant-b')).toContain(REFUSED);
  });
});
