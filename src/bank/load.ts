import path from 'node:path';
import { AppError } from '../errors.js';
import { type Bank, type BankProblem, formatProblem, GUIDE_FILE } from './bank.js';
import { displayPath, exists, issueProblem, listQuestionFiles, readYaml } from './files.js';
import { checkTags, readGuide } from './guide.js';
import { checkQuestion } from './question-checks.js';
import { checkBankRules } from './rules.js';
import { type Domain, questionSchema, topicFileSchema, topicSchema, topicsFileSchema } from './schema.js';
import { normalise } from './text.js';

// The bank's types live in ./bank.js; they are re-exported so callers keep this one import path.
export { type Bank, type BankGuide, type BankProblem, formatProblem, GUIDE_FILE } from './bank.js';

export interface ReadBankOptions {
  /** The day freshness is measured against; the wall clock by default. */
  now?: Date;
  /**
   * Whole-bank quality rules (coverage, tagging, freshness, item writing); on by default. Start-up
   * turns them off: they gate `questions check` in CI, not whether learners get their questions.
   */
  qualityRules?: boolean;
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
