import { describe, expect, it } from 'vitest';
import { forEachInTurns } from '../../src/jobs/limit.js';

/** Resolves once every task started so far and those they let start have had their turn. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('work taken in turns across groups', () => {
  it('starts one item of each group in turn, whatever the groups’ lengths', async () => {
    const started: string[] = [];
    await forEachInTurns(
      [['a1', 'a2', 'a3', 'a4', 'a5'], ['b1', 'b2'], ['c1']],
      { lanes: 1, perGroup: 1 },
      async (item) => {
        started.push(item);
      },
    );
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'b2', 'a3', 'a4', 'a5']);
  });

  it('a group whose items are stuck holds at most its share of lanes; the others go on', async () => {
    const stuck: Array<() => void> = [];
    const done: string[] = [];
    const run = forEachInTurns(
      [Array.from({ length: 10 }, (_, i) => `big${i}`), ['small1', 'small2', 'small3']],
      { lanes: 4, perGroup: 2 },
      async (item) => {
        // The big group's items wait (as a workspace at its upload pace does) until released.
        if (item.startsWith('big')) await new Promise<void>((resolve) => stuck.push(resolve));
        done.push(item);
      },
    );
    await settle();
    expect(done).toEqual(['small1', 'small2', 'small3']);
    expect(stuck).toHaveLength(2);
    while (stuck.length > 0) {
      stuck.shift()?.();
      await settle();
    }
    await run;
    expect(done).toHaveLength(13);
  });

  it('starts nothing further once stopped; what is under way finishes', async () => {
    let stopped = false;
    const done: number[] = [];
    await forEachInTurns(
      [[1, 2, 3, 4, 5, 6]],
      { lanes: 2, perGroup: 2, stopped: () => stopped },
      async (n) => {
        await settle();
        done.push(n);
        if (n === 1) stopped = true;
      },
    );
    expect(done).toEqual([1, 2]);
  });
});
