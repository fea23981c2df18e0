import { DateTime } from 'luxon';
import { DOMAINS, domainTitle, type ExamDomain, type Topic } from '../bank/schema.js';
import { renderMockText } from '../learning/mock/mock-text.js';
import { COMMAND_HELP } from './commands.js';
import type { DailyQuestionMessage } from './port.js';
import {
  type Choice,
  correctIndexes,
  describeChoice,
  describeCorrectAnswer,
  markChoice,
  presentQuestion,
  type Question,
} from './question.js';
import { questionHeader, renderQuestionText } from './question-text.js';
import {
  examLines,
  practiceTitle,
  reminderIntroText,
  renderExamText,
  renderStudyText,
  teamReadinessText,
} from './render-study.js';
import { dayName, type Reply } from './replies.js';
import { describeDays } from './schedule.js';
import type {
  AnswerResult,
  ChannelSettings,
  DigestTraps,
  Leaderboard,
  PersonalStats,
  PracticeQuestion,
  PracticeResult,
  ReminderContent,
  Reveal,
  UserSettings,
  WeeklyDigest,
} from './types.js';

// Plain-text rendering of everything the bot says: the terminal channel shows it as is, and the
// chat platforms use it as the notification text beside their rich layouts.

const pct = (x: number) => `${Math.round(x * 100)}%`;

// The question layout lives in question-text.ts, so other features can use it without a cycle.
export { questionHeader, renderQuestionText };

/** An instant as a date and time on the wall clock of a timezone, named: `2026-11-03 10:00 Europe/Paris`. */
export function formatInZone(at: Date, timezone = 'UTC'): string {
  return `${DateTime.fromJSDate(at, { zone: timezone }).toFormat('yyyy-MM-dd HH:mm')} ${timezone}`;
}

export function renderDailyQuestionText(message: DailyQuestionMessage): string {
  const footer = message.closed
    ? `Closed · ${message.answered} answered`
    : `${message.answered} answered${message.closesAt ? ` · closes ${formatInZone(message.closesAt, message.timezone)}` : ''}`;
  return renderQuestionText(presentQuestion(message.question), {
    title: `Question of the day · ${message.localDate}`,
    footer,
  });
}

export function renderPracticeText(practice: PracticeQuestion): string {
  return renderQuestionText(presentQuestion(practice.question), { title: practiceTitle(practice) });
}

/**
 * Why each option is right or wrong, for the feedback a person gets after answering; for
 * matching and ordering, which of their pairs or positions were right.
 */
export function explanationLines(question: Question, choice?: Choice, rightParts?: boolean[]): string[] {
  const presentation = presentQuestion(question);
  const lines: string[] = [];
  if (choice && (question.type === 'matching' || question.type === 'ordering')) {
    const marks = rightParts ?? markChoice(question, choice);
    const labelOf = new Map(presentation.items.map((item) => [item.index, item.label]));
    const right = marks.filter(Boolean).length;
    lines.push(
      question.type === 'matching'
        ? `Your matches: ${right} of ${marks.length} pairs right`
        : `Your order: ${right} of ${marks.length} steps in place`,
    );
    for (const [i, picked] of choice.entries()) {
      const mark = marks[i] ? '✓' : '✗';
      lines.push(
        question.type === 'matching'
          ? `${mark} ${i + 1}. ${question.pairs[i]?.prompt} → ${labelOf.get(picked)}. ${question.pairs[picked]?.answer}`
          : `${mark} ${i + 1}. ${labelOf.get(picked)}) ${question.steps[picked]}`,
      );
    }
    lines.push('');
  }
  if (question.type === 'single' || question.type === 'multiple') {
    const right = new Set(correctIndexes(question));
    for (const item of presentation.items) {
      const option = question.options[item.index];
      if (!option) continue;
      const mark = right.has(item.index) ? '✓' : choice?.includes(item.index) ? '✗' : ' ';
      lines.push(`${mark} ${item.label}) ${option.why}`);
    }
    lines.push('');
  }
  lines.push(question.explanation);
  return lines;
}

export function renderFeedbackText(result: AnswerResult | PracticeResult): string {
  const presentation = presentQuestion(result.question);
  const verdict = result.correct ? 'Correct!' : 'Not quite.';
  const lines: string[] = [];
  if (result.outcome === 'already_answered') {
    lines.push(
      `You already answered ${describeChoice(presentation, result.choice)}; your first answer is the one that counts.`,
    );
  } else if (result.outcome === 'late') {
    lines.push(`${verdict} This question has closed, so your answer counts as practice, not points.`);
  } else {
    lines.push(`${verdict} You answered ${describeChoice(presentation, result.choice)}.`);
  }
  if (!result.correct || result.outcome !== 'already_answered') {
    lines.push('', 'The right answer:', describeCorrectAnswer(presentation));
  }
  lines.push('', ...explanationLines(result.question, result.choice, result.rightParts));
  if ('points' in result && result.outcome === 'recorded') {
    lines.push('', `+${result.points} points · streak ${result.streak} · total ${result.totalPoints}`);
  }
  return lines.join('\n');
}

