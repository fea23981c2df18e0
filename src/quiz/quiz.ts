import { randomUUID } from 'node:crypto';
import { domainTitle, type Topic } from '../bank/schema.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/client.js';
import type { Platform, ReminderFrequency } from '../db/schema.js';
import { AppError, answerNotRecorded, isAppError } from '../errors.js';
import { isListedAdmin } from './admins.js';
import { createAnswerRecorder, UUID } from './answer-recorder.js';
import { matchErasedAnswerers, sealAnswerer } from './erasures.js';
import { createErasuresRepository } from './erasures.repository.js';
import { createHandoutsRepository } from './handouts.repository.js';
import { type ChannelRow, createIdentityRepository, type UserRow } from './identity.repository.js';
import { pickQuestion } from './pick.js';
import { type AnswerPlace, checkAnswerPlace, createPostPlaces } from './post-places.js';
import { createPostsRepository, type PostRow } from './posts.repository.js';
import { createProgressRepository, type LeaderboardRow } from './progress.repository.js';
import { type Choice, isCorrect, markChoice, type Question, validateChoice } from './question.js';
import {
  describeDays,
  instantAt,
  isoWeekOf,
  isValidTimezone,
  localDateOf,
  nextPostInstant,
  normaliseTime,
  type Period,
  parseDays,
  periodRange,
  WEEKDAYS,
} from './schedule.js';
import { type TopicFigures, topicFigures, weakestTopics } from './weak-topics.js';

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
}

export interface ReminderContent {
  userId: string;
  topic: WeakTopic;
  practice: PracticeQuestion;
}

export interface QuizDeps {
  db: Database;
  clock: Clock;
  adminUserIds: string[];
  defaultTimezone: string;
  topics: Topic[];
  /** 0 ≤ x < 1; injectable so draws are repeatable in tests. */
  random?: () => number;
}

/** A question of the day closes at the channel's next post, and never later than this. */
const MAX_OPEN_MS = 24 * 3600_000;
const DEFAULT_POST_TIME = '09:00';
const POOL_TTL_MS = 60_000;
const USER_CACHE_MS = 60_000;
/** How much of a leaderboard is read and shown: the top, not everyone who ever answered. */
const BOARD_ROWS = 10;

/**
 * The study bot's rules, shared by Slack, Teams and the terminal: plain ids in, plain data out.
 *
 * @example
 * const quiz = createQuiz({ db, clock: systemClock, adminUserIds: [], defaultTimezone: 'UTC', topics });
 * await quiz.subscribe(actor, channel, { time: '09:00', timezone: 'Europe/Berlin', days: 'weekdays' });
 */
