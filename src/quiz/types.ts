import type { Platform, ReminderFrequency } from '../db/schema.js';
import type { PostRow } from './daily/posts.repository.js';
import type { LeaderboardRow } from './progress/progress.repository.js';
import type { Choice, Question } from './question.js';
import type { Period } from './schedule.js';
import type { TopicFigures } from './weak-topics.js';

// The domain's plain data: what the use cases take and return. Every feature folder and every
// platform reads these from here, so no use case needs another's module just for a type.

export type { Platform, PostRow };

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
  reason: 'weak-topic' | 'unseen' | 'topic' | 'review';
  topicTitle: string;
}

export interface PracticeResult {
  outcome: 'recorded' | 'already_answered';
  question: Question;
  choice: Choice;
  correct: boolean;
  /** For each part of `choice`, whether it was right (see markChoice). */
  rightParts?: boolean[];
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

export interface PersonalStats {
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

export interface ReminderContent {
  userId: string;
  topic: WeakTopic;
  practice: PracticeQuestion;
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
}
