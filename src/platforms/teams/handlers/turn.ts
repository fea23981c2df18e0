import { type ConversationReference, TurnContext } from 'botbuilder';
import { claimOnce } from '../../claim-once.js';
import { baseConversationId, submittedCardOf } from '../activity.js';
import type { ConversationKind } from '../conversations.repository.js';
import { handleCardSubmit } from './card-submit.js';
import { handleCommand } from './command.js';
import type { HandlerDeps } from './deps.js';
import { handleMembershipChange, membershipChangeOf } from './membership.js';
import { handleReportSubmit } from './report-submit.js';

/**
 * Every activity of a turn, handled once. The Bot Connector may deliver the same activity again:
 * an activity is marked handled only once its handling worked, so a copy of one that failed (or
 * whose process died) is handled again, a copy of one that worked is not. A new kind of activity
 * gets its own handler module, dispatched from `handleActivity` below.
 */
export function createTurnHandler(deps: HandlerDeps): (context: TurnContext) => Promise<void> {
  const { deliveries, log } = deps;
  return async (context) => {
    const { activity } = context;
    // A card's values are read before anything is stored or claimed: a value the bot never sent
    // changes nothing.
    if (activity.type === 'message') submittedCardOf(activity);
    if (!activity.id) return handleActivity(context, deps);
    const key = `teams:${baseConversationId(activity.conversation.id)}:${activity.id}`;
    const claim = await claimOnce({ deliveries, key, log, work: () => handleActivity(context, deps) });
    if (claim !== 'claimed')
      log.debug(
        { activityId: activity.id, claim },
        'ignoring a copy of an activity handled or being handled',
      );
  };
}

async function handleActivity(context: TurnContext, deps: HandlerDeps): Promise<void> {
  const { activity } = context;
  const conversationId = baseConversationId(activity.conversation.id);
  const kind = (activity.conversation.conversationType ?? 'personal') as ConversationKind;
  const { user, ...reference } = TurnContext.getConversationReference(activity);
  // Posting to a team or group chat needs no person: keep whoever spoke last out of its reference.
  await deps.conversations.remember(conversationId, kind, {
    ...reference,
    ...(kind === 'personal' ? { user } : {}),
    conversation: { ...reference.conversation, id: conversationId },
  } as Partial<ConversationReference>);

  const change = membershipChangeOf(activity);
  if (change) return handleMembershipChange(context, change, conversationId, deps);
  if (activity.type !== 'message') return;
  const submitted = submittedCardOf(activity);
  if (submitted?.aifq === 'report') await handleReportSubmit(context, submitted, deps);
  else if (submitted) await handleCardSubmit(context, submitted, deps);
  else await handleCommand(context, deps);
}
