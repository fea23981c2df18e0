import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatProblem, readBank } from '../../src/bank/load.js';
import { computeStats, formatStats } from '../../src/bank/stats.js';
import { ROOT, runCli } from '../support/cli.js';

const fixture = (name: string) => path.join(ROOT, 'test/fixtures', name);
const TODAY = new Date('2026-12-04T12:00:00Z');
const relative = (dir: string, line: string) => line.replaceAll(`${dir}/`, '');

const copies: string[] = [];
afterEach(async () => {
  for (const dir of copies.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A copy of a fixture bank with the exam guide's switch set, as a maintainer would flip it. */
async function withEnforce(name: string, enforce: boolean): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aifq-guide-'));
  copies.push(dir);
  await cp(fixture(name), dir, { recursive: true });
  const file = path.join(dir, 'exam-guide.yaml');
  const text = await readFile(file, 'utf8');
  await writeFile(file, text.replace(/^enforce: (true|false)$/m, `enforce: ${enforce}`));
  return dir;
}

describe('the exam-guide map', () => {
  it('the real guide lists all 69 objectives of AIF-C01, numbered within five domains', async () => {
    const { bank, problems } = await readBank(path.join(ROOT, 'questions'), { now: TODAY });
    expect(problems.map(formatProblem)).toEqual([]);
    const ids = [...(bank.guide?.objectives.keys() ?? [])];
    expect(ids).toHaveLength(69);
    const perDomain = [1, 2, 3, 4, 5].map((d) => ids.filter((id) => id.startsWith(`${d}.`)).length);
    expect(perDomain).toEqual([17, 14, 19, 11, 8]);
    expect(ids).toContain('3.1.4');
    expect(bank.guide?.meta.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('names the file, the entry and the field when the guide nests or numbers wrongly', async () => {
    const { problems } = await readBank(fixture('broken-guide'), { now: TODAY });
    expect(problems.map(formatProblem)).toEqual([
      'test/fixtures/broken-guide/exam-guide.yaml: 1: domains[0].weight: is 25 but the bank weighs domain 1 at 20',
      'test/fixtures/broken-guide/exam-guide.yaml: 2.1: domains[0].tasks[0].id: does not belong to domain 1',
      'test/fixtures/broken-guide/exam-guide.yaml: 1.2.1: domains[0].tasks[1].objectives[0].id: does not belong to task statement 1.1',
      'test/fixtures/broken-guide/exam-guide.yaml: 1.1.1: domains[0].tasks[1].objectives[2].id: is listed twice',
    ]);
  });

  it('names the field when the guide has a wrong value, a missing switch or an unknown field', async () => {
    const { problems } = await readBank(fixture('broken-guide-fields'), { now: TODAY });
    expect(problems.map(formatProblem)).toEqual([
      'test/fixtures/broken-guide-fields/exam-guide.yaml: -: guide.url: must be an https:// URL',
      'test/fixtures/broken-guide-fields/exam-guide.yaml: -: enforce: is required',
      'test/fixtures/broken-guide-fields/exam-guide.yaml: -: domains[4].tasks[0].objectives[0].owner: is not a known field',
    ]);
  });

  it('a question naming an objective in a bank without a guide cannot pass', async () => {
    const dir = await withEnforce('tagged-bank', false);
    await rm(path.join(dir, 'exam-guide.yaml'));
    const { problems } = await readBank(dir, { now: TODAY });
    expect(problems).toHaveLength(9);
    expect(relative(dir, formatProblem(problems[0] as never))).toBe(
      'domain-1/learning.yaml: learning-001: objective: cannot be checked: there is no exam-guide.yaml',
    );
  });
});

describe('objective and verified while the switch is off', () => {
  it('a partly tagged bank passes, with a warning for facts checked over 180 days ago', async () => {
    const { problems, warnings } = await readBank(fixture('tagged-bank'), { now: TODAY });
    expect(problems.map(formatProblem)).toEqual([]);
    expect(warnings.map(formatProblem)).toEqual([
      'test/fixtures/tagged-bank/domain-1/learning.yaml: learning-008: verified: 2025-01-15 is 688 days ago; check its facts against current AWS documentation',
    ]);
  });

  it('a question checked exactly 180 days ago is not yet stale', async () => {
    const { warnings } = await readBank(fixture('tagged-bank'), { now: new Date('2027-03-30T00:00:00Z') });
    // 2026-10-01 + 180 days = 2027-03-30; learning-007 (2026-09-01) and learning-008 are older.
    expect(warnings.map((w) => w.questionId)).toEqual(['learning-007', 'learning-008']);
  });

  it('stats count active questions per objective, list thin objectives and the oldest checks', async () => {
    const { bank } = await readBank(fixture('tagged-bank'), { now: TODAY });
    const stats = computeStats(bank, TODAY);
    expect(stats.guide?.byObjective.map((o) => [o.id, o.count])).toEqual([
      ['1.1.1', 7],
      ['1.1.2', 2],
      ['2.1.1', 1],
      ['3.1.3', 0],
      ['4.1.1', 0],
      ['5.1.1', 0],
    ]);
    expect(stats.guide?.thinObjectives).toEqual(['1.1.2', '2.1.1', '3.1.3', '4.1.1', '5.1.1']);
    expect(stats.guide?.untagged).toBe(1);
    expect(stats.guide?.unverified).toBe(1);
    expect(stats.guide?.stale).toBe(1);
    expect(stats.guide?.oldest.slice(0, 3)).toEqual([
      { id: 'learning-008', verified: '2025-01-15', days: 688 },
      { id: 'learning-007', verified: '2026-09-01', days: 94 },
      { id: 'genai-001', verified: '2026-10-01', days: 64 },
    ]);
    const report = formatStats(stats);
    expect(report).toMatch(/1\.1\.2 +2 {2}Pick a kind of inference for a workload\. {2}<- fewer than 6/);
    expect(report).toContain(
      '5 of 6 objective(s) have fewer than 6 active questions: 1.1.2, 2.1.1, 3.1.3, 4.1.1, 5.1.1.',
    );
    expect(report).toMatch(/2025-01-15 +688 days {2}learning-008/);
  });

  it('`aif-quiz questions check` passes and prints the stale warning', async () => {
    const run = await runCli(['questions', 'check', 'test/fixtures/tagged-bank']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: .*learning-008: verified: 2025-01-15 is \d+ days ago/);
    // The CLI measures age against today's date, so only the warning itself is pinned down here.
    expect(run.stdout).toMatch(
      /The question bank is valid: 11 questions \(10 active\) in 2 topics\. \d+ warning\(s\) above\./,
    );
  });
});

describe('objective and verified once the switch is on', () => {
  it('fails for every untagged active question and every objective under 6 active questions', async () => {
    const dir = await withEnforce('tagged-bank', true);
    const { problems } = await readBank(dir, { now: TODAY });
    expect(problems.map((p) => relative(dir, formatProblem(p)))).toEqual([
      'domain-1/learning.yaml: learning-009: objective: is required: the exam guide enforces coverage',
      'domain-1/learning.yaml: learning-009: verified: is required: the exam guide enforces freshness',
      'exam-guide.yaml: 1.1.2: objective: has 2 active question(s); every objective needs at least 6',
      'exam-guide.yaml: 2.1.1: objective: has 1 active question(s); every objective needs at least 6',
      'exam-guide.yaml: 3.1.3: objective: has 0 active question(s); every objective needs at least 6',
      'exam-guide.yaml: 4.1.1: objective: has 0 active question(s); every objective needs at least 6',
      'exam-guide.yaml: 5.1.1: objective: has 0 active question(s); every objective needs at least 6',
    ]);
  });

  it('a background question needs no objective, since the exam guide does not cover it', async () => {
    const dir = await withEnforce('tagged-bank', true);
    const topics = path.join(dir, 'topics.yaml');
    await writeFile(
      topics,
      `${await readFile(topics, 'utf8')}  - { slug: cloud, title: Cloud basics, domain: 0, description: Regions and zones. }\n`,
    );
    await mkdir(path.join(dir, 'domain-0'));
    await writeFile(
      path.join(dir, 'domain-0/cloud.yaml'),
      [
        'topic: cloud',
        'questions:',
        '  - id: cloud-001',
        '    type: ordering',
        '    difficulty: 1',
        '    source: https://docs.aws.amazon.com/whitepapers/latest/aws-overview/global-infrastructure.html',
        '    status: active',
        '    verified: 2026-11-20',
        '    stem: Order these parts of the AWS global infrastructure from the largest to the smallest.',
        '    steps:',
        '      - A Region',
        '      - An Availability Zone',
        '      - A data centre',
        '    explanation: A Region holds several Availability Zones, each made of one or more data centres.',
        '',
      ].join('\n'),
    );
    const { bank, problems } = await readBank(dir, { now: TODAY });
    expect(
      problems.map((p) => relative(dir, formatProblem(p))).filter((p) => p.includes('cloud-001')),
    ).toEqual([]);
    expect(computeStats(bank, TODAY).guide?.untagged).toBe(1);
  });

  it('`aif-quiz questions check` exits non-zero when the switch is on and coverage is short', async () => {
    const dir = await withEnforce('tagged-bank', true);
    const run = await runCli(['questions', 'check', dir]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('7 problem(s) in the question bank.');
    expect(run.stdout).toBe('');
  });
});
