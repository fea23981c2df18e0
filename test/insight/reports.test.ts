import { and, eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { syncBank } from '../../src/bank/sync.js';
import { fixedClock } from '../../src/clock.js';
import { questions } from '../../src/db/schema.js';
import { formatOpenReports } from '../../src/insight/cli-commands.js';
import {
  createReports,
  parseReportReason,
  REPORT_TEXT_MAX,
  reportThanks,
} from '../../src/insight/reports.js';
import { createReportsRepository, notPausedByReports } from '../../src/insight/reports.repository.js';
import { createInsightDatabase } from './seed.js';

type Setup = Awaited<ReturnType<typeof createInsightDatabase>>;
let t: Setup | undefined;
afterEach(async () => {
  await t?.database.destroy();
  t = undefined;
});

async function setup() {
  t = await createInsightDatabase();
  const clock = fixedClock('2026-11-30T10:00:00Z');
  const reports = createReports({ repository: createReportsRepository(t.db), clock });
  const people = await t.seed.people(4);
  return { ...t, clock, reports, people: people as [string, string, string, string] };
}

/** What the daily draw can pick from: active questions that reports have not paused. */
async function drawable(s: Setup): Promise<string[]> {
  const rows = await s.db
    .select({ id: questions.id })
    .from(questions)
    .where(and(eq(questions.active, true), notPausedByReports(questions.id)))
    .orderBy(questions.id);
  return rows.map((r) => r.id);
}

const on = (questionId: string, version = 1) => ({ questionId, questionVersion: version });

describe('reporting a question', () => {
  it('stores the report and thanks the reporter', async () => {
    const s = await setup();
    const receipt = await s.reports.report({
      reporterId: s.people[0],
      ...on('fairness-001'),
      reason: 'wrong answer',
      text: '  Option B is also defensible.  ',
    });
    expect(receipt).toMatchObject({ openReports: 1, paused: false });
    expect(reportThanks(receipt)).toBe('Thanks for the report. An admin will look at the question.');
    const [group] = await s.reports.openReports();
    expect(group).toMatchObject({ questionId: 'fairness-001', count: 1, paused: false });
    expect(group?.reports[0]).toMatchObject({
      reason: 'wrong_answer',
      text: 'Option B is also defensible.',
      reporter: 'U1',
      version: 1,
    });
  });

  it('the same person cannot report the same question twice, and is told so', async () => {
    const s = await setup();
    await s.reports.report({ reporterId: s.people[0], ...on('fairness-001'), reason: 'typo' });
    await expect(
      s.reports.report({ reporterId: s.people[0], ...on('fairness-001'), reason: 'unclear' }),
    ).rejects.toThrow('You have already reported this question, thank you.');
    // Two clicks at once still store one report.
    const twice = await Promise.allSettled(
      [0, 1].map(() =>
        s.reports.report({ reporterId: s.people[1], ...on('access-001'), reason: 'outdated' }),
      ),
    );
    expect(twice.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await s.reports.openReports()).map((g) => [g.questionId, g.count])).toEqual([
      ['access-001', 1],
      ['fairness-001', 1],
    ]);
  });

  it('refuses an unknown reason, an over-long text, "other" without text, and an unknown question', async () => {
    const s = await setup();
    const base = { reporterId: s.people[0], ...on('fairness-001') };
    await expect(s.reports.report({ ...base, reason: 'boring' })).rejects.toThrow(
      '"boring" is not a reason for a report; use one of: wrong answer, outdated, unclear, typo, other.',
    );
    await expect(
      s.reports.report({ ...base, reason: 'typo', text: 'x'.repeat(REPORT_TEXT_MAX + 1) }),
    ).rejects.toThrow(
      `Please keep a report to ${REPORT_TEXT_MAX} characters; this one has ${REPORT_TEXT_MAX + 1}.`,
    );
    await expect(s.reports.report({ ...base, reason: 'other', text: '   ' })).rejects.toThrow(
      /say what is wrong/,
    );
    await expect(
      s.reports.report({ ...base, questionId: 'fairness-001', questionVersion: 7, reason: 'typo' }),
    ).rejects.toThrow('There is no question "fairness-001" at version 7 in the bank.');
    expect(await s.reports.openReports()).toEqual([]);
    expect(parseReportReason('Wrong-Answer')).toBe('wrong_answer');
  });
});

describe('the pause from the daily draw', () => {
  it('three open reports from different people pause a question until they are resolved', async () => {
    const s = await setup();
    for (const [i, reason] of (['typo', 'unclear'] as const).entries())
      await s.reports.report({ reporterId: s.people[i] as string, ...on('fairness-001'), reason });
    expect(await drawable(s)).toContain('fairness-001');
    const third = await s.reports.report({
      reporterId: s.people[2],
      ...on('fairness-001'),
      reason: 'outdated',
    });
    expect(third).toMatchObject({ openReports: 3, paused: true });
    expect(reportThanks(third)).toMatch(/paused from the daily draw/);
    expect(await drawable(s)).not.toContain('fairness-001');
    expect(await s.reports.pausedQuestionIds()).toEqual(['fairness-001']);
    expect((await s.reports.openReports())[0]).toMatchObject({ count: 3, paused: true });

    const done = await s.reports.resolve('fairness-001', 'Reworded the stem.');
    expect(done).toEqual({ resolved: 3, questionIds: ['fairness-001'] });
    expect(await drawable(s)).toContain('fairness-001');
    expect(await s.reports.openReports()).toEqual([]);
    await expect(s.reports.resolve('fairness-001')).rejects.toThrow(
      'There is no open report on "fairness-001"',
    );
  });

  it('a new version of the question lifts the pause; the old reports stay listed until resolved', async () => {
    const s = await setup();
    for (const reporterId of s.people.slice(0, 3))
      await s.reports.report({ reporterId, ...on('fairness-001'), reason: 'wrong answer' });
    expect(await drawable(s)).not.toContain('fairness-001');

    const fixed = structuredClone(s.bank);
    const question = fixed.questions.find((q) => q.id === 'fairness-001');
    if (!question) throw new Error('fixture changed');
    question.stem = `${question.stem} (reworded)`;
    await syncBank(s.database.handle, fixed);

    expect(await drawable(s)).toContain('fairness-001');
    const [group] = await s.reports.openReports();
    expect(group).toMatchObject({ questionId: 'fairness-001', currentVersion: 2, count: 3, paused: false });
    expect(formatOpenReports([group as NonNullable<typeof group>])).toContain('wrong answer [on v1], by U1');
    // The fixed version can be reported again by the same person.
    await s.reports.report({ reporterId: s.people[0], ...on('fairness-001', 2), reason: 'typo' });
  });

  it('one report can be resolved by its id, leaving the others open', async () => {
    const s = await setup();
    await s.reports.report({ reporterId: s.people[0], ...on('access-001'), reason: 'typo' });
    const { reportId } = await s.reports.report({
      reporterId: s.people[1],
      ...on('access-001'),
      reason: 'unclear',
    });
    expect(await s.reports.resolve(reportId, 'Clarified.')).toEqual({
      resolved: 1,
      questionIds: ['access-001'],
    });
    const [group] = await s.reports.openReports();
    expect(group?.reports.map((r) => r.reason)).toEqual(['typo']);
  });
});
