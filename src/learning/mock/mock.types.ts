import type { Choice, Question } from '../../quiz/question.js';
import type { MockPhase } from './mock.table.js';

/** How big and how long a mock exam is: AIF-C01's 65 questions in 90 minutes unless told otherwise. */
export interface MockSettings {
  questions: number;
  minutes: number;
}

export const DEFAULT_MOCK_SETTINGS: MockSettings = { questions: 65, minutes: 90 };

/** The question in front of the person, as every platform shows it. */
export interface MockQuestionView {
  kind: 'question';
  mockId: string;
  /** 0-based position in the exam; shown as `position + 1`. */
  position: number;
  total: number;
  minutesLeft: number;
  phase: MockPhase;
  /** In the review round: which of the questions coming back this is (1-based), of how many. */
  review?: { index: number; count: number };
  flagged: boolean;
  /** The answer given before, when a flagged question comes back. */
  answered?: Choice;
  question: Question;
  /** A line above the question: resumed, flagged, that click came late… */
  note?: string;
}

export interface MockDomainResult {
  domain: number;
  correct: number;
  total: number;
}

export interface MockMistake {
  position: number;
  question: Question;
  /** null: not answered. */
  choice: Choice | null;
  /** The question is a channel's open question of the day right now: its answer is not shown. */
  hidden: boolean;
}

/** How a mock exam went. Unanswered questions count as wrong. */
export interface MockReport {
  mockId: string;
  endedBy: 'finished' | 'timed_out';
  total: number;
  answered: number;
  correct: number;
  /** Estimated scaled score, 100–1000. */
  score: number;
  passed: boolean;
  domains: MockDomainResult[];
  mistakes: MockMistake[];
}

export type MockView = MockQuestionView | { kind: 'report'; report: MockReport; note?: string };

/** Where a person's running mock exam stands, for App Home's "Resume". */
export interface MockStatus {
  position: number;
  total: number;
  minutesLeft: number;
}

/** The pass mark of the scaled score. */
export const PASS_SCORE = 700;
