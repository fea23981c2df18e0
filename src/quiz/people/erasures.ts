import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Actor } from '../types.js';
import type { ErasedAnswererRow } from './erasures.repository.js';

/**
 * Who a person is on their platform, as the text that gets hashed. The platform's own ids, not
 * the bot's row id, because forgetting a person deletes that row and the next answer makes a new one.
 */
function personOf(actor: Pick<Actor, 'platform' | 'workspaceId' | 'userId'>): string {
  return `${actor.platform}:${actor.workspaceId}:${actor.userId}`;
}

function hashOf(hashKey: string, person: string): Buffer {
  return createHmac('sha256', Buffer.from(hashKey, 'hex')).update(person).digest();
}

/** What is kept about a forgotten person for one open question: a fresh random key and the HMAC under it. */
export function sealAnswerer(postId: string, actor: Actor): ErasedAnswererRow {
  const hashKey = randomBytes(32).toString('hex');
  return { postId, hashKey, personHash: hashOf(hashKey, personOf(actor)).toString('hex') };
}

/** Whether each (question, person) is one of the kept hashes, in the order asked. */
export function matchErasedAnswerers(
  kept: ErasedAnswererRow[],
  asked: Array<{ postId: string; actor: Actor }>,
): boolean[] {
  if (kept.length === 0) return asked.map(() => false);
  const byPost = new Map<string, ErasedAnswererRow[]>();
  for (const row of kept) byPost.set(row.postId, [...(byPost.get(row.postId) ?? []), row]);
  return asked.map(({ postId, actor }) =>
    (byPost.get(postId) ?? []).some((row) =>
      timingSafeEqual(hashOf(row.hashKey, personOf(actor)), Buffer.from(row.personHash, 'hex')),
    ),
  );
}
