import type {
  AllMiddlewareArgs,
  App,
  BlockAction,
  ButtonAction,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import type { z } from 'zod';
import { invalidValue } from '../../errors.js';
import type { Logger } from '../../logger.js';
import { parseJsonValue } from '../../quiz/values.js';
import type { SlackInputState } from './render/question.js';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;
export type ActionHandler = (args: ButtonArgs) => Promise<void>;

/** Where the listener modules register their buttons and inputs. */
export interface ActionRegistry {
  /** Handles every action whose action_id, up to any ':', is `prefix`. */
  on(prefix: string, handler: ActionHandler): void;
}

/**
 * Every button and input of the bot, by the part of its action_id before any ':'. One Bolt
 * listener looks the handler up: Bolt runs every listener's matching for every request, and a
 * click is the request that comes by the thousand (`npm run bench:slack` measures it).
 */
export function createActionDispatcher(app: App, log: Logger): ActionRegistry {
  const handlers = new Map<string, ActionHandler>();
  app.action<BlockAction<ButtonAction>>(/.*/, async (args) => {
    const handler = handlers.get(args.action.action_id.split(':')[0] ?? '');
    if (handler) return handler(args);
    await args.ack();
    log.warn({ actionId: args.action.action_id }, 'a click on a button this version does not know');
  });
  return {
    on(prefix, handler) {
      handlers.set(prefix, handler);
    },
  };
}

/** After a slow store Bolt has already answered Slack (its 3 s are up): the answer still stands. */
export async function acknowledge({ ack }: ButtonArgs, log: Logger): Promise<void> {
  await ack().catch((error: unknown) => log.warn({ err: error }, 'a click was acknowledged too late'));
}

/** A button's JSON value, parsed against what the bot puts there; anything else is refused. */
export function buttonValue<T>(schema: z.ZodType<T>, { action }: { action: ButtonAction }): T {
  const value = parseJsonValue(schema, action.value);
  if (value === undefined) throw invalidValue('button', { actionId: action.action_id.slice(0, 64) });
  return value;
}

/** A button's plain-text value, parsed against what the bot puts there. */
export function buttonText<T>(schema: z.ZodType<T>, { action }: { action: ButtonAction }): T {
  const parsed = schema.safeParse(action.value);
  if (!parsed.success) throw invalidValue('button', { actionId: action.action_id.slice(0, 64) });
  return parsed.data;
}

/** The inputs of the message a click came from (checkboxes, menus), for a Submit to read. */
export function stateOf(body: BlockAction): Record<string, Record<string, SlackInputState>> | undefined {
  return (body.state?.values ?? undefined) as Record<string, Record<string, SlackInputState>> | undefined;
}
