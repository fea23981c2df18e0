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
