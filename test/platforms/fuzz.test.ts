import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { Agent, request as undiciRequest } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import { cardDataSchema } from '../../src/platforms/teams/cards.js';
import { dailyValueSchema, practiceValueSchema, reminderChoiceSchema } from '../../src/quiz/values.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { signSlackRequest, startFakeSlack } from '../support/fake-slack.js';
import { captureLogs } from '../support/log-capture.js';
import { startTestService } from '../support/service.js';

// Ten thousand random and mutated requests to both endpoints, correctly signed for Slack and in
// the emulator's mode for Teams: none may get a 5xx or take the service down, memory must stay
// flat, and the ones that are invalid must leave the database exactly as it was.

const SECRET = 'fuzz-signing-secret';
const SEED = Number(process.env.FUZZ_SEED ?? 20261204);
const INVALID_RUNS = Number(process.env.FUZZ_INVALID ?? 8_000);
const RANDOM_RUNS = Number(process.env.FUZZ_RANDOM ?? 2_000);
const IN_FLIGHT = 16;
/**
 * How much memory may grow between the end of the warm-up and the end of the run, each measured
 * after a full collection. What the program keeps (the JavaScript heap) must stay flat; the
 * process's resident size also holds pages V8 and the allocator keep for reuse, so its bound is
 * looser: a leak of a few kilobytes a request would still pass neither.
 */
const HEAP_GROWTH_LIMIT = 32 * 1024 * 1024;
const RSS_GROWTH_LIMIT = 256 * 1024 * 1024;
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };

// Memory is sampled after a full garbage collection, so the comparison is of what is kept, not of
// when the collector last ran.
setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;
function memoryAfterCollection(): { rss: number; heap: number } {
  collectGarbage();
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heap: heapUsed };
}

interface FuzzRequest {
  path: '/slack/events' | '/api/messages';
  contentType: string;
  body: string;
  /** Slack requests are signed over exactly this body. */
  signed: boolean;
}

let slack: Awaited<ReturnType<typeof startFakeSlack>>;
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
let stop: () => Promise<void>;
const logs = captureLogs();

beforeAll(async () => {
  slack = await startFakeSlack({ admins: ['UADMIN'] });
  connector = await startFakeConnector();
  const started = await startTestService(
    {
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: 'xoxb-fuzz',
      SLACK_API_URL: slack.apiUrl,
      TEAMS_EMULATOR: 'true',
      LOG_LEVEL: 'warn',
    },
    { logs: logs.stream },
  );
  service = started.service;
  stop = started.stop;
});

afterAll(async () => {
  await pool.close();
  await stop?.();
  await slack?.close();
  await connector?.close();
});

// ---- What valid requests look like --------------------------------------------------------------

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

function slackCommand(text: string, user: string): Record<string, unknown> {
  return {
    command: '/aif-quiz',
    text,
    team_id: 'T1',
    channel_id: 'C1',
    channel_name: 'general',
    user_id: user,
    user_name: 'someone',
    response_url: slack.responseUrl('fuzz'),
  };
}

function slackClick(actionId: string, value: string, user: string): Record<string, unknown> {
  return {
    type: 'block_actions',
    team: { id: 'T1', domain: 'x' },
    user: { id: user, username: 'someone', team_id: 'T1' },
    api_app_id: 'A1',
    container: { type: 'message', message_ts: '1.1', channel_id: 'C1' },
    channel: { id: 'C1', name: 'general' },
    response_url: slack.responseUrl('fuzz'),
    actions: [{ action_id: actionId, block_id: 'b', type: 'button', value, action_ts: '1' }],
    state: { values: {} },
  };
}

function slackEvent(user: string): Record<string, unknown> {
  return {
    type: 'event_callback',
    team_id: 'T1',
    api_app_id: 'A1',
    event_id: `Ev${user}`,
    event_time: 1,
    event: { type: 'app_home_opened', user, channel: 'D1', tab: 'home', event_ts: '1.1' },
  };
}

function teamsActivity(user: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'message',
    id: `fuzz-${user}`,
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: user, name: 'Someone' },
    conversation: { id: `a:personal-${user}`, conversationType: 'personal', tenantId: 'tenant-1' },
    recipient: BOT,
    channelData: { tenant: { id: 'tenant-1' } },
    ...extra,
  };
}

