import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { echoedPhrase, keysAreLongest } from '../../src/bank/item-writing.js';
import { type BankProblem, loadBank, readBank } from '../../src/bank/load.js';
import { computeStats, formatStats } from '../../src/bank/stats.js';
import { ROOT, runCli } from '../support/cli.js';

const BANK = path.join(ROOT, 'test/fixtures/item-writing-bank');
const TODAY = new Date('2026-12-04T12:00:00Z');
const option = (text: string, correct = false) => ({ text, correct, why: 'For the test.' });
const ids = (list: BankProblem[], field: string) =>
  list.filter((p) => p.field === field).map((p) => p.questionId);
const range = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `items-${String(from + i).padStart(3, '0')}`);

const copies: string[] = [];
afterEach(async () => {
  for (const dir of copies.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function enforced(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'aifq-items-'));
  copies.push(dir);
  await cp(BANK, dir, { recursive: true });
  const file = path.join(dir, 'exam-guide.yaml');
  await writeFile(file, (await readFile(file, 'utf8')).replace('enforce: false', 'enforce: true'));
  return dir;
}

describe('which options give the answer away', () => {
  it('a single key counts only when it is strictly longer than every distractor', () => {
    expect(
      keysAreLongest([option('a longer key', true), option('short'), option('tiny'), option('mini')]),
    ).toBe(true);
    expect(
      keysAreLongest([option('same size', true), option('same size!'), option('tiny'), option('mini')]),
    ).toBe(false);
    expect(keysAreLongest([option('12345', true), option('abcde'), option('x'), option('y')])).toBe(false);
  });

  it('several keys count only when they are exactly the longest options', () => {
    const opts = [
      option('long key one', true),
      option('long key two', true),
      option('short'),
      option('tiny'),
      option('mini'),
    ];
    expect(keysAreLongest(opts)).toBe(true);
    opts[2] = option('a distractor longer than both keys');
    expect(keysAreLongest(opts)).toBe(false);
  });

  it('a stem phrase repeated by the key alone is an echo; repeated by a distractor too, it is not', () => {
    const stem = 'A bank must find personally identifiable information in its files. What fits?';
    const alone = [
      option('Amazon Macie for personally identifiable information', true),
      option('AWS Config'),
      option('Amazon Inspector'),
      option('AWS Shield'),
    ];
    expect(echoedPhrase(stem, alone)).toBe('personally identifiable');
    const shared = [
      ...alone.slice(0, 3),
      option('AWS Shield against personally identifiable information leaks'),
    ];
    expect(echoedPhrase(stem, shared)).toBeUndefined();
  });

  it('common words, vendor prefixes and bare numbers never make an echo', () => {
    const stem = "What does the team's model on AWS return at a temperature of 0.9?";
    const opts = [
      option('The model on AWS returns varied text at 0.9', true),
      option('An error'),
      option('Nothing'),
      option('A fixed answer'),
    ];
    expect(echoedPhrase(stem, opts)).toBeUndefined();
  });
});

describe('item-writing rules in questions check', () => {
  it('with the switch off, the rules the real bank meets fail and the stem echo warns, naming each question', async () => {
    const { problems, warnings } = await readBank(BANK, { now: TODAY });
    expect(ids(problems, 'single-key-longest')).toEqual(['-', ...range(1, 10)]);
    expect(problems.find((p) => p.field === 'single-key-longest')?.message).toBe(
      'the key is the strictly longest option in 10 of 22 single-answer questions (45.5%; limit 30.0%)',
    );
    expect(ids(problems, 'key-position')).toEqual(['-', ...range(1, 20)]);
    expect(problems.find((p) => p.field === 'key-position')?.message).toBe(
      'single-answer keys by position A 20 (90.9%), B 1 (4.5%), C 1 (4.5%), D 0 (0.0%); each should be 20.0%–30.0%',
    );
    expect(ids(problems, 'multiple-keys-longest')).toEqual(['-', ...range(23, 27)]);
    expect(ids(warnings, 'stem-echo')).toEqual(['-', 'items-021']);
    expect(warnings.find((w) => w.questionId === 'items-021')?.message).toBe(
      'only the key repeats "personally identifiable" from the stem',
    );
    expect(problems).toHaveLength(38);
    expect(warnings).toHaveLength(2);
  });

  it('with the switch on, every broken item-writing rule fails', async () => {
    const dir = await enforced();
    const { problems, warnings } = await readBank(dir, { now: TODAY });
    expect(ids(problems, 'stem-echo')).toEqual(['-', 'items-021']);
    expect(warnings).toEqual([]);
  });

  it('a bank with fewer than 20 items of a type is not judged on shares', async () => {
    const { problems, warnings } = await readBank(path.join(ROOT, 'test/fixtures/mini-bank'), { now: TODAY });
    expect(problems).toEqual([]);
    expect(warnings.filter((w) => w.field !== 'stem-echo')).toEqual([]);
  });

  it('`aif-quiz questions check` fails on the broken rules and prints the warnings with question ids', async () => {
    const run = await runCli(['questions', 'check', 'test/fixtures/item-writing-bank']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'warning: test/fixtures/item-writing-bank/domain-1/items.yaml: items-021: stem-echo: only the key repeats "personally identifiable" from the stem',
    );
    expect(run.stderr).toContain(
      'test/fixtures/item-writing-bank/domain-1/items.yaml: items-023: multiple-keys-longest: the keys are exactly the longest options',
    );
    expect(run.stderr).toContain(
      'test/fixtures/item-writing-bank/domain-1/items.yaml: items-001: key-position: the key is option A, which holds 90.9% of single-answer keys',
    );
    expect(run.stderr).toContain('38 problem(s) in the question bank.');
  });

  it('`aif-quiz questions stats` shows each rule with its figures and whether it fails or warns', async () => {
    const { bank } = await readBank(BANK, { now: TODAY });
    const report = formatStats(computeStats(bank, TODAY));
    expect(report).toMatch(/single-key-longest +FAILS +the key is the strictly longest option in 10 of 22/);
    expect(report).toMatch(
      /multiple-keys-longest +FAILS +the keys are exactly the longest options in 5 of 20 .*\(25\.0%; limit 10\.0%\)/,
    );
    expect(report).toMatch(/key-position +FAILS +single-answer keys by position A 20 \(90\.9%\)/);
    expect(report).toMatch(/stem-echo +warns +1 question\(s\)/);
  });

  it('a bank that breaks only whole-bank quality rules still loads, so the bot keeps serving questions', async () => {
    const bank = await loadBank(await enforced());
    expect(bank.questions).toHaveLength(42);
  });
});
