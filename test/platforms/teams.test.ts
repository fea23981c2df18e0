import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import { fixedClock } from '../../src/clock.js';
import { teamsConversations } from '../../src/db/schema.js';
import type { RunningService } from '../../src/main.js';
import { dailyQuestionCard } from '../../src/platforms/teams/cards.js';
import { correctChoice, type Question } from '../../src/quiz/question.js';
import { ROOT } from '../support/cli.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { startTestService } from '../support/service.js';
import { givenTeamsQuestion, runServiceJob } from '../support/teams.js';

const CHANNEL = '19:general@thread.tacv2';
const TENANT = 'tenant-1';
const BOT = { id: '28:aif-quiz-bot', name: 'aif-quiz' };
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const NOW_HHMM = NOW.toISOString().slice(11, 16);
const TODAY = NOW.toISOString().slice(0, 10);

let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
const cleanups: Array<() => Promise<void>> = [];
let counter = 0;

async function startTeamsService(env: Record<string, string>, clock = fixedClock(NOW)) {
  const started = await startTestService(env, { clock });
  cleanups.push(started.stop);
  return started.service;
}

beforeAll(async () => {
  connector = await startFakeConnector({ owners: ['29:owner'] });
  service = await startTeamsService({ TEAMS_EMULATOR: 'true' });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  await connector.close();
});

beforeEach(() => connector.clear());

