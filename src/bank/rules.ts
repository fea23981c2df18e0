import type { Bank, BankProblem } from './bank.js';
import { ALWAYS_ENFORCED, judgeItemWriting, measureItemWriting } from './item-writing.js';
import { objectivesOf } from './schema.js';

/** Each objective needs this many active questions before coverage counts as met. */
export const MIN_PER_OBJECTIVE = 6;
/** AWS changes fast: facts checked longer ago than this get a warning. */
export const STALE_AFTER_DAYS = 180;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface RuleContext {
  now: Date;
  /** How the exam-guide file and the bank folder are named in messages. */
  guideFile: string;
  bankDir: string;
}

/** Whole-bank rules: coverage of the exam guide, tagging, freshness and item writing. */
export function checkBankRules(
  bank: Bank,
  context: RuleContext,
): { problems: BankProblem[]; warnings: BankProblem[] } {
  const problems: BankProblem[] = [];
  const warnings: BankProblem[] = [];
  const active = bank.questions.filter((q) => q.status === 'active');
  const enforce = bank.guide?.enforce === true;

  if (bank.guide && enforce) {
    for (const q of active) {
      // Background questions (domain 0) are not on the exam, so no objective of its guide fits them.
      if (q.domain !== 0 && objectivesOf(q).length === 0)
        problems.push({
          file: q.file,
          questionId: q.id,
          field: 'objective',
          message: 'is required: the exam guide enforces coverage',
        });
      if (!q.verified)
        problems.push({
          file: q.file,
          questionId: q.id,
          field: 'verified',
          message: 'is required: the exam guide enforces freshness',
        });
    }
    const counts = countPerObjective(bank);
    for (const [id, count] of counts) {
      if (count < MIN_PER_OBJECTIVE)
        problems.push({
          file: context.guideFile,
          questionId: id,
          field: 'objective',
          message: `has ${count} active question(s); every objective needs at least ${MIN_PER_OBJECTIVE}`,
        });
    }
  }

  for (const q of active) {
    const age = ageInDays(q.verified, context.now);
    if (age !== undefined && age > STALE_AFTER_DAYS)
      warnings.push({
        file: q.file,
        questionId: q.id,
        field: 'verified',
        message: `${q.verified} is ${age} days ago; check its facts against current AWS documentation`,
      });
  }
  const files = new Map(bank.questions.map((q) => [q.id, q.file]));
  for (const result of judgeItemWriting(measureItemWriting(bank.questions))) {
    if (result.met) continue;
    const into = enforce || ALWAYS_ENFORCED.has(result.rule) ? problems : warnings;
    into.push({ file: context.bankDir, questionId: '-', field: result.rule, message: result.summary });
    for (const offender of result.offenders)
      into.push({
        file: files.get(offender.id) ?? context.bankDir,
        questionId: offender.id,
        field: result.rule,
        message: offender.message,
      });
  }
  return { problems, warnings };
}

/** Active questions per objective of the guide, in the guide's order (objectives with none included). */
export function countPerObjective(bank: Bank): Map<string, number> {
  const counts = new Map<string, number>();
  if (!bank.guide) return counts;
  for (const id of bank.guide.objectives.keys()) counts.set(id, 0);
  for (const q of bank.questions) {
    if (q.status !== 'active') continue;
    for (const id of objectivesOf(q)) if (counts.has(id)) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/** Whole days between a YYYY-MM-DD date and `now` (UTC). */
export function ageInDays(date: string | undefined, now: Date): number | undefined {
  if (!date) return undefined;
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return Math.floor((today - Date.parse(`${date}T00:00:00Z`)) / DAY_MS);
}
