import type { Platform } from '../db/schema.js';
import type { Question } from './question.js';
import type {
  AnswerResult,
  DigestChartImage,
  PracticeQuestion,
  PracticeResult,
  ReminderContent,
  Reveal,
  WeeklyDigest,
} from './types.js';

/** Where a channel message goes, in the platform's own ids. */
export interface ChannelTarget {
  workspaceId: string;
  channelId: string;
}

/** Whom a private message goes to, in the platform's own ids. */
export interface UserTarget {
  workspaceId: string;
  userId: string;
  /** The private conversation already opened with this person, when the bot remembers one. */
  directChannelId?: string | null;
}

/** The platform's own reference to a posted message (Slack channel + ts, a Teams activity id…). */
export type MessageRef = Record<string, unknown>;

/** A question of the day as every platform shows it. */
export interface DailyQuestionMessage {
  postId: string;
  localDate: string;
  question: Question;
  answered: number;
  closesAt: Date | null;
  closed: boolean;
  /** The channel's timezone, to show the close time in; UTC when not given. */
  timezone?: string;
}

/**
 * What the use cases and scheduled jobs need from a chat platform. Slack, Teams and the local
 * terminal each implement it; renderers turn these plain values into Block Kit, Adaptive Cards or
 * text inside the platform's folder.
 */
export interface ChatPlatform {
  readonly platform: Platform;
  /**
   * Whether the weekly digest here carries its chart, and how big its PNG may be. Absent: this
   * platform shows no chart, and the digest job draws none for it.
   */
  readonly digestChart?: { maxPngBytes?: number };
  /** Posts a question of the day to a channel and returns where it landed. */
  postQuestion(channel: ChannelTarget, message: DailyQuestionMessage): Promise<MessageRef>;
  /** Rewrites a posted question (its answered count, or its closed state). */
  updateQuestion(ref: MessageRef, message: DailyQuestionMessage): Promise<void>;
  /** Replies under a posted question with the answer and how the team did. */
  postReveal(ref: MessageRef, reveal: Reveal): Promise<void>;
  /**
   * Posts the weekly digest to a channel, with its traps, and returns where it landed. The chart
   * comes with it only where it sits inside the digest message (a platform without
   * `postDigestChart`); a chart that cannot go with it is logged and left out, and the digest's
   * text is posted all the same.
   */
  postDigest(channel: ChannelTarget, digest: WeeklyDigest): Promise<MessageRef>;
  /**
   * Adds the chart to a digest already posted, in the digest's thread. The digest job calls it once
   * every due channel's text is out, so no channel's text waits for other channels' charts. Absent
   * where the chart travels inside the digest message. Rejects with `platform.refused` (see
   * `refusedForGood`) when the platform will never take it; `signal` cuts short a wait for the
   * platform's upload pace (the process is stopping), never a call already made.
   */
  postDigestChart?(
    digest: MessageRef,
    chart: { week: string; image: DigestChartImage },
    options?: { signal?: AbortSignal },
  ): Promise<void>;
  /** Sends a private weak-topic reminder, opening the private conversation when needed. */
  sendReminder(user: UserTarget, reminder: ReminderContent): Promise<{ directChannelId?: string }>;
  /** Shows one person, privately, the outcome of their answer. */
  sendFeedback(
    user: UserTarget,
    channel: ChannelTarget | undefined,
    feedback: AnswerResult | PracticeResult,
  ): Promise<void>;
  /** Shows one person a practice question, privately. */
  sendPractice(
    user: UserTarget,
    channel: ChannelTarget | undefined,
    practice: PracticeQuestion,
  ): Promise<void>;
}
