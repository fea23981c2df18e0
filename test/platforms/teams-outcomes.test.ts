import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import type { RunningService } from '../../src/main.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { startTestService } from '../support/service.js';

const silent = createLogger({ level: 'silent', format: 'json' });
const CHANNEL = '19:outcomes@thread.tacv2';
const TENANT = 'tenant-outcomes';
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
let stop: () => Promise<void>;
let postId: string;
let question: Question;
let counter = 0;

function activity(overrides: Record<string, unknown>) {
  return {
    type: 'message',
    id: `outcome-${++counter}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: '29:user1', name: 'User One' },
    conversation: { id: CHANNEL, conversationType: 'channel', tenantId: TENANT, isGroup: true },
    recipient: BOT,
    channelData: {
      tenant: { id: TENANT },
      team: { id: '19:team' },
      channel: { id: CHANNEL, name: 'General' },
    },
    ...overrides,
  };
}

/** A person's 1:1 chat with the bot, where commands and submits need no mention. */
function personal(user: string) {
  return {
    from: { id: user, name: user },
    conversation: { id: `a:personal-${user}`, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
  };
}

async function post(body: unknown) {
  const response = await fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

const sentTo = (conversationId: string) =>
  connector.sentTo(conversationId).map((c) => JSON.stringify(c.body));

beforeAll(async () => {
  connector = await startFakeConnector();
  ({ service, stop } = await startTestService({ TEAMS_EMULATOR: 'true' }));
  await post(activity({ type: 'conversationUpdate', membersAdded: [BOT] }));
  const channel = { platform: 'teams' as const, workspaceId: TENANT, channelId: CHANNEL };
  await service.quiz.subscribe(
    { platform: 'teams', workspaceId: TENANT, userId: '29:owner', isPlatformAdmin: true },
    channel,
    { time: NOW.toISOString().slice(11, 16), timezone: 'UTC', days: 'daily' },
  );
  await runJobAt(
    {
      db: service.database.db,
      quizAt: service.quizAt,
      platforms: service.platforms,
      logger: silent,
      defaultTimezone: 'UTC',
      queue: createSendQueue({ concurrency: 4, perKeyIntervalMs: 0 }),
    },
    'daily-post',
    NOW,
  );
  const settings = await service.quiz.channelSettings(channel);
  postId = (await service.quiz.openPostOf(settings?.channelId ?? ''))?.id ?? '';
  question = (await service.quiz.getDailyPost(postId))?.question as Question;
});

afterAll(async () => {
  await stop?.();
  await connector?.close();
});

beforeEach(() => connector.clear());

/**
 * A card submitted in the channel where the question was posted, by someone the bot already knows
 * in a 1:1 chat: the result goes to that chat.
 */
function submit(user: string) {
  const choice = correctChoice(question);
  const inputs =
    question.type === 'multiple'
      ? { multi: choice.join(',') }
      : question.type === 'ordering'
        ? Object.fromEntries(choice.map((step, position) => [`pos:${position}`, String(step)]))
        : question.type === 'matching'
          ? Object.fromEntries(choice.map((answer, prompt) => [`pair:${prompt}`, String(answer)]))
          : {};
  const value =
    question.type === 'single'
      ? { aifq: 'qotd', p: postId, c: choice }
      : { aifq: 'qotd', p: postId, ...inputs };
  return activity({ from: { id: user, name: user }, text: undefined, value });
}

/** The person has written to the bot in private before, so the bot knows their 1:1 chat. */
async function knownPrivately(user: string) {
  await post(activity({ ...personal(user), text: 'help' }));
  connector.clear();
}

// The connector client retries a 5xx by itself; a refusal (403) it does not, so that is how the
// fake makes a send fail.
describe('Teams: the result of a stored answer', () => {
  it('is shown even when the connector refuses the first reply, and nobody is told it was not recorded', async () => {
    await knownPrivately('29:flaky');
    connector.failNext(403);
    expect(await post(submit('29:flaky'))).toBeLessThan(300);
    const replies = sentTo('a:personal-29:flaky');
    console.log(
      JSON.stringify(connector.calls.map((c) => [c.method, c.path, String(c.body.text).slice(0, 60)])),
    );
    expect(replies).toHaveLength(2);
    expect(replies[1]).toContain('Correct!');
    expect(replies.join()).not.toContain('nothing was recorded');
    expect(
      (await service.quiz.personalStats({ platform: 'teams', workspaceId: TENANT, userId: '29:flaky' }))
        .answered,
    ).toBe(1);
  });

  it('says the answer was recorded when every reply with its result fails', async () => {
    await knownPrivately('29:down');
    connector.failNext(403, 403);
    await post(submit('29:down'));
    const replies = sentTo('a:personal-29:down');
    expect(replies.at(-1)).toContain('Your answer was recorded, but the reply with its result failed');
    expect(replies.join()).not.toContain('nothing was recorded');
    expect(
      (await service.quiz.personalStats({ platform: 'teams', workspaceId: TENANT, userId: '29:down' }))
        .answered,
    ).toBe(1);
  });
});

describe('Teams: activities delivered again', () => {
  it('an activity whose handling failed is handled when it comes again, and only then', async () => {
    const help = activity({ ...personal('29:helpme'), text: 'help' });
    connector.failNext(403);
    await post(help);
    // The reply was refused and the person got an apology instead.
    expect(sentTo('a:personal-29:helpme')).toHaveLength(2);
    expect(sentTo('a:personal-29:helpme').at(-1)).toContain('Sorry, something went wrong');
    await post(help);
    expect(sentTo('a:personal-29:helpme').at(-1)).toContain('Commands:');
    const before = sentTo('a:personal-29:helpme').length;
    await post(help);
    expect(sentTo('a:personal-29:helpme')).toHaveLength(before);
  });

  it('a submit delivered twice at once counts once and is answered once', async () => {
    await knownPrivately('29:twice');
    // The other tests answer the same question, in whatever order they run: count what this one adds.
    const before = (await service.quiz.revealOf(postId)).answered;
    const twice = submit('29:twice');
    await Promise.all([post(twice), post(twice)]);
    expect(sentTo('a:personal-29:twice')).toHaveLength(1);
    expect((await service.quiz.revealOf(postId)).answered).toBe(before + 1);
  });
});
