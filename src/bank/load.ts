import { access, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { AppError } from '../errors.js';
import { checkBankRules } from './rules.js';
import {
  type BankQuestion,
  DOMAINS,
  type Domain,
  type ExamDomain,
  type ExamGuide,
  examGuideSchema,
  type GuideObjective,
  objectivesOf,
  type QuestionSpec,
  questionSchema,
  type Topic,
  topicFileSchema,
  topicSchema,
  topicsFileSchema,
} from './schema.js';
import { normalise } from './text.js';

export interface BankProblem {
  file: string;
  /** The question's id, or `-` for a problem with the file itself. */
  questionId: string;
  field: string;
  message: string;
}

export interface Bank {
  dir: string;
  topics: Map<string, Topic>;
  /** Every valid question in the files, active and retired, in file order. */
  questions: BankQuestion[];
  /** The exam-guide map, when the bank has a valid `exam-guide.yaml`. */
  guide?: BankGuide;
}

export interface BankGuide {
  meta: ExamGuide['guide'];
  /** When true, coverage, tagging and item-writing rules fail the check instead of advising. */
  enforce: boolean;
  /** Every objective, keyed by id, in the guide's order. */
  objectives: Map<string, GuideObjective>;
}

export const GUIDE_FILE = 'exam-guide.yaml';

export interface ReadBankOptions {
  /** The day freshness is measured against; the wall clock by default. */
  now?: Date;
  /**
   * Whole-bank quality rules (coverage, tagging, freshness, item writing); on by default. Start-up
   * turns them off: they gate `questions check` in CI, not whether learners get their questions.
   */
  qualityRules?: boolean;
}

export function formatProblem(problem: BankProblem): string {
  return `${problem.file}: ${problem.questionId}: ${problem.field}: ${problem.message}`;
}

/**
 * Reads and validates the whole bank. Never throws for a bad file: every problem is collected, so
 * one run of `aif-quiz questions check` shows them all. `problems` fail the check; `warnings` are
 * advice (stale facts, and item-writing rules while the exam guide's `enforce` is off).
 */
export async function readBank(
  dir: string,
  options: ReadBankOptions = {},
): Promise<{ bank: Bank; problems: BankProblem[]; warnings: BankProblem[] }> {
  const now = options.now ?? new Date();
  const problems: BankProblem[] = [];
  const bank: Bank = { dir, topics: new Map(), questions: [] };
  const display = (file: string) => displayPath(file);

  const guidePath = path.join(dir, GUIDE_FILE);
  const guideExists = await exists(guidePath);
  const guide = guideExists ? await readGuide(guidePath, problems) : undefined;
  if (guide) bank.guide = guide;

  const topicsPath = path.join(dir, 'topics.yaml');
  const topicsDoc = await readYaml(topicsPath, problems);
  if (topicsDoc !== undefined) {
    const parsed = topicsFileSchema.safeParse(topicsDoc);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) problems.push(issueProblem(display(topicsPath), '-', issue));
    } else {
      // Each topic on its own, so one bad entry does not hide the questions of every other topic.
      parsed.data.topics.forEach((raw, index) => {
        const slug = (raw as { slug?: unknown } | null)?.slug;
        const label = typeof slug === 'string' && slug ? slug : `#${index + 1}`;
        const topic = topicSchema.safeParse(raw);
        if (!topic.success) {
          for (const issue of topic.error.issues)
            problems.push(issueProblem(display(topicsPath), label, issue));
          return;
        }
        if (bank.topics.has(topic.data.slug)) {
          problems.push({
            file: display(topicsPath),
            questionId: label,
            field: 'slug',
            message: 'is listed twice',
          });
        }
        bank.topics.set(topic.data.slug, topic.data);
      });
    }
  }

  const files = await listQuestionFiles(dir);
  if (files.length === 0) {
    problems.push({
      file: display(dir),
      questionId: '-',
      field: 'files',
      message: 'no question files found (expected domain-N/<topic>.yaml)',
    });
  }
  const seenIds = new Map<string, string>();
  const seenStems = new Map<string, string>();

  for (const file of files) {
    const shown = display(file);
    const doc = await readYaml(file, problems);
    if (doc === undefined) continue;
    const parsedFile = topicFileSchema.safeParse(doc);
    if (!parsedFile.success) {
      for (const issue of parsedFile.error.issues) problems.push(issueProblem(shown, '-', issue));
      continue;
    }
    const topic = bank.topics.get(parsedFile.data.topic);
    if (!topic) {
      problems.push({
        file: shown,
        questionId: '-',
        field: 'topic',
        message: `"${parsedFile.data.topic}" is not in topics.yaml`,
      });
      continue;
    }
    const folder = path.basename(path.dirname(file));
    if (folder !== `domain-${topic.domain}`) {
      problems.push({
        file: shown,
        questionId: '-',
        field: 'topic',
        message: `topic ${topic.slug} is in domain ${topic.domain}, so this file belongs in domain-${topic.domain}/`,
      });
    }

    parsedFile.data.questions.forEach((raw, index) => {
      const rawId = (raw as { id?: unknown } | null)?.id;
      const label = typeof rawId === 'string' && rawId ? rawId : `#${index + 1}`;
      const parsed = questionSchema.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) problems.push(issueProblem(shown, label, issue));
        return;
      }
      const question = parsed.data;
      const add = (field: string, message: string) =>
        problems.push({ file: shown, questionId: question.id, field, message });

      const firstFile = seenIds.get(question.id);
      if (firstFile) add('id', `is already used in ${firstFile}`);
      seenIds.set(question.id, shown);

      const stemKey = normalise(question.stem);
      const sameStem = seenStems.get(stemKey);
      if (sameStem) add('stem', `is the same as the stem of ${sameStem}`);
      seenStems.set(stemKey, question.id);

      checkQuestion(question, add);
      // A broken guide is reported once, above; only a missing one is worth a line per question.
      checkTags(
        question,
        { guide: bank.guide, guideMissing: !guideExists, guideFile: display(guidePath), now },
        add,
      );
      bank.questions.push({ ...question, topic: topic.slug, domain: topic.domain as Domain, file: shown });
    });
  }
  if (options.qualityRules === false) return { bank, problems, warnings: [] };
  const rules = checkBankRules(bank, { now, guideFile: display(guidePath), bankDir: display(dir) });
  problems.push(...rules.problems);
  return { bank, problems, warnings: rules.warnings };
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}

