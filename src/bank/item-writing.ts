import type { BankQuestion, QuestionOption } from './schema.js';
import { normalise } from './text.js';

/**
 * Item-writing rules: a test-wise learner should not be able to find the key from the form of the
 * options alone. Options of single and multiple-response questions are shown in file order (only
 * ordering steps and matching answers are shuffled), so positions are measured in file order.
 */
export const ITEM_LIMITS = {
  /** Share of single-answer items whose key is the strictly longest option. */
  singleKeyLongest: 0.3,
  /** Share of multiple-response items whose keys are exactly the k longest options. */
  multipleKeysLongest: 0.1,
  /** Each key position (A–D) of single-answer items stays within this share of items. */
  keyPositionMin: 0.2,
  keyPositionMax: 0.3,
  /** Below this many items of a type, a share says more about chance than about the writing. */
  minItemsForShares: 20,
} as const;

export type ItemRule = 'single-key-longest' | 'multiple-keys-longest' | 'key-position' | 'stem-echo';

/**
 * Rules the bank already met when they were introduced fail `questions check` at once; the others
 * warn until the exam guide's `enforce` switch is turned on.
 */
export const ALWAYS_ENFORCED: ReadonlySet<ItemRule> = new Set<ItemRule>([
  'single-key-longest',
  'multiple-keys-longest',
  'key-position',
]);

export interface ItemWritingReport {
  single: { items: number; keyLongest: string[] };
  multiple: { items: number; keysLongest: string[] };
  /** Single-answer items per key position, A first. */
  keyPositions: Array<{ letter: string; count: number; ids: string[] }>;
  /** Questions where a phrase of the stem comes back in a key and in no distractor. */
  stemEcho: Array<{ id: string; phrase: string }>;
}

const LETTERS = ['A', 'B', 'C', 'D', 'E', 'F'];

/** Measures the active single and multiple-response questions against the item-writing rules. */
export function measureItemWriting(questions: BankQuestion[]): ItemWritingReport {
  const report: ItemWritingReport = {
    single: { items: 0, keyLongest: [] },
    multiple: { items: 0, keysLongest: [] },
    keyPositions: LETTERS.slice(0, 4).map((letter) => ({ letter, count: 0, ids: [] })),
    stemEcho: [],
  };
  for (const q of questions) {
    if (q.status !== 'active') continue;
    if (q.type === 'single') {
      report.single.items++;
      if (keysAreLongest(q.options)) report.single.keyLongest.push(q.id);
      const position = report.keyPositions[q.options.findIndex((o) => o.correct)];
      if (position) {
        position.count++;
        position.ids.push(q.id);
      }
    } else if (q.type === 'multiple') {
      report.multiple.items++;
      if (keysAreLongest(q.options)) report.multiple.keysLongest.push(q.id);
    } else {
      continue;
    }
    const phrase = echoedPhrase(q.stem, q.options);
    if (phrase) report.stemEcho.push({ id: q.id, phrase });
  }
  return report;
}

/**
 * True when every key is longer than every distractor: for one key, the strictly longest option;
 * for k keys, exactly the k longest. Length is counted in characters after trimming.
 */
export function keysAreLongest(options: QuestionOption[]): boolean {
  const keys = options.filter((o) => o.correct).map((o) => o.text.trim().length);
  const others = options.filter((o) => !o.correct).map((o) => o.text.trim().length);
  if (keys.length === 0 || others.length === 0) return false;
  return Math.min(...keys) > Math.max(...others);
}

/** Words too common to make a phrase distinctive (and the vendor prefix every service shares). */
const STOPWORDS = new Set(
  (
    'a an and are as at be by can do does for from has have how in into is it its of on or that the their ' +
    'them then there these this to was were what when where which while who why will with without you your ' +
    'it’s not no more most less least each every any all one two three use uses used using only also than ' +
    'so such should would could may might must they it we our us i amazon aws'
  ).split(' '),
);

/**
 * A phrase of two or more consecutive content words of the stem that appears in a key and in no
 * distractor: the clang association that lets a learner match words instead of knowing the fact.
 * Returns the first such phrase, or undefined.
 */
