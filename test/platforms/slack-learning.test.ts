import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import { runJobAt } from '../../src/jobs/scheduler.js';
import { createSendQueue } from '../../src/jobs/send-queue.js';
import { createLogger } from '../../src/logger.js';
import type { RunningService } from '../../src/main.js';
import { ACTIONS } from '../../src/platforms/slack/blocks.js';
import { correctChoice } from '../../src/quiz/question.js';
import { slackStateFor } from '../support/answers.js';
import { wrongChoice } from '../support/choices.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';

// The study coach on Slack, through the real endpoints: cards from answers, why a practice question
// was picked, review, stats with readiness and pace, the exam date, and the confidence tap.

const SECRET = 'test-signing-secret';
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const NOW_HHMM = NOW.toISOString().slice(11, 16);
const IN_30_DAYS = new Date(NOW.getTime() + 30 * 86_400_000).toISOString().slice(0, 10);
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
let stop: () => Promise<void>;
let interaction = 0;
const clock = fixedClock(NOW);

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'] });
  const started = await startTestService(
    { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl },
    { clock },
  );
  service = started.service;
  stop = started.stop;
});

afterAll(async () => {
  await stop();
  await fake.close();
});

beforeEach(() => {
  fake.clear();
  clock.set(NOW);
});

async function waitFor<T>(find: () => T | undefined, what: string, ms = 5000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function command(text: string, user: string, channel = 'C1') {
  const id = `cmd${++interaction}`;
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: {
      command: '/aif-quiz',
      text,
      team_id: 'T1',
      team_domain: 'test',
      channel_id: channel,
      channel_name: 'general',
      user_id: user,
      user_name: user.toLowerCase(),
      response_url: fake.responseUrl(id),
      trigger_id: '1.2.3',
      api_app_id: 'A1',
      token: 'legacy',
    },
  });
  expect(response.status).toBe(200);
  return (await waitFor(() => fake.of(`/response/${id}`)[0], `the reply to "${text}"`)).body;
}

async function click(options: {
  user: string;
  actionId: string;
  value: string;
  state?: Record<string, unknown>;
  channel?: string;
}) {
  const id = `act${++interaction}`;
  const channel = options.channel ?? 'C1';
  const response = await sendToSlackEndpoint(service.url, SECRET, {
    form: {
      payload: JSON.stringify({
        type: 'block_actions',
        team: { id: 'T1', domain: 'test' },
        user: { id: options.user, username: options.user, name: options.user, team_id: 'T1' },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: '1.2.3',
        container: { type: 'message', message_ts: '1.1', channel_id: channel, is_ephemeral: true },
        channel: { id: channel, name: 'general' },
        response_url: fake.responseUrl(id),
        actions: [
          {
            action_id: options.actionId,
            block_id: 'b',
            type: 'button',
            value: options.value,
            action_ts: '1',
          },
        ],
        state: { values: options.state ?? {} },
      }),
    },
  });
  expect(response.status).toBe(200);
  return waitFor(() => fake.of(`/response/${id}`)[0]?.body, `the reply to ${options.actionId}`);
}

const textOf = (body: Record<string, unknown>) => JSON.stringify(body.blocks ?? body.text);

function buttonsOf(body: Record<string, unknown>): Array<{ action_id: string; value: string }> {
  return (
    (body.blocks ?? []) as Array<{ elements?: Array<{ type: string; action_id: string; value: string }> }>
  )
    .flatMap((b) => b.elements ?? [])
    .filter((e) => e.type === 'button');
}

/** Answers the practice question in a reply, right or wrong, by its button or its Submit. */
async function answerPractice(reply: Record<string, unknown>, user: string, right: boolean) {
  const buttons = buttonsOf(reply);
  const submit = buttons.find((b) => b.action_id === ACTIONS.practiceSubmit);
  const value = JSON.parse((submit ?? buttons[0])!.value) as { q: string; v: number; k: string };
  const question = (await service.quiz.practiceQuestion(value.q, value.v))!;
  const choice = right ? correctChoice(question) : wrongChoice(question);
  const feedback =
    question.type === 'single'
      ? await click({
          user,
          actionId: `${ACTIONS.practiceSingle}:X`,
          value: JSON.stringify({ ...value, c: choice }),
        })
      : await click({
          user,
          actionId: ACTIONS.practiceSubmit,
          value: submit!.value,
          state: slackStateFor(question, choice),
        });
  return { question, feedback };
}

