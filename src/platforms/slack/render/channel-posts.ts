import type { KnownBlock } from '@slack/types';
import {
  correctIndexes,
  describeCorrectAnswer,
  presentQuestion,
  type Question,
} from '../../../quiz/question.js';
import type { DigestTraps, Reveal, WeeklyDigest } from '../../../quiz/quiz.js';
import { teamReadinessText } from '../../../quiz/render-study.js';
import { ACTIONS, clip, context, escapeMrkdwn, plain, section } from '../blocks.js';

// What the bot posts to a whole channel besides the question: the reveal in its thread, the digest.

/** The answer of a closed question with how the channel answered it, in the question's thread. */
export function revealBlocks(reveal: Reveal): KnownBlock[] {
  const presentation = presentQuestion(reveal.question);
  const blocks: KnownBlock[] = [
    section(`*The answer*\n${escapeMrkdwn(describeCorrectAnswer(presentation))}`),
  ];
  const summary =
    reveal.answered === 0
      ? 'Nobody answered this one.'
      : `${reveal.correctCount} of ${reveal.answered} answered correctly (${Math.round((reveal.correctCount / reveal.answered) * 100)}%).`;
  const lines = [summary];
  if (reveal.optionCounts.length > 0 && reveal.answered > 0) {
    const right = new Set(correctIndexes(reveal.question as Question & { type: 'single' | 'multiple' }));
    for (const item of presentation.items) {
      const n = reveal.optionCounts[item.index] ?? 0;
      const filled = Math.round((n / reveal.answered) * 10);
      lines.push(
        `\`${item.label}\` ${'█'.repeat(filled)}${'░'.repeat(10 - filled)} ${n}${right.has(item.index) ? ' :white_check_mark:' : ''}`,
      );
    }
  }
  blocks.push(section(lines.join('\n')));
  blocks.push(section(escapeMrkdwn(reveal.question.explanation)));
  return blocks;
}

/** The week of a channel: who answered, the top, the hardest question, the weakest domain. */
export function digestBlocks(digest: WeeklyDigest): KnownBlock[] {
  const blocks: KnownBlock[] = [
    { type: 'header', text: plain(`Weekly digest · ${digest.week}`, 150) },
    section(
      `${digest.questionsAsked} questions · *${digest.activePeople}* of ${digest.members} people answered`,
    ),
  ];
  if (digest.top.length > 0) {
    blocks.push(
      section(
        `*Top of the week*\n${digest.top.map((r) => `${r.rank}. ${escapeMrkdwn(r.name)} · ${r.points} pts (${r.correct}/${r.answered})`).join('\n')}`,
      ),
    );
  }
  if (digest.traps) blocks.push(...trapsBlocks(digest.traps));
  else if (digest.hardest) {
    blocks.push(
      section(
        `*Hardest question* (${digest.hardest.correct}/${digest.hardest.answered} right)\n${escapeMrkdwn(clip(digest.hardest.question.stem, 600))}`,
      ),
    );
  }
  if (digest.weakestDomain) {
    blocks.push(
      section(
        `*Team's weakest domain:* D${digest.weakestDomain.domain} ${digest.weakestDomain.title} (${Math.round(digest.weakestDomain.accuracy * 100)}% correct)`,
      ),
    );
  }
  if (digest.streaks.length > 0)
    blocks.push(
      context(
        `Streaks: ${digest.streaks.map((s) => `${escapeMrkdwn(s.name)} ${s.streak} days`).join(' · ')}`,
      ),
    );
  if (digest.readiness) blocks.push(context(teamReadinessText(digest.readiness)));
  return blocks;
}

/** The week's trap, and a button that gives whoever clicks it a practice question on its topic. */
function trapsBlocks(traps: DigestTraps): KnownBlock[] {
  const lines = [
    `*Trap of the week* (${traps.correct} of ${traps.answers} right)`,
    escapeMrkdwn(clip(traps.stem, 600)),
  ];
  if (traps.trap) {
    const { label, text, picks, why } = traps.trap;
    lines.push(
      `Most wrong answers chose *${label}*: ${escapeMrkdwn(clip(text, 300))} (${picks} ${picks === 1 ? 'person' : 'people'})`,
      `_Why it is wrong:_ ${escapeMrkdwn(clip(why, 600))}`,
    );
  } else lines.push(`_The answer:_ ${escapeMrkdwn(clip(traps.explanation, 600))}`);
  return [
    section(lines.join('\n')),
    {
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTIONS.digestPractice,
          text: plain(`Practise ${traps.topicTitle}`, 75),
          value: traps.topic,
        },
      ],
    },
  ];
}