export function renderRevealText(reveal: Reveal): string {
  const presentation = presentQuestion(reveal.question);
  const lines = ['The answer', describeCorrectAnswer(presentation), ''];
  if (reveal.answered === 0) lines.push('Nobody answered this one.');
  else
    lines.push(
      `${reveal.correctCount} of ${reveal.answered} answered correctly (${pct(reveal.correctCount / reveal.answered)}).`,
    );
  if (reveal.optionCounts.length > 0 && reveal.answered > 0) {
    const right = new Set(correctChoiceOf(reveal.question));
    for (const item of presentation.items) {
      const n = reveal.optionCounts[item.index] ?? 0;
      lines.push(`  ${item.label}) ${bar(n / reveal.answered)} ${n}${right.has(item.index) ? ' ✓' : ''}`);
    }
  }
  lines.push('', reveal.question.explanation);
  return lines.join('\n');
}

function correctChoiceOf(question: Question): number[] {
  return question.type === 'single' || question.type === 'multiple' ? correctIndexes(question) : [];
}

function bar(share: number): string {
  const width = 10;
  const filled = Math.round(share * width);
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
}

export function renderLeaderboardText(board: Leaderboard): string {
  const period = board.period === 'all' ? 'all time' : `this ${board.period}`;
  const title = `Leaderboard · ${board.scope === 'workspace' ? 'whole workspace' : 'this channel'} · ${period}`;
  if (board.rows.length === 0)
    return `${title}\nNo answers yet ${board.period === 'all' ? '' : `${period} `}. Be the first!`.replace(
      ' .',
      '.',
    );
  const lines = [title];
  for (const row of board.rows.slice(0, 10)) {
    lines.push(
      `${String(row.rank).padStart(3)}. ${row.name.padEnd(20)} ${String(row.points).padStart(5)} pts  ${row.correct}/${row.answered} correct`,
    );
  }
  return lines.join('\n');
}

export function renderStatsText(stats: PersonalStats): string {
  if (stats.answered === 0)
    return [
      'No answers yet. Answer the question of the day, or send "practice" for a question of your own.',
      ...(stats.study?.exam ? ['', ...examLines(stats.study.exam)] : []),
    ].join('\n');
  const lines = [
    'Your progress',
    `Answered ${stats.answered} · correct ${stats.correct} (${pct(stats.accuracy ?? 0)}) · ${stats.points} points · streak ${stats.streak}`,
    stats.rank
      ? `Rank ${stats.rank} of ${stats.rankedPeople} in this workspace (all time)`
      : 'Not on the leaderboard (no question of the day answered yet, or opted out)',
    '',
    'By exam domain',
  ];
  for (const d of stats.byDomain)
    lines.push(
      `  ${`D${d.domain}`.padEnd(3)} ${d.title.padEnd(56)} ${pct(d.accuracy).padStart(4)} of ${d.answered}`,
    );
  lines.push('');
  if (stats.weakTopics.length === 0)
    lines.push('No weak topics yet (a topic needs at least 3 answers to be judged).');
  else {
    lines.push('Weakest topics');
    for (const w of stats.weakTopics)
      lines.push(`  ${w.title}: ${w.correct}/${w.answered} correct · "topic ${w.topic}" to practise`);
  }
  if (stats.study) lines.push('', ...renderStudyText(stats.study));
  return lines.join('\n');
}

export function renderChannelSettingsText(settings: ChannelSettings): string {
  if (!settings.active) return 'This channel is not subscribed to the question of the day.';
  return `Question of the day at ${settings.postTime} (${settings.timezone}), ${describeDays(settings.days)}; weekly digest on ${dayName(settings.digestDay)}s at ${settings.digestTime}.`;
}

export function renderUserSettingsText(settings: UserSettings): string {
  const reminders = settings.reminders === 'off' ? 'off' : settings.reminders;
  const snoozed =
    settings.snoozedUntil && settings.snoozedUntil > new Date(0)
      ? ` (paused until ${settings.snoozedUntil.toISOString().slice(0, 10)})`
      : '';
  return [
    `Reminders: ${reminders}${snoozed}`,
    `Leaderboards: ${settings.leaderboardOptOut ? 'opted out' : 'included'}`,
    `Timezone: ${settings.timezone ?? 'not set (the channel or the bot default is used)'}`,
  ].join('\n');
}

/** How to report a question, under the commands on every platform (the terminal adds its own way). */
export const REPORT_HELP =
  'Something wrong with a question (a wrong answer, outdated, unclear, a typo)? Choose "Report a problem" on it (in Slack, in its ⋯ menu).';

