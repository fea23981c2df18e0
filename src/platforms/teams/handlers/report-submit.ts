import type { TurnContext } from 'botbuilder';
import { reportThanks } from '../../../insight/reports.js';
import { actorOf, markdown } from '../activity.js';
import { type CardData, REPORT_FIELDS } from '../cards.js';
import type { HandlerDeps } from './deps.js';

type ReportData = Extract<CardData, { aifq: 'report' }>;

/**
 * The "Report a problem" form of a question card, submitted: the report is stored against the
 * question and version the card showed, and the person is thanked privately (in their 1:1 chat when
 * they reported in a channel: Teams has no private replies there). A reason the card never offers,
 * a text too long, or a second report of the same question reach the error sink as coded errors,
 * which tells the person privately too, and nothing is stored.
 */
export async function handleReportSubmit(
  context: TurnContext,
  value: ReportData & Record<string, unknown>,
  deps: HandlerDeps,
): Promise<void> {
  const { activity } = context;
  const actor = actorOf(activity, deps.adminUserIds);
  const reason = value[REPORT_FIELDS.reason];
  const text = value[REPORT_FIELDS.text];
  const receipt = await deps.quiz.reportQuestion(actor, {
    questionId: value.q,
    version: value.v,
    reason: typeof reason === 'string' ? reason : '',
    text: typeof text === 'string' ? text : undefined,
  });
  const thanks = reportThanks(receipt);
  if (activity.conversation.conversationType === 'personal')
    await context.sendActivity({ text: markdown(thanks), textFormat: 'markdown' });
  else
    await deps.platform.sendPrivately(
      { workspaceId: actor.workspaceId, userId: actor.userId },
      { text: thanks },
    );
}
