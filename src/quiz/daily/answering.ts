import type { Clock } from '../../clock.js';
import { answerNotRecorded, isAppError } from '../../errors.js';
import type { Learning } from '../../learning/learning.js';
import type { ChannelsRepository } from '../channels/channels.repository.js';
import { matchErasedAnswerers } from '../people/erasures.js';
import type { ErasuresRepository } from '../people/erasures.repository.js';
import type { KnownPeople } from '../people/known-people.js';
import type { PracticeAnswersRepository } from '../practice/practice-answers.repository.js';
import { markChoice, type Question } from '../question.js';
import type { QuestionVersions } from '../questions/question-versions.js';
import type { Actor, AnswerResult } from '../types.js';
import { createAnswerRecorder } from './answer-recorder.js';
import type { AnswersRepository } from './answers.repository.js';
import { type AnswerPlace, checkAnswerPlace, createPostPlaces } from './post-places.js';
import type { PostRow, PostsRepository } from './posts.repository.js';
import { createRecorderStore } from './recorder-store.js';

export interface AnsweringDeps {
  posts: PostsRepository;
  answers: AnswersRepository;
  practiceAnswers: PracticeAnswersRepository;
  channels: ChannelsRepository;
  erasures: ErasuresRepository;
  people: KnownPeople;
  versions: QuestionVersions;
  learning: Learning;
  clock: Clock;
  defaultTimezone: string;
}

/** Answers to the question of the day: where they may come from, recording them, the count so far. */
export function createAnswering(deps: AnsweringDeps) {
  const { posts, versions } = deps;
  const places = createPostPlaces({ load: (postId) => posts.placeOf(postId) });
  const recorder = createAnswerRecorder({
    clock: deps.clock,
    postsRepo: createRecorderStore(posts, deps.answers),
    progress: deps.practiceAnswers,
    usersOf: deps.people.usersOf,
    workspaceIdOf: (actor) => deps.people.workspaceIdOf(actor.platform, actor.workspaceId),
    questionOf: versions.get,
    async answeredBeforeErasure(clicks) {
      const kept = await deps.erasures.ofPosts([...new Set(clicks.map((c) => c.postId))]);
      return matchErasedAnswerers(kept, clicks);
    },
    // One batch per group, applied after the group's commit while its people get their results.
    onStored(at, stored) {
      // Whatever happens here, the group's answers are committed: nothing may fail their clicks.
      try {
        deps.learning.writer.record(
          stored.map((s) => ({
            userId: s.user.id,
            question: s.question,
            source: s.late ? 'late' : 'daily',
            correct: s.correct,
            at,
          })),
        );
      } catch (error) {
        deps.learning.writer.failed(error, stored.length);
      }
    },
  });

  return {
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
      return versions.get(place);
    },

    /** A posted question of the day, how many answered it, and its channel's timezone. */
    async getDailyPost(
      postId: string,
    ): Promise<{ post: PostRow; question: Question; answered: number; timezone: string } | undefined> {
      const [post] = await posts.getPosts([postId]);
      if (!post) return undefined;
      const [question, counts, channel] = await Promise.all([
        versions.get(post),
        deps.answers.countAnswersOf([postId]),
        deps.channels.getChannel(post.channelId),
      ]);
      return {
        post,
        question,
        answered: counts.get(postId) ?? 0,
        timezone: channel?.timezone ?? deps.defaultTimezone,
      };
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
  };
}