export function createQuiz(deps: QuizDeps) {
  const identity = createIdentityRepository(deps.db);
  const postsRepo = createPostsRepository(deps.db);
  const progress = createProgressRepository(deps.db);
  const handouts = createHandoutsRepository(deps.db);
  const erasures = createErasuresRepository(deps.db);
  const random = deps.random ?? Math.random;
  const topicsBySlug = new Map(deps.topics.map((t) => [t.slug, t]));
  const workspaceIds = new Map<string, Promise<string>>();
  // The drawable pool changes only when the bank is synced; a morning fan-out asks for it once per
  // channel, so keep it for a minute instead of reading the whole bank thousands of times.
  let pool: { rows: Awaited<ReturnType<typeof postsRepo.activePool>>; until: number } | undefined;
  async function activePool() {
    const now = Date.now();
    if (!pool || pool.until < now) pool = { rows: await postsRepo.activePool(), until: now + POOL_TTL_MS };
    return pool.rows;
  }

  /** A workspace's row id; the clicks of a first burst in a new workspace share one lookup. */
  function workspaceIdOf(platform: Platform, externalId: string): Promise<string> {
    const key = `${platform}:${externalId}`;
    let id = workspaceIds.get(key);
    if (!id) {
      id = identity.ensureWorkspace(platform, externalId).then((row) => row.id);
      workspaceIds.set(key, id);
      id.catch(() => workspaceIds.delete(key));
    }
    return id;
  }

  // A burst of clicks comes from the same people on the same post: remember who they are for a
  // minute (refreshing "last active" at most that often) instead of writing their row every click.
  const users = new Map<string, { row: UserRow; until: number }>();
  async function userOf(actor: Actor): Promise<UserRow> {
    return (await usersOf([actor]))[0] as UserRow;
  }

  /** The people behind the actors, in order: remembered ones from memory, the rest in one write. */
  async function usersOf(actors: Actor[]): Promise<UserRow[]> {
    const keys = await Promise.all(
      actors.map(async (a) => `${await workspaceIdOf(a.platform, a.workspaceId)}:${a.userId}`),
    );
    const fresh = (a: Actor, key: string) => {
      const cached = users.get(key);
      return cached && cached.until > Date.now() && (!a.userName || cached.row.displayName === a.userName)
        ? cached.row
        : undefined;
    };
    const missing = actors.flatMap((a, i) =>
      fresh(a, keys[i] as string) ? [] : [{ a, key: keys[i] as string }],
    );
    if (missing.length > 0) {
      const rows = await identity.ensureUsers(
        missing.map(({ a, key }) => ({
          workspaceId: key.slice(0, key.indexOf(':')),
          externalId: a.userId,
          displayName: a.userName,
        })),
        deps.clock.now(),
      );
      if (users.size > 10_000) users.clear();
      for (const row of rows)
        users.set(`${row.workspaceId}:${row.externalId}`, { row, until: Date.now() + USER_CACHE_MS });
    }
    return keys.map((key) => users.get(key)?.row as UserRow);
  }

  /** The person's row if the bot already knows them; a read never creates one. */
  async function knownUserOf(actor: Actor): Promise<UserRow | undefined> {
    const workspace = await identity.findWorkspace(actor.platform, actor.workspaceId);
    if (!workspace) return undefined;
    const cached = users.get(`${workspace.id}:${actor.userId}`);
    if (cached && cached.until > Date.now()) return cached.row;
    return identity.findUser(workspace.id, actor.userId);
  }

  /** Writes a person's settings and keeps the remembered copy in step. */
  async function updateUserRow(
    id: string,
    patch: Parameters<typeof identity.updateUser>[1],
  ): Promise<UserRow> {
    const row = await identity.updateUser(id, patch);
    for (const [key, entry] of users) if (entry.row.id === id) users.set(key, { ...entry, row });
    return row;
  }

  async function channelOf(key: ChannelKey): Promise<ChannelRow> {
    const workspaceId = await workspaceIdOf(key.platform, key.workspaceId);
    return identity.ensureChannel(workspaceId, key.channelId, key.channelName, deps.defaultTimezone);
  }

  function requireAdmin(actor: Actor, what: string): void {
    if (actor.isPlatformAdmin || isListedAdmin(deps.adminUserIds, actor.workspaceId, [actor.userId])) return;
    throw new AppError(
      'quiz.not_admin',
      `Only workspace admins can ${what}. Ask one of them, or ask whoever runs the bot to add your user id (${actor.userId}) to ADMIN_USER_IDS.`,
    );
  }

  function topicTitle(slug: string): string {
    return topicsBySlug.get(slug)?.title ?? slug;
  }

  function settingsOf(row: ChannelRow): ChannelSettings {
    return {
      channelId: row.id,
      externalId: row.externalId,
      name: row.name,
      active: row.active,
      postTime: row.postTime,
      timezone: row.timezone,
      days: row.days,
      daysText: describeDays(row.days),
      digestDay: row.digestDay,
      digestTime: row.digestTime,
      closeAfterMinutes: row.closeAfterMinutes,
    };
  }

  function readSchedule(input: { time?: string; timezone?: string; days?: string }) {
    const patch: Partial<ChannelRow> = {};
    if (input.time !== undefined) {
      const time = normaliseTime(input.time);
      if (!time)
        throw new AppError(
          'quiz.invalid_time',
          `"${input.time}" is not a time of day; use HH:MM, e.g. 09:00.`,
        );
      patch.postTime = time;
    }
    if (input.timezone !== undefined) {
      if (!isValidTimezone(input.timezone)) {
        throw new AppError(
          'quiz.invalid_timezone',
          `"${input.timezone}" is not a timezone; use a name such as Europe/Berlin or America/New_York.`,
        );
      }
      patch.timezone = input.timezone;
    }
    if (input.days !== undefined) {
      const days = parseDays(input.days);
      if (!days)
        throw new AppError(
          'quiz.invalid_days',
          `"${input.days}" is not a list of days; use weekdays, daily, or e.g. mon,wed,fri.`,
        );
      patch.days = days;
    }
    return patch;
  }

  /** Question versions never change once stored. */
  const versions = new Map<string, Question>();
  const places = createPostPlaces({ load: (postId) => postsRepo.placeOf(postId) });
  const recorder = createAnswerRecorder({
    clock: deps.clock,
    postsRepo,
    progress,
    usersOf,
    questionOf,
    async answeredBeforeErasure(clicks) {
      const kept = await erasures.ofPosts([...new Set(clicks.map((c) => c.postId))]);
      return matchErasedAnswerers(kept, clicks);
    },
  });

  async function questionOf(post: Pick<PostRow, 'questionId' | 'questionVersion'>): Promise<Question> {
    const key = `${post.questionId}@${post.questionVersion}`;
    const cached = versions.get(key);
    if (cached) return cached;
    const question = await postsRepo.loadQuestion(post.questionId, post.questionVersion);
    if (!question) throw new Error(`question ${post.questionId} v${post.questionVersion} is missing`);
    if (versions.size > 5_000) versions.clear();
    versions.set(key, question);
    return question;
  }

  /**
   * A question stays open from its scheduled time (or from when it was posted, if later) until the
   * channel's next scheduled post, and at most 24 hours; a fixed duration when the channel sets one.
   */
  function closesAtFor(channel: ChannelRow, localDate: string, postedAt: Date): Date {
    const scheduled = instantAt(localDate, channel.postTime, channel.timezone);
    const from = scheduled > postedAt ? scheduled : postedAt;
    if (channel.closeAfterMinutes) return new Date(from.getTime() + channel.closeAfterMinutes * 60_000);
    const next = nextPostInstant(
      { postTime: channel.postTime, timezone: channel.timezone, days: channel.days },
      from,
    );
    const latest = new Date(from.getTime() + MAX_OPEN_MS);
    return next && next < latest ? next : latest;
  }

  /** The top of a board, from the running totals: one row per person, whatever the history. */
  async function rankIn(channelIds: string[], period: Period, timezone: string): Promise<RankedRow[]> {
    const { from } = periodRange(period, deps.clock.now(), timezone);
    const start = localDateOf(from, timezone);
    return rank(await progress.totalsBoard(channelIds, period, start, BOARD_ROWS));
  }

  async function streakOf(userId: string): Promise<number> {
    const channelIds = await postsRepo.channelsAnsweredIn(userId);
    let best = 0;
    for (const channelId of channelIds)
      best = Math.max(best, (await progress.streaksIn(channelId, [userId])).get(userId) ?? 0);
    return best;
  }

  async function figuresOf(userId: string): Promise<TopicFigures[]> {
    return topicFigures(await progress.attempts(userId), deps.clock.now());
  }

  const quiz = {
    topics(): Array<Topic & { count?: number }> {
      return deps.topics;
    },

    topicTitle,

    /** The bot's own id for a person, creating the record on first contact. */
    async userIdOf(actor: Actor): Promise<string> {
      return (await userOf(actor)).id;
    },

    // ---- Channels -------------------------------------------------------------------------

    async subscribe(
      actor: Actor,
      key: ChannelKey,
      input: { time?: string; timezone?: string; days?: string },
    ): Promise<ChannelSettings> {
      requireAdmin(actor, 'subscribe a channel');
      const patch = readSchedule(input);
      const channel = await channelOf(key);
      const updated = await identity.updateChannel(channel.id, {
        postTime: DEFAULT_POST_TIME,
        days: [...WEEKDAYS],
        ...patch,
        active: true,
        subscribedBy: actor.userId,
        subscribedAt: deps.clock.now(),
        updatedAt: deps.clock.now(),
      });
      return settingsOf(updated);
    },

    async unsubscribe(actor: Actor, key: ChannelKey): Promise<ChannelSettings> {
      requireAdmin(actor, 'unsubscribe a channel');
      const channel = await channelOf(key);
      if (!channel.active)
        throw new AppError(
          'quiz.not_subscribed',
          'This channel is not subscribed, so there is nothing to stop.',
        );
      return settingsOf(
        await identity.updateChannel(channel.id, { active: false, updatedAt: deps.clock.now() }),
      );
    },

    async configureChannel(
      actor: Actor,
      key: ChannelKey,
      input: {
        time?: string;
        timezone?: string;
        days?: string;
        digestDay?: string;
        digestTime?: string;
        closeAfterMinutes?: number | null;
      },
    ): Promise<ChannelSettings> {
      requireAdmin(actor, 'change the channel schedule');
      const patch = readSchedule(input);
      if (input.digestDay !== undefined) {
        const day = parseDays(input.digestDay);
        if (day?.length !== 1)
          throw new AppError(
            'quiz.invalid_days',
            `"${input.digestDay}" is not one day of the week, e.g. mon.`,
          );
        patch.digestDay = day[0] as number;
      }
      if (input.digestTime !== undefined) {
        const time = normaliseTime(input.digestTime);
        if (!time)
          throw new AppError('quiz.invalid_time', `"${input.digestTime}" is not a time of day; use HH:MM.`);
        patch.digestTime = time;
      }
      if (input.closeAfterMinutes !== undefined) {
        if (
          input.closeAfterMinutes !== null &&
          !(input.closeAfterMinutes >= 5 && input.closeAfterMinutes <= 24 * 60)
        ) {
          throw new AppError('quiz.invalid_close', 'A question stays open between 5 minutes and 24 hours.');
        }
        patch.closeAfterMinutes = input.closeAfterMinutes;
      }
      const channel = await channelOf(key);
      return settingsOf(await identity.updateChannel(channel.id, { ...patch, updatedAt: deps.clock.now() }));
    },

    async channelSettings(key: ChannelKey): Promise<ChannelSettings | undefined> {
      const workspace = await identity.findWorkspace(key.platform, key.workspaceId);
      const channel = workspace && (await identity.findChannel(workspace.id, key.channelId));
      return channel ? settingsOf(channel) : undefined;
    },

    /** The bot was removed from a channel: no more questions there; history stays. */
    async deactivateChannel(key: ChannelKey): Promise<void> {
      const workspace = await identity.findWorkspace(key.platform, key.workspaceId);
      const channel = workspace && (await identity.findChannel(workspace.id, key.channelId));
      if (channel?.active)
        await identity.updateChannel(channel.id, { active: false, updatedAt: deps.clock.now() });
    },

    /** A workspace removed the bot: its channels stop getting questions; history stays. */
    async deactivateWorkspace(platform: Platform, workspaceId: string): Promise<void> {
      const workspace = await identity.findWorkspace(platform, workspaceId);
      if (!workspace) return;
      for (const channel of await identity.channelsOfWorkspace(workspace.id)) {
        if (channel.active)
          await identity.updateChannel(channel.id, { active: false, updatedAt: deps.clock.now() });
      }
    },

    async channelById(channelId: string): Promise<ChannelSettings | undefined> {
      const channel = await identity.getChannel(channelId);
      return channel ? settingsOf(channel) : undefined;
    },

    // ---- The question of the day -----------------------------------------------------------

    /** The question a channel would get next (no side effects). */
    async pickDailyQuestion(channelId: string): Promise<Question | undefined> {
      const [rows, history] = await Promise.all([activePool(), postsRepo.channelHistory(channelId)]);
      const picked = pickQuestion({ pool: rows, history, random });
      return picked && postsRepo.loadQuestion(picked.id, picked.version);
    },

    /**
     * The channel's question for a local date (default: today in the channel's timezone), created
     * at most once: a second call, from anywhere, returns the first post.
     */
    async postDailyQuestion(channelId: string, localDate?: string): Promise<DailyPost> {
      const channel = await identity.getChannel(channelId);
      if (!channel) throw new AppError('quiz.unknown_channel', 'That channel is not known to the bot.');
      const date = localDate ?? localDateOf(deps.clock.now(), channel.timezone);
      const existing = await postsRepo.findPost(channelId, date);
      if (existing) return { post: existing, question: await questionOf(existing), created: false };
      const question = await quiz.pickDailyQuestion(channelId);
      if (!question) throw new AppError('quiz.empty_bank', 'The question bank has no active questions.');
      const claimed = await postsRepo.claimPost({
        channelId,
        localDate: date,
        questionId: question.id,
        questionVersion: question.version,
        now: deps.clock.now(),
      });
      return {
        post: claimed.post,
        question: claimed.created ? question : await questionOf(claimed.post),
        created: claimed.created,
      };
    },

    /**
     * The questions of the day for many channels at once (a morning fan-out): existing posts are
     * returned as they are, missing ones are picked and claimed together. Same rules as postDailyQuestion.
     */
    async prepareDailyPosts(wanted: Array<{ channelId: string; localDate: string }>): Promise<PostRow[]> {
      const existing = await postsRepo.findPosts(wanted);
      const have = new Set(existing.map((p) => p.channelId));
      const missing = wanted.filter((w) => !have.has(w.channelId));
      if (missing.length === 0) return existing;
      const [rows, histories] = await Promise.all([
        activePool(),
        postsRepo.channelHistories(missing.map((m) => m.channelId)),
      ]);
      const picks = missing.flatMap((m) => {
        const picked = pickQuestion({ pool: rows, history: histories.get(m.channelId) ?? [], random });
        return picked
          ? [
              {
                channelId: m.channelId,
                localDate: m.localDate,
                questionId: picked.id,
                questionVersion: picked.version,
              },
            ]
          : [];
      });
      const created: PostRow[] = [];
      for (let i = 0; i < picks.length; i += 500)
        created.push(...(await postsRepo.claimPosts(picks.slice(i, i + 500), deps.clock.now())));
      // Posts another process created in the meantime.
      const createdFor = new Set(created.map((p) => p.channelId));
      const raced = await postsRepo.findPosts(missing.filter((m) => !createdFor.has(m.channelId)));
      return [...existing, ...created, ...raced];
    },

    async findDailyPosts(wanted: Array<{ channelId: string; localDate: string }>): Promise<PostRow[]> {
      return postsRepo.findPosts(wanted);
    },

    async questionsOf(posts: PostRow[]): Promise<Map<string, Question>> {
      return postsRepo.loadQuestions(posts.map((p) => ({ id: p.questionId, version: p.questionVersion })));
    },

    /** Opens many delivered posts at once; each closes at its channel's next post (see markPostDelivered). */
    async markPostsDelivered(
      items: Array<{ post: PostRow; channel: ChannelRow; messageRef: unknown }>,
    ): Promise<void> {
      const now = deps.clock.now();
      // Channels with the same schedule close at the same instant: work it out once per schedule.
      const closes = new Map<string, Date>();
      const closeOf = (channel: ChannelRow, localDate: string): Date => {
        const key = `${localDate}|${channel.postTime}|${channel.timezone}|${channel.days.join()}|${channel.closeAfterMinutes}`;
        let at = closes.get(key);
        if (!at) {
          at = closesAtFor(channel, localDate, now);
          closes.set(key, at);
        }
        return at;
      };
      await postsRepo.openPosts(
        items.map((i) => ({
          id: i.post.id,
          messageRef: i.messageRef,
          closesAt: closeOf(i.channel, i.post.localDate),
        })),
        now,
      );
    },

    /** Records that the platform delivered the post: it opens for answers until its close time. */
    async markPostDelivered(postId: string, messageRef: unknown): Promise<PostRow> {
      const post = await postsRepo.getPost(postId);
      if (!post) throw new AppError('quiz.unknown_post', 'That question is not known to the bot.');
      if (post.status !== 'pending') return post;
      const channel = (await identity.getChannel(post.channelId)) as ChannelRow;
      const now = deps.clock.now();
      return postsRepo.updatePost(postId, {
        status: 'open',
        messageRef,
        postedAt: now,
        closesAt: closesAtFor(channel, post.localDate, now),
        lastError: null,
      });
    },

    /** Notes a failed send; the scheduler retries after `retryAt`. */
    async recordDeliveryFailure(postId: string, error: string, retryAt: Date): Promise<PostRow> {
      return postsRepo.updatePost(postId, { lastError: error.slice(0, 500), nextAttemptAt: retryAt });
    },

    /**
     * The question a post asked, for reading a submitted answer. Which question a post asks never
     * changes, so it is remembered: a burst of Submit clicks reads the database once.
     */
    async questionOfPost(
      postId: string,
      answer?: { actor: Actor; where: AnswerPlace },
    ): Promise<Question | undefined> {
      const place = await places.get(postId);
      if (!place) return undefined;
      if (answer) checkAnswerPlace(place, answer.actor, answer.where);
      return questionOf(place);
    },

    /** A posted question of the day, how many answered it, and its channel's timezone. */
    async getDailyPost(
      postId: string,
    ): Promise<{ post: PostRow; question: Question; answered: number; timezone: string } | undefined> {
      const post = await postsRepo.getPost(postId);
      if (!post) return undefined;
      const [question, answered, channel] = await Promise.all([
        questionOf(post),
        postsRepo.countAnswers(postId),
        identity.getChannel(post.channelId),
      ]);
      return { post, question, answered, timezone: channel?.timezone ?? deps.defaultTimezone };
    },

    async openPostOf(channelId: string): Promise<PostRow | undefined> {
      return postsRepo.openPost(channelId);
    },

    /**
     * Records a person's answer. The first answer counts and scores; later ones return the first
     * with "already answered" and change nothing; an answer after the close is kept as practice.
     * An answer from another platform or workspace than the post's is refused, and so is one from
     * another channel when `where` says where it was given (the chat platforms always do).
     */
    async recordAnswer(
      actor: Actor,
      postId: string,
      rawChoice: unknown,
      where?: AnswerPlace,
    ): Promise<AnswerResult> {
      // Nothing is stored before the place check passes, and the recorder fails a click only when
      // its row was not committed, so this is the one place that can truthfully say so.
      let result: AnswerResult;
      try {
        const place = await places.get(postId);
        if (place) checkAnswerPlace(place, actor, where);
        result = await recorder.record(actor, postId, rawChoice);
      } catch (error) {
        throw isAppError(error) ? error : answerNotRecorded(error);
      }
      return { ...result, rightParts: markChoice(result.question, result.choice) };
    },

    /** Closes a post once; returns the reveal for the caller that closed it, undefined otherwise. */
    async closePost(postId: string): Promise<Reveal | undefined> {
      const closed = await postsRepo.closePost(postId, deps.clock.now());
      if (!closed) return undefined;
      await erasures.dropClosed();
      return quiz.revealOf(postId);
    },

    async revealOf(postId: string): Promise<Reveal> {
      const post = await postsRepo.getPost(postId);
      if (!post) throw new AppError('quiz.unknown_post', 'That question is not known to the bot.');
      const question = await questionOf(post);
      const given = await postsRepo.answersOf(postId);
      const optionCounts =
        question.type === 'single' || question.type === 'multiple' ? question.options.map(() => 0) : [];
      if (optionCounts.length > 0)
        for (const a of given) for (const i of a.choice) optionCounts[i] = (optionCounts[i] ?? 0) + 1;
      return {
        postId,
        question,
        answered: given.length,
        correctCount: given.filter((a) => a.correct).length,
        optionCounts,
      };
    },

    async postsDueToClose(): Promise<PostRow[]> {
      return postsRepo.postsDueToClose(deps.clock.now());
    },

    async markRevealed(postId: string): Promise<void> {
      await postsRepo.updatePost(postId, { revealedAt: deps.clock.now() });
    },

    // ---- Practice ----------------------------------------------------------------------------

    /** A practice question as it was handed out (its version), to read a submitted answer against. */
    async practiceQuestion(questionId: string, version: number): Promise<Question | undefined> {
      return postsRepo.loadQuestion(questionId, version);
    },

    /**
     * A private practice question: on the named topic; else on the person's weakest topic; else one
     * they have never answered; else any.
     */
    async practice(actor: Actor, topic?: string): Promise<PracticeQuestion> {
      if (topic !== undefined && !topicsBySlug.has(topic)) {
        const close = [...topicsBySlug.keys()]
          .filter((slug) => slug.includes(topic) || topic.includes(slug))
          .slice(0, 3);
        throw new AppError(
          'quiz.unknown_topic',
          `There is no topic "${topic}".${close.length ? ` Did you mean ${close.join(', ')}?` : ''} Send "topics" to list them.`,
        );
      }
      const user = await userOf(actor);
      return practiceFor(user.id, { topic, kind: 'practice' });
    },

    async answerPractice(
      actor: Actor,
      input: {
        questionId: string;
        version: number;
        issueKey: string;
        choice: unknown;
      },
    ): Promise<PracticeResult> {
      // The hand-out, not the card, says whose question this is and which version was shown: a card's
      // values come back through the person's client and can be changed there.
      const handout = UUID.test(input.issueKey) ? await handouts.find(input.issueKey) : undefined;
      const user = handout && (await knownUserOf(actor));
      if (
        !handout ||
        !user ||
        handout.userId !== user.id ||
        handout.questionId !== input.questionId ||
        handout.questionVersion !== input.version
      ) {
        throw new AppError(
          'quiz.practice_not_yours',
          'That practice question was not handed to you, so your answer was not recorded. Send "practice" for a question of your own.',
          { details: { issueKey: input.issueKey.slice(0, 64), known: Boolean(handout) } },
        );
      }
      const question = await postsRepo.loadQuestion(handout.questionId, handout.questionVersion);
      if (!question)
        throw new AppError('quiz.unknown_question', 'That practice question is no longer available.');
      const choice = validateChoice(question, input.choice);
      const correct = isCorrect(question, choice);
      const row = await progress.insertPracticeAnswer({
        userId: user.id,
        questionId: question.id,
        questionVersion: question.version,
        kind: handout.kind,
        issueKey: input.issueKey,
        choice,
        correct,
        answeredAt: deps.clock.now(),
      });
      if (!row) {
        const first = await progress.findPracticeAnswer(user.id, input.issueKey);
        const firstChoice = (first?.choice as Choice) ?? choice;
        return {
          outcome: 'already_answered',
          question,
          choice: firstChoice,
          correct: first?.correct ?? correct,
          rightParts: markChoice(question, firstChoice),
        };
      }
      return { outcome: 'recorded', question, choice, correct, rightParts: markChoice(question, choice) };
    },

    // ---- Leaderboards and stats -------------------------------------------------------------

    async leaderboard(
      key: ChannelKey,
      options: { period: Period; scope?: 'channel' | 'workspace' },
    ): Promise<Leaderboard> {
      const scope = options.scope ?? 'channel';
      // A read: a workspace or channel the bot has not seen yet has an empty board, and gets no row.
      const workspace = await identity.findWorkspace(key.platform, key.workspaceId);
      if (scope === 'workspace') {
        const channelIds = workspace ? await progress.channelIdsOfWorkspace(workspace.id) : [];
        return {
          scope,
          period: options.period,
          timezone: deps.defaultTimezone,
          rows: channelIds.length ? await rankIn(channelIds, options.period, deps.defaultTimezone) : [],
        };
      }
      const channel = workspace && (await identity.findChannel(workspace.id, key.channelId));
      const timezone = channel?.timezone ?? deps.defaultTimezone;
      return {
        scope,
        period: options.period,
        timezone,
        rows: channel ? await rankIn([channel.id], options.period, timezone) : [],
      };
    },

    async personalStats(actor: Actor): Promise<PersonalStats> {
      const user = await knownUserOf(actor);
      if (!user) return NO_STATS;
      const attempts = await progress.attempts(user.id);
      const figures = topicFigures(attempts, deps.clock.now());
      const correct = attempts.filter((a) => a.correct).length;
      const domains = new Map<number, { answered: number; correct: number }>();
      for (const a of attempts) {
        const d = domains.get(a.domain) ?? { answered: 0, correct: 0 };
        d.answered++;
        if (a.correct) d.correct++;
        domains.set(a.domain, d);
      }
      const place = await progress.allTimeRankOf(
        await progress.channelIdsOfWorkspace(user.workspaceId),
        user.id,
      );
      return {
        answered: attempts.length,
        correct,
        accuracy: attempts.length ? correct / attempts.length : null,
        points: await postsRepo.totalPoints(user.id),
        streak: await streakOf(user.id),
        rank: place.rank,
        rankedPeople: place.ranked,
        byDomain: [...domains.entries()]
          .sort(([a], [b]) => a - b)
          .map(([domain, d]) => ({
            domain,
            title: domainTitle(domain),
            answered: d.answered,
            accuracy: d.correct / d.answered,
          })),
        weakTopics: weakestTopics(figures).map((f) => ({ ...f, title: topicTitle(f.topic) })),
      };
    },

    async weakTopics(actor: Actor): Promise<WeakTopic[]> {
      const user = await knownUserOf(actor);
      if (!user) return [];
      return weakestTopics(await figuresOf(user.id)).map((f) => ({ ...f, title: topicTitle(f.topic) }));
    },

    // ---- Digest and reminders ---------------------------------------------------------------

    /** The week before `now` in a channel: leaders, participation, the hardest question, the weakest domain. */
    async weeklyDigest(channelId: string): Promise<WeeklyDigest> {
      const channel = await identity.getChannel(channelId);
      if (!channel) throw new AppError('quiz.unknown_channel', 'That channel is not known to the bot.');
      const now = deps.clock.now();
      const from = new Date(now.getTime() - 7 * 86_400_000);
      const all = await progress.leaderboard([channelId], from, now);
      const top = rank(all).slice(0, 10);
      const asked = await progress.channelPostsBetween(
        channelId,
        localDateOf(from, channel.timezone),
        localDateOf(now, channel.timezone),
      );
      const members = await progress.membersOf(channelId);
      const withAnswers = asked.filter((p) => Number(p.answered) > 0);
      const hardestRow = [...withAnswers].sort(
        (a, b) =>
          Number(a.correct) / Number(a.answered) - Number(b.correct) / Number(b.answered) ||
          Number(b.answered) - Number(a.answered),
      )[0];
      const domainTotals = new Map<number, { answered: number; correct: number }>();
      for (const p of withAnswers) {
        const d = domainTotals.get(p.domain) ?? { answered: 0, correct: 0 };
        d.answered += Number(p.answered);
        d.correct += Number(p.correct);
        domainTotals.set(p.domain, d);
      }
      const weakest = [...domainTotals.entries()].sort(
        ([, a], [, b]) => a.correct / a.answered - b.correct / b.answered,
      )[0];
      const streaks: Array<{ name: string; streak: number }> = [];
      const streakOfMember = await progress.streaksIn(
        channelId,
        members.map((m) => m.userId),
      );
      for (const member of members) {
        const streak = streakOfMember.get(member.userId) ?? 0;
        if (streak >= 3) streaks.push({ name: member.name, streak });
      }
      streaks.sort((a, b) => b.streak - a.streak || a.name.localeCompare(b.name));
      return {
        channelId,
        week: isoWeekOf(from, channel.timezone),
        from,
        to: now,
        top,
        questionsAsked: asked.length,
        activePeople: all.length,
        members: members.length,
        ...(hardestRow
          ? {
              hardest: {
                question: await questionOf({
                  questionId: hardestRow.questionId,
                  questionVersion: hardestRow.questionVersion,
                } as PostRow),
                answered: Number(hardestRow.answered),
                correct: Number(hardestRow.correct),
              },
            }
          : {}),
        ...(weakest
          ? {
              weakestDomain: {
                domain: weakest[0],
                title: domainTitle(weakest[0]),
                accuracy: weakest[1].correct / weakest[1].answered,
                answered: weakest[1].answered,
              },
            }
          : {}),
        streaks: streaks.slice(0, 5),
      };
    },

    /** A weak-topic reminder for one person, or undefined when no topic is weak yet. */
    async reminderFor(userId: string): Promise<ReminderContent | undefined> {
      const [weakest] = weakestTopics(await figuresOf(userId));
      if (!weakest) return undefined;
      const practice = await practiceFor(userId, { topic: weakest.topic, kind: 'reminder' });
      return {
        userId,
        topic: { ...weakest, title: topicTitle(weakest.topic) },
        practice: { ...practice, reason: 'weak-topic' },
      };
    },

    // ---- Preferences --------------------------------------------------------------------------

    async settings(actor: Actor): Promise<UserSettings> {
      const user = await knownUserOf(actor);
      return user ? userSettings(user) : DEFAULT_SETTINGS;
    },

    async setReminders(actor: Actor, value: 'on' | 'off' | 'daily' | 'weekly'): Promise<UserSettings> {
      const user = await userOf(actor);
      const reminders: ReminderFrequency = value === 'on' ? 'weekly' : value;
      return userSettings(
        await updateUserRow(user.id, { reminders, ...(value !== 'off' ? { snoozedUntil: null } : {}) }),
      );
    },

    async snooze(actor: Actor, days: number): Promise<UserSettings> {
      if (!Number.isInteger(days) || days < 1 || days > 90)
        throw new AppError('quiz.invalid_snooze', 'Snooze for 1 to 90 days, e.g. "snooze 7".');
      const user = await userOf(actor);
      return userSettings(
        await updateUserRow(user.id, {
          snoozedUntil: new Date(deps.clock.now().getTime() + days * 86_400_000),
        }),
      );
    },

    async setLeaderboardOptOut(actor: Actor, optOut: boolean): Promise<UserSettings> {
      const user = await userOf(actor);
      return userSettings(await updateUserRow(user.id, { leaderboardOptOut: optOut }));
    },

    async setTimezone(actor: Actor, timezone: string): Promise<UserSettings> {
      if (!isValidTimezone(timezone))
        throw new AppError(
          'quiz.invalid_timezone',
          `"${timezone}" is not a timezone; use a name such as Europe/Berlin.`,
        );
      const user = await userOf(actor);
      return userSettings(await updateUserRow(user.id, { timezone }));
    },

    /**
     * Erases everything stored about a person. Nothing happens without `confirmed`. For each
     * question still open that they answered, a keyed hash of their platform id is kept until it
     * closes, so answering it again cannot score as if for the first time.
     */
    async forgetMe(actor: Actor, confirmed: boolean): Promise<{ erased: boolean }> {
      if (!confirmed) return { erased: false };
      const workspaceId = await workspaceIdOf(actor.platform, actor.workspaceId);
      const user = await identity.findUser(workspaceId, actor.userId);
      if (user) {
        // Hashes first: should the erasure then fail, the answers are still there and still count.
        const open = await erasures.openPostsAnsweredBy(user.id);
        await erasures.remember(open.map((postId) => sealAnswerer(postId, actor)));
        await identity.eraseUser(user);
      } else await identity.forgetSubscriber(workspaceId, actor.userId);
      users.delete(`${workspaceId}:${actor.userId}`);
      return { erased: true };
    },
  };

  async function practiceFor(
    userId: string,
    { topic, kind }: { topic?: string | undefined; kind: 'practice' | 'reminder' },
  ): Promise<PracticeQuestion> {
    const rows = await activePool();
    const attempts = await progress.attempts(userId);
    const seen = new Set(attempts.map((a) => a.questionId));
    let reason: PracticeQuestion['reason'] = topic ? 'topic' : 'unseen';
    let candidates = topic ? rows.filter((q) => q.topic === topic) : rows;
    if (!topic) {
      const [weakest] = weakestTopics(topicFigures(attempts, deps.clock.now()));
      if (weakest) {
        candidates = rows.filter((q) => q.topic === weakest.topic);
        reason = 'weak-topic';
      }
    }
    const unseen = candidates.filter((q) => !seen.has(q.id));
    if (unseen.length > 0) candidates = unseen;
    else if (reason === 'unseen') reason = 'review';
    const picked = candidates[Math.floor(random() * candidates.length)];
    if (!picked)
      throw new AppError('quiz.empty_bank', 'There are no questions to practise on that topic yet.');
    const question = (await postsRepo.loadQuestion(picked.id, picked.version)) as Question;
    const issueKey = randomUUID();
    await handouts.insert({
      issueKey,
      userId,
      questionId: question.id,
      questionVersion: question.version,
      kind,
      handedAt: deps.clock.now(),
    });
    return { issueKey, question, reason, topicTitle: topicTitle(question.topic) };
  }

  return quiz;
}

