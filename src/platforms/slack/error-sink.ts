import type { App } from '@slack/bolt';
import { causedByBusyDatabase, isRefusal, publicErrorOf } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { APOLOGY } from '../shared/answer-flow.js';
import { postToResponseUrl } from './http.js';

/** Tells the person what went wrong (privately, when the request has a response URL) and logs it. */
export type SlackErrorSink = (failure: { error: unknown; body?: unknown; teamId?: string }) => Promise<void>;

/**
 * The one error sink of the Slack app: a coded error becomes its own message, anything else an
 * apology and an error line. Listeners that must acknowledge after a failure call it themselves;
 * everything else reaches it through Bolt's error handler (see `installErrorSink`).
 */
export function createSlackErrorSink(log: Logger): SlackErrorSink {
  return async ({ error, body, teamId }) => {
    const responseUrl = (body as { response_url?: string } | undefined)?.response_url;
    const userId = (body as { user?: { id?: string } } | undefined)?.user?.id;
    // Bolt passes our coded errors through as they are, and wraps anything else.
    const coded = publicErrorOf(error);
    // Whether anything was stored is known only where it was stored; a coded error says so itself.
    const text = coded ? coded.message : APOLOGY;
    if (coded && isRefusal(coded))
      log.warn(
        { code: coded.code, ...coded.details, teamId, userId },
        'refused a Slack request that does not fit where it came from',
      );
    else if (coded && causedByBusyDatabase(coded))
      log.warn(
        { err: coded.cause, code: coded.code, teamId },
        'the database is busy; told the person to retry',
      );
    else if (!coded || coded.cause)
      log.error({ err: coded?.cause ?? error, code: coded?.code, teamId, userId }, 'Slack request failed');
    if (responseUrl) {
      await postToResponseUrl(responseUrl, {
        response_type: 'ephemeral',
        replace_original: false,
        text,
      }).catch((sendError: unknown) =>
        log.warn({ err: sendError }, 'could not tell the person about the error'),
      );
    }
  };
}

/** Makes the sink Bolt's error handler, for every failure a listener leaves to it. */
export function installErrorSink(app: App, reportError: SlackErrorSink): void {
  app.error((async ({
    error,
    body,
    context,
  }: {
    error: Error;
    body?: unknown;
    context?: { teamId?: string };
  }) => reportError({ error, body, ...(context?.teamId ? { teamId: context.teamId } : {}) })) as Parameters<
    typeof app.error
  >[0]);
}