const user = fc.stringMatching(/^U[A-Z0-9]{3,10}$/);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const notAString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.array(anyJson, { maxLength: 3 }),
  fc.object({ maxDepth: 1 }),
);
const commandText = fc.oneof(
  fc.constantFrom(
    'help',
    'stats',
    'leaderboard',
    'topics',
    'settings',
    'practice',
    'optout',
    'reminders off',
    'subscribe 09:00',
    'forget-me',
  ),
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
);

/** A copy of `value` with the entry at `path` removed or replaced. */
function mutated(
  value: Record<string, unknown>,
  path: readonly string[],
  replacement: { drop: true } | { with: unknown },
) {
  const copy = structuredClone(value);
  let at: Record<string, unknown> = copy;
  for (const key of path.slice(0, -1)) {
    const next = at[key];
    if (typeof next !== 'object' || next === null) return copy;
    at = next as Record<string, unknown>;
  }
  const last = path.at(-1) as string;
  if ('drop' in replacement) delete at[last];
  else at[last] = replacement.with;
  return copy;
}

const breakage = fc.oneof(
  fc.constant({ drop: true as const }),
  notAString.map((v) => ({ with: v })),
);

// ---- Invalid requests: each breaks something the bot needs, or carries a value it never sends ----

const slackInvalid: fc.Arbitrary<FuzzRequest> = fc.oneof(
  // A command missing a field it needs, or with one of the wrong type.
  fc
    .tuple(
      commandText,
      user,
      fc.constantFrom(['team_id'], ['user_id'], ['channel_id'], ['command'], ['response_url']),
      breakage,
    )
    .map(([text, u, path, how]) => {
      const fields = mutated(slackCommand(text, u), path, how);
      return {
        path: '/slack/events' as const,
        contentType: 'application/x-www-form-urlencoded',
        body: form(
          Object.fromEntries(Object.entries(fields).filter(([, v]) => typeof v === 'string')) as Record<
            string,
            string
          >,
        ),
        signed: true,
      };
    }),
  // A click whose payload lacks what Bolt routes on.
  fc
    .tuple(
      user,
      fc.constantFrom(
        ['type'],
        ['team'],
        ['team', 'id'],
        ['user'],
        ['user', 'id'],
        ['actions'],
        ['actions', '0'],
        ['actions', '0', 'action_id'],
      ),
      breakage,
    )
    .map(([u, path, how]) => ({
      path: '/slack/events' as const,
      contentType: 'application/x-www-form-urlencoded',
      body: form({
        payload: JSON.stringify(mutated(slackClick('qotd_single:A', '{"p":"x"}', u), path, how)),
      }),
      signed: true,
    })),
  // An App Home reminders click with a value the bot never offers.
  fc
    .tuple(
      user,
      fc.string({ maxLength: 300 }).filter((v) => !reminderChoiceSchema.safeParse(v).success),
    )
    .map(([u, value]) => ({
      path: '/slack/events' as const,
      contentType: 'application/x-www-form-urlencoded',
      body: form({
        payload: JSON.stringify({
          ...slackClick(`${ACTIONS.homeReminders}:x`, value, u),
          response_url: undefined,
          channel: undefined,
        }),
      }),
      signed: true,
    })),
  // Answer and practice buttons whose values do not fit.
  fc
    .tuple(
      user,
      fc.constantFrom(
        ACTIONS.dailySingle,
        ACTIONS.dailySubmit,
        ACTIONS.practiceSingle,
        ACTIONS.practiceSubmit,
      ),
      fc.oneof(
        fc.string({ maxLength: 100 }),
        anyJson.map((v) => JSON.stringify(v)),
      ),
    )
    .filter(([, action, value]) => {
      const schema = action.startsWith('qotd') ? dailyValueSchema : practiceValueSchema;
      try {
        return !schema.safeParse(JSON.parse(value)).success;
      } catch {
        return true;
      }
    })
    .map(([u, action, value]) => ({
      path: '/slack/events' as const,
      contentType: 'application/x-www-form-urlencoded',
      body: form({ payload: JSON.stringify(slackClick(`${action}:A`, value, u)) }),
      signed: true,
    })),
  // An event without what its listener reads.
  fc
    .tuple(
      user,
      fc.constantFrom(['event'], ['event', 'type'], ['event', 'user'], ['team_id'], ['event_id']),
      breakage,
    )
    .map(([u, path, how]) => ({
      path: '/slack/events' as const,
      contentType: 'application/json',
      body: JSON.stringify(mutated(slackEvent(u), path, how)),
      signed: true,
    })),
  // Bodies that are not what they claim to be.
  fc
    .oneof(
      fc.string({ maxLength: 500 }),
      fc.string({ unit: 'binary', maxLength: 500 }),
      anyJson.map((v) => JSON.stringify(v)),
    )
    .map((body) => ({
      path: '/slack/events' as const,
      contentType: 'application/json',
      body: body.startsWith('{') ? `${body}}` : body,
      signed: true,
    })),
);