async function userIdOf(externalId: string) {
  return service.quiz.userIdOf({ platform: 'slack', workspaceId: 'T1', userId: externalId });
}

async function reviewsOf(externalId: string) {
  await service.quiz.learningSettled();
  return queryRows<{ question_id: string; source: string; sure: boolean | null }>(
    service.database.db,
    sql`select question_id, source, sure from learning_reviews where user_id = ${await userIdOf(externalId)} order by id`,
  );
}

describe('Slack: every answer updates the card, and the confidence tap', () => {
  it('an answer to the question of the day makes a card; "I guessed" under its feedback marks it', async () => {
    expect(textOf(await command(`subscribe ${NOW_HHMM} UTC daily`, 'UADMIN', 'CLEARN'))).toContain(
      'Subscribed',
    );
    await runJobAt(
      {
        db: service.database.db,
        quizAt: service.quizAt,
        platforms: service.platforms,
        logger: createLogger({ level: 'silent', format: 'json' }),
        defaultTimezone: 'UTC',
        queue: createSendQueue({ concurrency: 4, perKeyIntervalMs: 0 }),
      },
      'daily-post',
      NOW,
    );
    const settings = await service.quiz.channelSettings({
      platform: 'slack',
      workspaceId: 'T1',
      channelId: 'CLEARN',
    });
    const postId = (await service.quiz.openPostOf(settings!.channelId))!.id;
    const question = (await service.quiz.getDailyPost(postId))!.question;
    const right = correctChoice(question);
    const feedback =
      question.type === 'single'
        ? await click({
            user: 'UCARD',
            channel: 'CLEARN',
            actionId: `${ACTIONS.dailySingle}:X`,
            value: JSON.stringify({ p: postId, c: right }),
          })
        : await click({
            user: 'UCARD',
            channel: 'CLEARN',
            actionId: ACTIONS.dailySubmit,
            value: JSON.stringify({ p: postId }),
            state: slackStateFor(question, right),
          });
    expect(textOf(feedback)).toContain('Correct!');
    expect(await reviewsOf('UCARD')).toEqual([{ question_id: question.id, source: 'daily', sure: null }]);

    const guess = buttonsOf(feedback).find((b) => b.action_id === `${ACTIONS.confidence}:guess`);
    expect(buttonsOf(feedback).map((b) => b.action_id)).toContain(`${ACTIONS.confidence}:sure`);
    const noted = await click({
      user: 'UCARD',
      channel: 'CLEARN',
      actionId: guess!.action_id,
      value: guess!.value,
    });
    // The feedback is drawn again as it was, with what was marked in place of the buttons.
    const marked = {
      type: 'context',
      elements: [{ type: 'mrkdwn', text: expect.stringContaining('Marked: I guessed') }],
    };
    expect(noted.replace_original).toBe(true);
    expect(noted.blocks).toEqual([...(feedback.blocks as unknown[]).slice(0, -2), marked]);
    expect(buttonsOf(noted)).toEqual([]);
    expect(await reviewsOf('UCARD')).toEqual([{ question_id: question.id, source: 'daily', sure: false }]);

    // A second tap that still comes (another client kept the buttons) changes nothing and only
    // redraws the mark that stands.
    const sure = buttonsOf(feedback).find((b) => b.action_id === `${ACTIONS.confidence}:sure`);
    const again = await click({
      user: 'UCARD',
      channel: 'CLEARN',
      actionId: sure!.action_id,
      value: sure!.value,
    });
    expect(again.replace_original).toBe(true);
    expect(again.blocks).toEqual([...(feedback.blocks as unknown[]).slice(0, -2), marked]);
    expect(await reviewsOf('UCARD')).toEqual([{ question_id: question.id, source: 'daily', sure: false }]);
    // A button from before the feedback travelled in it gets the note privately, and changes nothing.
    const old = await click({
      user: 'UCARD',
      channel: 'CLEARN',
      actionId: sure!.action_id,
      value: JSON.stringify({ q: question.id, s: 1 }),
    });
    expect(old).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(old.text)).toContain('already marked as a guess');
    // Someone who never answered it gets no feedback drawn from a value they made up.
    const stranger = await click({
      user: 'UNONE',
      channel: 'CLEARN',
      actionId: sure!.action_id,
      value: sure!.value,
    });
    expect(stranger).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(stranger.text)).toContain('There is no answer of yours to that question to mark.');
    expect(await reviewsOf('UCARD')).toEqual([{ question_id: question.id, source: 'daily', sure: false }]);
  });

  it('"I was sure" under practice feedback in the DM replaces the buttons there, keeping the feedback', async () => {
    const first = await command('practice', 'USURE', 'DSURE');
    const { feedback } = await answerPractice(first, 'USURE', true);
    expect(textOf(feedback)).toContain('Correct!');
    const sure = buttonsOf(feedback).find((b) => b.action_id === `${ACTIONS.confidence}:sure`);
    const noted = await click({
      user: 'USURE',
      channel: 'DSURE',
      actionId: sure!.action_id,
      value: sure!.value,
    });
    expect(noted.replace_original).toBe(true);
    expect(noted.blocks).toEqual([
      ...(feedback.blocks as unknown[]).slice(0, -2),
      {
        type: 'context',
        elements: [{ type: 'mrkdwn', text: expect.stringContaining('Marked: I was sure') }],
      },
    ]);
    expect((await reviewsOf('USURE')).map((r) => r.sure)).toEqual([true]);
  });
});

