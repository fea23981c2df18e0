import { domainTitle } from '../../bank/schema.js';
import { describeChoice, describeCorrectAnswer, presentQuestion } from '../../quiz/question.js';
import { renderQuestionText } from '../../quiz/question-text.js';
import type { MockMistake, MockQuestionView, MockReport, MockView } from './mock.types.js';
import { PASS_SCORE } from './mock.types.js';

/** What happens to the mistakes next. */
export const MISTAKES_COME_BACK = 'The ones you answered come back as reviews when you practise.';

/** Mistakes listed in full in a report; the rest are counted. */
export const LISTED_MISTAKES = 15;

/** `Mock exam · question 12/65 · 71 min left`, with the review round and the flag when they apply. */
export function mockHeader(view: MockQuestionView): string {
  return [
    'Mock exam',
    ...(view.review ? [`second look ${view.review.index}/${view.review.count}`] : []),
    `question ${view.position + 1}/${view.total}`,
    `${view.minutesLeft} min left`,
    ...(view.flagged ? ['⚑ flagged'] : []),
  ].join(' · ');
}

/** What to do besides answering, in words every platform can show. */
export function mockHint(view: MockQuestionView): string {
  const presentation = presentQuestion(view.question);
  if (view.phase === 'review')
    return view.answered
      ? `Your answer so far: ${describeChoice(presentation, view.answered)}. Answer again to change it, or Keep to leave it.`
      : 'Not answered yet. Answer it now, or Keep to leave it unanswered (it counts as wrong).';
  return 'Skip to come back to it after the last question; flag it to answer now and look again at the end.';
}

export function renderMockQuestionText(view: MockQuestionView): string {
  const text = renderQuestionText(presentQuestion(view.question), {
    title: mockHeader(view),
    footer: mockHint(view),
  });
  return view.note ? `${view.note}\n\n${text}` : text;
}

/** `742 · pass (700 needed)`, with how it came about. */
export function scoreLine(report: MockReport): string {
  return `Estimated score: ${report.score} of 1000 · ${report.passed ? 'pass' : 'not a pass yet'} (${PASS_SCORE} passes)`;
}

export function domainLines(report: MockReport): string[] {
  return report.domains.map(
    (d) =>
      `Domain ${d.domain}: ${domainTitle(d.domain)} · ${d.correct}/${d.total} (${Math.round((100 * d.correct) / Math.max(d.total, 1))}%)`,
  );
}

/** One mistake in two lines: which question, then what was given and what was right. */
export function mistakeLines(mistake: MockMistake): string[] {
  const { question } = mistake;
  const presentation = presentQuestion(question);
  const stem = question.stem.length > 120 ? `${question.stem.slice(0, 119)}…` : question.stem;
  const given = mistake.choice ? `you: ${describeChoice(presentation, mistake.choice)}` : 'not answered';
  const right = mistake.hidden
    ? "the answer shows after a channel's question of the day reveals it (it is open right now)"
    : `right: ${describeCorrectAnswer(presentation).replace(/\n/g, '; ')}`;
  return [`Q${mistake.position + 1} · Domain ${question.domain} · ${stem}`, `   ${given} · ${right}`];
}

export function renderMockReportText(report: MockReport, note?: string): string {
  const lines = [
    ...(note ? [note, ''] : []),
    report.endedBy === 'timed_out' ? 'Mock exam report (time ran out)' : 'Mock exam report',
    scoreLine(report),
    `${report.correct} of ${report.total} right · ${report.answered} answered${report.answered < report.total ? ' (unanswered count as wrong)' : ''}`,
    '',
    'By exam domain:',
    ...domainLines(report).map((l) => `  ${l}`),
  ];
  if (report.mistakes.length > 0) {
    lines.push('', `Mistakes to review (${report.mistakes.length}):`);
    for (const mistake of report.mistakes.slice(0, LISTED_MISTAKES)) lines.push(...mistakeLines(mistake));
    if (report.mistakes.length > LISTED_MISTAKES)
      lines.push(`…and ${report.mistakes.length - LISTED_MISTAKES} more.`);
    lines.push(MISTAKES_COME_BACK);
  }
  lines.push(
    '',
    'The score is an estimate: AWS does not publish how right answers map to its 100–1000 scale.',
  );
  return lines.join('\n');
}

export function renderMockText(view: MockView): string {
  return view.kind === 'question'
    ? renderMockQuestionText(view)
    : renderMockReportText(view.report, view.note);
}
