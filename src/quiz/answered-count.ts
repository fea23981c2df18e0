import type { ChatPlatform, MessageRef } from './port.js';
import type { Quiz } from './quiz.js';

/**
 * Keeps a posted question's "N answered" fresh without tripping platform rate limits: however
 * many people answer, each message is rewritten at most once per `intervalMs` with the latest
 * count, and all messages of one workspace together at most once per `perWorkspaceIntervalMs`.
 */
export function createAnsweredCountRefresher(options: {
  quiz: Quiz;
  platform: ChatPlatform;
  intervalMs: number;
  perWorkspaceIntervalMs?: number;
  onError(error: unknown, postId: string): void;
}) {
  const pending = new Map<string, NodeJS.Timeout>();
  const workspaceNext = new Map<string, number>();

  /** Delay before the next rewrite in this workspace may go out, reserving that slot. */
  function workspaceDelay(workspace: string): number {
    const interval = options.perWorkspaceIntervalMs ?? 0;
    if (interval <= 0) return 0;
    const now = Date.now();
    const at = Math.max(now, workspaceNext.get(workspace) ?? 0);
    workspaceNext.set(workspace, at + interval);
    return at - now;
  }

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
      timezone: daily.timezone,
    });
  }

  return {
    /** Schedules a rewrite of the question's message, unless one is already scheduled. */
    refreshSoon(postId: string, workspace = ''): void {
      if (pending.has(postId)) return;
      const timer = setTimeout(() => {
        // The workspace budget decides when this rewrite may actually go out.
        const wait = workspaceDelay(workspace);
        const send = () => {
          pending.delete(postId);
          refresh(postId).catch((error: unknown) => options.onError(error, postId));
        };
        if (wait > 0) pending.set(postId, setTimeout(send, wait));
        else send();
      }, options.intervalMs);
      pending.set(postId, timer);
    },
    /**
     * Sends the rewrites still waiting, now, and resolves once they are done: a process that stops
     * (a SIGTERM drain) leaves no question showing a stale count.
     */
    async stop(): Promise<void> {
      const waiting = [...pending.entries()];
      for (const [, timer] of waiting) clearTimeout(timer);
      pending.clear();
      await Promise.all(
        waiting.map(([postId]) => refresh(postId).catch((error: unknown) => options.onError(error, postId))),
      );
    },
  };
}