/** Two answers of one person to one question, a minute apart: a missed practice question, then its review. */
async function answerTwice(user: string, channel: string) {
  const { question, feedback: older } = await answerPractice(
    await command('practice', user, channel),
    user,
    false,
  );
  clock.advance(60_000);
  const { question: again, feedback: newer } = await answerPractice(
    await command('review', user, channel),
    user,
    true,
  );
  expect(again.id).toBe(question.id);
  expect((await reviewsOf(user)).map((r) => [r.question_id, r.sure])).toEqual([
    [question.id, null],
    [question.id, null],
  ]);
  const tap = (feedback: Record<string, unknown>, which: 'sure' | 'guess') =>
    buttonsOf(feedback).find((b) => b.action_id === `${ACTIONS.confidence}:${which}`)!;
  return { question, older, newer, tap };
}

describe('Slack: a confidence tap marks the answer its buttons sat under', () => {
  it('"I guessed" under an older answer to the same question marks that answer, not the newer one', async () => {
    const { older, newer, tap } = await answerTwice('UTWICE', 'DTWICE');
    const guess = tap(older, 'guess');
    const noted = await click({
      user: 'UTWICE',
      channel: 'DTWICE',
      actionId: guess.action_id,
      value: guess.value,
    });
    expect(noted.replace_original).toBe(true);
    expect(textOf(noted)).toContain('Marked: I guessed');
    expect((await reviewsOf('UTWICE')).map((r) => r.sure)).toEqual([false, null]);
    // The newer answer is still open to its own tap, though its question already has a marked answer.
    const sure = tap(newer, 'sure');
    const again = await click({
      user: 'UTWICE',
      channel: 'DTWICE',
      actionId: sure.action_id,
      value: sure.value,
    });
    expect(again.replace_original).toBe(true);
    expect(textOf(again)).toContain('Marked: I was sure');
    expect((await reviewsOf('UTWICE')).map((r) => r.sure)).toEqual([false, true]);
  });

  it('a button from before the answer travelled in it marks the latest answer to the question, as before', async () => {
    const { question, older, tap } = await answerTwice('UOLDB', 'DOLDB');
    const sure = tap(older, 'sure');
    const old = await click({
      user: 'UOLDB',
      channel: 'DOLDB',
      actionId: sure.action_id,
      value: JSON.stringify({ q: question.id, s: 1 }),
    });
    expect(old).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(old.text)).toContain('Noted: you were sure');
    expect((await reviewsOf('UOLDB')).map((r) => r.sure)).toEqual([null, true]);
    const second = await click({
      user: 'UOLDB',
      channel: 'DOLDB',
      actionId: sure.action_id,
      value: JSON.stringify({ q: question.id, s: 0 }),
    });
    expect(String(second.text)).toContain('already marked as sure');
    expect((await reviewsOf('UOLDB')).map((r) => r.sure)).toEqual([null, true]);
  });

  it('a tap on an answer whose review is not written yet marks no other answer and says to try again', async () => {
    const { question, newer, tap } = await answerTwice('UWAIT', 'DWAIT');
    const guess = tap(newer, 'guess');
    const { t } = JSON.parse(guess.value) as { t: number };
    // As if the newer answer's card write, in another process, had not landed yet.
    await service.database.db.execute(
      sql`delete from learning_reviews where user_id = ${await userIdOf('UWAIT')}
            and reviewed_at = ${new Date(t).toISOString()}::timestamptz`,
    );
    const early = await click({
      user: 'UWAIT',
      channel: 'DWAIT',
      actionId: guess.action_id,
      value: guess.value,
    });
    expect(early).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    expect(String(early.text)).toContain('still being saved');
    expect(String(early.text)).toContain('Try again in a moment');
    expect((await reviewsOf('UWAIT')).map((r) => [r.question_id, r.sure])).toEqual([[question.id, null]]);
    // An instant at which the person gave no answer at all has nothing to wait for.
    const madeUp = await click({
      user: 'UWAIT',
      channel: 'DWAIT',
      actionId: guess.action_id,
      value: JSON.stringify({ ...JSON.parse(guess.value), t: t + 1 }),
    });
    expect(String(madeUp.text)).toContain('There is no answer of yours to that question to mark.');
    expect((await reviewsOf('UWAIT')).map((r) => r.sure)).toEqual([null]);
  });
});