export function renderHelpText(
  options: { problem?: string; suggestion?: string; prefix?: string } = {},
): string {
  const prefix = options.prefix ?? '';
  if (options.problem) {
    const hint = options.suggestion ? ` Did you mean "${prefix}${options.suggestion}"?` : '';
    return `${options.problem}${hint}\nSend "${prefix}help" to see every command.`;
  }
  const lines: string[] = [];
  lines.push('AWS AI Practitioner (AIF-C01) study bot. Commands:');
  for (const c of COMMAND_HELP)
    lines.push(`  ${`${prefix}${c.usage}`.padEnd(58)} ${c.does}${c.admin ? ' (admins)' : ''}`);
  lines.push('', REPORT_HELP);
  return lines.join('\n');
}

export function renderTopicsText(topics: Topic[]): string {
  const lines = ['Topics, by exam domain ("topic <slug>" to practise one):'];
  for (const domain of [1, 2, 3, 4, 5, 0]) {
    const inDomain = topics.filter((t) => t.domain === domain);
    if (inDomain.length === 0) continue;
    const weight = domain === 0 ? '' : ` (${DOMAINS[domain as ExamDomain].weight}% of the exam)`;
    lines.push('', `${domain === 0 ? 'Background' : `Domain ${domain}`}: ${domainTitle(domain)}${weight}`);
    for (const t of inDomain) lines.push(`  ${t.slug.padEnd(34)} ${t.title}`);
  }
  return lines.join('\n');
}

export function renderDigestText(digest: WeeklyDigest): string {
  const lines = [
    `Weekly digest · ${digest.week}`,
    `${digest.questionsAsked} questions · ${digest.activePeople} of ${digest.members} people answered`,
    '',
  ];
  if (digest.top.length > 0) {
    lines.push('Top of the week');
    for (const row of digest.top)
      lines.push(`  ${row.rank}. ${row.name} · ${row.points} pts (${row.correct}/${row.answered})`);
    lines.push('');
  }
  if (digest.traps) lines.push(...renderTrapsText(digest.traps), '');
  else if (digest.hardest) {
    lines.push(
      `Hardest question: ${digest.hardest.correct}/${digest.hardest.answered} got it right`,
      `  ${digest.hardest.question.stem}`,
      '',
    );
  }
  if (digest.weakestDomain) {
    lines.push(
      `Team's weakest domain: D${digest.weakestDomain.domain} ${digest.weakestDomain.title} (${pct(digest.weakestDomain.accuracy)} correct)`,
    );
  }
  if (digest.streaks.length > 0)
    lines.push(`Streaks: ${digest.streaks.map((s) => `${s.name} ${s.streak} days`).join(', ')}`);
  if (digest.readiness) lines.push(teamReadinessText(digest.readiness));
  return lines.join('\n').trimEnd();
}

/** The week's trap: the hardest question, the wrong option most people chose, and why it is wrong. */
export function renderTrapsText(traps: DigestTraps): string[] {
  const lines = [
    `Trap of the week: ${traps.correct} of ${traps.answers} got it right (${traps.topicTitle})`,
    `  ${traps.stem}`,
  ];
  if (traps.trap) {
    const { label, text, picks, why } = traps.trap;
    lines.push(
      `  Most wrong answers chose ${label}: ${text} (${picks} ${picks === 1 ? 'person' : 'people'})`,
      `  Why it is wrong: ${why}`,
    );
  } else lines.push(`  The answer: ${traps.explanation}`);
  return lines;
}

export function renderReminderText(reminder: ReminderContent): string {
  return [reminderIntroText(reminder), '', renderPracticeText(reminder.practice)].join('\n');
}

/** A command's reply as text. `prefix` is how commands are typed here ("/aif-quiz " in Slack). */
export function renderReplyText(reply: Reply, prefix = ''): string {
  switch (reply.kind) {
    case 'help':
      return renderHelpText({ ...reply, prefix });
    case 'topics':
      return renderTopicsText(reply.topics);
    case 'practice':
      return renderPracticeText(reply.practice);
    case 'stats':
      return renderStatsText(reply.stats);
    case 'leaderboard':
      return renderLeaderboardText(reply.leaderboard);
    case 'subscribed':
      return `Subscribed. ${renderChannelSettingsText(reply.settings)}`;
    case 'unsubscribed':
      return 'Unsubscribed: no more questions of the day here. Answers and leaderboards are kept.';
    case 'settings':
      return [
        renderUserSettingsText(reply.user),
        ...(reply.channel ? ['', renderChannelSettingsText(reply.channel)] : []),
      ].join('\n');
    case 'notice':
      return reply.text;
    case 'exam':
      return renderExamText(reply.exam, prefix);
    case 'forget-me':
      return reply.erased
        ? 'Done: your answers, points, streaks, study record (reviews, exam date, mock exams), reports and settings are erased.'
        : `This erases your answers, points, streaks, study record (reviews, exam date, mock exams), reports and settings for good. To go ahead, send "${prefix}forget-me confirm".`;
    case 'mock':
      return renderMockText(reply.view);
    case 'error':
      return reply.message;
  }
}
