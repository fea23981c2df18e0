import type { KnownBlock } from '@slack/types';
import type { MockQuestionView, MockReport, MockView } from '../../../learning/mock/mock.types.js';
import type { MockValue } from '../../../learning/mock/mock.values.js';
import {
  domainLines,
  LISTED_MISTAKES,
  MISTAKES_COME_BACK,
  mistakeLines,
  mockHeader,
  mockHint,
  scoreLine,
} from '../../../learning/mock/mock-text.js';
import { presentQuestion } from '../../../quiz/question.js';
import { questionHeader } from '../../../quiz/render-text.js';
import { ACTIONS, context, escapeMrkdwn, plain, SLACK_LIMITS, section } from '../blocks.js';
import { questionBlocks } from './question.js';
import { reportMenu } from './report.js';

/** A mock exam step as a DM message: the question with its inputs and Skip/Keep and Flag, or the report. */
export function mockBlocks(view: MockView): KnownBlock[] {
  return view.kind === 'question' ? mockQuestionBlocks(view) : mockReportBlocks(view.report, view.note);
}

function mockQuestionBlocks(view: MockQuestionView): KnownBlock[] {
  const value: MockValue = { m: view.mockId, p: view.position };
  const review = view.phase === 'review';
  return [
    ...(view.note ? [context(escapeMrkdwn(view.note))] : []),
    // The "Report a problem" menu beside the heading, as on every other question.
    {
      ...section(`*${mockHeader(view)}*\n${questionHeader(view.question)}`),
      accessory: reportMenu(view.question),
    } as KnownBlock,
    ...questionBlocks(presentQuestion(view.question), {
      single: ACTIONS.mockSingle,
      submit: ACTIONS.mockSubmit,
      value,
    }),
    {
      type: 'actions',
      block_id: 'mock',
      elements: [
        {
          type: 'button',
          action_id: ACTIONS.mockSkip,
          text: plain(review ? 'Keep' : 'Skip'),
          value: JSON.stringify(value),
        },
        ...(review
          ? []
          : [
              {
                type: 'button' as const,
                action_id: ACTIONS.mockFlag,
                text: plain(view.flagged ? 'Unflag' : 'Flag for review'),
                value: JSON.stringify({ ...value, f: view.flagged ? 0 : 1 }),
              },
            ]),
      ],
    },
    context(escapeMrkdwn(mockHint(view))),
  ];
}

function mockReportBlocks(report: MockReport, note?: string): KnownBlock[] {
  const mistakes = report.mistakes
    .slice(0, LISTED_MISTAKES)
    .map((m) => escapeMrkdwn(mistakeLines(m).join('\n')));
  const more = report.mistakes.length - mistakes.length;
  const blocks: KnownBlock[] = [
    ...(note ? [context(escapeMrkdwn(note))] : []),
    section(
      `*Mock exam report${report.endedBy === 'timed_out' ? ' (time ran out)' : ''}*\n${scoreLine(report)}\n${report.correct} of ${report.total} right · ${report.answered} answered${report.answered < report.total ? ' (unanswered count as wrong)' : ''}`,
    ),
    section(`*By exam domain*\n${domainLines(report).map(escapeMrkdwn).join('\n')}`),
  ];
  if (mistakes.length > 0) {
    blocks.push(section(`*Mistakes to review (${report.mistakes.length})*`));
    // One section per few mistakes keeps each under Slack's 3,000 characters.
    for (let i = 0; i < mistakes.length; i += 5) blocks.push(section(mistakes.slice(i, i + 5).join('\n')));
    blocks.push(context(`${more > 0 ? `…and ${more} more. ` : ''}${MISTAKES_COME_BACK}`));
  }
  blocks.push(
    context('The score is an estimate: AWS does not publish how right answers map to its 100–1000 scale.'),
  );
  return blocks.slice(0, SLACK_LIMITS.blocks);
}
