import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const SIGNING_SECRET = 'signing-secret-4f1c9a7e';
const CLIENT_SECRET = 'client-secret-8d2b6e31';
const STATE_SECRET = 'state-secret-0b7a5c94d';
const ENCRYPTION_KEY = Buffer.alloc(32, 0x5a).toString('base64');
const DATABASE_PASSWORD = 'database-password-2e6f';
/** What the fake Slack hands out when the app is installed. */
const INSTALLED_TOKEN = 'xoxb-installed-token';
const SECRETS = [
  SIGNING_SECRET,
  CLIENT_SECRET,
  STATE_SECRET,
  ENCRYPTION_KEY,
  DATABASE_PASSWORD,
  INSTALLED_TOKEN,
];

/** A display name of 100 KB, recognisable by its filler. */
const HUGE_NAME = `Huge ${'Qx'.repeat(50_000)}`;

const lines: string[] = [];
const logs = new Writable({
  write(chunk, _encoding, done) {
    lines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
const cleanups: Array<() => Promise<void>> = [];
let interaction = 0;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'], teamId: 'T2' });
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_CLIENT_ID: '111.222',
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      SLACK_STATE_SECRET: STATE_SECRET,
      SLACK_API_URL: fake.apiUrl,
      ENCRYPTION_KEY,
      TEAMS_EMULATOR: 'true',
      LOG_LEVEL: 'trace',
    },
    { logs, databasePassword: DATABASE_PASSWORD },
  );
  service = started.service;
  cleanups.push(started.stop);
  // Every test below talks to workspace T2, so it is installed (through the real OAuth flow) here,
  // not by whichever test happens to run first; its logs still count for the full-run check.
  expect(await install()).toBe(200);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake.close();
});

async function waitFor<T>(find: () => T | undefined, what: string, ms = 5000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function refuse(table: string, when = 'true') {
  const db = service.database.db;
  await db.execute(
    sql.raw(`create or replace function refuse_${table}() returns trigger language plpgsql as $$
      begin raise exception 'the disk is full'; end $$`),
  );
  await db.execute(
    sql.raw(
      `create trigger refuse_${table} before insert or update on ${table} for each row when (${when}) execute function refuse_${table}()`,
    ),
  );
  return async () => {
    await db.execute(sql.raw(`drop trigger refuse_${table} on ${table}`));
    await db.execute(sql.raw(`drop function refuse_${table}()`));
  };
}

/** Goes through Slack's OAuth install as a person clicking "Add to Slack" would; returns the redirect's status. */
async function install(): Promise<number> {
  const start = await fetch(`${service.url}/slack/install`, { redirect: 'manual' });
  const state = new URL(start.headers.get('location') ?? '').searchParams.get('state') ?? '';
  const cookie = (start.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const redirect = await fetch(
    `${service.url}/slack/oauth_redirect?code=the-code&state=${encodeURIComponent(state)}`,
    { headers: { cookie }, redirect: 'manual' },
  );
  await redirect.text();
  return redirect.status;
}

async function command(text: string, user = 'U1', userName = user.toLowerCase()) {
  const id = `cmd${++interaction}`;
  const response = await sendToSlackEndpoint(service.url, SIGNING_SECRET, {
    form: {
      command: '/aif-quiz',
      text,
      team_id: 'T2',
      team_domain: 'second',
      channel_id: 'C1',
      channel_name: 'general',
      user_id: user,
      user_name: userName,
      response_url: fake.responseUrl(id),
      trigger_id: '1.2.3',
      api_app_id: 'A1',
      token: 'legacy',
    },
  });
  expect(response.status).toBe(200);
  return JSON.stringify((await waitFor(() => fake.of(`/response/${id}`)[0], `the reply to "${text}"`)).body);
}

async function teams(text: string) {
  const response = await fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      type: 'message',
      id: `activity-${++interaction}`,
      text,
      serviceUrl: fake.apiUrl.replace(/\/api\/$/, ''),
      channelId: 'msteams',
      from: { id: '29:someone', name: 'Someone', aadObjectId: 'aad-someone' },
      conversation: { id: 'a:personal-chat', conversationType: 'personal', tenantId: 'tenant-1' },
      recipient: { id: '28:bot', name: 'aif-quiz' },
      channelData: { tenant: { id: 'tenant-1' } },
    }),
  });
  expect(response.status).toBeLessThan(500);
}

