import type { ChatPlatform, MessageRef } from './port.js';
import type { Quiz } from './quiz.js';

/**
 * Keeps a posted question's "N answered" fresh without tripping platform rate limits: however
 * many people answer, the message is rewritten at most once per `intervalMs`, with the latest count.
 */
export function createAnsweredCountRefresher(options: {
  quiz: Quiz;
  platform: ChatPlatform;
  intervalMs: number;
  onError(error: unknown, postId: string): void;
}) {
  const pending = new Map<string, NodeJS.Timeout>();

  async function refresh(postId: string): Promise<void> {
    const daily = await options.quiz.getDailyPost(postId);
    if (!daily?.post.messageRef || daily.post.status !== 'open') return;
    await options.platform.updateQuestion(daily.post.messageRef as MessageRef, {
      postId,
      localDate: daily.post.localDate,
      question: daily.question,
      answered: daily.answered,
      closesAt: daily.post.closesAt,
      closed: false,
    });
  }

  return {
    /** Schedules a rewrite of the question's message, unless one is already scheduled. */
    refreshSoon(postId: string): void {
      if (pending.has(postId)) return;
      pending.set(
        postId,
        setTimeout(() => {
          pending.delete(postId);
          refresh(postId).catch((error: unknown) => options.onError(error, postId));
        }, options.intervalMs),
      );
    },
    stop(): void {
      for (const timer of pending.values()) clearTimeout(timer);
      pending.clear();
    },
  };
}