describe('Slack: practice, review, stats and the exam date', () => {
  it('practice says why it picked its question, and review replays a mistake', async () => {
    const first = await command('practice', 'UPRAC');
    expect(textOf(first)).toContain(' · new');
    const { question: missed, feedback } = await answerPractice(first, 'UPRAC', false);
    expect(textOf(feedback)).toContain('Not quite.');
    expect(buttonsOf(feedback).map((b) => b.action_id)).toContain(`${ACTIONS.confidence}:sure`);
    expect((await reviewsOf('UPRAC')).map((r) => r.source)).toEqual(['practice']);

    const review = await command('review', 'UPRAC');
    expect(textOf(review)).toContain('Review a mistake');
    expect(textOf(review)).toContain('missed today');
    const value = JSON.parse(
      (buttonsOf(review).find((b) => b.action_id.startsWith('practice_')) as { value: string }).value,
    ) as { q: string };
    expect(value.q).toBe(missed.id);
  });

  it('a bad exam date gets a clear reply and changes nothing; a good one shows in stats with the pace', async () => {
    expect(String((await command('exam 2020-01-01', 'UEXAM')).text)).toContain('has already passed');
    expect(String((await command('exam tomorrow', 'UEXAM')).text)).toContain('is not a date I can read');
    const stored = await queryRows(service.database.db, sql`select 1 from users where external_id = 'UEXAM'`);
    expect(stored).toEqual([]);

    const practice = await command('practice', 'UEXAM');
    await answerPractice(practice, 'UEXAM', true);
    expect(String((await command(`exam ${IN_30_DAYS}`, 'UEXAM')).text)).toContain(
      `Exam date set: ${IN_30_DAYS}, 30 days from today.`,
    );
    const stats = String((await command('stats', 'UEXAM')).text);
    expect(stats).toContain('Readiness: not enough answers yet for a verdict (1 so far)');
    expect(stats).toMatch(/Coverage: 1 of \d+ questions seen/);
    expect(stats).toContain('Accuracy, last four weeks:');
    expect(stats).toContain(`Exam on ${IN_30_DAYS}: 30 days to go`);
    expect(stats).toMatch(/About \d+ practice questions a day/);
  });

  it('App Home shows readiness, coverage and the exam plan', async () => {
    await answerPractice(await command('practice', 'UHOME'), 'UHOME', true);
    const event = {
      token: 'legacy',
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'Ev-home-learning',
      event_time: 1,
      event: { type: 'app_home_opened', user: 'UHOME', channel: 'D1', tab: 'home', event_ts: '1.1' },
    };
    expect((await sendToSlackEndpoint(service.url, SECRET, { json: event })).status).toBe(200);
    const view = JSON.stringify(
      (await waitFor(() => fake.of('views.publish')[0], 'views.publish')).body.view,
    );
    expect(view).toContain('Readiness: not enough answers yet');
    expect(view).toMatch(/Coverage: 1 of \d+ questions seen/);
    expect(view).toContain('No exam date set');
  });
});
