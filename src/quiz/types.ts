import type { Platform, ReminderFrequency } from '../db/schema.js';
import type { ConfidenceMark } from '../learning/confidence.js';
import type { Pace } from '../learning/pacing.js';
import type { Readiness } from '../learning/readiness.js';
import type { PostRow } from './daily/posts.repository.js';
import type { LeaderboardRow } from './progress/progress.repository.js';
import type { Choice, Question } from './question.js';
import type { Period } from './schedule.js';
import type { TopicFigures } from './weak-topics.js';

// The domain's plain data: what the use cases take and return. Every feature folder and every
// platform reads these from here, so no use case needs another's module just for a type.

export type { ConfidenceMark, Platform, PostRow };

/** Who is acting, in the platform's own ids. */
export interface Actor {
  platform: Platform;
  workspaceId: string;
  userId: string;
  userName?: string;
  /** The platform says this person administers the workspace (Slack admin/owner, Teams team owner). */
  isPlatformAdmin?: boolean;
}

/** A channel, in the platform's own ids. */
export interface ChannelKey {
  platform: Platform;
  workspaceId: string;
  channelId: string;
  channelName?: string;
}

export interface ChannelSettings {
  channelId: string;
  externalId: string;
  name: string | null;
  active: boolean;
  postTime: string;
  timezone: string;
  days: number[];
  daysText: string;
  digestDay: number;
  digestTime: string;
  closeAfterMinutes: number | null;
}

export interface DailyPost {
  post: PostRow;
  question: Question;
  /** False when the post already existed (a second attempt returns the first one). */
  created: boolean;
}

export type AnswerOutcome = 'recorded' | 'already_answered' | 'late';

export interface AnswerResult {
  outcome: AnswerOutcome;
  question: Question;
  /** The choice that counts: this one, or the first one when already answered. */
  choice: Choice;
  correct: boolean;
  points: number;
  streak: number;
  totalPoints: number;
  postId: string;
  answeredCount: number;
  /** For each part of `choice`, whether it was right (see markChoice); the quiz fills it in. */
  rightParts?: boolean[];
  /** When this answer was stored (recorded or late): the instant its review in the learning log carries. */
  answeredAt?: Date;
}

export interface Reveal {
  postId: string;
  question: Question;
  answered: number;
  correctCount: number;
  /** single/multiple: how many picked each option (stored order); ordering/matching: empty. */
  optionCounts: number[];
}

export interface PracticeQuestion {
  issueKey: string;
  question: Question;
  /**
   * Why this question: a review that is due, the weakest topic, a question never seen, the topic
   * asked for, a mistake replayed by `review`, or extra practice when nothing else is left.
   */
  reason: 'due' | 'weak-topic' | 'new' | 'topic' | 'mistake' | 'extra';
  /** The reason in words, shown with the question: "due for review · last seen 6 days ago". */
  why: string;
  topicTitle: string;
}

export interface PracticeResult {
  outcome: 'recorded' | 'already_answered';
  question: Question;
  choice: Choice;
  correct: boolean;
  /** For each part of `choice`, whether it was right (see markChoice). */
  rightParts?: boolean[];
  /** When this answer was stored (recorded): the instant its review in the learning log carries. */
  answeredAt?: Date;
}

export interface RankedRow extends LeaderboardRow {
  rank: number;
}

export interface Leaderboard {
  scope: 'channel' | 'workspace';
  period: Period;
  timezone: string;
  /** The top ten, best first. */
  rows: RankedRow[];
}

export interface WeakTopic extends TopicFigures {
  title: string;
}

/** Readiness, coverage, trend and pace: what the learning engine adds to `stats`. */
export interface StudyStats {
  readiness: Readiness;
  coverage: {
    seen: number;
    bankSize: number;
    domains: Array<{ domain: number; title: string; seen: number; total: number }>;
    /** Exam domains without a single answered question. */
    untouched: Array<{ domain: number; title: string }>;
  };
  /** Answers and right answers in each of the last four weeks, oldest first. */
  trend: Array<{ weeksAgo: number; answered: number; correct: number }>;
  exam?: ExamPlan;
}

/** A person's exam date and what it takes to be ready by then. */
export interface ExamPlan {
  date: string;
  pace: Pace;
  /** Titles of the topics not answered once yet. */
  uncoveredTopics: string[];
}

export interface PersonalStats {
  /** The learning engine's view; absent for someone the bot has never met. */
  study?: StudyStats;
  answered: number;
  correct: number;
  accuracy: number | null;
  points: number;
  streak: number;
  rank: number | null;
  rankedPeople: number;
  byDomain: Array<{ domain: number; title: string; answered: number; accuracy: number }>;
  weakTopics: WeakTopic[];
}

export interface UserSettings {
  reminders: ReminderFrequency;
  snoozedUntil: Date | null;
  leaderboardOptOut: boolean;
  timezone: string | null;
}

export interface WeeklyDigest {
  channelId: string;
  week: string;
  from: Date;
  to: Date;
  top: RankedRow[];
  questionsAsked: number;
  activePeople: number;
  members: number;
  hardest?: { question: Question; answered: number; correct: number };
  weakestDomain?: { domain: number; title: string; accuracy: number; answered: number };
  streaks: Array<{ name: string; streak: number }>;
  /** The week's trap, when someone got a question of the day wrong (see src/insight/traps.ts). */
  traps?: DigestTraps;
  /** The chart of the last weeks, when this platform shows one and it could be drawn. */
  chart?: DigestChartImage;
  /** The team's readiness, never anyone's own: shown only with enough people to hide each. */
  readiness?: TeamReadiness;
}

/** The week's hardest question of the day, the wrong option most wrong answers chose, and why. */
export interface DigestTraps {
  /** For the "practise this topic" button: the slug and its title. */
  topic: string;
  topicTitle: string;
  stem: string;
  answers: number;
  correct: number;
  /** Single and multiple choice only, when a wrong answer picked a wrong option. */
  trap?: { label: string; text: string; picks: number; why: string };
  explanation: string;
}

/** A drawn digest chart: the PNG and the same figures in words. */
export interface DigestChartImage {
  png: Buffer;
  /** Pixel size of the PNG. */
  width: number;
  height: number;
  altText: string;
}

export interface TeamReadiness {
  /** Members with enough answers for a verdict. */
  people: number;
  /** Their median predicted scaled score. */
  median: number;
  /** How many of them are predicted at 700 or above. */
  predictedToPass: number;
}

export interface ReminderContent {
  userId: string;
  /** The weakest topic, when that is why this question was picked. */
  topic?: WeakTopic;
  practice: PracticeQuestion;
  /** With an exam date: the days left and the questions a day it takes. */
  exam?: { date: string; daysLeft: number; perDay: number };
}

/** A person a reminder may go to, in the platform's own ids (see the reminders job). */
export interface ReminderCandidate {
  userId: string;
  externalId: string;
  reminders: Exclude<ReminderFrequency, 'off'>;
  timezone: string | null;
  directChannelId: string | null;
  platform: Platform;
  workspaceExternalId: string;
  /** The exam date the person set, YYYY-MM-DD: reminders follow its pace. */
  examDate: string | null;
}
