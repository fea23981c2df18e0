import type { Clock } from '../../clock.js';
import { isListedAdmin } from '../admins.js';
import type { KnownPeople } from '../people/known-people.js';
import type { PeopleRepository } from '../people/people.repository.js';
import { WEEKDAYS } from '../schedule.js';
import type { Actor, ChannelKey, ChannelSettings, Platform } from '../types.js';
import {
  type ChannelConfigInput,
  readChannelConfig,
  readSchedule,
  type ScheduleInput,
  settingsOf,
} from './channel-settings.js';
import { channelErrors } from './channels.errors.js';
import type { ChannelRow, ChannelsRepository, PlacedChannel } from './channels.repository.js';

const DEFAULT_POST_TIME = '09:00';

export interface ChannelsDeps {
  channels: ChannelsRepository;
  peopleRepository: PeopleRepository;
  people: KnownPeople;
  clock: Clock;
  adminUserIds: string[];
  defaultTimezone: string;
}

/** Subscribing channels, their schedules, and stopping them when the bot is removed. */
export function createChannels(deps: ChannelsDeps) {
  const { channels, clock } = deps;

  function requireAdmin(actor: Actor, what: string): void {
    if (actor.isPlatformAdmin || isListedAdmin(deps.adminUserIds, actor.workspaceId, [actor.userId])) return;
    throw channelErrors.notAdmin(actor.userId, what);
  }

  /** The channel's row, created on first contact. */
  async function channelOf(key: ChannelKey): Promise<ChannelRow> {
    const workspaceId = await deps.people.workspaceIdOf(key.platform, key.workspaceId);
    return channels.ensureChannel(workspaceId, key.channelId, key.channelName, deps.defaultTimezone);
  }

  /** A read: a channel the bot has not seen yet gets no row. */
  function findChannel(key: ChannelKey): Promise<ChannelRow | undefined> {
    return channels.findByPlace(key.platform, key.workspaceId, key.channelId);
  }

  return {
    findChannel,

    async subscribe(actor: Actor, key: ChannelKey, input: ScheduleInput): Promise<ChannelSettings> {
      requireAdmin(actor, 'subscribe a channel');
      const patch = readSchedule(input);
      const channel = await channelOf(key);
      const updated = await channels.updateChannel(channel.id, {
        postTime: DEFAULT_POST_TIME,
        days: [...WEEKDAYS],
        ...patch,
        active: true,
        subscribedBy: actor.userId,
        subscribedAt: clock.now(),
        updatedAt: clock.now(),
      });
      return settingsOf(updated);
    },

    async unsubscribe(actor: Actor, key: ChannelKey): Promise<ChannelSettings> {
      requireAdmin(actor, 'unsubscribe a channel');
      const channel = await channelOf(key);
      if (!channel.active) throw channelErrors.notSubscribed();
      return settingsOf(await channels.updateChannel(channel.id, { active: false, updatedAt: clock.now() }));
    },

    async configureChannel(
      actor: Actor,
      key: ChannelKey,
      input: ChannelConfigInput,
    ): Promise<ChannelSettings> {
      requireAdmin(actor, 'change the channel schedule');
      const patch = readChannelConfig(input);
      const channel = await channelOf(key);
      return settingsOf(await channels.updateChannel(channel.id, { ...patch, updatedAt: clock.now() }));
    },

    async channelSettings(key: ChannelKey): Promise<ChannelSettings | undefined> {
      const channel = await findChannel(key);
      return channel ? settingsOf(channel) : undefined;
    },

    /** The bot was removed from a channel: no more questions there; history stays. */
    async deactivateChannel(key: ChannelKey): Promise<void> {
      const channel = await findChannel(key);
      if (channel?.active)
        await channels.updateChannel(channel.id, { active: false, updatedAt: clock.now() });
    },

    /** A workspace removed the bot: its channels stop getting questions; history stays. */
    async deactivateWorkspace(platform: Platform, workspaceId: string): Promise<void> {
      const workspace = await deps.peopleRepository.findWorkspace(platform, workspaceId);
      if (workspace) await channels.deactivateWorkspace(workspace.id, clock.now());
    },

    /** Every subscribed channel, with its platform and workspace: what the scheduled jobs go through. */
    activeChannels(): Promise<PlacedChannel[]> {
      return channels.activeChannels();
    },

    /** A channel with its platform and workspace ids, e.g. to reveal its question. */
    placedChannel(channelId: string): Promise<PlacedChannel | undefined> {
      return channels.findPlaced(channelId);
    },
  };
}