export type Quiz = ReturnType<typeof createQuiz>;

/** What a person the bot has not met yet sees: nothing answered, and the settings a new row would get. */
const NO_STATS: PersonalStats = {
  answered: 0,
  correct: 0,
  accuracy: null,
  points: 0,
  streak: 0,
  rank: null,
  rankedPeople: 0,
  byDomain: [],
  weakTopics: [],
};
const DEFAULT_SETTINGS: UserSettings = {
  reminders: 'weekly',
  snoozedUntil: null,
  leaderboardOptOut: false,
  timezone: null,
};

function userSettings(user: UserRow): UserSettings {
  return {
    reminders: user.reminders,
    snoozedUntil: user.snoozedUntil,
    leaderboardOptOut: user.leaderboardOptOut,
    timezone: user.timezone,
  };
}

/** Competition ranking: equal points share a rank, and the next rank skips ("1, 1, 3"). */
export function rank(rows: LeaderboardRow[]): RankedRow[] {
  const sorted = [...rows].sort((a, b) => b.points - a.points || a.name.localeCompare(b.name));
  let rankSoFar = 0;
  return sorted.map((row, i) => {
    if (i === 0 || (sorted[i - 1] as LeaderboardRow).points !== row.points) rankSoFar = i + 1;
    return { ...row, rank: rankSoFar };
  });
}