function activity(
  overrides: Record<string, unknown> & {
    from?: { id: string; name?: string };
    conversation?: Record<string, unknown>;
  },
) {
  const personal = overrides.conversation?.conversationType === 'personal';
  return {
    type: 'message',
    id: `activity-${++counter}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: '29:user1', name: 'User One', aadObjectId: 'aad-user1' },
    conversation: { id: CHANNEL, conversationType: 'channel', tenantId: TENANT, isGroup: true },
    recipient: BOT,
    channelData: personal
      ? { tenant: { id: TENANT } }
      : { tenant: { id: TENANT }, team: { id: '19:team' }, channel: { id: CHANNEL, name: 'General' } },
    ...overrides,
  };
}

async function post(body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${service.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

/** Types a message to the bot (with the @mention Teams adds in channels). */
async function say(
  text: string,
  from = { id: '29:user1', name: 'User One' },
  conversation?: Record<string, unknown>,
) {
  const mention = `<at>aif-quiz</at>`;
  const inChannel = conversation?.conversationType !== 'personal';
  const response = await post(
    activity({
      text: inChannel ? `${mention} ${text}` : text,
      from,
      ...(conversation ? { conversation } : {}),
      ...(inChannel ? { entities: [{ type: 'mention', mentioned: BOT, text: mention }] } : {}),
    }),
  );
  expect(response.status).toBeLessThan(300);
}

const lastText = (calls: Array<{ body: Record<string, unknown> }>) =>
  JSON.stringify(calls.at(-1)?.body ?? {});

function jobAt(name: 'daily-post' | 'close-questions' | 'reminders', at: Date) {
  return runServiceJob(service, name, at);
}

describe('Teams: installation', () => {
  it('adding the bot to a team stores the conversation reference and greets once', async () => {
    const added = { type: 'conversationUpdate', membersAdded: [BOT], text: undefined };
    expect((await post(activity(added))).status).toBeLessThan(300);
    expect((await post(activity(added))).status).toBeLessThan(300);
    const rows = await service.database.db.select().from(teamsConversations);
    expect(rows.map((r) => [r.conversationId, r.kind, r.active])).toContainEqual([CHANNEL, 'channel', true]);
    expect(
      (rows.find((r) => r.conversationId === CHANNEL)?.reference as { serviceUrl: string } | undefined)
        ?.serviceUrl,
    ).toBe(connector.url);
    const greetings = connector
      .sentTo(CHANNEL)
      .filter((c) => JSON.stringify(c.body).includes("I'm the AIF-C01 study bot"));
    expect(greetings).toHaveLength(1);
  });
});

describe('Teams: commands', () => {
  it('a team owner subscribes the channel with a mention', async () => {
    await say(`subscribe ${NOW_HHMM} UTC daily`, { id: '29:owner', name: 'Owner' });
    expect(lastText(connector.sentTo(CHANNEL))).toContain(
      `Question of the day at ${NOW_HHMM} (UTC), every day`,
    );
  });

  it('anyone else is told why, and nothing changes', async () => {
    await say(`subscribe ${NOW_HHMM} UTC daily`, { id: '29:owner', name: 'Owner' });
    await say('unsubscribe');
    expect(lastText(connector.sentTo(CHANNEL))).toContain('Only workspace admins can unsubscribe a channel');
    expect(
      (await service.quiz.channelSettings({ platform: 'teams', workspaceId: TENANT, channelId: CHANNEL }))
        ?.active,
    ).toBe(true);
  });

  it('commands work in personal chat without a mention', async () => {
    const personal = { id: 'a:personal-29:user1', conversationType: 'personal', tenantId: TENANT };
    await say('help', undefined, personal);
    expect(lastText(connector.sentTo(personal.id))).toContain('Commands:');
    await say('leaderbord', undefined, personal);
    expect(lastText(connector.sentTo(personal.id))).toContain('Did you mean');
    await say('practice', undefined, personal);
    expect(lastText(connector.sentTo(personal.id))).toContain('application/vnd.microsoft.card.adaptive');
  });
});

describe('Teams: the question of the day', () => {
  let channels = 0;

  /** A channel of its own with today's question posted; people answer it by submitting its card. */
  async function givenQuestion() {
    const t = await givenTeamsQuestion({
      service,
      connector,
      tenant: TENANT,
      conversation: `19:qotd-${++channels}@thread.tacv2`,
      now: NOW,
    });
    // People of their own too: whether the bot already has a 1:1 chat with them is part of what is tested.
    const user = (name: string) => `29:${name}-${channels}`;
    const submitValue = (choice: number[]) =>
      t.question.type === 'single'
        ? { aifq: 'qotd', p: t.postId, c: choice }
        : { aifq: 'qotd', p: t.postId, ...inputsFor(t.question, choice) };
    /** Submits the card with the right answer, as a reply to it unless told otherwise. */
    const submit = async (name: string, extra: Record<string, unknown> = { replyToId: t.cardActivityId }) => {
      const response = await post(
        activity({
          from: { id: user(name), name },
          conversation: { id: t.conversation, conversationType: 'channel', tenantId: TENANT, isGroup: true },
          text: undefined,
          value: submitValue(correctChoice(t.question)),
          ...extra,
        }),
      );
      expect(response.status).toBeLessThan(300);
    };
    const answered = async () => (await service.quiz.revealOf(t.postId)).answered;
    return { ...t, user, submitValue, submit, answered };
  }

  /** Four people answer right, as the channel would before its reveal. */
  async function givenFourAnswers(t: Awaited<ReturnType<typeof givenQuestion>>) {
    for (const name of ['a', 'b', 'c', 'd']) await t.submit(name);
    expect(await t.answered()).toBe(4);
  }

  it('is posted proactively into the channel as an Adaptive Card', async () => {
    const t = await givenQuestion();
    expect(t.report.outcomes).toEqual([
      { target: t.target, outcome: 'posted', reason: expect.stringContaining(TODAY) },
    ]);
    expect(t.card?.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(t.card?.content.version).toBe('1.5');
    expect(t.cardActivityId).toMatch(/^act-/);
  });

  it('submits from several people are recorded, and feedback goes to each person privately', async () => {
    const t = await givenQuestion();
    for (const name of ['a', 'b', 'c']) await t.submit(name);
    expect(await t.answered()).toBe(3);
    const created = connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
    expect(created.map((c) => (c.body.members as Array<{ id: string }>)[0]?.id)).toEqual([
      t.user('a'),
      t.user('b'),
      t.user('c'),
    ]);
    expect(lastText(connector.sentTo(`a:personal-${t.user('a')}`))).toContain('Correct!');
    // Nothing about anyone's answer is posted in the channel before the reveal.
    expect(connector.sentTo(t.conversation)).toHaveLength(0);
  });

  it('a second submit changes nothing, and a redelivered activity has no second effect', async () => {
    const t = await givenQuestion();
    for (const name of ['a', 'b', 'c']) await t.submit(name);
    await t.submit('a', {});
    expect(lastText(connector.sentTo(`a:personal-${t.user('a')}`))).toContain('You already answered');
    const duplicate = activity({
      from: { id: t.user('d'), name: 'd' },
      conversation: { id: t.conversation, conversationType: 'channel', tenantId: TENANT, isGroup: true },
      text: undefined,
      value: t.submitValue(correctChoice(t.question)),
    });
    await post(duplicate);
    await post(duplicate);
    expect(await t.answered()).toBe(4);
    expect(connector.sentTo(`a:personal-${t.user('d')}`)).toHaveLength(1);
  });

  it('the channel card answered-count is updated in place', async () => {
    const t = await givenQuestion();
    await givenFourAnswers(t);
    const path = `/v3/conversations/${t.conversation}/activities/${t.cardActivityId}`;
    const ofThisCard = () => connector.updates().filter((u) => u.path === path);
    for (let i = 0; i < 400 && ofThisCard().length === 0; i++)
      await new Promise((resolve) => setTimeout(resolve, 20));
    const update = ofThisCard().at(-1);
    expect(update?.path).toBe(path);
    expect(JSON.stringify(update?.body)).toContain('4 answered');
  });

  it('the reveal is a reply in the question thread', async () => {
    const t = await givenQuestion();
    await givenFourAnswers(t);
    const report = await jobAt('close-questions', new Date(NOW.getTime() + 86_400_000));
    expect(report.outcomes.filter((o) => o.target === t.target)).toEqual([
      { target: t.target, outcome: 'revealed', reason: TODAY },
    ]);
    const reveal = connector.sentTo(`${t.conversation};messageid=${t.cardActivityId}`);
    expect(reveal).toHaveLength(1);
    expect(JSON.stringify(reveal[0]?.body)).toContain('4 of 4 answered correctly');
  });

  it('a 429 from the connector is retried and the message delivered once', async () => {
    // Whatever other channels are due now are posted first, so the 429 meets this channel's post.
    await jobAt('daily-post', NOW);
    await say(
      `subscribe ${NOW_HHMM} UTC daily`,
      { id: '29:owner', name: 'Owner' },
      { id: '19:second@thread.tacv2', conversationType: 'channel', tenantId: TENANT },
    );
    connector.clear();
    connector.failNext(429);
    const report = await jobAt('daily-post', NOW);
    expect(report.outcomes).toEqual([
      { target: 'teams:19:second@thread.tacv2', outcome: 'posted', reason: expect.any(String) },
    ]);
    const attempts = connector.sentTo('19:second@thread.tacv2');
    expect(attempts).toHaveLength(2);
    expect((await jobAt('daily-post', NOW)).outcomes).toEqual([]);
  });
});

describe('Teams: reminders', () => {
  it('a reminder opens the person 1:1 chat when there is none and carries a practice card', async () => {
    const learner = { platform: 'teams' as const, workspaceId: TENANT, userId: '29:learner' };
    const weekdayNoon = new Date(NOW);
    weekdayNoon.setUTCHours(12, 0, 0, 0);
    while (weekdayNoon.getUTCDay() === 0 || weekdayNoon.getUTCDay() === 6)
      weekdayNoon.setUTCDate(weekdayNoon.getUTCDate() + 1);
    // The evening before: questions answered in the last 12 hours are not served as weak-topic practice.
    const quiz = service.quizAt(fixedClock(new Date(weekdayNoon.getTime() - 16 * 3600_000)));
    for (let i = 0; i < 3; i++) {
      const practice = await quiz.practice(learner, 'access');
      const right = correctChoice(practice.question);
      const wrong =
        practice.question.type === 'single'
          ? [(right[0]! + 1) % 4]
          : practice.question.type === 'multiple'
            ? [2, 3]
            : [...right].reverse();
      await quiz.answerPractice(learner, {
        questionId: practice.question.id,
        version: practice.question.version,
        issueKey: practice.issueKey,
        choice: wrong,
      });
    }
    const report = await jobAt('reminders', weekdayNoon);
    expect(report.outcomes).toContainEqual({
      target: 'teams:user:29:learner',
      outcome: 'sent',
      reason: 'access',
    });
    const created = connector.calls.find(
      (c) => c.path === '/v3/conversations' && JSON.stringify(c.body).includes('29:learner'),
    );
    expect(created).toBeDefined();
    const sent = lastText(connector.sentTo('a:personal-29:learner'));
    expect(sent).toContain('Your weakest topic right now');
    expect(sent).toContain('Practice on your weakest topic');
    expect(sent).toContain('application/vnd.microsoft.card.adaptive');
  });
});

describe('Teams: cards for every question type', () => {
  it('single gets a button per option; multiple, ordering and matching get choice sets and Submit', async () => {
    const bank = await loadBank(path.join(ROOT, 'test/fixtures/mini-bank'));
    const byType = new Map(bank.questions.map((q) => [q.type, q]));
    const render = (type: string) =>
      dailyQuestionCard({
        postId: 'p',
        localDate: TODAY,
        question: { ...byType.get(type as Question['type'])!, version: 1 } as unknown as Question,
        answered: 0,
        closesAt: null,
        closed: false,
      }) as {
        body: Array<{ type: string; isMultiSelect?: boolean }>;
        actions: Array<{ title: string }>;
      };
    expect(render('single').actions.map((a) => a.title)).toEqual(['A', 'B', 'C', 'D', 'Report a problem']);
    expect(render('multiple').body.find((e) => e.type === 'Input.ChoiceSet')?.isMultiSelect).toBe(true);
    expect(render('ordering').body.filter((e) => e.type === 'Input.ChoiceSet')).toHaveLength(4);
    expect(render('matching').body.filter((e) => e.type === 'Input.ChoiceSet')).toHaveLength(3);
    for (const type of ['multiple', 'ordering', 'matching'])
      expect(render(type).actions.map((a) => a.title)).toEqual(['Submit answer', 'Report a problem']);
  });
});

describe('Teams: feedback and close times', () => {
  it('feedback on a matching answer marks which pairs were right and which were not', async () => {
    const personal = { id: 'a:personal-29:matcher', conversationType: 'personal', tenantId: TENANT };
    const from = { id: '29:matcher', name: 'Matcher' };
    for (let attempt = 0; attempt < 20; attempt++) {
      await say('topic learning-types', from, personal);
      const sent = connector.sentTo(personal.id).at(-1)?.body as {
        attachments?: Array<{ content: { actions?: Array<{ data?: Record<string, unknown> }> } }>;
      };
      const data = sent.attachments?.[0]?.content.actions?.[0]?.data as
        | { aifq: 'practice'; q: string; v: number; k: string }
        | undefined;
      if (!data) continue;
      const question = (await service.quiz.practiceQuestion(data.q, data.v))!;
      if (question.type !== 'matching') continue;
      // The first two prompts swapped, the third right.
      const response = await post(
        activity({
          from,
          conversation: personal,
          text: undefined,
          value: { ...data, ...inputsFor(question, [1, 0, 2]) },
        }),
      );
      expect(response.status).toBeLessThan(300);
      const feedback = lastText(connector.sentTo(personal.id));
      expect(feedback).toContain('1 of 3 pairs right');
      expect(feedback).toContain(`✗ 1. ${question.pairs[0]!.prompt}`);
      expect(feedback).toContain(`✓ 3. ${question.pairs[2]!.prompt}`);
      return;
    }
    throw new Error('no matching practice question came up');
  });

  it("a question card shows its close time in the channel's timezone", async () => {
    const bank = await loadBank(path.join(ROOT, 'test/fixtures/mini-bank'));
    const card = dailyQuestionCard({
      postId: 'p',
      localDate: '2026-11-02',
      question: { ...bank.questions[0]!, version: 1 } as unknown as Question,
      answered: 3,
      closesAt: new Date('2026-11-03T09:00:00Z'),
      closed: false,
      timezone: 'Europe/Paris',
    });
    expect(JSON.stringify(card)).toContain('closes 2026-11-03 10:00 Europe/Paris');
  });
});

describe('Teams: authentication', () => {
  it('with an app id configured, an unsigned request gets 401 and nothing is stored', async () => {
    const secured = await startTeamsService({
      MICROSOFT_APP_ID: '00000000-0000-0000-0000-000000000001',
      MICROSOFT_APP_PASSWORD: 'secret',
    });
    const response = await fetch(`${secured.url}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        activity({
          text: 'optout',
          conversation: { id: '19:unsigned@thread.tacv2', conversationType: 'channel', tenantId: TENANT },
        }),
      ),
    });
    expect(response.status).toBe(401);
    expect(await secured.database.db.select().from(teamsConversations)).toHaveLength(0);
  });
});

/** The `value` Teams sends with a Submit click, for a given choice. */
function inputsFor(question: Question, choice: number[]): Record<string, string> {
  switch (question.type) {
    case 'single':
      return {};
    case 'multiple':
      return { multi: choice.join(',') };
    case 'ordering':
      return Object.fromEntries(choice.map((step, position) => [`pos:${position}`, String(step)]));
    case 'matching':
      return Object.fromEntries(choice.map((answer, prompt) => [`pair:${prompt}`, String(answer)]));
  }
}