const teamsInvalid: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc
    .tuple(
      user,
      fc.constantFrom(
        ['type'],
        ['conversation'],
        ['conversation', 'id'],
        ['from'],
        ['from', 'id'],
        ['recipient'],
        ['serviceUrl'],
        ['channelId'],
      ),
      breakage,
    )
    .map(([u, path, how]) => ({
      path: '/api/messages' as const,
      contentType: 'application/json',
      body: JSON.stringify(mutated(teamsActivity(u, { text: 'help' }), path, how)),
      signed: false,
    })),
  // A card of the bot's submitted with values it never sends.
  fc
    .tuple(
      user,
      fc.constantFrom('qotd', 'practice'),
      fc.dictionary(fc.constantFrom('p', 'q', 'v', 'k', 'c', 'r'), anyJson, { maxKeys: 5 }),
    )
    .filter(([, aifq, fields]) => !cardDataSchema.safeParse({ aifq, ...fields }).success)
    .map(([u, aifq, fields]) => ({
      path: '/api/messages' as const,
      contentType: 'application/json',
      body: JSON.stringify(teamsActivity(u, { value: { aifq, ...fields } })),
      signed: false,
    })),
  fc
    .oneof(
      fc.string({ maxLength: 500 }),
      fc.string({ unit: 'binary', maxLength: 500 }),
      anyJson.map((v) => JSON.stringify(v)),
    )
    .filter((body) => {
      try {
        const parsed = JSON.parse(body) as { type?: unknown };
        return typeof parsed !== 'object' || parsed === null || typeof parsed.type !== 'string';
      } catch {
        return true;
      }
    })
    .map((body) => ({
      path: '/api/messages' as const,
      contentType: 'application/json',
      body,
      signed: false,
    })),
);

// ---- Random requests of the right shape: anything may happen, except a 5xx ----------------------

const slackRandom: fc.Arbitrary<FuzzRequest> = fc.oneof(
  fc.tuple(commandText, user).map(([text, u]) => ({
    path: '/slack/events' as const,
    contentType: 'application/x-www-form-urlencoded',
    body: form(slackCommand(text, u) as Record<string, string>),
    signed: true,
  })),
  fc
    .tuple(
      user,
      fc.constantFrom(...Object.values(ACTIONS), 'unknown_action'),
      fc.oneof(
        fc.string({ maxLength: 60 }),
        fc.record({ p: fc.uuid(), c: fc.array(fc.nat(6), { maxLength: 4 }) }).map((v) => JSON.stringify(v)),
      ),
    )
    .map(([u, action, value]) => ({
      path: '/slack/events' as const,
      contentType: 'application/x-www-form-urlencoded',
      body: form({ payload: JSON.stringify(slackClick(`${action}:A`, value, u)) }),
      signed: true,
    })),
  user.map((u) => ({
    path: '/slack/events' as const,
    contentType: 'application/json',
    body: JSON.stringify(slackEvent(u)),
    signed: true,
  })),
);

const teamsRandom: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    user,
    fc.option(commandText, { nil: undefined }),
    fc.option(
      fc.record({
        aifq: fc.constantFrom('qotd', 'practice'),
        p: fc.uuid(),
        q: fc.string({ maxLength: 10 }),
        v: fc.nat(5),
        k: fc.uuid(),
      }),
      { nil: undefined },
    ),
  )
  .map(([u, text, value]) => ({
    path: '/api/messages' as const,
    contentType: 'application/json',
    body: JSON.stringify(
      teamsActivity(u, { ...(text !== undefined ? { text } : {}), ...(value ? { value } : {}) }),
    ),
    signed: false,
  }));

// ---- Sending -----------------------------------------------------------------------------------

/** Keep-alive connections, one per request in flight: the client should cost little next to the service. */
const pool = new Agent({ connections: IN_FLIGHT, pipelining: 1 });

async function send(request: FuzzRequest): Promise<number> {
  const response = await undiciRequest(`${service.url}${request.path}`, {
    method: 'POST',
    headers: {
      'content-type': request.contentType,
      ...(request.signed ? signSlackRequest(request.body, SECRET) : {}),
    },
    body: request.body,
    dispatcher: pool,
  });
  await response.body.dump();
  return response.statusCode;
}

