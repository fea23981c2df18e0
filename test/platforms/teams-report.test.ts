import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/clock.js';
import { queryRows } from '../../src/db/client.js';
import type { RunningService } from '../../src/main.js';
import { startFakeConnector } from '../support/fake-connector.js';
import { startTestService } from '../support/service.js';
import {
  type FakeConnector,
  givenTeamsQuestion,
  postToTeamsBot,
  teamsChannelActivity,
} from '../support/teams.js';

const TENANT = 'tenant-report';
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
let connector: FakeConnector;
let service: RunningService;
let stopService: () => Promise<void>;
let conversations = 0;

beforeAll(async () => {
  connector = await startFakeConnector({ owners: ['29:owner'] });
  const started = await startTestService({ TEAMS_EMULATOR: 'true' }, { clock: fixedClock(NOW) });
  service = started.service;
  stopService = started.stop;
});

afterAll(async () => {
  await stopService();
  await connector.close();
});

interface CardAction {
  type: string;
  title: string;
  card?: {
    body: Array<Record<string, unknown>>;
    actions: Array<{ type: string; data: Record<string, unknown> }>;
  };
}

/** A channel of its own with its question of the day posted; returns the card's "Report a problem". */
async function givenQuestionCard() {
  const t = await givenTeamsQuestion({
    service,
    connector,
    tenant: TENANT,
    conversation: `19:report-${++conversations}@thread.tacv2`,
    now: NOW,
  });
  const actions = (t.card as unknown as { content: { actions: CardAction[] } }).content.actions;
  const report = actions.find((a) => a.title === 'Report a problem');
  return { ...t, report };
}

/** Sends the report form's Submit as Teams does: the action's data merged with the form's inputs. */
async function submitReport(
  t: { tenant: string; conversation: string },
  user: string,
  value: Record<string, unknown>,
) {
  await postToTeamsBot(
    service,
    teamsChannelActivity(connector, t, { id: user, name: user }, { text: undefined, value }),
  );
}

const reportsOf = (questionId: string) =>
  queryRows<{ reason: string; text: string | null; reporter: string }>(
    service.database.db,
    sql`select r.reason, r.text, u.external_id as reporter
          from question_reports r join users u on u.id = r.reporter_id
         where r.question_id = ${questionId} order by r.created_at`,
  );

const privateTo = (user: string) => connector.sentTo(`a:personal-${user}`).map((c) => JSON.stringify(c.body));

describe('Teams: reporting a question', () => {
  it('the card unfolds a report form; its submission stores the report and thanks the person privately', async () => {
    const t = await givenQuestionCard();
    expect(t.report?.type).toBe('Action.ShowCard');
    const inputs = t.report?.card?.body ?? [];
    expect(inputs.map((i) => i.type)).toEqual(['Input.ChoiceSet', 'Input.Text']);
    expect(((inputs[0]?.choices ?? []) as Array<{ value: string }>).map((c) => c.value)).toEqual([
      'wrong_answer',
      'outdated',
      'unclear',
      'typo',
      'other',
    ]);
    expect(inputs[1]).toMatchObject({ isMultiline: true, maxLength: 500 });
    const data = t.report?.card?.actions[0]?.data ?? {};
    expect(data).toEqual({ aifq: 'report', q: t.question.id, v: t.question.version });

    const before = (await reportsOf(t.question.id)).length;
    await submitReport(t, '29:reporter', {
      ...data,
      reportReason: 'outdated',
      reportText: 'The service was renamed',
    });
    const stored = await reportsOf(t.question.id);
    expect(stored).toHaveLength(before + 1);
    expect(stored.at(-1)).toEqual({
      reason: 'outdated',
      text: 'The service was renamed',
      reporter: '29:reporter',
    });
    expect(privateTo('29:reporter').at(-1)).toContain('Thanks for the report');
    // Nothing about the report is posted in the channel.
    expect(connector.sentTo(t.conversation)).toHaveLength(0);

    await submitReport(t, '29:reporter', { ...data, reportReason: 'typo' });
    expect(await reportsOf(t.question.id)).toHaveLength(before + 1);
    expect(privateTo('29:reporter').at(-1)).toContain('You have already reported this question');
  });

  it('a reason the card never offers is refused with the valid reasons, and nothing is stored', async () => {
    const t = await givenQuestionCard();
    const data = t.report?.card?.actions[0]?.data ?? {};
    const before = (await reportsOf(t.question.id)).length;
    await submitReport(t, '29:odd', { ...data, reportReason: 'boring' });
    expect(privateTo('29:odd').at(-1)).toContain('use one of: wrong answer, outdated, unclear, typo, other');
    await submitReport(t, '29:odd', { aifq: 'report', q: t.question.id, v: 99, reportReason: 'typo' });
    expect(privateTo('29:odd').at(-1)).toContain('at version 99');
    expect(await reportsOf(t.question.id)).toHaveLength(before);
    // Not even the person is recorded: a refused report changes nothing.
    const people = await queryRows(
      service.database.db,
      sql`select 1 from users where external_id = '29:odd'`,
    );
    expect(people).toEqual([]);
  });
});
