import { scheduleErrors } from '../schedule.errors.js';
import { describeDays, isValidTimezone, normaliseTime, parseDays } from '../schedule.js';
import type { ChannelSettings } from '../types.js';
import { channelErrors } from './channels.errors.js';
import type { ChannelRow } from './channels.repository.js';

export type ChannelPatch = Partial<Omit<ChannelRow, 'id' | 'workspaceId' | 'externalId'>>;

/** What a person may type to set a channel's schedule (subscribe) or change it (configure). */
export interface ScheduleInput {
  time?: string;
  timezone?: string;
  days?: string;
}

export interface ChannelConfigInput extends ScheduleInput {
  digestDay?: string;
  digestTime?: string;
  closeAfterMinutes?: number | null;
}

export function settingsOf(row: ChannelRow): ChannelSettings {
  return {
    channelId: row.id,
    externalId: row.externalId,
    name: row.name,
    active: row.active,
    postTime: row.postTime,
    timezone: row.timezone,
    days: row.days,
    daysText: describeDays(row.days),
    digestDay: row.digestDay,
    digestTime: row.digestTime,
    closeAfterMinutes: row.closeAfterMinutes,
  };
}

/** The post time, timezone and days a person typed, read into a change; throws on the first wrong one. */
export function readSchedule(input: ScheduleInput): ChannelPatch {
  const patch: ChannelPatch = {};
  if (input.time !== undefined) {
    const time = normaliseTime(input.time);
    if (!time) throw scheduleErrors.invalidTime(input.time);
    patch.postTime = time;
  }
  if (input.timezone !== undefined) {
    if (!isValidTimezone(input.timezone)) throw scheduleErrors.invalidTimezone(input.timezone);
    patch.timezone = input.timezone;
  }
  if (input.days !== undefined) {
    const days = parseDays(input.days);
    if (!days) throw scheduleErrors.invalidDays(input.days);
    patch.days = days;
  }
  return patch;
}

/** The schedule plus the digest's day and time and how long a question stays open. */
export function readChannelConfig(input: ChannelConfigInput): ChannelPatch {
  const patch = readSchedule(input);
  if (input.digestDay !== undefined) {
    const day = parseDays(input.digestDay);
    if (day?.length !== 1) throw scheduleErrors.invalidDay(input.digestDay);
    patch.digestDay = day[0] as number;
  }
  if (input.digestTime !== undefined) {
    const time = normaliseTime(input.digestTime);
    if (!time) throw scheduleErrors.invalidTime(input.digestTime);
    patch.digestTime = time;
  }
  if (input.closeAfterMinutes !== undefined) {
    const minutes = input.closeAfterMinutes;
    if (minutes !== null && !(minutes >= 5 && minutes <= 24 * 60)) throw channelErrors.invalidClose();
    patch.closeAfterMinutes = minutes;
  }
  return patch;
}
