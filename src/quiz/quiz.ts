import type { Topic } from '../bank/schema.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/client.js';
import { createCardsRepository } from '../learning/cards.repository.js';
import { createMockExams } from '../learning/mock/mock.js';
import { createMockRepository } from '../learning/mock/mock.repository.js';
import type { MockSettings } from '../learning/mock/mock.types.js';
import { createChannels } from './channels/channels.js';
import { createChannelsRepository } from './channels/channels.repository.js';
import { createAnswering } from './daily/answering.js';
import { createAnswersRepository } from './daily/answers.repository.js';
import { createClosing } from './daily/closing.js';
import { createDailyPosts } from './daily/daily-posts.js';
import { createPostsRepository } from './daily/posts.repository.js';
import { createErasuresRepository } from './people/erasures.repository.js';
import { createForgetMe } from './people/forget-me.js';
import { createKnownPeople } from './people/known-people.js';
import { createPeopleRepository } from './people/people.repository.js';
import { createPreferences } from './people/preferences.js';
import { createReminderRecipients } from './people/reminder-recipients.js';
import { createHandoutsRepository } from './practice/handouts.repository.js';
import { createPractice } from './practice/practice.js';
import { createPracticeAnswersRepository } from './practice/practice-answers.repository.js';
import { createProgressRepository } from './progress/progress.repository.js';
import { createStats } from './progress/stats.js';
import { createWeeklyDigest } from './progress/weekly-digest.js';
import { createQuestionPool } from './questions/question-pool.js';
import { createQuestionVersions } from './questions/question-versions.js';
import { createQuestionsRepository } from './questions/questions.repository.js';
import { createTopicIndex } from './topic-index.js';
import type { Actor } from './types.js';

// Callers read the domain's types from here while they move to './types.js'.
export type * from './types.js';

export interface QuizDeps {
  db: Database;
  clock: Clock;
  adminUserIds: string[];
  defaultTimezone: string;
  topics: Topic[];
  /** 0 ≤ x < 1; injectable so draws are repeatable in tests. */
  random?: () => number;
  /** Mock exam size and length; AIF-C01's 65 questions in 90 minutes by default (tests use fewer). */
  mockExam?: Partial<MockSettings>;
}

/**
 * The study bot's use cases, shared by Slack, Teams and the terminal: plain ids in, plain data
 * out. This only wires the feature folders together; the rules live in them.
 *
 * @example
 * const quiz = createQuiz({ db, clock: systemClock, adminUserIds: [], defaultTimezone: 'UTC', topics });
 * await quiz.subscribe(actor, channel, { time: '09:00', timezone: 'Europe/Berlin', days: 'weekdays' });
 */
export function createQuiz(deps: QuizDeps) {
  const { db, clock, defaultTimezone } = deps;
  const random = deps.random ?? Math.random;
  const topics = createTopicIndex(deps.topics);

  const repositories = {
    questions: createQuestionsRepository(db),
    posts: createPostsRepository(db),
    answers: createAnswersRepository(db),
    practiceAnswers: createPracticeAnswersRepository(db),
    handouts: createHandoutsRepository(db),
    progress: createProgressRepository(db),
    peopleRepository: createPeopleRepository(db),
    channels: createChannelsRepository(db),
    erasures: createErasuresRepository(db),
  };
  const shared = {
    ...repositories,
    people: createKnownPeople({ repository: repositories.peopleRepository, clock }),
    versions: createQuestionVersions({ repository: repositories.questions }),
    pool: createQuestionPool({ repository: repositories.questions }),
    topics,
    clock,
    random,
    defaultTimezone,
  };

  const channels = createChannels({ ...shared, adminUserIds: deps.adminUserIds });
  const daily = createDailyPosts(shared);
  const closing = createClosing(shared);
  const answering = createAnswering(shared);
  const practice = createPractice(shared);
  const stats = createStats(shared);
  const preferences = createPreferences(shared);
  const { forgetMe } = createForgetMe(shared);
  const recipients = createReminderRecipients(shared);
  const mock = createMockExams({
    repository: createMockRepository(db),
    people: shared.people,
    versions: shared.versions,
    applyAnswers: createCardsRepository(db).applyAnswers,
    clock,
    random,
    ...(deps.mockExam ? { settings: deps.mockExam } : {}),
  });

  return {
    topics(): Array<Topic & { count?: number }> {
      return topics.all;
    },

    /** The bot's own id for a person, creating the record on first contact. */
    async userIdOf(actor: Actor): Promise<string> {
      return (await shared.people.userOf(actor)).id;
    },

    // Channels and schedules
    subscribe: channels.subscribe,
    unsubscribe: channels.unsubscribe,
    configureChannel: channels.configureChannel,
    channelSettings: channels.channelSettings,
    deactivateChannel: channels.deactivateChannel,
    deactivateWorkspace: channels.deactivateWorkspace,
    activeChannels: channels.activeChannels,
    placedChannel: channels.placedChannel,

    // The question of the day
    pickDailyQuestion: daily.pickDailyQuestion,
    postDailyQuestion: daily.postDailyQuestion,
    prepareDailyPosts: daily.prepareDailyPosts,
    findDailyPosts: daily.findDailyPosts,
    questionsOf: daily.questionsOf,
    markPostsDelivered: daily.markPostsDelivered,
    markPostDelivered: daily.markPostDelivered,
    claimDeliveries: daily.claimDeliveries,
    recordDeliveryFailure: daily.recordDeliveryFailure,
    openPostOf: daily.openPostOf,
    questionOfPost: answering.questionOfPost,
    getDailyPost: answering.getDailyPost,
    recordAnswer: answering.recordAnswer,
    closePost: closing.closePost,
    revealOf: closing.revealOf,
    postsDueToClose: closing.postsDueToClose,
    unrevealedPosts: closing.unrevealedPosts,
    claimReveal: closing.claimReveal,
    releaseReveal: closing.releaseReveal,

    // Practice
    practiceQuestion: practice.practiceQuestion,
    practice: practice.practice,
    answerPractice: practice.answerPractice,
    reminderFor: practice.reminderFor,

    // Progress
    leaderboard: stats.leaderboard,
    personalStats: stats.personalStats,
    weakTopics: stats.weakTopics,
    weeklyDigest: createWeeklyDigest(shared),

    // Mock exams
    startMock: mock.startMock,
    answerMock: mock.answerMock,
    skipMock: mock.skipMock,
    flagMock: mock.flagMock,
    abandonMock: mock.abandonMock,
    mockStatus: mock.mockStatus,
    closeExpiredMocks: mock.closeExpiredMocks,

    // People and preferences
    settings: preferences.settings,
    setReminders: preferences.setReminders,
    snooze: preferences.snooze,
    setLeaderboardOptOut: preferences.setLeaderboardOptOut,
    setTimezone: preferences.setTimezone,
    forgetMe,
    reminderCandidates: recipients.reminderCandidates,
    rememberDirectChannel: recipients.rememberDirectChannel,
  };
}

export type Quiz = ReturnType<typeof createQuiz>;
