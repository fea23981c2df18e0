import { AppError } from '../../errors.js';

export const channelErrors = {
  notAdmin: (userId: string, what: string) =>
    new AppError(
      'quiz.not_admin',
      `Only workspace admins can ${what}. Ask one of them, or ask whoever runs the bot to add your user id (${userId}) to ADMIN_USER_IDS.`,
    ),
  notSubscribed: () =>
    new AppError('quiz.not_subscribed', 'This channel is not subscribed, so there is nothing to stop.'),
  invalidClose: () =>
    new AppError('quiz.invalid_close', 'A question stays open between 5 minutes and 24 hours.'),
  unknownChannel: () => new AppError('quiz.unknown_channel', 'That channel is not known to the bot.'),
};
