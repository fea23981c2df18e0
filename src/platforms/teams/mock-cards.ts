import type { MockQuestionView, MockReport, MockView } from '../../learning/mock/mock.types.js';
import {
  domainLines,
  LISTED_MISTAKES,
  MISTAKES_COME_BACK,
  mistakeLines,
  mockHeader,
  mockHint,
  scoreLine,
} from '../../learning/mock/mock-text.js';
import { presentQuestion } from '../../quiz/question.js';
import { questionHeader } from '../../quiz/render-text.js';
import { type CardData, card, type Element, questionElements, reportAction, text } from './cards.js';

/** A mock exam step as an Adaptive Card for the 1:1 chat: the question with Skip/Keep and Flag, or the report. */
export function mockCard(view: MockView): Element {
  return view.kind === 'question' ? mockQuestionCard(view) : mockReportCard(view.report, view.note);
}

function mockQuestionCard(view: MockQuestionView): Element {
  const data: CardData = { aifq: 'mock', m: view.mockId, p: view.position };
  const { body, actions } = questionElements(presentQuestion(view.question), data);
  const review = view.phase === 'review';
  const moves = [
    { type: 'Action.Submit', title: review ? 'Keep' : 'Skip', data: { ...data, s: 1 } },
    ...(review
      ? []
      : [
          {
            type: 'Action.Submit',
            title: view.flagged ? 'Unflag' : 'Flag for review',
            data: { ...data, f: view.flagged ? 0 : 1 },
          },
        ]),
    reportAction(view.question),
  ];
  // Skip and Flag sit in the body, apart from the answer buttons: Teams shows at most six actions
  // in a row, and a single-answer question already has one per option.
  return card(
    [
      ...(view.note ? [text(view.note, { isSubtle: true })] : []),
      text(`**${mockHeader(view)}**`, { size: 'Medium' }),
      text(questionHeader(view.question), { isSubtle: true, spacing: 'None' }),
      ...body,
      { type: 'ActionSet', actions: moves },
      text(mockHint(view), { isSubtle: true, size: 'Small' }),
    ],
    actions,
  );
}

function mockReportCard(report: MockReport, note?: string): Element {
  const mistakes = report.mistakes.slice(0, LISTED_MISTAKES);
  const more = report.mistakes.length - mistakes.length;
  return card([
    ...(note ? [text(note, { isSubtle: true })] : []),
    text(`**Mock exam report${report.endedBy === 'timed_out' ? ' (time ran out)' : ''}**`, {
      size: 'Medium',
    }),
    text(scoreLine(report), { weight: 'Bolder' }),
    text(
      `${report.correct} of ${report.total} right · ${report.answered} answered${report.answered < report.total ? ' (unanswered count as wrong)' : ''}`,
    ),
    text('**By exam domain**'),
    ...domainLines(report).map((line) => text(line, { spacing: 'None' })),
    ...(mistakes.length > 0
      ? [
          text(`**Mistakes to review (${report.mistakes.length})**`),
          ...mistakes.map((m) => text(mistakeLines(m).join('\n\n'), { spacing: 'Small' })),
          text(`${more > 0 ? `…and ${more} more. ` : ''}${MISTAKES_COME_BACK}`, {
            isSubtle: true,
          }),
        ]
      : []),
    text('The score is an estimate: AWS does not publish how right answers map to its 100–1000 scale.', {
      isSubtle: true,
      size: 'Small',
    }),
  ]);
}