/** Reads `exam-guide.yaml`; undefined (with its problems recorded) when it is broken. */
async function readGuide(file: string, problems: BankProblem[]): Promise<BankGuide | undefined> {
  const shown = displayPath(file);
  const doc = await readYaml(file, problems);
  if (doc === undefined) return undefined;
  const parsed = examGuideSchema.safeParse(doc);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(issueProblem(shown, '-', issue));
    return undefined;
  }
  const before = problems.length;
  const add = (id: string, field: string, message: string) =>
    problems.push({ file: shown, questionId: id, field, message });
  const objectives = new Map<string, GuideObjective>();
  const seenTasks = new Set<string>();
  const seenDomains = new Set<number>();
  parsed.data.domains.forEach((domain, d) => {
    const at = `domains[${d}]`;
    if (seenDomains.has(domain.id)) add(String(domain.id), `${at}.id`, 'is listed twice');
    seenDomains.add(domain.id);
    const weight = DOMAINS[domain.id as ExamDomain].weight;
    if (domain.weight !== weight)
      add(
        String(domain.id),
        `${at}.weight`,
        `is ${domain.weight} but the bank weighs domain ${domain.id} at ${weight}`,
      );
    domain.tasks.forEach((task, t) => {
      const taskAt = `${at}.tasks[${t}]`;
      if (!task.id.startsWith(`${domain.id}.`))
        add(task.id, `${taskAt}.id`, `does not belong to domain ${domain.id}`);
      if (seenTasks.has(task.id)) add(task.id, `${taskAt}.id`, 'is listed twice');
      seenTasks.add(task.id);
      task.objectives.forEach((objective, o) => {
        const objectiveAt = `${taskAt}.objectives[${o}].id`;
        if (!objective.id.startsWith(`${task.id}.`))
          add(objective.id, objectiveAt, `does not belong to task statement ${task.id}`);
        if (objectives.has(objective.id)) add(objective.id, objectiveAt, 'is listed twice');
        objectives.set(objective.id, {
          id: objective.id,
          text: objective.text,
          covers: objective.covers,
          task: task.id,
          domain: domain.id,
        });
      });
    });
  });
  if (problems.length > before) return undefined;
  return { meta: parsed.data.guide, enforce: parsed.data.enforce, objectives };
}

/** Objective and freshness fields: ids that exist in the guide, dates that have happened. */
function checkTags(
  question: QuestionSpec,
  context: { guide: BankGuide | undefined; guideMissing: boolean; guideFile: string; now: Date },
  add: (field: string, message: string) => void,
): void {
  const ids = objectivesOf(question);
  if (ids.length > 0 && context.guideMissing) {
    add('objective', `cannot be checked: there is no ${context.guideFile}`);
  } else if (context.guide) {
    for (const id of ids) {
      if (!context.guide.objectives.has(id))
        add('objective', `"${id}" is not an objective of the exam guide`);
    }
  }
  if (ids.length === 2 && ids[0] === ids[1]) add('objective', `names "${ids[0]}" twice`);
  if (question.verified && question.verified > context.now.toISOString().slice(0, 10)) {
    add('verified', `${question.verified} is in the future`);
  }
}

