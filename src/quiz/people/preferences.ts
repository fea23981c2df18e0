import type { Clock } from '../../clock.js';
import type { ReminderFrequency } from '../../db/schema.js';
import { scheduleErrors } from '../schedule.errors.js';
import { isValidTimezone } from '../schedule.js';
import type { Actor, UserSettings } from '../types.js';
import type { KnownPeople } from './known-people.js';
import { peopleErrors } from './people.errors.js';
import type { UserRow } from './people.repository.js';

/** What a person the bot has not met yet sees: the settings a new row would get. */
const DEFAULT_SETTINGS: UserSettings = {
  reminders: 'weekly',
  snoozedUntil: null,
  leaderboardOptOut: false,
  timezone: null,
};

function userSettings(user: UserRow): UserSettings {
  return {
    reminders: user.reminders,
    snoozedUntil: user.snoozedUntil,
    leaderboardOptOut: user.leaderboardOptOut,
    timezone: user.timezone,
  };
}

/** A person's own settings: reminders and snoozing, leaderboard opt-out, timezone. */
export function createPreferences(deps: { people: KnownPeople; clock: Clock }) {
  const { people } = deps;

  async function update(
    actor: Actor,
    patch: Parameters<KnownPeople['updateUser']>[1],
  ): Promise<UserSettings> {
    const user = await people.userOf(actor);
    return userSettings(await people.updateUser(user.id, patch));
  }

  return {
    async settings(actor: Actor): Promise<UserSettings> {
      const user = await people.knownUserOf(actor);
      return user ? userSettings(user) : DEFAULT_SETTINGS;
    },

    setReminders(actor: Actor, value: 'on' | 'off' | 'daily' | 'weekly'): Promise<UserSettings> {
      const reminders: ReminderFrequency = value === 'on' ? 'weekly' : value;
      return update(actor, { reminders, ...(value !== 'off' ? { snoozedUntil: null } : {}) });
    },

    async snooze(actor: Actor, days: number): Promise<UserSettings> {
      if (!Number.isInteger(days) || days < 1 || days > 90) throw peopleErrors.invalidSnooze();
      return update(actor, { snoozedUntil: new Date(deps.clock.now().getTime() + days * 86_400_000) });
    },

    setLeaderboardOptOut(actor: Actor, optOut: boolean): Promise<UserSettings> {
      return update(actor, { leaderboardOptOut: optOut });
    },

    async setTimezone(actor: Actor, timezone: string): Promise<UserSettings> {
      if (!isValidTimezone(timezone)) throw scheduleErrors.invalidTimezone(timezone);
      return update(actor, { timezone });
    },
  };
}
