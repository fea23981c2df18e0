import type { App, ViewSubmitAction } from '@slack/bolt';
import { z } from 'zod';
import { invalidValue, isRefusal, publicErrorOf } from '../../../errors.js';
import { reportThanks } from '../../../insight/reports.js';
import { parseJsonValue, reportValueSchema } from '../../../quiz/values.js';
import { APOLOGY } from '../../shared/answer-flow.js';
import type { ActionRegistry } from '../action-dispatcher.js';
import { actorOf } from '../actor.js';
import { ACTIONS, VIEWS } from '../blocks.js';
import { REPORT_INPUTS, type ReportMetadata, reportModal } from '../render/report.js';
import type { ListenerDeps } from './deps.js';

/** The modal's private metadata, as the bot writes it; anything else is refused. */
const reportMetadataSchema = reportValueSchema.extend({
  c: z
    .string()
    .regex(/^[A-Z0-9]{1,64}$/)
    .optional(),
});

/** Which input of the modal a refusal belongs under; the reason's, unless it is about the text. */
const UNDER_TEXT = new Set(['insight.report_too_long', 'insight.report_needs_text']);

interface ModalState {
  [block: string]: {
    [action: string]: { selected_option?: { value?: string } | null; value?: string | null };
  };
}

/**
 * "Report a problem" on a question message: the menu item opens a modal (Slack gives 3 s to open
 * one with the click's trigger_id, so it opens before anything else), and the modal's submission
 * stores the report and thanks the person privately. Mistakes in the form show in the modal, under
 * the input they are about; a second report of the same question closes it with a friendly word.
 */
export function registerReportQuestion(app: App, actions: ActionRegistry, deps: ListenerDeps): void {
  const { quiz, platform, log } = deps;

  actions.on(ACTIONS.report, async (args) => {
    await args.ack();
    const { body } = args;
    const selected = (args.action as unknown as { selected_option?: { value?: string } }).selected_option;
    const value = parseJsonValue(reportValueSchema, selected?.value);
    if (!value) throw invalidValue('menu', { actionId: args.action.action_id.slice(0, 64) });
    const channel = body.channel?.id ?? body.container?.channel_id;
    const metadata: ReportMetadata = { ...value, ...(channel ? { c: channel } : {}) };
    await (await platform.client(body.team?.id ?? '')).views.open({
      trigger_id: body.trigger_id,
      view: reportModal(metadata),
    });
  });

  app.view<ViewSubmitAction>(VIEWS.report, async ({ ack, body, view }) => {
    const teamId = body.team?.id ?? view.team_id;
    const showError = (block: string, text: string) =>
      ack({ response_action: 'errors', errors: { [block]: text } });
    const metadata = parseJsonValue(reportMetadataSchema, view.private_metadata);
    if (!metadata) {
      const refusal = invalidValue('report form', { callbackId: VIEWS.report });
      log.warn({ code: refusal.code, teamId, userId: body.user.id }, 'refused a report the bot did not open');
      return showError(REPORT_INPUTS.reason, refusal.message);
    }
    const state = (view.state?.values ?? {}) as ModalState;
    const reason = state[REPORT_INPUTS.reason]?.[REPORT_INPUTS.reason]?.selected_option?.value ?? '';
    const text = state[REPORT_INPUTS.text]?.[REPORT_INPUTS.text]?.value ?? undefined;
    let thanks: string;
    try {
      const receipt = await quiz.reportQuestion(actorOf(teamId, body.user), {
        questionId: metadata.q,
        version: metadata.v,
        reason,
        text,
      });
      thanks = reportThanks(receipt);
    } catch (error) {
      const coded = publicErrorOf(error);
      if (coded?.code === 'insight.already_reported') thanks = coded.message;
      else {
        if (!coded || coded.cause || isRefusal(coded)) await deps.reportError({ error, body, teamId });
        return showError(
          coded && UNDER_TEXT.has(coded.code) ? REPORT_INPUTS.text : REPORT_INPUTS.reason,
          coded?.message ?? APOLOGY,
        );
      }
    }
    await ack();
    await thankPrivately(teamId, body.user.id, metadata.c, thanks);
  });

  /** Only the reporter sees it: in the conversation the menu was used in, else in a direct message. */
  async function thankPrivately(teamId: string, userId: string, channel: string | undefined, text: string) {
    const web = await platform.client(teamId);
    if (channel) {
      try {
        await web.chat.postEphemeral({ channel, user: userId, text });
        return;
      } catch (error) {
        log.warn(
          { err: error, teamId },
          'could not thank a reporter in the channel; sending a direct message',
        );
      }
    }
    await web.chat.postMessage({ channel: await platform.openDirectChannel(teamId, userId), text });
  }
}
