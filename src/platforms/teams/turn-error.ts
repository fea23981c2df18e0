import type { TurnContext } from 'botbuilder';
import { causedByBusyDatabase, isRefusal, publicErrorOf } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { APOLOGY } from '../shared/answer-flow.js';
import { tenantOf } from './activity.js';
import type { TeamsPlatform } from './teams-platform.js';

/**
 * The one error sink of the Teams app (the adapter's onTurnError): a coded error becomes a clear
 * reply; anything else an apology and a log line. Whether anything was stored is known only where
 * it was stored; a coded error says so itself.
 */
export function createTurnErrorSink(options: {
  log: Logger;
  platform: TeamsPlatform;
}): (context: TurnContext, error: Error) => Promise<void> {
  const { log, platform } = options;
  return async (context, error) => {
    const coded = publicErrorOf(error);
    if (coded && causedByBusyDatabase(coded))
      log.warn(
        { err: coded.cause, code: coded.code, activityId: context.activity.id },
        'the database is busy; told the person to retry',
      );
    else if (!coded || coded.cause)
      log.error(
        {
          err: coded?.cause ?? error,
          code: coded?.code,
          activityId: context.activity.id,
          conversationId: context.activity.conversation?.id,
        },
        'Teams turn failed',
      );
    if (coded) {
      const { activity } = context;
      if (isRefusal(coded))
        log.warn(
          { code: coded.code, ...coded.details, tenantId: tenantOf(activity), userId: activity.from?.id },
          'refused a Teams activity that does not fit where it came from',
        );
      // A card clicked in a channel is answered in the person's 1:1 chat: Teams has no private
      // replies in a channel, and what someone clicked is nobody else's business.
      const clickedInChannel =
        activity.conversation?.conversationType !== 'personal' &&
        typeof activity.value === 'object' &&
        activity.value !== null &&
        'aifq' in activity.value;
      if (clickedInChannel) {
        await platform
          .sendPrivately(
            { workspaceId: tenantOf(activity), userId: activity.from.id },
            { text: coded.message },
          )
          .catch((sendError: unknown) =>
            log.warn({ err: sendError }, 'could not tell the person privately about their click'),
          );
        return;
      }
    }
    await context.sendActivity(coded ? coded.message : APOLOGY);
  };
}
