import type { Activity } from 'botbuilder';
import { invalidValue } from '../../errors.js';
import { isListedAdmin } from '../../quiz/admins.js';
import type { Actor, ChannelKey } from '../../quiz/quiz.js';
import { type CardData, cardDataSchema } from './cards.js';

// What an incoming activity says, read the same way by every handler.

/** The conversation a message belongs to, without the `;messageid=` suffix of a thread reply. */
export function baseConversationId(id: string): string {
  return id.split(';messageid=')[0] ?? id;
}

export function tenantOf(activity: Activity): string {
  return (
    (activity.channelData as { tenant?: { id?: string } } | undefined)?.tenant?.id ??
    activity.conversation.tenantId ??
    'unknown-tenant'
  );
}

/** The person behind an activity; listed admins are admins whatever Teams says of them. */
export function actorOf(activity: Activity, adminUserIds: string[], isPlatformAdmin?: boolean): Actor {
  const tenantId = tenantOf(activity);
  const admin =
    isPlatformAdmin || isListedAdmin(adminUserIds, tenantId, [activity.from.id, activity.from.aadObjectId]);
  return {
    platform: 'teams',
    workspaceId: tenantId,
    userId: activity.from.id,
    ...(activity.from.name ? { userName: activity.from.name } : {}),
    isPlatformAdmin: admin,
  };
}

/** The channel or group chat of an activity; undefined in a person's 1:1 chat with the bot. */
export function channelOf(activity: Activity): ChannelKey | undefined {
  if (activity.conversation.conversationType === 'personal') return undefined;
  return {
    platform: 'teams',
    workspaceId: tenantOf(activity),
    channelId: baseConversationId(activity.conversation.id),
    channelName:
      (activity.channelData as { channel?: { name?: string } })?.channel?.name ?? 'Teams conversation',
  };
}

/** The values of a submitted card of the bot, parsed; undefined for any other message. */
export function submittedCardOf(activity: Activity): (CardData & Record<string, unknown>) | undefined {
  const value = activity.value as Record<string, unknown> | undefined;
  if (!value || typeof value !== 'object' || !('aifq' in value)) return undefined;
  const parsed = cardDataSchema.safeParse(value);
  if (!parsed.success) throw invalidValue('card', { aifq: String(value.aifq).slice(0, 32) });
  return { ...value, ...parsed.data };
}

/** Teams markdown needs a blank line for a break; keep the text renderer's line structure. */
export function markdown(text: string): string {
  return text.replace(/\n/g, '\n\n').replace(/\n\n\n\n/g, '\n\n');
}
