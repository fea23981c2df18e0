import type { BankQuestion, ExamGuide, GuideObjective, Topic } from './schema.js';

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

/** One problem as one line: `file: question: field: message`. */
export function formatProblem(problem: BankProblem): string {
  return `${problem.file}: ${problem.questionId}: ${problem.field}: ${problem.message}`;
}
