import type { MockItemRow, MockRow } from './mock.repository.js';
import type { MockPhase } from './mock.table.js';

type ItemState = Pick<MockItemRow, 'position' | 'choice' | 'flagged' | 'revisited'>;

/** Comes back in the review round: not answered, or flagged. */
const needsAnotherLook = (item: ItemState) => item.choice === null || item.flagged;

/** The questions of the review round: those that need another look, and those already looked at again. */
export function reviewRound(items: ItemState[]): ItemState[] {
  return items.filter((i) => i.revisited || needsAnotherLook(i));
}

/**
 * Where the exam goes after the question in front of the person: the next question in the first
 * round; after the last, the first skipped or flagged one not yet looked at again; undefined when
 * nothing is left (the exam ends). Each question comes back at most once.
 */
export function nextStop(
  items: ItemState[],
  mock: Pick<MockRow, 'phase' | 'position'>,
): { phase: MockPhase; position: number } | undefined {
  if (mock.phase === 'first' && mock.position + 1 < items.length)
    return { phase: 'first', position: mock.position + 1 };
  const back = items.find(
    (i) => !i.revisited && needsAnotherLook(i) && (mock.phase === 'first' || i.position !== mock.position),
  );
  return back ? { phase: 'review', position: back.position } : undefined;
}
