import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatProblem, readBank } from '../../src/bank/load.js';
import { ROOT, runCli } from '../support/cli.js';

const fixture = (name: string) => path.join(ROOT, 'test/fixtures', name);

describe('question bank validation', () => {
  it('accepts the real bank with no problems', async () => {
    const { bank, problems } = await readBank(path.join(ROOT, 'questions'));
    expect(problems.map(formatProblem)).toEqual([]);
    expect(bank.questions.length).toBeGreaterThan(0);
  });

  it('names the file, the question and the field of every broken rule', async () => {
    const { problems } = await readBank(fixture('broken-bank'));
    const lines = problems.map(
      (p) =>
        `${path.relative(fixture('broken-bank'), path.resolve(ROOT, p.file))}: ${p.questionId}: ${p.field}: ${p.message}`,
    );
    expect(lines).toEqual([
      'topics.yaml: Bad Slug: slug: must be kebab-case (a-z, 0-9, -)',
      'topics.yaml: Bad Slug: domain: must be 1 to 5 (an exam domain) or 0 (general AWS background)',
      'domain-1/rules.yaml: Bad_ID: id: must be kebab-case ending in a three-digit number, such as rag-knowledge-bases-007',
      'domain-1/rules.yaml: rules-001: id: is already used in test/fixtures/broken-bank/domain-1/rules.yaml',
      'domain-1/rules.yaml: rules-003: type: type must be single, multiple, ordering or matching',
      'domain-1/rules.yaml: rules-004: options: exactly one option must have correct: true (found 2)',
      'domain-1/rules.yaml: rules-005: options: a single-answer question has exactly 4 options',
      'domain-1/rules.yaml: rules-006: options: 2 or 3 options must have correct: true (found 1)',
      'domain-1/rules.yaml: rules-006: stem: says choose two but 1 option is marked correct',
      'domain-1/rules.yaml: rules-007: stem: must say how many to choose, e.g. "(Choose two.)"',
      'domain-1/rules.yaml: rules-008: stem: says choose three but 2 options are marked correct',
      'domain-1/rules.yaml: rules-009: options: "same." appears twice',
      'domain-1/rules.yaml: rules-010: steps: an ordering question has 3 to 5 steps',
      'domain-1/rules.yaml: rules-011: steps: "train" appears twice',
      'domain-1/rules.yaml: rules-012: pairs: answer "Same" appears twice',
      'domain-1/rules.yaml: rules-013: pairs[0].answer: is required',
      'domain-1/rules.yaml: rules-014: stem: is the same as the stem of rules-001',
      'domain-1/rules.yaml: rules-015: options[0].text: is longer than 150 characters',
      'domain-1/rules.yaml: rules-016: stem: is longer than 700 characters',
      'domain-1/rules.yaml: rules-017: explanation: is required',
      'domain-1/rules.yaml: rules-018: stem: must not use "all of the above" or "none of the above"',
      'domain-1/rules.yaml: rules-019: difficulty: must be 1, 2 or 3',
      "domain-1/rules.yaml: rules-020: source: must be 'slides S<section> <first line>-<last line>' or an https:// URL",
      'domain-1/rules.yaml: rules-021: status: must be active or retired',
      'domain-1/rules.yaml: rules-022: explaination: is not a known field',
      'domain-1/rules.yaml: rules-023: steps[2]: is longer than 75 characters',
      'domain-1/tags.yaml: tags-001: objective: "1.9.9" is not an objective of the exam guide',
      'domain-1/tags.yaml: tags-002: objective: must be an objective id such as "3.1.4", or a list of one or two',
      'domain-1/tags.yaml: tags-003: objective: must be an objective id such as "3.1.4"',
      'domain-1/tags.yaml: tags-003: verified: is not a real date',
      'domain-1/tags.yaml: tags-004: objective: names "1.1.1" twice',
      'domain-1/tags.yaml: tags-004: verified: 2999-01-01 is in the future',
      'domain-1/tags.yaml: tags-005: verified: must be a date written YYYY-MM-DD',
      'domain-1/unknown-topic.yaml: -: topic: "no-such-topic" is not in topics.yaml',
      'domain-1/yaml-syntax.yaml: -: line 4: Sequence item without - indicator',
      'domain-1/yaml-syntax.yaml: -: line 5: Flow sequence in block collection must be sufficiently indented and end with a ]',
      'domain-2/misplaced.yaml: -: topic: topic learning-types is in domain 1, so this file belongs in domain-1/',
    ]);
  });

  it('`aif-quiz questions check` exits non-zero and prints each problem on a broken bank', async () => {
    const run = await runCli(['questions', 'check', 'test/fixtures/broken-bank']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      'test/fixtures/broken-bank/domain-1/rules.yaml: rules-017: explanation: is required',
    );
    expect(run.stderr).toContain('37 problem(s) in the question bank.');
  });

  it('`aif-quiz questions check` passes on a valid bank', async () => {
    const run = await runCli(['questions', 'check', 'test/fixtures/mini-bank']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('The question bank is valid: 10 questions (9 active) in 5 topics.');
  });

  it('`aif-quiz questions stats` counts per domain next to the exam weights and flags thin topics', async () => {
    const run = await runCli(['questions', 'stats', 'test/fixtures/mini-bank']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('9 active questions (1 retired)');
    expect(run.stdout).toMatch(/Domain 3\s+2\s+22\.2%\s+28\.0%/);
    expect(run.stdout).toMatch(/D4 fairness\s+1 {2}<- fewer than 5/);
  });
});
