import type { QuestionSpec } from './schema.js';
import { normalise } from './text.js';

const COUNT_WORDS: Record<string, number> = { two: 2, three: 3, '2': 2, '3': 3 };
const BANNED = /\b(all|none) of the above\b/i;

/** Rules that span fields of one question, beyond what the schema can say. */
export function checkQuestion(question: QuestionSpec, add: (field: string, message: string) => void): void {
  for (const [field, value] of textFields(question)) {
    if (BANNED.test(value)) add(field, 'must not use "all of the above" or "none of the above"');
  }
  switch (question.type) {
    case 'single':
    case 'multiple': {
      const correct = question.options.filter((o) => o.correct).length;
      if (question.type === 'single' && correct !== 1) {
        add('options', `exactly one option must have correct: true (found ${correct})`);
      }
      if (question.type === 'multiple') {
        if (correct < 2 || correct > 3)
          add('options', `2 or 3 options must have correct: true (found ${correct})`);
        const said = /\b(?:choose|select)\s+(two|three|2|3)\b/i.exec(question.stem)?.[1]?.toLowerCase();
        if (!said) add('stem', 'must say how many to choose, e.g. "(Choose two.)"');
        else if (COUNT_WORDS[said] !== correct) {
          add(
            'stem',
            `says choose ${said} but ${correct} ${correct === 1 ? 'option is' : 'options are'} marked correct`,
          );
        }
      }
      for (const dup of duplicates(question.options.map((o) => o.text)))
        add('options', `"${dup}" appears twice`);
      break;
    }
    case 'ordering':
      for (const dup of duplicates(question.steps)) add('steps', `"${dup}" appears twice`);
      break;
    case 'matching':
      for (const dup of duplicates(question.pairs.map((p) => p.prompt)))
        add('pairs', `prompt "${dup}" appears twice`);
      for (const dup of duplicates(question.pairs.map((p) => p.answer)))
        add('pairs', `answer "${dup}" appears twice`);
      break;
  }
}

function textFields(question: QuestionSpec): Array<[string, string]> {
  const fields: Array<[string, string]> = [
    ['stem', question.stem],
    ['explanation', question.explanation],
  ];
  if (question.type === 'single' || question.type === 'multiple') {
    for (const [i, o] of question.options.entries()) fields.push([`options[${i}].text`, o.text]);
  }
  return fields;
}

function duplicates(values: string[]): string[] {
  const seen = new Set<string>();
  const dups = new Set<string>();
  for (const value of values) {
    const key = normalise(value);
    if (seen.has(key)) dups.add(value);
    seen.add(key);
  }
  return [...dups];
}
