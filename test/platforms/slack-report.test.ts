import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadBank } from '../../src/bank/load.js';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { ACTIONS, VIEWS } from '../../src/platforms/slack/blocks.js';
import { dailyQuestionBlocks } from '../../src/platforms/slack/render/question.js';
import { reminderBlocks } from '../../src/platforms/slack/render/reply.js';
import type { Question } from '../../src/quiz/question.js';
import { ROOT } from '../support/cli.js';
import { sendToSlackEndpoint, startFakeSlack } from '../support/fake-slack.js';
import { startTestService } from '../support/service.js';
import { runServiceJob } from '../support/teams.js';

const SECRET = 'test-signing-secret';
/** Now, to the minute: each test's channel gets its question of the day at this instant. */
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const NOW_HHMM = NOW.toISOString().slice(11, 16);
let fake: Awaited<ReturnType<typeof startFakeSlack>>;
let service: RunningService;
let stopService: () => Promise<void>;
let interaction = 0;
let channels = 0;

beforeAll(async () => {
  fake = await startFakeSlack({ admins: ['UADMIN'] });
  const started = await startTestService(
    { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: 'xoxb-test', SLACK_API_URL: fake.apiUrl },
    { clock: fixedClock(NOW) },
  );
  service = started.service;
  stopService = started.stop;
});

afterAll(async () => {
  await stopService();
  await fake.close();
});

beforeEach(() => fake.clear());

async function waitFor<T>(find: () => T | undefined, what: string, ms = 5000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const found = find();
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}; calls: ${JSON.stringify(fake.calls.map((c) => c.method))}`);
}

const interactionPayload = (payload: Record<string, unknown>) =>
  sendToSlackEndpoint(service.url, SECRET, { form: { payload: JSON.stringify(payload) } });

async function command(text: string, user: string, channel: string) {
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

interface Overflow {
  type: string;
  action_id: string;
  options: Array<{ text: { text: string }; value: string }>;
}

/** The "Report a problem" menus in a message's blocks. */
function reportMenusOf(blocks: unknown): Overflow[] {
  return (blocks as Array<{ accessory?: Overflow; elements?: Overflow[] }>)
    .flatMap((b) => [b.accessory, ...(b.elements ?? [])])
    .filter((e): e is Overflow => e?.type === 'overflow' && e.action_id === ACTIONS.report);
}

/** A channel of its own, subscribed and posted its question of the day: returns that message's blocks. */
async function givenPostedQuestion() {
  const channel = `CR${++channels}`;
  await command(`subscribe ${NOW_HHMM} UTC daily`, 'UADMIN', channel);
  await runServiceJob(service, 'daily-post', NOW);
  const post = fake.of('chat.postMessage').find((c) => c.body.channel === channel);
  expect(post).toBeDefined();
  return { channel, blocks: post?.body.blocks };
}

/** Chooses "Report a problem" in a message's menu, as Slack sends it; returns the modal the bot opened. */
async function chooseReport(user: string, channel: string, optionValue: string) {
  const opened = fake.of('views.open').length;
  const response = await interactionPayload({
    type: 'block_actions',
    team: { id: 'T1', domain: 'test' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trigger-${++interaction}`,
    container: { type: 'message', message_ts: '1.1', channel_id: channel, is_ephemeral: false },
    channel: { id: channel, name: 'general' },
    response_url: fake.responseUrl(`menu${interaction}`),
    actions: [
      {
        action_id: ACTIONS.report,
        block_id: 'head',
        type: 'overflow',
        selected_option: { text: { type: 'plain_text', text: 'Report a problem' }, value: optionValue },
        action_ts: '1',
      },
    ],
  });
  expect(response.status).toBe(200);
  const call = await waitFor(() => fake.of('views.open')[opened], 'the report modal');
  return { triggerId: call.body.trigger_id, view: call.body.view as Record<string, unknown> };
}