/**
 * Reads the bank and throws one AppError listing every problem when any file is broken. Only
 * question-level rules apply here; whole-bank quality rules are for `aif-quiz questions check`.
 */
export async function loadBank(dir: string): Promise<Bank> {
  const { bank, problems } = await readBank(dir, { qualityRules: false });
  if (problems.length > 0) {
    throw new AppError(
      'bank.invalid',
      `The question bank in ${displayPath(dir)} has ${problems.length} problem(s):\n${problems.map(formatProblem).join('\n')}`,
    );
  }
  return bank;
}

const COUNT_WORDS: Record<string, number> = { two: 2, three: 3, '2': 2, '3': 3 };
const BANNED = /\b(all|none) of the above\b/i;

/** Rules that span fields of one question, beyond what the schema can say. */
function checkQuestion(question: QuestionSpec, add: (field: string, message: string) => void): void {
  for (const [field, value] of textFields(question)) {
    if (BANNED.test(value)) add(field, 'must not use "all of the above" or "none of the above"');
  }
  switch (question.type) {
    case 'single':
    case 'multiple': {
      const correct = question.options.filter((o) => o.correct).length;
      if (question.type === 'single' && correct !== 1) {
        add('options', `exactly one option must have correct: true (found ${correct})`);
      }
      if (question.type === 'multiple') {
        if (correct < 2 || correct > 3)
          add('options', `2 or 3 options must have correct: true (found ${correct})`);
        const said = /\b(?:choose|select)\s+(two|three|2|3)\b/i.exec(question.stem)?.[1]?.toLowerCase();
        if (!said) add('stem', 'must say how many to choose, e.g. "(Choose two.)"');
        else if (COUNT_WORDS[said] !== correct) {
          add(
            'stem',
            `says choose ${said} but ${correct} ${correct === 1 ? 'option is' : 'options are'} marked correct`,
          );
        }
      }
      for (const dup of duplicates(question.options.map((o) => o.text)))
        add('options', `"${dup}" appears twice`);
      break;
    }
    case 'ordering':
      for (const dup of duplicates(question.steps)) add('steps', `"${dup}" appears twice`);
      break;
    case 'matching':
      for (const dup of duplicates(question.pairs.map((p) => p.prompt)))
        add('pairs', `prompt "${dup}" appears twice`);
      for (const dup of duplicates(question.pairs.map((p) => p.answer)))
        add('pairs', `answer "${dup}" appears twice`);
      break;
  }
}

function textFields(question: QuestionSpec): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['stem', question.stem],
    ['explanation', question.explanation],
  ];
  if (question.type === 'single' || question.type === 'multiple') {
    for (const [i, o] of question.options.entries()) fields.push([`options[${i}].text`, o.text]);
  }
  return fields;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const value of values) {
    const key = normalise(value);
    if (seen.has(key)) dups.add(value);
    seen.add(key);
  }
  return [...dups];
}

async function listQuestionFiles(dir: string): Promise<string[]> {
  let entries: string[];
  try {
    entries = await readdir(dir, { recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter(
      (entry) => /\.ya?ml$/.test(entry) && path.basename(entry) !== 'topics.yaml' && entry !== GUIDE_FILE,
    )
    .sort()
    .map((entry) => path.join(dir, entry));
}

async function readYaml(file: string, problems: BankProblem[]): Promise<unknown> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    problems.push({
      file: displayPath(file),
      questionId: '-',
      field: 'file',
      message: `cannot be read (${(error as Error).message})`,
    });
    return undefined;
  }
  const doc = parseDocument(source, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const error of doc.errors) {
      const where = error.linePos?.[0] ? `line ${error.linePos[0].line}` : 'yaml';
      const message = (error.message.split('\n')[0] ?? 'invalid YAML').replace(
        / at line \d+, column \d+:?$/,
        '',
      );
      problems.push({ file: displayPath(file), questionId: '-', field: where, message });
    }
    return undefined;
  }
  return doc.toJS();
}

function issueProblem(file: string, questionId: string, issue: z.core.$ZodIssue): BankProblem {
  if (issue.code === 'unrecognized_keys') {
    const at = formatPath(issue.path);
    return {
      file,
      questionId,
      field: issue.keys.map((key) => (at ? `${at}.${key}` : key)).join(', '),
      message: 'is not a known field',
    };
  }
  return { file, questionId, field: formatPath(issue.path) || '-', message: issue.message };
}

function formatPath(parts: PropertyKey[]): string {
  return parts
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}

function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') && !path.isAbsolute(relative) ? relative : file;
}
