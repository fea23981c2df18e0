import type { KnownBlock, View } from '@slack/types';
import { domainTitle } from '../../../bank/schema.js';
import type { MockStatus } from '../../../learning/mock/mock.types.js';
import type { PersonalStats, StudyStats, UserSettings } from '../../../quiz/quiz.js';
import { coverageLines, examLines, readinessLine, trendLine } from '../../../quiz/render-study.js';
import { ACTIONS, escapeMrkdwn, plain, SLACK_LIMITS, section } from '../blocks.js';

/** The App Home tab: a personal dashboard. */
export function homeView(stats: PersonalStats, settings: UserSettings, mock?: MockStatus): View {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('Your AIF-C01 study dashboard', 150) }];
  if (stats.answered === 0) {
    blocks.push(
      section(
        'No answers yet. Answer the question of the day in a subscribed channel, or practise on your own.',
      ),
    );
  } else {
    blocks.push(
      section(
        `*${stats.points}* points · streak *${stats.streak}* · ${stats.correct}/${stats.answered} correct (${Math.round((stats.accuracy ?? 0) * 100)}%)${stats.rank ? ` · rank ${stats.rank} of ${stats.rankedPeople}` : ''}`,
      ),
    );
    blocks.push(
      section(
        `*Accuracy by exam domain*\n${stats.byDomain.map((d) => `D${d.domain} ${domainTitle(d.domain)}: ${Math.round(d.accuracy * 100)}% of ${d.answered}`).join('\n')}`,
      ),
    );
  }
  if (stats.study) blocks.push(...studyBlocks(stats.study));
  blocks.push({ type: 'divider' });
  if (stats.weakTopics.length === 0)
    blocks.push(section('*Weakest topics*\nNone yet: a topic needs at least 3 answers to be judged.'));
  else {
    blocks.push(section('*Weakest topics*'));
    for (const w of stats.weakTopics) {
      blocks.push({
        type: 'section',
        text: { type: 'mrkdwn', text: `${escapeMrkdwn(w.title)} · ${w.correct}/${w.answered} correct` },
        accessory: {
          type: 'button',
          action_id: `${ACTIONS.homeTopic}:${w.topic}`,
          text: plain('Practise this'),
          value: w.topic,
        },
      });
    }
  }
  blocks.push({
    type: 'actions',
    elements: [
      {
        type: 'button',
        action_id: ACTIONS.homePractice,
        text: plain('Practice question'),
        style: 'primary',
        value: 'practice',
      },
    ],
  });
  blocks.push({ type: 'divider' });
  blocks.push({
    type: 'section',
    text: {
      type: 'mrkdwn',
      text: mock
        ? `*Mock exam in progress* · question ${mock.position + 1}/${mock.total} · ${mock.minutesLeft} min left`
        : '*Mock exam* · a private timed rehearsal of the real exam, in your DM with me',
    },
    accessory: {
      type: 'button',
      action_id: ACTIONS.homeMock,
      text: plain(mock ? 'Resume' : 'Start a mock exam'),
      value: 'mock',
    },
  });
  blocks.push({ type: 'divider' });
  const snoozed =
    settings.snoozedUntil && settings.snoozedUntil > new Date()
      ? ` (paused until ${settings.snoozedUntil.toISOString().slice(0, 10)})`
      : '';
  blocks.push(section(`*Reminders:* ${settings.reminders}${snoozed}`));
  blocks.push({
    type: 'actions',
    elements: (['weekly', 'daily', 'off'] as const).map((value) => ({
      type: 'button' as const,
      action_id: `${ACTIONS.homeReminders}:${value}`,
      text: plain(value === 'off' ? 'Turn off' : `Remind me ${value}`),
      value,
      ...(settings.reminders === value ? { style: 'primary' as const } : {}),
    })),
  });
  return { type: 'home', blocks: blocks.slice(0, SLACK_LIMITS.blocks) };
}

/** Readiness, the last four weeks, coverage and the exam plan: the same words as `stats`. */
function studyBlocks(study: StudyStats): KnownBlock[] {
  const blocks: KnownBlock[] = [
    section(`*${escapeMrkdwn(readinessLine(study))}*\n${escapeMrkdwn(trendLine(study))}`),
    section(escapeMrkdwn(coverageLines(study).join('\n'))),
  ];
  blocks.push(
    section(
      study.exam
        ? escapeMrkdwn(examLines(study.exam).join('\n'))
        : 'No exam date set: send `/aif-quiz exam YYYY-MM-DD` to plan your pace.',
    ),
  );
  return blocks;
}
