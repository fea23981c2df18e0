import type { ChannelsRepository } from '../channels/channels.repository.js';
import type { Actor } from '../types.js';
import { sealAnswerer } from './erasures.js';
import type { ErasuresRepository } from './erasures.repository.js';
import type { KnownPeople } from './known-people.js';
import type { PeopleRepository } from './people.repository.js';

export interface ForgetMeDeps {
  people: KnownPeople;
  peopleRepository: PeopleRepository;
  channels: ChannelsRepository;
  erasures: ErasuresRepository;
}

/** Erasing a person on request. */
export function createForgetMe(deps: ForgetMeDeps) {
  return {
    /**
     * Erases everything stored about a person. Nothing happens without `confirmed`. For each
     * question still open that they answered, a keyed hash of their platform id is kept until it
     * closes, so answering it again cannot score as if for the first time.
     */
    async forgetMe(actor: Actor, confirmed: boolean): Promise<{ erased: boolean }> {
      if (!confirmed) return { erased: false };
      const workspaceId = await deps.people.workspaceIdOf(actor.platform, actor.workspaceId);
      const user = await deps.peopleRepository.findUser(workspaceId, actor.userId);
      if (user) {
        // Hashes first: should the erasure then fail, the answers are still there and still count.
        const open = await deps.erasures.openPostsAnsweredBy(user.id);
        await deps.erasures.remember(open.map((postId) => sealAnswerer(postId, actor)));
        await deps.peopleRepository.eraseUser(user);
      } else await deps.channels.forgetSubscriber(workspaceId, actor.userId);
      deps.people.forget(workspaceId, actor.userId);
      return { erased: true };
    },
  };
}
