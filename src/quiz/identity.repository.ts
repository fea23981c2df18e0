import type { Database } from '../db/client.js';
import { createChannelsRepository } from './channels/channels.repository.js';
import { createPeopleRepository } from './people/people.repository.js';

export type { ChannelRow } from './channels/channels.repository.js';

/**
 * @deprecated The jobs' old way to channels and workspaces, kept while they move to
 * `quiz.activeChannels()` and `quiz.placedChannel(id)`; delete this file with the last caller.
 */
export function createIdentityRepository(db: Database) {
  const people = createPeopleRepository(db);
  return { ...createChannelsRepository(db), getWorkspace: people.getWorkspace };
}
