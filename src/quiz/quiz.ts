import type { Topic } from '../bank/schema.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/client.js';
import { createReports, type ReportReceipt } from '../insight/reports.js';
import { createReportsRepository } from '../insight/reports.repository.js';
import { createLearning } from '../learning/learning.js';
import { createMockExams } from '../learning/mock/mock.js';
import { createMockRepository } from '../learning/mock/mock.repository.js';
import type { MockSettings } from '../learning/mock/mock.types.js';
import type { SchedulerSettings } from '../learning/scheduler.js';
import type { Logger } from '../logger.js';
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
import { createExamPlans } from './study/exam-plans.js';
import { createStudy } from './study/study.js';
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
  /** Where a failed write of the learning engine's cards is reported (the start-up catch-up redoes it). */
  logger?: Logger;
  /** Mock exam size and length; AIF-C01's 65 questions in 90 minutes by default (tests use fewer). */
  mockExam?: Partial<MockSettings>;
  /** Spaced repetition's retention target and longest interval; FSRS's defaults when not given. */
  scheduling?: SchedulerSettings;
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
  const learning = createLearning({
    db,
    ...(deps.scheduling ? { settings: deps.scheduling } : {}),
    onError: (error, answers) =>
      deps.logger?.error({ err: error, answers }, 'answers were stored but their cards were not updated'),
  });
  const shared = {
    ...repositories,
    learning,
    people: createKnownPeople({ repository: repositories.peopleRepository, clock }),
    versions: createQuestionVersions({ repository: repositories.questions }),
    pool: createQuestionPool({ repository: repositories.questions }),
    topics,
    clock,
    random,
    defaultTimezone,
  };
  const examPlans = createExamPlans({ learning, topics, defaultTimezone });

  const channels = createChannels({ ...shared, adminUserIds: deps.adminUserIds });
  const daily = createDailyPosts(shared);
  const closing = createClosing(shared);
  const answering = createAnswering(shared);
  const practice = createPractice({ ...shared, examPlans });
  const study = createStudy({ ...shared, examPlans, practice });
  const stats = createStats({ ...shared, studyStats: study.studyStats });
  const preferences = createPreferences(shared);
  const { forgetMe } = createForgetMe(shared);
  const recipients = createReminderRecipients(shared);
  const reports = createReports({ repository: createReportsRepository(db), clock });
  const mock = createMockExams({
    repository: createMockRepository(db),
    people: shared.people,
    versions: shared.versions,
    applyAnswers: learning.cards.applyAnswers,
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

    // Reports on questions (the rules live in src/insight/reports.ts)
    /**
     * Stores a person's report on the question version they were shown; throws
     * `insight.already_reported` on a second one. A report that pauses the question drops this
     * process's kept pool, so the question is not drawn again here; other processes re-read theirs
     * within a minute.
     */
    async reportQuestion(
      actor: Actor,
      report: { questionId: string; version: number; reason: string; text?: string | undefined },
    ): Promise<ReportReceipt> {
      const input = {
        questionId: report.questionId,
        questionVersion: report.version,
        reason: report.reason,
        text: report.text,
      };
      // A bad report changes nothing: it is refused before a first-time reporter is recorded.
      await reports.check(input);
      const receipt = await reports.report({ reporterId: (await shared.people.userOf(actor)).id, ...input });
      if (receipt.paused) shared.pool.invalidate();
      return receipt;
    },

    // Progress
    leaderboard: stats.leaderboard,
    personalStats: stats.personalStats,
    weakTopics: stats.weakTopics,
    weeklyDigest: createWeeklyDigest({ ...shared, teamReadiness: study.teamReadiness }),

    // Study coach (the learning engine)
    exam: study.exam,
    review: study.review,
    markConfidence: study.markConfidence,
    reminderCadenceOf: study.reminderCadenceOf,
    /** Resolves once every answer given so far in this process is on its card. */
    learningSettled: learning.writer.settled,
    /** Applies answers of any kind (a mock exam's) to their cards and the review log, awaited. */
    applyAnswers: learning.cards.applyAnswers,

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
