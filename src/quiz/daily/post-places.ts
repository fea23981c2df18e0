import type { Actor } from '../types.js';
import { UUID } from './answer-recorder.js';
import { dailyErrors } from './daily.errors.js';
import type { PostPlace } from './posts.repository.js';

/** Where an answer came from: the channel (conversation) its button or card was clicked in. */
export interface AnswerPlace {
  channelId: string;
}

/**
 * Remembers where each post was asked and which question it asked. Neither ever changes, so a burst
 * of clicks on one post reads the database once; unknown ids are not remembered, so made-up ids
 * cannot fill the memory, and the map is emptied when it grows past `max`.
 */
export function createPostPlaces(options: {
  load(postId: string): Promise<PostPlace | undefined>;
  max?: number;
}) {
  const max = options.max ?? 10_000;
  const known = new Map<string, Promise<PostPlace | undefined>>();
  return {
    get(postId: string): Promise<PostPlace | undefined> {
      if (!UUID.test(postId)) return Promise.resolve(undefined);
      let place = known.get(postId);
      if (!place) {
        if (known.size >= max) known.clear();
        place = options.load(postId);
        known.set(postId, place);
        place.then(
          (found) => {
            if (!found) known.delete(postId);
          },
          () => known.delete(postId),
        );
      }
      return place;
    },
  };
}

/**
 * Refuses an answer given anywhere but where its post was asked: another platform, workspace or
 * channel. Button and card values travel through the person's client and can be changed there, so
 * the post id they carry is checked against the request's own context before anything is stored.
 */
export function checkAnswerPlace(place: PostPlace, actor: Actor, where: AnswerPlace | undefined): void {
  if (place.platform !== actor.platform || place.workspaceId !== actor.workspaceId)
    throw dailyErrors.answerElsewhere('workspace', {
      postPlatform: place.platform,
      postWorkspace: place.workspaceId,
    });
  if (where && place.channelId !== where.channelId)
    throw dailyErrors.answerElsewhere('channel', {
      postChannel: place.channelId,
      answeredIn: where.channelId,
    });
}
