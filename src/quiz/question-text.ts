import { domainTitle } from '../bank/schema.js';
import type { Presentation, Question } from './question.js';

// A question laid out as plain text: the terminal shows it, chat platforms use it beside their
// rich layouts. Kept apart from render-text.ts so the replies of other features can use it.

export function questionHeader(question: Question): string {
  return `Domain ${question.domain}: ${domainTitle(question.domain)} · ${'●'.repeat(question.difficulty)}${'○'.repeat(3 - question.difficulty)}`;
}

export function renderQuestionText(
  presentation: Presentation,
  options: { title?: string; footer?: string } = {},
): string {
  const { question, items, prompts } = presentation;
  const lines = [options.title ?? 'Question', questionHeader(question), '', question.stem, ''];
  if (question.type === 'matching') {
    for (const p of prompts) lines.push(`  ${p.label}. ${p.text}`);
    lines.push('', '  Answers:');
  }
  if (question.type === 'ordering') lines.push('  Steps, shuffled:');
  for (const item of items) lines.push(`  ${item.label}) ${item.text}`);
  lines.push('', presentation.howToAnswer);
  if (options.footer) lines.push(options.footer);
  return lines.join('\n');
}
