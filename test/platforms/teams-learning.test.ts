import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { correctChoice } from '../../src/quiz/question.js';
import { teamsInputsFor } from '../support/answers.js';
import { wrongChoice } from '../support/choices.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { startTestService } from '../support/service.js';
import { givenTeamsQuestion, postToTeamsBot, TEAMS_BOT } from '../support/teams.js';

// The study coach in Teams, through the bot's real endpoint and a fake Bot Connector.

const TENANT = 'tenant-learning';
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const IN_30_DAYS = new Date(NOW.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
let connector: Awaited<ReturnType<typeof startFakeConnector>>;
let service: RunningService;
let stop: () => Promise<void>;
let counter = 0;
const clock = fixedClock(NOW);

beforeAll(async () => {
  connector = await startFakeConnector({ owners: ['29:owner'] });
  const started = await startTestService({ TEAMS_EMULATOR: 'true' }, { clock });
  service = started.service;
  stop = started.stop;
});

afterAll(async () => {
  await stop();
  await connector.close();
});

beforeEach(() => {
  connector.clear();
  clock.set(NOW);
});

const personalChat = (user: string) => ({
  id: `a:personal-${user}`,
  conversationType: 'personal',
  tenantId: TENANT,
});

/** A message (typed text or a submitted card) in the person's 1:1 chat with the bot. */
async function inPersonalChat(
  user: string,
  message: { text?: string; value?: Record<string, unknown>; replyToId?: string },
) {
  await postToTeamsBot(service, {
    type: 'message',
    id: `activity-learning-${++counter}`,
    timestamp: new Date().toISOString(),
    serviceUrl: connector.url,
    channelId: 'msteams',
    from: { id: user, name: user },
    conversation: personalChat(user),
    recipient: TEAMS_BOT,
    channelData: { tenant: { id: TENANT } },
    ...message,
  });
  return JSON.stringify(connector.sentTo(personalChat(user).id).at(-1)?.body ?? {});
}

async function reviewsOf(user: string) {
  await service.quiz.learningSettled();
  const userId = await service.quiz.userIdOf({ platform: 'teams', workspaceId: TENANT, userId: user });
  return queryRows<{ question_id: string; source: string; sure: boolean | null }>(
    service.database.db,
    sql`select question_id, source, sure from learning_reviews where user_id = ${userId} order by id`,
  );
}

/** The practice card last sent to the person, answered right or wrong by submitting it. */
async function answerPracticeCard(user: string, sent: string, right: boolean) {
  const data = /"data":\{"aifq":"practice","q":"([^"]+)","v":(\d+),"k":"([^"]+)"/.exec(sent);
  expect(data).not.toBeNull();
  const [, q, v, k] = data as unknown as [string, string, string, string];
  const question = (await service.quiz.practiceQuestion(q, Number(v)))!;
  const choice = right ? correctChoice(question) : wrongChoice(question);
  const feedback = await inPersonalChat(user, {
    value: { aifq: 'practice', q, v: Number(v), k, ...teamsInputsFor(question, choice) },
  });
  return { question, feedback };
}

describe('Teams: answers make cards, and the confidence tap', () => {
  it('an answer to the question of the day makes a card; "I was sure" on the card under its feedback marks it', async () => {
    const t = await givenTeamsQuestion({
      service,
      connector,
      tenant: TENANT,
      conversation: '19:learning@thread.tacv2',
      now: NOW,
    });
    const user = '29:sure';
    const value =
      t.question.type === 'single'
        ? { aifq: 'qotd', p: t.postId, c: correctChoice(t.question) }
        : { aifq: 'qotd', p: t.postId, ...teamsInputsFor(t.question, correctChoice(t.question)) };
    await postToTeamsBot(service, {
      type: 'message',
      id: `activity-learning-${++counter}`,
      timestamp: new Date().toISOString(),
      serviceUrl: connector.url,
      channelId: 'msteams',
      from: { id: user, name: 'Sure' },
      conversation: { id: t.conversation, conversationType: 'channel', tenantId: TENANT, isGroup: true },
      recipient: TEAMS_BOT,
      channelData: { tenant: { id: TENANT }, team: { id: '19:team' }, channel: { id: t.conversation } },
      replyToId: t.cardActivityId,
      value,
    });
    const feedback = JSON.stringify(connector.sentTo(`a:personal-${user}`).at(-1)?.body ?? {});
    expect(feedback).toContain('Correct!');
    expect(feedback).toContain('I was sure');
    expect(feedback).toContain('"aifq":"confidence"');
    expect(await reviewsOf(user)).toEqual([{ question_id: t.question.id, source: 'daily', sure: null }]);

    const sent = connector.sentTo(`a:personal-${user}`).at(-1)?.body as {
      text: string;
      attachments: Array<{ content: { actions: Array<{ title: string; data: Record<string, unknown> }> } }>;
    };
    const tap = (title: string) => sent.attachments[0]!.content.actions.find((a) => a.title === title)!.data;

    // The tap updates the feedback message it sits under: the same feedback, the mark instead of buttons.
    const sentBefore = connector.sentTo(`a:personal-${user}`).length;
    await inPersonalChat(user, { value: tap('I was sure'), replyToId: 'feedback-1' });
    // Only the feedback in the personal chat: the channel's card may be updated with its answered count.
    const feedbackUpdates = () => connector.updates().filter((u) => u.path.includes(`a:personal-${user}`));
    const [update] = feedbackUpdates();
    expect(update?.path).toBe(`/v3/conversations/a:personal-${user}/activities/feedback-1`);
    expect(update?.body.text).toBe(sent.text);
    expect(JSON.stringify(update?.body.attachments)).toContain('Marked: I was sure');
    expect(JSON.stringify(update?.body.attachments)).not.toContain('Action.Submit');
    expect(connector.sentTo(`a:personal-${user}`)).toHaveLength(sentBefore);
    expect(await reviewsOf(user)).toEqual([{ question_id: t.question.id, source: 'daily', sure: true }]);

    // A second tap (another client still shows the buttons) changes nothing: the same quiet update.
    await inPersonalChat(user, { value: tap('I guessed'), replyToId: 'feedback-1' });
    expect(feedbackUpdates()).toHaveLength(2);
    expect(JSON.stringify(feedbackUpdates()[1]?.body.attachments)).toContain('Marked: I was sure');
    expect(connector.sentTo(`a:personal-${user}`)).toHaveLength(sentBefore);
    expect(await reviewsOf(user)).toEqual([{ question_id: t.question.id, source: 'daily', sure: true }]);
    // A card from before the feedback travelled in it is answered with a note that says so.
    const old = await inPersonalChat(user, { value: { aifq: 'confidence', q: t.question.id, s: 0 } });
    expect(old).toContain('already marked as sure');
    expect(await reviewsOf(user)).toEqual([{ question_id: t.question.id, source: 'daily', sure: true }]);
  });
});

describe('Teams: a confidence tap marks the answer its card sat under', () => {
  it('"I guessed" on the card under an older answer to the same question marks that answer, not the newer one', async () => {
    const user = '29:twice';
    const { question } = await answerPracticeCard(
      user,
      await inPersonalChat(user, { text: 'practice' }),
      false,
    );
    const older = connector.sentTo(`a:personal-${user}`).at(-1)?.body as {
      attachments: Array<{ content: { actions: Array<{ title: string; data: Record<string, unknown> }> } }>;
    };
    clock.advance(60_000);
    const again = await answerPracticeCard(user, await inPersonalChat(user, { text: 'review' }), true);
    expect(again.question.id).toBe(question.id);
    expect((await reviewsOf(user)).map((r) => r.sure)).toEqual([null, null]);

    const guess = older.attachments[0]!.content.actions.find((a) => a.title === 'I guessed')!.data;
    await inPersonalChat(user, { value: guess, replyToId: 'feedback-older' });
    const [update] = connector.updates().filter((u) => u.path.includes(`a:personal-${user}`));
    expect(update?.path).toBe(`/v3/conversations/a:personal-${user}/activities/feedback-older`);
    expect(JSON.stringify(update?.body.attachments)).toContain('Marked: I guessed');
    expect((await reviewsOf(user)).map((r) => [r.question_id, r.sure])).toEqual([
      [question.id, false],
      [question.id, null],
    ]);
  });
});

describe('Teams: practice, review, exam and stats in the personal chat', () => {
  it('practice says why, review replays the mistake, a bad exam date changes nothing, stats show it all', async () => {
    const user = '29:coach';
    const practice = await inPersonalChat(user, { text: 'practice' });
    expect(practice).toContain(' · new');
    const { question, feedback } = await answerPracticeCard(user, practice, false);
    expect(feedback).toContain('Not quite.');
    expect(feedback).toContain('I guessed');

    const review = await inPersonalChat(user, { text: 'review' });
    expect(review).toContain('Review a mistake');
    expect(review).toContain(`"q":"${question.id}"`);

    expect(await inPersonalChat(user, { text: 'exam 2020-01-01' })).toContain('has already passed');
    expect(await inPersonalChat(user, { text: 'exam tomorrow' })).toContain('is not a date I can read');
    expect(await inPersonalChat(user, { text: 'stats' })).toContain('No exam date set');
    expect(await inPersonalChat(user, { text: `exam ${IN_30_DAYS}` })).toContain(
      `Exam date set: ${IN_30_DAYS}`,
    );

    const stats = await inPersonalChat(user, { text: 'stats' });
    expect(stats).toContain('Readiness: not enough answers yet for a verdict (1 so far)');
    expect(stats).toMatch(/Coverage: 1 of \d+ questions seen/);
    expect(stats).toContain(`Exam on ${IN_30_DAYS}: 30 days to go`);
  });
});
