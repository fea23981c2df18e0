import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackInstallations } from '../../src/db/schema.js';
import type { RunningService } from '../../src/main.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

const SECRET = 'oauth-signing-secret';
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  fake = await startFakeSlack({ teamId: 'T2' });
  const started = await startTestService({
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_CLIENT_ID: '111.222',
    SLACK_CLIENT_SECRET: 'client-secret',
    SLACK_STATE_SECRET: 'a-long-random-state-secret',
    SLACK_API_URL: fake.apiUrl,
  });
  service = started.service;
  cleanups.push(started.stop);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await fake.close();
});

// Every test starts with no installation and no Slack calls, whatever ran before it.
beforeEach(async () => {
  fake.clear();
  await service.database.db.delete(slackInstallations);
});

/** Follows the install link to Slack and back, as an admin of the fake team T2 would. */
async function install() {
  const response = await fetch(`${service.url}/slack/install`, { redirect: 'manual' });
  const location = new URL(response.headers.get('location') ?? '');
  const state = location.searchParams.get('state') ?? '';
  const cookie = (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const redirect = await fetch(
    `${service.url}/slack/oauth_redirect?code=the-code&state=${encodeURIComponent(state)}`,
    { headers: { cookie }, redirect: 'manual' },
  );
  return { install: response, location, redirect };
}

/** T2 installed through the install link: what a test about an installed workspace starts from. */
async function givenInstalled() {
  expect((await install()).redirect.status).toBe(200);
  expect(await service.database.db.select().from(slackInstallations)).toHaveLength(1);
}

describe('Slack: installing in many workspaces (OAuth)', () => {
  it('the install link sends people to Slack, and the redirect stores the installation', async () => {
    const { install: link, location, redirect } = await install();
    expect(link.status).toBe(302);
    expect(location.pathname).toBe('/oauth/v2/authorize');
    expect(location.searchParams.get('client_id')).toBe('111.222');
    expect(location.searchParams.get('scope')).toContain('commands');

    expect(redirect.status).toBe(200);
    expect(fake.of('oauth.v2.access')[0]?.body.code).toBe('the-code');
    const [row] = await service.database.db
      .select()
      .from(slackInstallations)
      .where(eq(slackInstallations.id, 'T2'));
    expect(row?.teamId).toBe('T2');
    expect((row?.installation as { bot?: { token?: string } } | undefined)?.bot?.token).toBe(
      'xoxb-installed-token',
    );
  });

  it('a redirect without the state from our install link is refused and stores nothing', async () => {
    await givenInstalled();
    const forged = await fetch(`${service.url}/slack/oauth_redirect?code=x&state=forged`, {
      redirect: 'manual',
    });
    expect(forged.status).not.toBe(200);
    const rows = await service.database.db.select().from(slackInstallations);
    expect(rows).toHaveLength(1);
  });

  it('commands from the installed workspace use its own token', async () => {
    await givenInstalled();
    const response = await sendToSlackEndpoint(service.url, SECRET, {
      form: {
        command: '/aif-quiz',
        text: 'help',
        team_id: 'T2',
        user_id: 'U1',
        user_name: 'u1',
        channel_id: 'C1',
        channel_name: 'general',
        response_url: fake.responseUrl('help'),
      },
    });
    expect(response.status).toBe(200);
    for (let i = 0; i < 100 && fake.of('/response/help').length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    expect(JSON.stringify(fake.of('/response/help')[0]?.body)).toContain('Commands:');
  });

  it('uninstalling removes the installation and stops the workspace channels', async () => {
    await givenInstalled();
    const response = await sendToSlackEndpoint(service.url, SECRET, {
      json: {
        token: 'x',
        team_id: 'T2',
        api_app_id: 'A1',
        type: 'event_callback',
        event_id: 'Ev-uninstall',
        event_time: 1,
        event: { type: 'app_uninstalled', event_ts: '1.1' },
      },
    });
    expect(response.status).toBe(200);
    for (let i = 0; i < 100; i++) {
      const rows = await service.database.db.select().from(slackInstallations);
      if (rows.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await service.database.db.select().from(slackInstallations)).toHaveLength(0);
  });
});
