import { DateTime } from 'luxon';
import type { AskedQuestionRow, InsightRepository } from './insight.repository.js';
import { optionLetter } from './item-stats.js';

/** The option that caught most people out, with the bank's reason why it is wrong. */
export interface TrapOption {
  /** As people saw it: A, B, C… in stored order. */
  label: string;
  index: number;
  text: string;
  /** How many wrong answers picked it. */
  picks: number;
  why: string;
}

/** The week's hardest question of the day and the trap in it. */
export interface WeekTraps {
  postId: string;
  localDate: string;
  questionId: string;
  questionVersion: number;
  /** For a "practise this topic" button. */
  topic: string;
  stem: string;
  answers: number;
  correct: number;
  /** Single and multiple only, and only when a wrong answer picked a wrong option. */
  trap?: TrapOption;
  /** The question's own explanation, for every type. */
  explanation: string;
}

interface StoredOption {
  text: string;
  correct?: boolean;
  why: string;
}

/**
 * The local dates a digest posted at `at` covers: the seven days before it, as the digest's text
 * counts them (from the local date a week earlier up to yesterday, inclusive). Today's question is
 * left out: it may still be open, and naming its trap would give its answer away.
 */
export function digestDaysAt(at: Date, timezone: string): { fromDate: string; toDate: string } {
  const local = DateTime.fromJSDate(at, { zone: timezone });
  return {
    fromDate: local.minus({ days: 7 }).toISODate() ?? '',
    toDate: local.minus({ days: 1 }).toISODate() ?? '',
  };
}

/** Lowest share correct first; among equals the one more people answered, then the earlier one. */
function harder(a: AskedQuestionRow, b: AskedQuestionRow): number {
  return (
    a.correct / a.answers - b.correct / b.answers ||
    b.answers - a.answers ||
    a.localDate.localeCompare(b.localDate)
  );
}

/**
 * The traps of a channel's week: its hardest question (lowest share correct among those answered),
 * the wrong option most of the wrong answers chose, and the bank's explanation of why it is wrong.
 * Undefined when nothing was answered, or everyone got everything right.
 */
export async function findWeekTraps(
  repository: InsightRepository,
  options: { channelId: string; fromDate: string; toDate: string },
): Promise<WeekTraps | undefined> {
  const answered = (await repository.askedQuestions(options)).filter((q) => q.answers > 0);
  const hardest = answered.sort(harder)[0];
  if (!hardest || hardest.correct === hardest.answers) return undefined;
  const content = hardest.content as { stem: string; explanation: string; options?: StoredOption[] };
  const trap = mostPickedWrongOption(content.options, hardest.wrongPicks);
  return {
    postId: hardest.postId,
    localDate: hardest.localDate,
    questionId: hardest.questionId,
    questionVersion: hardest.questionVersion,
    topic: hardest.topic,
    stem: content.stem,
    answers: hardest.answers,
    correct: hardest.correct,
    ...(trap ? { trap } : {}),
    explanation: content.explanation,
  };
}

function mostPickedWrongOption(
  options: StoredOption[] | undefined,
  picks: Record<string, number>,
): TrapOption | undefined {
  if (!options) return undefined;
  let best: TrapOption | undefined;
  options.forEach((option, index) => {
    const count = picks[String(index)] ?? 0;
    // A wrong multiple-answer choice may include right options too: only a wrong option is a trap.
    if (option.correct === true || count === 0 || (best && best.picks >= count)) return;
    best = { label: optionLetter(index), index, text: option.text, picks: count, why: option.why };
  });
  return best;
}