describe('Secrets never reach the logs', () => {
  it('a full run (install, a failed install, every command, failures) logs no configured secret or token', async () => {
    // The database refuses to store the second installation: the failure is logged, the token is not.
    const allowInstalls = await refuse('slack_installations');
    expect(await install()).not.toBe(200);
    await allowInstalls();

    for (const text of [
      'help',
      '',
      'topics',
      'stats',
      'leaderboard',
      'leaderboard all workspace',
      'settings',
      'reminders daily',
      'snooze 3',
      'timezone Europe/Berlin',
      'optout',
      'optin',
      'forget-me',
      'digest fri 16:00',
      'leaderbord',
    ])
      await command(text, 'U3');
    expect(await command('subscribe 09:00 Europe/Berlin weekdays', 'UADMIN')).toContain('09:00');
    expect(await command('unsubscribe', 'UADMIN')).not.toContain('Sorry');
    await command('forget-me confirm', 'U3');

    // A failing write during a command: logged as an error without the values it tried to store.
    const allowChannels = await refuse('channels');
    expect(await command('subscribe 10:00', 'UADMIN')).toContain('Sorry, something went wrong');
    await allowChannels();

    await teams('help');
    await teams('stats');

    const errors = lines.filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).toContain('the disk is full');
    for (const secret of SECRETS) {
      const leaks = lines.filter((line) => line.includes(secret));
      expect(leaks, `log lines holding ${secret.slice(0, 12)}…`).toEqual([]);
    }
    expect(lines.join('\n')).not.toMatch(/client_secret=(?!\[redacted\])/);
    // Failed queries are logged with their SQL, never with the values they carried.
    expect(lines.filter((line) => /params: (?!\[not logged\])/.test(line))).toEqual([]);
  });

  it('installation tokens are stored encrypted: no column of the table holds one in clear', async () => {
    const rows = await queryRows<{ id: string; key_id: string | null; whole: string }>(
      service.database.db,
      sql`select id, key_id, t::text as whole from slack_installations t`,
    );
    expect(rows.map((r) => r.id)).toEqual(['T2']);
    expect(rows[0]?.key_id).toMatch(/^[0-9a-f]{12}$/);
    expect(rows[0]?.whole).not.toContain(INSTALLED_TOKEN);
    expect(rows[0]?.whole).not.toContain('xoxb-');
    // …and the bot still uses it: a command from that workspace is answered with its token.
    expect(await command('help', 'U4')).toContain('Commands:');
  });

  it('a 100 KB display name in a failed write gives a short error line, without the name or the values', async () => {
    const allowUsers = await refuse('users', 'length(new.display_name) > 50000');
    const before = lines.length;
    // A command that stores the person (a read such as "stats" no longer does).
    expect(await command('optout', 'UHUGE', HUGE_NAME)).toContain('Sorry, something went wrong');
    await allowUsers();
    const written = lines.slice(before);
    const failure = written.find((line) => line.includes('the disk is full'));
    expect(failure).toBeDefined();
    expect(failure?.length).toBeLessThan(8_000);
    expect(failure).not.toContain('QxQxQx');
    expect(failure).toContain('values not logged');
    // Whatever else the request logged (Bolt's trace of the request) is cut short too.
    expect(Math.max(...written.map((line) => line.length))).toBeLessThan(8_000);
    expect(written.filter((line) => line.includes('QxQxQx'))).toEqual([]);
  });

  it("a refused Teams request is logged through the service's logs, not botbuilder's console, without the app password", async () => {
    const password = 'microsoft-app-password-91c3';
    const teamsLines: string[] = [];
    const teamsLogs = new Writable({
      write(chunk, _encoding, done) {
        teamsLines.push(...String(chunk).split('\n').filter(Boolean));
        done();
      },
    });
    const started = await startTestService(
      { MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001', MICROSOFT_APP_PASSWORD: password },
      { logs: teamsLogs },
    );
    cleanups.push(started.stop);
    const consoleError = vi.spyOn(console, 'error');
    try {
      const response = await fetch(`${started.service.url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-real-token' },
        body: JSON.stringify({
          type: 'message',
          id: 'unsigned-1',
          text: 'help',
          serviceUrl: 'https://smba.trafficmanager.net/emea/',
          channelId: 'msteams',
          from: { id: '29:someone' },
          conversation: { id: 'a:chat', conversationType: 'personal', tenantId: 'tenant-1' },
          recipient: { id: '28:bot' },
        }),
      });
      expect(response.status).toBe(401);
      expect(consoleError).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
    }
    expect(teamsLines.some((line) => line.includes('a Teams request failed authentication'))).toBe(true);
    expect(teamsLines.filter((line) => line.includes(password) || line.includes('not-a-real-token'))).toEqual(
      [],
    );
  });
});
