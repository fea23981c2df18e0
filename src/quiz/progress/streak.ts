import type { AskedPost } from './progress.repository.js';

/** How far back a streak is counted: the same bound as the digest's walk (membersWithStreaks). */
export const STREAK_LIMIT = 400;

/**
 * A person's current streak in one channel: how many of its asked questions, newest first, they
 * answered without a gap. The newest question, while still open and not yet answered, neither
 * counts nor breaks it. `asked` is the channel's questions newest first (see askedPostsOf).
 */
export function currentStreak(asked: Array<Pick<AskedPost, 'postId' | 'status'>>, answered: Set<string>) {
  let streak = 0;
  for (const [i, post] of asked.slice(0, STREAK_LIMIT).entries()) {
    if (answered.has(post.postId)) streak++;
    else if (i === 0 && post.status === 'open') continue;
    else break;
  }
  return streak;
}
