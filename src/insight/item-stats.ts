import type { ItemStatsRepository, ItemStatsRow } from './item-stats.repository.js';

/** Flags need this many answers: below it, one person more or less swings the shares too far. */
export const MIN_ANSWERS_TO_FLAG = 10;
/** Nearly everyone right: the item tells the team nothing it does not know. */
export const TOO_EASY_ABOVE = 0.95;
/** Almost nobody right: often a wrong key or an unclear stem rather than a hard topic. */
export const TOO_HARD_BELOW = 0.2;

export type ItemFlag = 'too_easy' | 'too_hard' | 'negative_discrimination';

export const FLAG_TEXT: Record<ItemFlag, string> = {
  too_easy: `nearly everyone right (over ${TOO_EASY_ABOVE * 100}%)`,
  too_hard: `almost nobody right (under ${TOO_HARD_BELOW * 100}%)`,
  negative_discrimination: 'strong learners get it wrong more often than weak ones',
};

export interface ItemStats extends ItemStatsRow {
  /** Share of answers that were right; null when never answered. */
  shareCorrect: number | null;
  /** Per option: share of answers that picked it (a multiple-answer choice picks several). */
  optionShares: Array<{ label: string; correct: boolean; share: number }> | null;
  flags: ItemFlag[];
}

/** Flags an item for review by its figures, once it has enough answers to judge. */
export function flagItem(item: Pick<ItemStatsRow, 'answers' | 'correct' | 'discrimination'>): ItemFlag[] {
  if (item.answers < MIN_ANSWERS_TO_FLAG) return [];
  const share = item.correct / item.answers;
  const flags: ItemFlag[] = [];
  if (share > TOO_EASY_ABOVE) flags.push('too_easy');
  if (share < TOO_HARD_BELOW) flags.push('too_hard');
  if (item.discrimination !== null && item.discrimination < 0) flags.push('negative_discrimination');
  return flags;
}

/**
 * Item statistics for the bank across every channel: per question version, how often it was asked
 * and answered, the share right, the share per option, the discrimination index and review flags.
 */
export async function computeItemStats(repository: ItemStatsRepository): Promise<ItemStats[]> {
  return (await repository.itemStats()).map((row) => ({
    ...row,
    shareCorrect: row.answers > 0 ? row.correct / row.answers : null,
    optionShares:
      row.options?.map((o) => ({
        label: optionLetter(o.option),
        correct: o.correct,
        share: row.answers > 0 ? o.picks / row.answers : 0,
      })) ?? null,
    flags: flagItem(row),
  }));
}

/** Options are lettered A, B, C… in stored order, as every platform shows them. */
export const optionLetter = (index: number) => String.fromCharCode(65 + index);

const pct = (share: number | null) => (share === null ? '–' : `${Math.round(share * 100)}%`);

/** The statistics as `aif-quiz questions stats --items` prints them. */
export function formatItemStats(items: ItemStats[]): string {
  const answers = items.reduce((sum, i) => sum + i.answers, 0);
  const lines = [
    `Item statistics: ${items.length} question version(s) asked as questions of the day, ${answers} answer(s), across all channels.`,
    'disc: how much better people who do well overall score on it (point-biserial, -1 to 1; below 0 is a warning).',
    '',
  ];
  if (items.length === 0) {
    lines.push('No question of the day has been asked yet.');
    return lines.join('\n');
  }
  const width = Math.max(8, ...items.map((i) => `${i.questionId} v${i.questionVersion}`.length));
  lines.push(`${'question'.padEnd(width)}  asked  answers  correct   disc  options (share picked, * right)`);
  for (const item of items) {
    const options =
      item.optionShares?.map((o) => `${o.label} ${pct(o.share)}${o.correct ? '*' : ''}`).join('  ') ??
      `(${item.type})`;
    const disc = item.discrimination === null ? '–' : item.discrimination.toFixed(2);
    lines.push(
      [
        `${item.questionId} v${item.questionVersion}`.padEnd(width),
        String(item.asked).padStart(5),
        String(item.answers).padStart(7),
        pct(item.shareCorrect).padStart(7),
        disc.padStart(6),
        ` ${options}`,
      ].join('  '),
    );
  }
  const flagged = items.filter((i) => i.flags.length > 0);
  lines.push(
    '',
    flagged.length === 0
      ? `No candidates for review (flags need at least ${MIN_ANSWERS_TO_FLAG} answers).`
      : `${flagged.length} candidate(s) for review (flags need at least ${MIN_ANSWERS_TO_FLAG} answers):`,
  );
  for (const item of flagged)
    lines.push(
      `  ${item.questionId} v${item.questionVersion}: ${item.flags.map((f) => FLAG_TEXT[f]).join('; ')}`,
    );
  return lines.join('\n');
}
