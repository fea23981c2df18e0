import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startCli } from './support/cli.js';
import { createPostgresDatabase, testPostgresUrl } from './support/database.js';
import { startFakeConnector } from './support/fake-connector.js';
import { TEAMS_BOT } from './support/teams.js';

const TENANT = 'tenant-drain';
const PEOPLE = 12;
const serverUrl = testPostgresUrl();
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let database: { url: string; drop(): Promise<void> } | undefined;
let bot: Awaited<ReturnType<typeof startCli>> | undefined;

beforeAll(async () => {
  connector = await startFakeConnector();
  if (serverUrl) database = await createPostgresDatabase(serverUrl);
});

afterAll(async () => {
  await bot?.kill('SIGKILL');
  await database?.drop();
  await connector?.close();
});

let counter = 0;
/** A message in a person's 1:1 chat with the bot, as the connector delivers it. */
function personalActivity(person: number, extra: Record<string, unknown>) {
  const from = { id: `29:drain-${person}`, name: `Person ${person}` };
  return {
    type: 'message',
    id: `drain-activity-${++counter}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from,
    conversation: { id: `a:drain-${person}`, conversationType: 'personal', tenantId: TENANT },
    recipient: TEAMS_BOT,
    channelData: { tenant: { id: TENANT } },
    ...extra,
  };
}

const post = (url: string, body: { id: string }) =>
  fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

type Card = { body: Array<Record<string, unknown>>; actions: Array<{ data: Record<string, unknown> }> };

/**
 * A valid answer to a practice card: its first button, or each of its inputs set to a distinct
 * choice (two options of a multi-select: every multiple-answer question of the mini bank has two).
 */
function answerTo(card: Card): Record<string, unknown> {
  const value: Record<string, unknown> = { ...card.actions[0]?.data };
  const inputs = card.body.filter((e) => e.type === 'Input.ChoiceSet') as Array<{
    id: string;
    isMultiSelect?: boolean;
    choices: Array<{ value: string }>;
  }>;
  inputs.forEach((input, i) => {
    value[input.id] = input.isMultiSelect
      ? input.choices
          .slice(0, 2)
          .map((c) => c.value)
          .join(',')
      : input.choices[i % input.choices.length]?.value;
  });
  return value;
}

/** The reply the bot sent to one activity (botbuilder replies to the activity's id). */
const replyTo = (activityId: string) =>
  connector.calls.find((c) => c.method === 'POST' && c.path.endsWith(`/activities/${activityId}`));

describe('stopping a replica that serves Teams (SIGTERM)', () => {
  it.skipIf(!serverUrl)(
    'finishes every acknowledged activity of a burst, with its reply sent, before it exits',
    { timeout: 90_000 },
    async () => {
      bot = await startCli({
        TEAMS_EMULATOR: 'true',
        DATABASE_URL: database?.url ?? '',
        SCHEDULER: 'off',
        SHUTDOWN_TIMEOUT_MS: '30000',
        QUESTIONS_DIR: path.join(ROOT, 'test/fixtures/mini-bank'),
      });
      const url = bot.url;
      // Each person asks for a practice question first: its card is what they answer in the burst.
      const cards: Card[] = [];
      for (let person = 0; person < PEOPLE; person++) {
        const asked = personalActivity(person, { text: 'practice' });
        expect((await post(url, asked)).status).toBe(200);
        const sent = replyTo(asked.id)?.body as { attachments: Array<{ content: Card }> };
        cards.push(sent.attachments[0]?.content as Card);
      }

      // The burst: every person answers and asks for their stats, while the connector is slow.
      connector.slowDown(400);
      const burst = cards.flatMap((card, person) => [
        personalActivity(person, { text: undefined, value: answerTo(card) }),
        personalActivity(person, { text: 'stats' }),
      ]);
      const responses = burst.map((activity) =>
        post(url, activity).then(
          (r) => r.status,
          () => 0,
        ),
      );
      // SIGTERM once the first replies are on their way, with most of the burst still in flight.
      const deadline = Date.now() + 10_000;
      while (!burst.some((a) => connector.calls.some((c) => c.path.endsWith(`/activities/${a.id}`)))) {
        if (Date.now() > deadline) throw new Error('no reply of the burst was sent');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      const exited = bot.stop();
      const statuses = await Promise.all(responses);
      expect(await exited).toBe(0);

      const acknowledged = burst.filter((_, i) => statuses[i] === 200);
      expect(acknowledged.length).toBe(burst.length);
      for (const activity of acknowledged) expect(replyTo(activity.id), activity.id).toBeDefined();
      const answers = burst.filter((_, i) => i % 2 === 0);
      for (const answer of answers)
        expect(JSON.stringify(replyTo(answer.id)?.body)).toMatch(/Correct|Not quite/);
      const client = new pg.Client({ connectionString: database?.url });
      await client.connect();
      const { rows } = await client.query<{ n: number }>(
        `select count(*)::int as n from practice_answers pa join users u on u.id = pa.user_id
         join workspaces w on w.id = u.workspace_id where w.external_id = $1`,
        [TENANT],
      );
      await client.end();
      expect(rows[0]?.n).toBe(answers.length);
      expect(bot.output()).toContain('shutdown complete: nothing was cut short');
    },
  );
});
