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
};