export function echoedPhrase(stem: string, options: QuestionOption[]): string | undefined {
  const stemPhrases = contentBigrams(stem);
  if (stemPhrases.size === 0) return undefined;
  const inDistractors = new Set<string>();
  for (const o of options) if (!o.correct) for (const p of contentBigrams(o.text)) inDistractors.add(p);
  for (const o of options) {
    if (!o.correct) continue;
    for (const p of contentBigrams(o.text)) {
      if (stemPhrases.has(p) && !inDistractors.has(p)) return p;
    }
  }
  return undefined;
}

/** Pairs of adjacent words in which neither word is a stopword or a bare number. */
function contentBigrams(text: string): Set<string> {
  const words = normalise(text.replace(/['’]s\b/g, ''))
    .split(' ')
    .map((w) => (/^\d+$/.test(w) ? '' : w));
  const pairs = new Set<string>();
  for (let i = 0; i + 1 < words.length; i++) {
    const a = words[i] as string;
    const b = words[i + 1] as string;
    if (a && b && !STOPWORDS.has(a) && !STOPWORDS.has(b)) pairs.add(`${a} ${b}`);
  }
  return pairs;
}

export interface ItemRuleResult {
  rule: ItemRule;
  /** What the bank shows, in words, and whether it is within the limit. */
  summary: string;
  met: boolean;
  /** The questions to look at first when the rule is broken. */
  offenders: Array<{ id: string; message: string }>;
}

const pct = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);
const show = (share: number) => `${(share * 100).toFixed(1)}%`;

/** Turns the measurements into one verdict per rule, with the ids that break it. */
export function judgeItemWriting(report: ItemWritingReport): ItemRuleResult[] {
  const single = pct(report.single.keyLongest.length, report.single.items);
  const multiple = pct(report.multiple.keysLongest.length, report.multiple.items);
  const enoughSingle = report.single.items >= ITEM_LIMITS.minItemsForShares;
  const enoughMultiple = report.multiple.items >= ITEM_LIMITS.minItemsForShares;
  const singleMet = !enoughSingle || single <= ITEM_LIMITS.singleKeyLongest;
  const multipleMet = !enoughMultiple || multiple <= ITEM_LIMITS.multipleKeysLongest;
  const positions = report.keyPositions.map((p) => ({ ...p, share: pct(p.count, report.single.items) }));
  const outOfRange = enoughSingle
    ? positions.filter((p) => p.share < ITEM_LIMITS.keyPositionMin || p.share > ITEM_LIMITS.keyPositionMax)
    : [];
  return [
    {
      rule: 'single-key-longest',
      summary: `the key is the strictly longest option in ${report.single.keyLongest.length} of ${report.single.items} single-answer questions (${show(single)}; limit ${show(ITEM_LIMITS.singleKeyLongest)})`,
      met: singleMet,
      offenders: singleMet
        ? []
        : report.single.keyLongest.map((id) => ({ id, message: 'the key is the strictly longest option' })),
    },
    {
      rule: 'multiple-keys-longest',
      summary: `the keys are exactly the longest options in ${report.multiple.keysLongest.length} of ${report.multiple.items} multiple-response questions (${show(multiple)}; limit ${show(ITEM_LIMITS.multipleKeysLongest)})`,
      met: multipleMet,
      offenders: multipleMet
        ? []
        : report.multiple.keysLongest.map((id) => ({
            id,
            message: 'the keys are exactly the longest options',
          })),
    },
    {
      rule: 'key-position',
      summary: `single-answer keys by position ${positions.map((p) => `${p.letter} ${p.count} (${show(p.share)})`).join(', ')}; each should be ${show(ITEM_LIMITS.keyPositionMin)}–${show(ITEM_LIMITS.keyPositionMax)}`,
      met: outOfRange.length === 0,
      offenders: outOfRange
        .filter((p) => p.share > ITEM_LIMITS.keyPositionMax)
        .flatMap((p) =>
          p.ids.map((id) => ({
            id,
            message: `the key is option ${p.letter}, which holds ${show(p.share)} of single-answer keys`,
          })),
        ),
    },
    {
      rule: 'stem-echo',
      summary: `${report.stemEcho.length} question(s) repeat a phrase of the stem in a key and in no distractor`,
      met: report.stemEcho.length === 0,
      offenders: report.stemEcho.map((e) => ({
        id: e.id,
        message: `only the key repeats "${e.phrase}" from the stem`,
      })),
    },
  ];
}
