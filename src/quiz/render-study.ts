import type { Pace } from '../learning/pacing.js';
import type {
  ConfidenceMark,
  ExamPlan,
  PracticeQuestion,
  ReminderContent,
  StudyStats,
  TeamReadiness,
} from './types.js';

// Plain text for what the learning engine adds: readiness, coverage, trend, the exam plan, why a
// practice question was picked. Every platform shows these words, rich layouts around them.

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** "Practice on your weakest topic" / "Practice", and what follows it: the topic and why. */
export function practiceTitleParts(practice: PracticeQuestion): { label: string; rest: string } {
  if (practice.reason === 'weak-topic')
    return { label: 'Practice on your weakest topic', rest: practice.topicTitle };
  const label = practice.reason === 'mistake' ? 'Review a mistake' : 'Practice';
  return { label, rest: `${practice.topicTitle} · ${practice.why}` };
}

export function practiceTitle(practice: PracticeQuestion): string {
  const { label, rest } = practiceTitleParts(practice);
  return `${label}: ${rest}`;
}

/** The first line of a reminder: why this question now, and the exam's pace when there is one. */
export function reminderIntroText(reminder: ReminderContent): string {
  const { practice, topic } = reminder;
  const weakest =
    topic && `Your weakest topic right now: ${topic.title} (${topic.correct}/${topic.answered} correct).`;
  const lines = [
    practice.reason === 'due'
      ? `Time for a review: ${practice.why}.${weakest ? ` ${weakest}` : ''}`
      : (weakest ?? 'A question you have not seen yet.'),
  ];
  if (reminder.exam)
    lines.push(
      `Exam on ${reminder.exam.date}: ${daysText(reminder.exam.daysLeft)} left · about ${reminder.exam.perDay} questions a day keeps you on pace.`,
    );
  return lines.join('\n');
}

const daysText = (days: number) => (days === 1 ? '1 day' : `${days} days`);

export function readinessLine(study: StudyStats): string {
  const r = study.readiness;
  const figures = `${r.score} (band ${r.low}–${r.high}; 700 passes)`;
  return r.verdict === 'not enough answers yet'
    ? `Readiness: not enough answers yet for a verdict (${r.answers} so far) · for now about ${figures}`
    : `Readiness: predicted ${figures} · ${r.verdict}`;
}

export function trendLine(study: StudyStats): string {
  const weeks = study.trend.map((w, i) => {
    const label = i === study.trend.length - 1 ? ' (this week)' : '';
    return w.answered === 0 ? `–${label}` : `${pct(w.correct / w.answered)} of ${w.answered}${label}`;
  });
  return `Accuracy, last four weeks: ${weeks.join(' → ')}`;
}

export function coverageLines(study: StudyStats): string[] {
  const c = study.coverage;
  const lines = [
    `Coverage: ${c.seen} of ${c.bankSize} questions seen${c.bankSize ? ` (${pct(c.seen / c.bankSize)})` : ''}`,
  ];
  for (const d of c.domains)
    lines.push(
      `  ${`D${d.domain}`.padEnd(3)} ${d.title.padEnd(56)} ${String(d.seen).padStart(4)}/${d.total}`,
    );
  if (c.untouched.length > 0)
    lines.push(`  Not touched yet: ${c.untouched.map((d) => `D${d.domain} ${d.title}`).join(', ')}`);
  return lines;
}

/** What it takes a day, in words. */
export function paceText(pace: Pace): string {
  if (pace.load === 'exam day')
    return pace.daysLeft === 0 ? 'It is exam day: good luck!' : 'The exam date has passed.';
  if (pace.load === 'done')
    return `You have seen every question and have no weak topic: keep up with about ${pace.reviewsPerDay} reviews a day.`;
  const heavy =
    pace.load === 'heavy' ? ' That is a heavy plan: longer sessions or a later date would help.' : '';
  const reviews = pace.reviewsPerDay === 1 ? '1 review' : `${pace.reviewsPerDay} reviews`;
  return `About ${pace.perDay} practice questions a day (${pace.newPerDay} new or weak, ${reviews}) covers the rest by then.${heavy}`;
}

export function examLines(exam: ExamPlan): string[] {
  const left = exam.pace.daysLeft;
  const lines = [
    `Exam on ${exam.date}${left > 0 ? `: ${daysText(left)} to go` : ''}`,
    `  ${paceText(exam.pace)}`,
  ];
  if (exam.uncoveredTopics.length > 0 && left >= 0) {
    const shown = exam.uncoveredTopics.slice(0, 6);
    const more = exam.uncoveredTopics.length - shown.length;
    lines.push(`  Topics not covered yet: ${shown.join('; ')}${more > 0 ? ` and ${more} more` : ''}`);
  }
  return lines;
}

/** The learning engine's part of `stats`. */
export function renderStudyText(study: StudyStats): string[] {
  return [
    readinessLine(study),
    trendLine(study),
    '',
    ...coverageLines(study),
    ...(study.exam
      ? ['', ...examLines(study.exam)]
      : ['', 'No exam date set: send "exam YYYY-MM-DD" to plan your pace.']),
  ];
}

/** What `exam` answers. */
export function renderExamText(
  result: { kind: 'set'; plan: ExamPlan } | { kind: 'off' } | { kind: 'show'; plan?: ExamPlan },
  prefix = '',
): string {
  if (result.kind === 'off') return 'Exam date cleared. Reminders follow your own setting again.';
  if (!result.plan)
    return `No exam date set. Send "${prefix}exam YYYY-MM-DD" with the day of your exam to plan your pace.`;
  const { date, pace } = result.plan;
  const when = pace.daysLeft > 0 ? `, ${daysText(pace.daysLeft)} from today` : '';
  const head = result.kind === 'set' ? `Exam date set: ${date}${when}.` : `Your exam: ${date}${when}.`;
  return [
    head,
    ...examLines(result.plan)
      .slice(1)
      .map((line) => line.trim()),
    `Send "${prefix}stats" to follow your readiness.`,
  ].join('\n');
}

/** The team's readiness in the weekly digest: a median and a count, never one person's figure. */
export function teamReadinessText(readiness: TeamReadiness): string {
  return `Team readiness: median predicted score ${readiness.median} · ${readiness.predictedToPass} of ${readiness.people} predicted to pass (people with enough answers)`;
}

/** The optional question after an answer's feedback. */
export const CONFIDENCE_PROMPT =
  'Were you sure, or was it a guess? Telling me tunes when this question comes back.';

/** What a confidence tap answers, as a message of its own. */
export function confidenceText(mark: ConfidenceMark): string {
  if (mark.kind === 'none') return 'There is no answer of yours to that question to mark.';
  if (mark.kind === 'pending')
    return 'That answer is still being saved, so nothing is marked yet. Try again in a moment.';
  if (mark.kind === 'already')
    return `That answer is already marked as ${mark.sure ? 'sure' : 'a guess'}; it keeps that mark.`;
  return mark.sure
    ? 'Noted: you were sure. It counts fully toward your readiness.'
    : 'Noted: a guess. The question comes back sooner, and a lucky guess does not count as mastery.';
}

/** The line that takes the place of the confidence buttons once the answer is marked. */
export function confidenceMarkedLine(sure: boolean): string {
  return sure
    ? 'Marked: I was sure. It counts fully toward your readiness.'
    : 'Marked: I guessed. The question comes back sooner; a lucky guess is not counted as mastery.';
}

/** Whether an answer's feedback offers the confidence tap: only an answer just stored has a review to mark. */
export function offersConfidence(result: { outcome: string }): boolean {
  return result.outcome === 'recorded' || result.outcome === 'late';
}
