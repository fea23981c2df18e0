import type { KnownBlock } from '@slack/types';

// The Block Kit vocabulary every Slack message of the bot shares: its limits, the action ids the
// listeners dispatch on, and the few block shapes the renderers in ./render/ build from.

/** Slack's Block Kit limits that every message here must respect. */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  buttonText: 75,
  optionText: 75,
  value: 2000,
} as const;

export const ACTIONS = {
  dailySingle: 'qotd_single',
  dailySubmit: 'qotd_submit',
  practiceSingle: 'practice_single',
  practiceSubmit: 'practice_submit',
  mockSingle: 'mock_single',
  mockSubmit: 'mock_submit',
  mockSkip: 'mock_skip',
  mockFlag: 'mock_flag',
  homeMock: 'home_mock',
  input: 'answer_input',
  homePractice: 'home_practice',
  homeTopic: 'home_topic',
  homeReminders: 'home_reminders',
  digestPractice: 'digest_practice',
  confidence: 'confidence',
  report: 'report_question',
} as const;

/** The callback ids of the bot's modals, which their view submissions are dispatched on. */
export const VIEWS = {
  report: 'report_question',
} as const;

export const section = (text: string): KnownBlock => ({
  type: 'section',
  text: { type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) },
});
export const context = (text: string): KnownBlock => ({
  type: 'context',
  elements: [{ type: 'mrkdwn', text: clip(text, SLACK_LIMITS.sectionText) }],
});
export const plain = (text: string, max: number = SLACK_LIMITS.optionText) => ({
  type: 'plain_text' as const,
  text: clip(text, max),
  emoji: true,
});

export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack mrkdwn treats &, < and > specially; question text is shown literally. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