/** Sends every request, a few at a time; returns how many got each status. */
async function sendAll(
  requests: FuzzRequest[],
): Promise<{ statuses: Map<number, number>; serverErrors: FuzzRequest[] }> {
  const statuses = new Map<number, number>();
  const serverErrors: FuzzRequest[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < requests.length) {
        // The fakes record every call; forget them now and then so they do not count as growth.
        if (next % 500 === 0) {
          slack.clear();
          connector.clear();
        }
        const request = requests[next++] as FuzzRequest;
        const status = await send(request);
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status >= 500) serverErrors.push(request);
      }
    }),
  );
  return { statuses, serverErrors };
}

/** Every row of every table, hashed: equal fingerprints mean nothing was stored or changed. */
async function fingerprint(): Promise<Record<string, string>> {
  const tables = await queryRows<{ name: string }>(
    service.database.db,
    sql`select tablename as name from pg_tables where schemaname = 'public' order by tablename`,
  );
  const result: Record<string, string> = {};
  for (const { name } of tables) {
    const [row] = await queryRows<{ digest: string }>(
      service.database.db,
      sql.raw(
        `select count(*) || ':' || md5(coalesce(string_agg(t::text, '|' order by t::text), '')) as digest from "${name}" t`,
      ),
    );
    result[name] = row?.digest ?? '';
  }
  return result;
}

describe('Fuzzing both endpoints', () => {
  it('ten thousand random and mutated requests: no 5xx, the service stays up, memory stays flat, invalid ones store nothing', async () => {
    const started = Date.now();
    const invalid = fc.sample(fc.oneof(slackInvalid, teamsInvalid), { numRuns: INVALID_RUNS, seed: SEED });
    const random = fc.sample(fc.oneof(slackRandom, teamsRandom), { numRuns: RANDOM_RUNS, seed: SEED + 1 });

    // Warm up on a slice, so what is measured afterwards is growth, not start-up.
    const t0 = Date.now();
    const warmUp = await sendAll(invalid.slice(0, 1_000));
    const t1 = Date.now();
    const before = await fingerprint();
    const memoryBefore = memoryAfterCollection();
    const rest = await sendAll(invalid.slice(1_000));
    // Replies to refused clicks go out after the acknowledgement; let them land before comparing.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await fingerprint()).toEqual(before);

    const t2 = Date.now();
    const shaped = await sendAll(random);
    console.log(
      `timing: sample ${t0 - started} ms, warm-up ${t1 - t0} ms, invalid ${t2 - t1} ms, shaped ${Date.now() - t2} ms`,
    );
    const memoryAfter = memoryAfterCollection();

    const serverErrors = [...warmUp.serverErrors, ...rest.serverErrors, ...shaped.serverErrors];
    expect(serverErrors.slice(0, 3), `seed ${SEED}`).toEqual([]);
    for (const status of [...warmUp.statuses.keys(), ...rest.statuses.keys()])
      expect(status).toBeLessThan(500);
    const grew = { rss: memoryAfter.rss - memoryBefore.rss, heap: memoryAfter.heap - memoryBefore.heap };
    expect(grew.heap, `heap grew by ${grew.heap} bytes`).toBeLessThan(HEAP_GROWTH_LIMIT);
    expect(grew.rss, `RSS grew by ${grew.rss} bytes`).toBeLessThan(RSS_GROWTH_LIMIT);
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    // Bad input is the client's problem: warnings, never errors with stacks.
    expect(logs.errors().map((l) => l.msg)).toEqual([]);
    console.log(
      `fuzz (seed ${SEED}): invalid ${[...mergeCounts(warmUp.statuses, rest.statuses)].map(([s, n]) => `${s}×${n}`).join(' ')}; shaped ${[...shaped.statuses].map(([s, n]) => `${s}×${n}`).join(' ')}; heap ${Math.round(grew.heap / 1024 / 1024)} MB, RSS ${Math.round(grew.rss / 1024 / 1024)} MB`,
    );
  }, 300_000);
});

function mergeCounts(...maps: Array<Map<number, number>>): Map<number, number> {
  const merged = new Map<number, number>();
  for (const map of maps) for (const [status, n] of map) merged.set(status, (merged.get(status) ?? 0) + n);
  return new Map([...merged].sort(([a], [b]) => a - b));
}
