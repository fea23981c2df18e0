import type { ReminderCandidate } from '../types.js';
import type { PeopleRepository } from './people.repository.js';

/** Who the reminders job may write to, and the direct conversations the platforms open for them. */
export function createReminderRecipients(deps: { peopleRepository: PeopleRepository }) {
  const repository = deps.peopleRepository;
  return {
    /** People who want reminders at `at`: not off, not snoozed, active in the last `activeDays`. */
    reminderCandidates(at: Date, activeDays: number): Promise<ReminderCandidate[]> {
      return repository.reminderCandidates(at, activeDays);
    },

    /** Keeps the direct conversation a platform opened, so the next reminder goes to it. */
    rememberDirectChannel(userId: string, directChannelId: string): Promise<void> {
      return repository.rememberDirectChannel(userId, directChannelId);
    },
  };
}
