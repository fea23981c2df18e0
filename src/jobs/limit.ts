/**
 * At most `slots` of the functions given run at once; the others wait their turn, first come first
 * served. What a job uses to bound work that competes for the CPU or a connection pool.
 */
export function createLimit(slots: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async (fn) => {
    if (active >= slots) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await fn();
    } finally {
      const next = waiting.shift();
      // The slot passes straight to the next in line, so a newcomer cannot jump the queue.
      if (next) next();
      else active--;
    }
  };
}

/** Runs `task` for every item, `lanes` at a time, in order of the list. */
export async function forEachInLanes<T>(
  items: T[],
  lanes: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(lanes, items.length) }, async () => {
      while (next < items.length) await task(items[next++] as T);
    }),
  );
}

/**
 * Runs `task` for every item of every group, `lanes` at a time, with the groups taking turns: the
 * first item of each group, then the second of each, and so on, and never more than `perGroup` of one
 * group at once. A group whose items wait long (a workspace at its upload pace) thus holds at most
 * `perGroup` lanes, and a short group is served in the first rounds rather than after a long one.
 * Once `stopped()` is true no further item starts; those under way finish.
 */
export async function forEachInTurns<T>(
  groups: T[][],
  options: { lanes: number; perGroup: number; stopped?: () => boolean },
  task: (item: T) => Promise<void>,
): Promise<void> {
  const queues = groups.filter((g) => g.length > 0).map((items) => ({ items, next: 0, active: 0 }));
  const total = queues.reduce((n, q) => n + q.items.length, 0);
  let turn = 0;
  let wake: Array<() => void> = [];
  type Queue = (typeof queues)[number];
  const pick = (): { item: T; q: Queue } | 'wait' | 'done' => {
    let waiting = false;
    for (let i = 0; i < queues.length; i++) {
      const q = queues[(turn + i) % queues.length] as Queue;
      if (q.next >= q.items.length) continue;
      if (q.active >= options.perGroup) {
        waiting = true;
        continue;
      }
      turn = (turn + i + 1) % queues.length;
      q.active++;
      return { item: q.items[q.next++] as T, q };
    }
    return waiting ? 'wait' : 'done';
  };
  await Promise.all(
    Array.from({ length: Math.min(options.lanes, total) }, async () => {
      for (;;) {
        if (options.stopped?.()) return;
        const picked = pick();
        if (picked === 'done') return;
        if (picked === 'wait') {
          await new Promise<void>((resolve) => wake.push(resolve));
          continue;
        }
        try {
          await task(picked.item);
        } finally {
          picked.q.active--;
          const woken = wake;
          wake = [];
          for (const resolve of woken) resolve();
        }
      }
    }),
  );
}
