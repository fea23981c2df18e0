import type { KnownBlock, ModalView, Overflow } from '@slack/types';
import { REPORT_REASONS, REPORT_TEXT_MAX } from '../../../insight/reports.js';
import type { Question } from '../../../quiz/question.js';
import type { ReportValue } from '../../../quiz/values.js';
import { ACTIONS, context, escapeMrkdwn, plain, VIEWS } from '../blocks.js';

// "Report a problem" on a question: the menu item on the message, and the modal it opens.

/** What the report modal carries between opening and submission: the question shown, and where. */
export interface ReportMetadata extends ReportValue {
  /** The conversation the menu was used in, for the private thank-you. */
  c?: string;
}

/** The block ids (and action ids) of the report modal's inputs. */
export const REPORT_INPUTS = { reason: 'reason', text: 'text' } as const;

/**
 * The "⋯" menu of a question message, with its one item "Report a problem", bound to the question
 * and version shown. Put it as a section's accessory (or in an actions block: `reportMenuBlock`).
 *
 * @example section.accessory = reportMenu(message.question)
 */
export function reportMenu(question: Pick<Question, 'id' | 'version'>): Overflow {
  const value: ReportValue = { q: question.id, v: question.version };
  return {
    type: 'overflow',
    action_id: ACTIONS.report,
    options: [{ text: plain('Report a problem'), value: JSON.stringify(value) }],
  };
}

/** The report menu as a block of its own, for a message whose sections have no room for it. */
export function reportMenuBlock(question: Pick<Question, 'id' | 'version'>): KnownBlock {
  return { type: 'actions', block_id: 'report', elements: [reportMenu(question)] };
}

const capitalised = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The modal "Report a problem" opens: a reason and, optionally, what is wrong in the person's words. */
export function reportModal(metadata: ReportMetadata): ModalView {
  return {
    type: 'modal',
    callback_id: VIEWS.report,
    private_metadata: JSON.stringify(metadata),
    title: plain('Report a problem', 24),
    submit: plain('Send report', 24),
    close: plain('Cancel', 24),
    blocks: [
      context(
        `Question \`${escapeMrkdwn(metadata.q)}\` (version ${metadata.v}). An admin reads every report and fixes the question where needed.`,
      ),
      {
        type: 'input',
        block_id: REPORT_INPUTS.reason,
        label: plain('What is wrong?'),
        element: {
          type: 'static_select',
          action_id: REPORT_INPUTS.reason,
          placeholder: plain('Choose a reason'),
          options: Object.entries(REPORT_REASONS).map(([value, words]) => ({
            text: plain(capitalised(words)),
            value,
          })),
        },
      },
      {
        type: 'input',
        block_id: REPORT_INPUTS.text,
        optional: true,
        label: plain('Tell us more (needed for "other")'),
        element: {
          type: 'plain_text_input',
          action_id: REPORT_INPUTS.text,
          multiline: true,
          max_length: REPORT_TEXT_MAX,
          placeholder: plain('For example: option B is also right, because…'),
        },
      },
    ],
  };
}