/** Submits the report modal as Slack does: the view's metadata and the inputs' state. */
async function submitReport(user: string, privateMetadata: string, reason: string | null, text?: string) {
  const response = await interactionPayload({
    type: 'view_submission',
    team: { id: 'T1', domain: 'test' },
    user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trigger-${++interaction}`,
    view: {
      id: 'V1',
      team_id: 'T1',
      type: 'modal',
      callback_id: VIEWS.report,
      private_metadata: privateMetadata,
      state: {
        values: {
          reason: {
            reason: {
              type: 'static_select',
              selected_option: reason ? { text: { type: 'plain_text', text: reason }, value: reason } : null,
            },
          },
          text: { text: { type: 'plain_text_input', value: text ?? null } },
        },
      },
    },
  });
  expect(response.status).toBe(200);
  const body = await response.text();
  return body ? (JSON.parse(body) as { response_action?: string; errors?: Record<string, string> }) : {};
}

async function reportsOf(questionId: string) {
  return queryRows<{ reason: string; text: string | null; reporter: string }>(
    service.database.db,
    sql`select r.reason, r.text, u.external_id as reporter
          from question_reports r join users u on u.id = r.reporter_id
         where r.question_id = ${questionId} order by r.created_at`,
  );
}

const WEAK_TOPIC = {
  topic: '',
  title: 'Topic',
  domain: 1,
  answered: 3,
  correct: 1,
  accuracy: 1 / 3,
  score: 0.4,
};

const ephemeralTo = (user: string) => fake.of('chat.postEphemeral').filter((c) => c.body.user === user);

describe('Slack: reporting a question', () => {
  it('the menu on the question of the day opens a modal, and its submission stores the report and thanks the person privately', async () => {
    const { channel, blocks } = await givenPostedQuestion();
    const [menu] = reportMenusOf(blocks);
    expect(menu?.options.map((o) => o.text.text)).toEqual(['Report a problem']);
    const shown = JSON.parse(menu?.options[0]?.value ?? '{}') as { q: string; v: number };

    const modal = await chooseReport('UREP1', channel, menu?.options[0]?.value ?? '');
    expect(modal.triggerId).toMatch(/^trigger-/);
    expect(modal.view).toMatchObject({ type: 'modal', callback_id: VIEWS.report });
    expect(JSON.parse(String(modal.view.private_metadata))).toEqual({ ...shown, c: channel });
    const inputs = modal.view.blocks as Array<{
      type: string;
      optional?: boolean;
      element: { type: string; options?: Array<{ value: string }>; max_length?: number };
    }>;
    const [reason, text] = inputs.filter((b) => b.type === 'input');
    expect(reason?.element.options?.map((o) => o.value)).toEqual([
      'wrong_answer',
      'outdated',
      'unclear',
      'typo',
      'other',
    ]);
    expect(text).toMatchObject({ optional: true, element: { type: 'plain_text_input', max_length: 500 } });

    const before = (await reportsOf(shown.q)).length;
    expect(await submitReport('UREP1', String(modal.view.private_metadata), 'typo', 'typo in B')).toEqual({});
    const stored = await reportsOf(shown.q);
    expect(stored).toHaveLength(before + 1);
    expect(stored.at(-1)).toEqual({ reason: 'typo', text: 'typo in B', reporter: 'UREP1' });
    const thanks = await waitFor(() => ephemeralTo('UREP1')[0], 'the thank-you');
    expect(thanks.body).toMatchObject({ channel, user: 'UREP1' });
    expect(String(thanks.body.text)).toContain('Thanks for the report');
  });

  it('a second report of the same question by the same person is answered kindly and stores nothing', async () => {
    const { channel, blocks } = await givenPostedQuestion();
    const value = reportMenusOf(blocks)[0]?.options[0]?.value ?? '';
    const { q } = JSON.parse(value) as { q: string };
    const first = await chooseReport('UREP2', channel, value);
    await submitReport('UREP2', String(first.view.private_metadata), 'unclear');
    const stored = (await reportsOf(q)).length;

    const second = await chooseReport('UREP2', channel, value);
    expect(await submitReport('UREP2', String(second.view.private_metadata), 'outdated', 'again')).toEqual(
      {},
    );
    expect(await reportsOf(q)).toHaveLength(stored);
    const replies = await waitFor(
      () => (ephemeralTo('UREP2').length >= 2 ? ephemeralTo('UREP2') : undefined),
      'both replies',
    );
    expect(String(replies[1]?.body.text)).toContain('You have already reported this question');
  });

  it('a submission whose metadata the bot did not write is refused in the modal and stores nothing', async () => {
    const count = async () =>
      (
        await queryRows<{ n: number }>(
          service.database.db,
          sql`select count(*)::int as n from question_reports`,
        )
      )[0]?.n;
    const before = await count();
    for (const forged of [
      'not json',
      '{"q":"retrieval-001"}',
      '{"q":"retrieval-001","v":1,"c":"<script>"}',
    ]) {
      const answer = await submitReport('UFORGER', forged, 'typo');
      expect(answer.response_action).toBe('errors');
      expect(answer.errors?.reason).toContain('could not be read, so nothing was changed');
    }
    const unsigned = await sendToSlackEndpoint(
      service.url,
      SECRET,
      {
        form: {
          payload: JSON.stringify({ type: 'view_submission', team: { id: 'T1' }, user: { id: 'UFORGER' } }),
        },
      },
      { badSignature: true },
    );
    expect(unsigned.status).toBe(401);
    const unknown = await submitReport('UFORGER', '{"q":"retrieval-001","v":99}', 'typo');
    expect(unknown.errors?.reason).toContain('There is no question "retrieval-001" at version 99');
    expect(await count()).toBe(before);
    expect(ephemeralTo('UFORGER')).toEqual([]);
    expect(
      await queryRows(service.database.db, sql`select 1 from users where external_id = 'UFORGER'`),
    ).toEqual([]);
  });

  it('mistakes in the form are shown under their input and store nothing', async () => {
    const { channel, blocks } = await givenPostedQuestion();
    const value = reportMenusOf(blocks)[0]?.options[0]?.value ?? '';
    const { q } = JSON.parse(value) as { q: string };
    const { view } = await chooseReport('UREP3', channel, value);
    const before = (await reportsOf(q)).length;
    expect((await submitReport('UREP3', String(view.private_metadata), 'other')).errors).toEqual({
      text: 'Please say what is wrong when the reason is "other".',
    });
    expect((await submitReport('UREP3', String(view.private_metadata), null)).errors?.reason).toContain(
      'Please choose a reason',
    );
    expect(await reportsOf(q)).toHaveLength(before);
  });

  it('a practice question carries the same menu, bound to its question and version', async () => {
    const reply = await command('practice', 'UREP4', 'CPRACTICE');
    const [menu] = reportMenusOf(reply.blocks);
    const value = JSON.parse(menu?.options[0]?.value ?? '{}') as { q: string; v: number };
    const [current] = await queryRows<{ version: number }>(
      service.database.db,
      sql`select current_version as version from questions where id = ${value.q}`,
    );
    expect(current?.version).toBe(value.v);
  });

  it('three people reporting a question keep it out of the daily draw', async () => {
    // A new channel's first question comes from the exam's heaviest domain (3), which the fixture
    // bank covers with its two retrieval questions: without the pause, one of them is drawn.
    const control = await givenPostedQuestion();
    const drawn = JSON.parse(reportMenusOf(control.blocks)[0]?.options[0]?.value ?? '{}') as { q: string };
    expect(drawn.q).toMatch(/^retrieval-/);
    // The service's own quiz keeps its drawable pool for a minute: practice reads it now, so the
    // pause below must drop it to show. Before it, the topic has questions: one is handed out, or,
    // when other channels have them open as their question of the day, held back with a reply that
    // says so.
    const before = JSON.stringify(await command('topic retrieval', 'UPRACTISE', 'CPR'));
    expect(before).toMatch(/retrieval-|Every question on that topic is open as a question of the day/);
    expect(before).not.toContain('There are no questions to practise on that topic yet.');

    const domain3 = await queryRows<{ id: string; version: number }>(
      service.database.db,
      sql`select id, current_version as version from questions where domain = 3 and active order by id`,
    );
    expect(domain3.length).toBeGreaterThan(0);
    let lastThanks = '';
    for (const question of domain3)
      for (const user of ['UPAUSE1', 'UPAUSE2', 'UPAUSE3']) {
        const thanked = ephemeralTo(user).length;
        const menuValue = JSON.stringify({ q: question.id, v: question.version });
        const { view } = await chooseReport(user, control.channel, menuValue);
        expect(await submitReport(user, String(view.private_metadata), 'wrong_answer', 'B is right')).toEqual(
          {},
        );
        lastThanks = String((await waitFor(() => ephemeralTo(user)[thanked], 'the thank-you')).body.text);
      }
    expect(lastThanks).toContain('paused from the daily draw');

    const after = await givenPostedQuestion();
    const next = JSON.parse(reportMenusOf(after.blocks)[0]?.options[0]?.value ?? '{}') as { q: string };
    expect(domain3.map((q) => q.id)).not.toContain(next.q);
    expect(JSON.stringify(await command('topic retrieval', 'UPRACTISE', 'CPR'))).toContain(
      'There are no questions to practise on that topic yet.',
    );
  });

  it('every question of the bank carries the menu, within Slack limits, as a reminder and when closed', async () => {
    const bank = await loadBank(path.join(ROOT, 'questions'));
    for (const q of bank.questions) {
      const question = { ...q, version: 12 } as unknown as Question;
      const practice = {
        issueKey: 'k',
        question,
        reason: 'weak-topic' as const,
        why: 'weak topic',
        topicTitle: 'Topic',
      };
      for (const blocks of [
        reminderBlocks({ userId: 'u', topic: { ...WEAK_TOPIC, topic: q.topic }, practice }),
        dailyQuestionBlocks({
          postId: 'p',
          localDate: '2026-11-02',
          question,
          answered: 3,
          closesAt: null,
          closed: true,
        }),
      ]) {
        const menus = reportMenusOf(blocks);
        expect(menus, q.id).toHaveLength(1);
        // Slack refuses an overflow option value over 150 characters.
        expect(menus[0]?.options[0]?.value.length, q.id).toBeLessThanOrEqual(150);
        expect(JSON.parse(menus[0]?.options[0]?.value ?? '{}'), q.id).toEqual({ q: q.id, v: 12 });
      }
    }
  });
});
