import { AppError } from '../../errors.js';

export const practiceErrors = {
  unknownTopic: (topic: string, close: string[]) =>
    new AppError(
      'quiz.unknown_topic',
      `There is no topic "${topic}".${close.length ? ` Did you mean ${close.join(', ')}?` : ''} Send "topics" to list them.`,
    ),
  notYours: (details: Record<string, unknown>) =>
    new AppError(
      'quiz.practice_not_yours',
      'That practice question was not handed to you, so your answer was not recorded. Send "practice" for a question of your own.',
      { details },
    ),
  unknownQuestion: () =>
    new AppError('quiz.unknown_question', 'That practice question is no longer available.'),
  noQuestions: () =>
    new AppError('quiz.no_practice_questions', 'There are no questions to practise on that topic yet.'),
  /** Everything that could be handed out is some channel's open question of the day right now. */
  openNow: (what: 'practice' | 'topic' | 'review') =>
    new AppError(
      'quiz.practice_question_open',
      what === 'topic'
        ? 'Every question on that topic is open as a question of the day right now. Answer it in its channel, and practise the topic again once the answer is revealed.'
        : what === 'review'
          ? 'Your mistakes to review are open as a question of the day right now. Answer in the channel, and send "review" again once the answer is revealed.'
          : 'Every question left to practise is open as a question of the day right now. Answer it in its channel, and send "practice" again once the answer is revealed.',
    ),
};
